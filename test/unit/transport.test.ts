/**
 * The transport's rules that need no socket (src/transport.ts): a custom fetch answers each
 * attempt. Servers, timeouts and real aborts are in test/client/.
 */
import { describe, expect, it } from "vitest";
import { CallRecord } from "../../src/call-facts.js";
import { BflAbortError, BflConfigurationError, BflConnectionError } from "../../src/errors.js";
import type { LogEvent } from "../../src/logger.js";
import { RateLimitGate } from "../../src/rate-limit.js";
import { DEFAULT_BACKOFF } from "../../src/retry.js";
import { createTransport, type TransportSettings } from "../../src/transport.js";

const BASE = "http://bfl.test/v1";
const backoff = { ...DEFAULT_BACKOFF, initialDelayMs: 5, maxDelayMs: 5 };

/**
 * A transport whose attempts are answered, in turn, by `answers` (a Response, or an error to
 * throw); `settings` replace the defaults here.
 */
function transport(
  answers: Array<Response | Error | (() => Response | Promise<Response>)>,
  maxRetries = 3,
  settings: Partial<TransportSettings> = {},
) {
  const seen: Request[] = [];
  const events: LogEvent[] = [];
  const send = createTransport({
    apiKey: "test-key-123",
    baseUrl: BASE,
    timeoutMs: 5000,
    policy: { ...backoff, maxRetries },
    maxRateLimitWaitMs: 60_000,
    gate: new RateLimitGate({ backoff }),
    ...settings,
    fetch: async (request) => {
      seen.push(request);
      const next = answers.shift();
      if (next instanceof Error) throw next;
      if (typeof next === "function") return next();
      return next ?? new Response("{}", { status: 200 });
    },
    log: (event) => events.push(event),
  });
  return { send, seen, events };
}

describe("the key goes to baseUrl only", () => {
  it.each([BASE, `${BASE}/finetunes`, `${BASE}?id=a`])("%s is sent", async (url) => {
    const { send, seen } = transport([]);
    expect((await send(new Request(url))).status).toBe(200);
    expect(seen[0]?.headers.get("x-key")).toBe("test-key-123");
  });

  it.each([`${BASE}x/finetunes`, "http://other.test/v1", `${BASE}#x`])("%s is refused before sending", async (url) => {
    const { send, seen } = transport([]);
    const error = await send(new Request(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BflConfigurationError);
    expect((error as Error).message).toContain(`outside ${BASE}`);
    expect(seen).toHaveLength(0);
  });
});

describe("answers", () => {
  it("a 204 (a status that has no body) is handed back as it is", async () => {
    const { send } = transport([new Response(null, { status: 204 })]);
    expect((await send(new Request(`${BASE}/x`))).status).toBe(204);
  });

  it("a body without a declared length, in several chunks, arrives whole", async () => {
    const chunks = ['{"detail":', '"not ', 'found"}'];
    const stream = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next === undefined) controller.close();
            else controller.enqueue(new TextEncoder().encode(next));
          },
        }),
        { status: 404 },
      );
    const record = new CallRecord();
    const { send } = transport([stream]);
    const response = await send(new Request(`${BASE}/x`), {}, record);
    expect(await response.json()).toEqual({ detail: "not found" });
    expect(record.failure?.body).toEqual({ detail: "not found" });
  });

  it("a body of exactly 16 MiB is read; the limit is past it", async () => {
    const size = 16 * 1024 * 1024;
    const body = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new Uint8Array(size));
            controller.close();
          },
        }),
      );
    const { send } = transport([body]);
    expect((await (await send(new Request(`${BASE}/x`))).arrayBuffer()).byteLength).toBe(size);
  });

  it("a custom fetch's body past 16 MiB is refused though its declared length is small", async () => {
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    let cancelled = false;
    const body = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            if (sent++ < 64) controller.enqueue(chunk);
            else controller.close();
          },
          cancel() {
            cancelled = true;
          },
        }),
        { headers: { "content-length": "2" } },
      );
    const { send } = transport([body], 0);
    const error = await send(new Request(`${BASE}/x`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BflConnectionError);
    expect((error as Error).message).toContain("larger than 16 MiB");
    // Read no further than the limit (and the stream's one chunk of read-ahead).
    expect(sent).toBeLessThanOrEqual(18);
    expect(cancelled).toBe(true);
  });

  it("logs each response with its request id and duration", async () => {
    const before = Date.now();
    const { send, events } = transport([new Response("{}", { headers: { "x-request-id": "req-1" } })]);
    await send(new Request(`${BASE}/x`));
    const response = events.find((e) => e.message === "response");
    expect(response).toMatchObject({ status: 200, attempt: 1, requestId: "req-1" });
    expect(response?.ms).toBeGreaterThanOrEqual(0);
    expect(response?.ms).toBeLessThanOrEqual(Date.now() - before);
  });
});

describe("what a call records", () => {
  it("only a 5xx makes the attempt ambiguous: a retried 409 followed by a 404 is a plain 404", async () => {
    const record = new CallRecord();
    const { send } = transport([new Response("", { status: 409 }), new Response("", { status: 404 })]);
    expect((await send(new Request(`${BASE}/x`), {}, record)).status).toBe(404);
    expect(record.failure?.afterAmbiguousAttempt).toBe(false);
  });

  it("a 500 followed by a 404: the 404 comes after an attempt that may have acted", async () => {
    const record = new CallRecord();
    const { send } = transport([new Response("", { status: 500 }), new Response("", { status: 404 })]);
    await send(new Request(`${BASE}/x`), {}, record);
    expect(record.failure?.afterAmbiguousAttempt).toBe(true);
  });

  it("an abort while waiting to retry a 5xx: an answer came, so nothing is in flight", async () => {
    const controller = new AbortController();
    const answer = () => {
      setTimeout(() => controller.abort(), 1);
      return new Response("", { status: 503, headers: { "retry-after-ms": "1000" } });
    };
    const { send } = transport([answer]);
    const error = await send(new Request(`${BASE}/x`), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error).toMatchObject({ attempts: 1, sentWithoutAnswer: false, afterAmbiguousAttempt: true });
  });
});

describe("no answer", () => {
  const refused = () =>
    new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) });

  it("names the error code when there is one, and retries after the backoff (logged)", async () => {
    const { send, events } = transport([refused(), refused()], 1);
    const error = await send(new Request(`${BASE}/x`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BflConnectionError);
    expect((error as Error).message).toBe(`No answer from ${new URL(BASE).origin}: fetch failed (ECONNREFUSED)`);
    const retry = events.find((e) => e.message === "retry");
    expect(retry).toMatchObject({ retry: 1, reason: (error as Error).message });
    expect(retry?.delayMs).toBeGreaterThan(0);
  });

  it("names the host that did not answer: a regional BFL host's own origin", async () => {
    const { send } = transport([refused()], 0);
    const error = await send(new Request("https://api.eu1.bfl.ai/v1/get_result?id=t")).catch((e: unknown) => e);
    expect((error as Error).message).toBe("No answer from https://api.eu1.bfl.ai: fetch failed (ECONNREFUSED)");
  });

  it("without a code the message has no empty parentheses", async () => {
    const { send } = transport([new Error("socket hang up")], 0);
    const error = await send(new Request(`${BASE}/x`)).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`No answer from ${new URL(BASE).origin}: socket hang up`);
  });

  it("a 429 that holds the client logs the hold as the retry's delay", async () => {
    const { send, events } = transport([new Response("", { status: 429, headers: { "retry-after-ms": "20" } })]);
    expect((await send(new Request(`${BASE}/x`))).status).toBe(200);
    expect(events.find((e) => e.message === "retry")).toMatchObject({ delayMs: 20 });
  });
});

describe("a call's end", () => {
  it("a 2xx is final, whatever x-should-retry says: a delete that succeeded is not sent again", async () => {
    const record = new CallRecord();
    const { send, seen } = transport([new Response("{}", { status: 200, headers: { "x-should-retry": "true" } })]);
    expect((await send(new Request(`${BASE}/x`, { method: "POST" }), {}, record)).status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(record.failure).toBeUndefined();
  });

  it("a fetch that rejects with no error at all is still a connection error", async () => {
    const { send } = transport([() => Promise.reject(undefined)], 0);
    const error = await send(new Request(`${BASE}/x`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error).toMatchObject({ sentWithoutAnswer: true });
  });

  it("an abort in flight may have been sent, whatever code its reason carries", async () => {
    const controller = new AbortController();
    // A reason with a "never connected" code: the request may be on its way all the same.
    const reason = Object.assign(new Error("gave up"), { code: "ECONNREFUSED" });
    const inFlight = () => {
      setTimeout(() => controller.abort(reason), 1);
      return new Promise<Response>(() => {});
    };
    const { send } = transport([inFlight]);
    const error = await send(new Request(`${BASE}/x`), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error).toMatchObject({ attempts: 1, sentWithoutAnswer: true });
  });

  it("leaves no timer behind: each attempt's timeout is cleared when it ends", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const { send } = transport([]);
    const before = timers();
    expect((await send(new Request(`${BASE}/x`))).status).toBe(200);
    // At most as many: a timer of an earlier test may end meanwhile, never one more.
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe("429s that hold the client are not tries", () => {
  const slowDown = (ms: string) => new Response("", { status: 429, headers: { "retry-after-ms": ms } });

  it("a wait exactly at maxRetryAfterMs holds the client, and is not counted against maxRetries", async () => {
    const policy = { ...backoff, maxRetryAfterMs: 20, maxRetries: 0 };
    const { send, seen } = transport([slowDown("20")], 0, { policy });
    expect((await send(new Request(`${BASE}/x`))).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("a call may wait exactly its whole rateLimit.maxTotalWaitMs; past it, the 429 is the answer", async () => {
    const within = transport([slowDown("20")], 0, { maxRateLimitWaitMs: 20 });
    expect((await within.send(new Request(`${BASE}/x`))).status).toBe(200);
    const past = transport([slowDown("21")], 0, { maxRateLimitWaitMs: 20 });
    expect((await past.send(new Request(`${BASE}/x`))).status).toBe(429);
  });
});

describe("a paid submit (a POST to a path ending in -finetuned)", () => {
  const submit = (path: string) => new Request(`${BASE}/${path}`, { method: "POST", body: "{}" });

  it("is retried after a 429 that held nothing (a zero backoff): a definite refusal", async () => {
    const zero = { ...backoff, initialDelayMs: 0, maxDelayMs: 0 };
    const { send, seen } = transport([new Response("", { status: 429 })], 1, {
      policy: { ...zero, maxRetries: 1 },
      gate: new RateLimitGate({ backoff: zero }),
    });
    expect((await send(submit("flux-pro-1.1-ultra-finetuned"))).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("only a path that ends so: a POST with -finetuned inside its path is retried after a 503", async () => {
    const { send, seen } = transport([new Response("", { status: 503 })]);
    expect((await send(submit("flux-finetuned/copies"))).status).toBe(200);
    expect(seen).toHaveLength(2);
    const paid = transport([new Response("", { status: 503 })]);
    expect((await paid.send(submit("flux-finetuned"))).status).toBe(503);
  });
});
