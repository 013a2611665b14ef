/** The retry policy: what is retried, how long the client waits, and what the server can ask for. */
import { describe, expect, it } from "vitest";
import {
  type BflApiError,
  BflBadRequestError,
  BflConnectionError,
  BflRateLimitError,
  BflServerError,
} from "../../src/index.js";
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, retryDelay } from "../../src/retry.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { json, okBody, reset, startFaultServer, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

/** Times between consecutive requests the server received, in ms. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

function recordTimes(answer: (n: number) => (res: import("node:http").ServerResponse) => void): number[] {
  const times: number[] = [];
  server.reply((res, n) => {
    times.push(Date.now());
    answer(n)(res);
  });
  return times;
}

describe("recovering", () => {
  it("500 twice then 200 succeeds on the third attempt", async () => {
    server.reply((res, n) => (n <= 2 ? json(500, { detail: "boom" }) : json(200, okBody()))(res));
    await expect(clientFor(server).deleteFinetune("my-finetune")).resolves.toEqual(okBody());
    expect(server.requests).toHaveLength(3);
  });

  it("a connection reset before headers is retried, then reported as BflConnectionError with its cause", async () => {
    server.reply((res, n) => (n === 1 ? reset(res) : json(200, okBody())(res)));
    await expect(clientFor(server).deleteFinetune("my-finetune")).resolves.toEqual(okBody());
    expect(server.requests).toHaveLength(2);

    server.reply(reset);
    const error = (await rejectionOf(clientFor(server, { maxRetries: 1 }).deleteFinetune("x"))) as BflConnectionError;
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.attempts).toBe(2);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.message).toContain(server.url);
    expect(server.requests).toHaveLength(2);
  });

  it("a refused connection is a BflConnectionError", async () => {
    const closed = await startFaultServer();
    await closed.close();
    const error = await rejectionOf(clientFor(closed, { maxRetries: 0 }).deleteFinetune("x"));
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("503 always fails after 1 + maxRetries attempts; maxRetries per call overrides the client's", async () => {
    server.reply(json(503, { detail: "down" }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflServerError;
    expect(error).toBeInstanceOf(BflServerError);
    expect(error.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);

    server.reply(json(503, { detail: "down" }));
    await rejectionOf(clientFor(server).deleteFinetune("x", { maxRetries: 0 }));
    expect(server.requests).toHaveLength(1);
  });

  it("400 is never retried without the server's say-so", async () => {
    server.reply(json(400, { detail: "bad" }));
    await rejectionOf(clientFor(server, { maxRetries: 5 }).deleteFinetune("x"));
    expect(server.requests).toHaveLength(1);
  });

  it("408 is retried", async () => {
    server.reply((res, n) => (n === 1 ? json(408, {}) : json(200, okBody()))(res));
    await clientFor(server).deleteFinetune("x");
    expect(server.requests).toHaveLength(2);
  });
});

describe("x-should-retry, before the status rules", () => {
  it("false on a 503 -> one attempt", async () => {
    server.reply(json(503, { detail: "down" }, { "x-should-retry": "false" }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflApiError;
    expect(error.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("true on a 400 -> retried", async () => {
    server.reply((res, n) =>
      (n === 1 ? json(400, { detail: "try again" }, { "x-should-retry": "true" }) : json(200, okBody()))(res),
    );
    await clientFor(server).deleteFinetune("x");
    expect(server.requests).toHaveLength(2);

    server.reply(json(400, { detail: "try again" }, { "x-should-retry": "true" }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflBadRequestError;
    expect(error).toBeInstanceOf(BflBadRequestError);
    expect(error.attempts).toBe(3);
  });
});

describe("429 and the server's requested wait", () => {
  it("Retry-After: 1 waits about a second, then succeeds", async () => {
    const times = recordTimes((n) => (n === 1 ? json(429, {}, { "retry-after": "1" }) : json(200, okBody())));
    await clientFor(server).deleteFinetune("x");
    expect(times).toHaveLength(2);
    expect(gaps(times)[0]).toBeGreaterThanOrEqual(950);
  });

  it("Retry-After as an HTTP date waits until then", async () => {
    const times = recordTimes((n) =>
      n === 1 ? json(429, {}, { "retry-after": new Date(Date.now() + 2000).toUTCString() }) : json(200, okBody()),
    );
    await clientFor(server).deleteFinetune("x");
    expect(times).toHaveLength(2);
    // HTTP dates have one-second resolution: the wait is between 1 and 2 s.
    expect(gaps(times)[0]).toBeGreaterThanOrEqual(950);
  });

  it("retry-after-ms wins over Retry-After", async () => {
    const times = recordTimes((n) =>
      n === 1 ? json(429, {}, { "retry-after-ms": "300", "retry-after": "30" }) : json(200, okBody()),
    );
    await clientFor(server).deleteFinetune("x");
    expect(gaps(times)[0]).toBeGreaterThanOrEqual(280);
    expect(gaps(times)[0]).toBeLessThan(5000);
  });

  it("Retry-After: 3600 fails at once with BflRateLimitError carrying retryAfterMs", async () => {
    server.reply(json(429, { detail: "Too many tasks" }, { "retry-after": "3600" }));
    const started = Date.now();
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflRateLimitError;
    expect(error).toBeInstanceOf(BflRateLimitError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.attempts).toBe(1);
    expect(error.message).toBe("429 Too Many Requests: Too many tasks; retry after 3600 s");
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("backoff schedule", () => {
  const policy = { ...DEFAULT_BACKOFF, maxRetries: 10 };

  it("doubles from 0.5 s to a cap of 8 s", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelay(retry, policy, () => 0));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("jitters down by at most a quarter", () => {
    expect(backoffDelay(1, policy, () => 0.999_999)).toBeCloseTo(375, 0);
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(3, policy)));
    for (const delay of seen) expect(delay).toBeGreaterThan(1500);
    expect(seen.size).toBeGreaterThan(1);
  });

  it("stops after maxRetries, and when the server asks for longer than maxRetryAfterMs", () => {
    expect(retryDelay(11, undefined, policy)).toBeUndefined();
    expect(retryDelay(1, parseRetryAfter(new Headers({ "retry-after": "61" })), policy)).toBeUndefined();
    expect(retryDelay(1, parseRetryAfter(new Headers({ "retry-after": "2" })), policy)).toBe(2000);
  });

  it("reads the server's wait in every documented form", () => {
    const now = Date.parse("2026-11-29T12:00:00Z");
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250" }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": "7" }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Sun, 29 Nov 2026 12:00:05 GMT" }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Sun, 29 Nov 2026 11:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });
});
