/** Timeouts per attempt, and the caller's signal stopping everything at once. */
import { describe, expect, it } from "vitest";
import { BflAbortError, BflConnectionError, BflTimeoutError } from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { hang, json, stallBody, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

/** Resolves once the server has received `count` requests. */
async function untilRequests(count: number): Promise<void> {
  for (let i = 0; i < 500 && server.requests.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  expect(server.requests.length).toBeGreaterThanOrEqual(count);
}

describe("timeouts", () => {
  it("a server that never answers times out each attempt, then throws BflTimeoutError", async () => {
    server.reply(hang);
    const error = (await rejectionOf(
      // Long enough for each request to reach the server even on a loaded machine.
      clientFor(server, { timeoutMs: 400, maxRetries: 1 }).deleteFinetune("x"),
    )) as BflTimeoutError;
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.name).toBe("BflTimeoutError");
    expect(error.attempts).toBe(2);
    expect(error.message).toBe(`No answer from ${server.url}: timed out after 400 ms`);
    expect(server.requests).toHaveLength(2);
  });

  it("headers sent but a stalled body still times out", async () => {
    server.reply(stallBody);
    const error = await rejectionOf(clientFor(server, { timeoutMs: 150, maxRetries: 0 }).deleteFinetune("x"));
    expect(error).toBeInstanceOf(BflTimeoutError);
  });

  it("a body past 16 MiB ends the attempt as an answer that never came whole, not memory exhausted", async () => {
    // 64 MiB without a length, then a stall: the client must stop at the limit, not wait for the timeout.
    server.reply((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      for (let i = 0; i < 64; i++) res.write(chunk);
    });
    const error = await rejectionOf(clientFor(server, { timeoutMs: 20_000, maxRetries: 0 }).deleteFinetune("x"));
    expect(error).toMatchObject({ name: "BflConnectionError", attempts: 1, sentWithoutAnswer: true });
    expect(error.message).toContain("larger than 16 MiB");
  }, 10_000);

  it("timeoutMs per call overrides the client's", async () => {
    server.reply(hang);
    const started = Date.now();
    const error = await rejectionOf(
      clientFor(server, { timeoutMs: 60_000, maxRetries: 0 }).deleteFinetune("x", { timeoutMs: 50 }),
    );
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("a custom fetch that ignores the request's signal", () => {
  const never = () => new Promise<Response>(() => {});
  /** Headers at once, then a body that never ends. */
  const endlessBody = async () =>
    new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 200 });

  it.each([
    ["never answers", never],
    ["never ends its body", endlessBody],
  ])(
    "%s: the attempt still times out, and the caller's abort still ends the call",
    async (_, fetch) => {
      const timedOut = await rejectionOf(
        clientFor(server, { fetch, timeoutMs: 50, maxRetries: 0 }).deleteFinetune("x"),
      );
      expect(timedOut).toMatchObject({ name: "BflTimeoutError", attempts: 1, sentWithoutAnswer: true });
      const controller = new AbortController();
      const call = clientFor(server, { fetch }).deleteFinetune("x", { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      expect(await rejectionOf(call)).toMatchObject({ name: "BflAbortError", attempts: 1, sentWithoutAnswer: true });
    },
    5000,
  );
});

describe("cancellation", () => {
  it("aborting during a request throws BflAbortError at once and sends nothing more", async () => {
    server.reply(hang);
    const controller = new AbortController();
    const call = clientFor(server, { maxRetries: 3 }).deleteFinetune("x", { signal: controller.signal });
    await untilRequests(1);
    controller.abort(new Error("user gave up"));
    const error = await rejectionOf(call);
    expect(error).toBeInstanceOf(BflAbortError);
    expect((error.cause as Error).message).toBe("user gave up");
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(1);
  });

  it("aborting during a backoff wait stops before the next attempt", async () => {
    server.reply(json(503, { detail: "down" }));
    const controller = new AbortController();
    const client = clientFor(server, { maxRetries: 3, backoff: { initialDelayMs: 5000 } });
    const call = client.deleteFinetune("x", { signal: controller.signal });
    await untilRequests(1);
    await new Promise((r) => setTimeout(r, 50)); // now inside the 5 s backoff
    const started = Date.now();
    controller.abort();
    const error = await rejectionOf(call);
    expect(error).toBeInstanceOf(BflAbortError);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(1);
  });

  it("an already aborted signal sends no request", async () => {
    server.reply(hang);
    const error = await rejectionOf(clientFor(server).deleteFinetune("x", { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(BflAbortError);
    expect(server.requests).toHaveLength(0);
  });
});
