/**
 * One client shares what a 429 says. A server that accepts two requests at a time and answers
 * 429 above that: a batch through one client ends with every id deleted and few 429s.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { clientFor } from "../helpers/client.js";
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
