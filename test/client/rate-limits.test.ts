/**
 * One client shares what a 429 says. A server that accepts two requests at a time and answers
 * 429 above that: a batch through one client ends with every id deleted and few 429s.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { BflRateLimitError } from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { json, okBody, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

/** Accepts `capacity` in flight, answering each after `ms`; 429 (with `headers`) above that. */
function limitedServer(capacity: number, ms: number, headers: Record<string, string>) {
  let inFlight = 0;
  let rejected = 0;
  server.reply((res: ServerResponse) => {
    if (inFlight >= capacity) {
      rejected++;
      return json(429, { detail: "Too many active tasks" }, headers)(res);
    }
    inFlight++;
    setTimeout(() => {
      inFlight--;
      json(200, okBody())(res);
    }, ms);
  });
  return { rejected: () => rejected };
}

async function batch(ids: number, concurrency: number, headers: Record<string, string>) {
  const counts = limitedServer(2, 10, headers);
  const client = clientFor(server, { maxConcurrency: concurrency, backoff: { initialDelayMs: 100, maxDelayMs: 800 } });
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < ids) {
      next++;
      await client.deleteFinetune("ft").catch((error) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { failures, requests: server.requests.length, rejected: counts.rejected() };
}

describe("a rate-limited batch through one client", () => {
  it.each([
    ["with Retry-After", { "retry-after-ms": "300" }],
    ["without any wait", {}],
  ])("%s: every id deleted, at most 10 %% of requests answered 429", async (_, headers) => {
    const { failures, requests, rejected } = await batch(100, 8, headers);
    expect(failures).toEqual([]);
    expect(requests).toBe(100 + rejected);
    expect(rejected).toBeGreaterThan(0);
    expect(rejected / requests).toBeLessThanOrEqual(0.1);
  });
});

describe("a 429 that asks for no wait", () => {
  it.each([
    ["Retry-After: 0", { "retry-after": "0" }],
    ["retry-after-ms: 0", { "retry-after-ms": "0" }],
    ["an HTTP date in the past", { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }],
  ])(
    "%s: the call backs off and settles, it does not hammer the server",
    async (_, headers) => {
      server.reply(json(429, { detail: "Too many active tasks" }, headers));
      const client = clientFor(server, { rateLimit: { maxTotalWaitMs: 200 } });
      const error = await client.deleteFinetune("ft").catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "BflRateLimitError", status: 429 });
      // Backoff from 5 ms doubling to 20 ms within a 200 ms budget: a handful of tries, not thousands.
      expect(server.requests.length).toBeLessThan(30);
    },
    5000,
  );

  it("with a zero backoff, 429s without a wait count against maxRetries", async () => {
    server.reply(json(429, { detail: "Too many active tasks" }, { "retry-after": "0" }));
    const client = clientFor(server, { maxRetries: 2, backoff: { initialDelayMs: 0, maxDelayMs: 0 } });
    const error = await client.deleteFinetune("ft").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BflRateLimitError", attempts: 3 });
    expect(server.requests).toHaveLength(3);
  }, 5000);
});

/** Answers the first request 429 (with `headers`), every later one 200; records when each came. */
function onceLimited(headers: Record<string, string>): number[] {
  const times: number[] = [];
  server.reply((res, n) => {
    times.push(Date.now());
    (n === 1 ? json(429, { detail: "Too many active tasks" }, headers) : json(200, okBody()))(res);
  });
  return times;
}

describe("maxRetries: 0 is one attempt, 429 included", () => {
  it.each([
    ["with Retry-After", { "retry-after": "1" }, {}],
    ["without a wait", {}, { maxRetries: 0, backoff: { initialDelayMs: 400, maxDelayMs: 400 } }],
  ])(
    "%s: rejects after one request with retryAfterMs; the client's next call waits it out",
    async (_, headers, options) => {
      const times = onceLimited(headers);
      const client = clientFor(server, { maxRetries: 0, ...options });
      const error = (await rejectionOf(client.deleteFinetune("ft"))) as BflRateLimitError;
      expect(error).toBeInstanceOf(BflRateLimitError);
      expect(error.attempts).toBe(1);
      // Had the call waited, it would have asked again before rejecting.
      expect(server.requests).toHaveLength(1);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      await client.deleteFinetune("ft");
      expect(server.requests).toHaveLength(2);
      // The gate held the client from when the 429 came back, which is after the server sent it.
      expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual((error.retryAfterMs as number) - 20);
    },
  );

  it("a call's own maxRetries: 0 is one attempt on a client that retries", async () => {
    onceLimited({ "retry-after-ms": "200" });
    const error = (await rejectionOf(clientFor(server).deleteFinetune("ft", { maxRetries: 0 }))) as BflRateLimitError;
    expect(error).toMatchObject({ name: "BflRateLimitError", attempts: 1, retryAfterMs: 200 });
    expect(server.requests).toHaveLength(1);
  });

  it("with rateLimit.maxTotalWaitMs given, maxRetries: 0 still waits out 429s (as the CLI does)", async () => {
    onceLimited({ "retry-after-ms": "50" });
    const client = clientFor(server, { maxRetries: 0, rateLimit: { maxTotalWaitMs: 5000 } });
    await expect(client.deleteFinetune("ft")).resolves.toEqual(okBody());
    expect(server.requests).toHaveLength(2);
  });

  it("maxRetries: 1 waits out more 429s than it has retries: they are not counted", async () => {
    server.reply((res, n) => (n <= 3 ? json(429, {}, { "retry-after-ms": "20" }) : json(200, okBody()))(res));
    await expect(clientFor(server, { maxRetries: 1 }).deleteFinetune("ft")).resolves.toEqual(okBody());
    expect(server.requests).toHaveLength(4);
  });
});
