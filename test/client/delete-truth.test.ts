/**
 * What a failed call says about what the server may already have done. A delete whose answer was
 * lost and whose retry got 404 is gone; one that never reached the server is not.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  BflAbortError,
  BflConnectionError,
  BflNotFoundError,
  BflResponseValidationError,
  BflServerError,
  BflTimeoutError,
} from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { hang, json, okBody, reset, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();
const notFound = json(404, { detail: "Finetune not found" });

describe("a 404 after an attempt that may have reached the server", () => {
  it.each([
    ["the connection dropped after sending", reset],
    ["502", json(502, { detail: "bad gateway" })],
    ["504", json(504, { detail: "gateway timeout" })],
  ])("%s, then 404: afterAmbiguousAttempt with the earlier failure as cause", async (_, first) => {
    server.reply((res, n) => (n === 1 ? first(res) : notFound(res)));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("ft"))) as BflNotFoundError;
    expect(error).toBeInstanceOf(BflNotFoundError);
    expect(error.attempts).toBe(2);
    expect(error.afterAmbiguousAttempt).toBe(true);
    expect(error.cause).toBeInstanceOf(first === reset ? BflConnectionError : BflServerError);
  });

  it("an answer after the attempt's timeout, then 404", async () => {
    server.reply((res, n) => (n === 1 ? setTimeout(() => json(200, okBody())(res), 300) : notFound(res)));
    const error = (await rejectionOf(clientFor(server, { timeoutMs: 100 }).deleteFinetune("ft"))) as BflNotFoundError;
    expect(error.afterAmbiguousAttempt).toBe(true);
    expect(error.cause).toBeInstanceOf(BflTimeoutError);
    expect(error.sentWithoutAnswer).toBe(true);
  });

  it("a plain 404 is not ambiguous", async () => {
    server.reply(notFound);
    const error = (await rejectionOf(clientFor(server).deleteFinetune("ft"))) as BflNotFoundError;
    expect(error.afterAmbiguousAttempt).toBe(false);
    expect(error.sentWithoutAnswer).toBe(false);
    expect(error.cause).toBeUndefined();
    expect(error.attempts).toBe(1);
  });
});

describe("no answer at all", () => {
  it("resets after sending, retries spent: sentWithoutAnswer", async () => {
    server.reply(reset);
    const error = (await rejectionOf(clientFor(server, { maxRetries: 1 }).deleteFinetune("ft"))) as BflConnectionError;
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.sentWithoutAnswer).toBe(true);
    expect(error.attempts).toBe(2);
  });

  it("a connection refused every time: nothing can have been sent", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const client = clientFor({ url: `http://127.0.0.1:${port}` } as never, { maxRetries: 1 });
    const error = (await rejectionOf(client.deleteFinetune("ft"))) as BflConnectionError;
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.sentWithoutAnswer).toBe(false);
    expect(error.attempts).toBe(2);
  });

  it("aborted while in flight: the server may have it; aborted before any attempt: nothing sent", async () => {
    server.reply(hang);
    const controller = new AbortController();
    const pending = rejectionOf(clientFor(server).deleteFinetune("ft", { signal: controller.signal }));
    for (let i = 0; i < 200 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const inFlight = (await pending) as BflAbortError;
    expect(inFlight).toBeInstanceOf(BflAbortError);
    expect(inFlight.sentWithoutAnswer).toBe(true);
    expect(inFlight.attempts).toBe(1);
    const before = (await rejectionOf(
      clientFor(server).deleteFinetune("ft", { signal: AbortSignal.abort() }),
    )) as BflAbortError;
    expect(before.attempts).toBe(0);
    expect(before.sentWithoutAnswer).toBe(false);
  });
});

describe("a 2xx that breaks the spec", () => {
  it("keeps the status and says first that the server accepted the request", async () => {
    server.reply(json(200, { status: "success", message: "ok", deleted_finetune_id: "ft" }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("ft"))) as BflResponseValidationError;
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/^The server accepted the request \(200\)/);
    expect(error.issues.map((i) => i.path)).toEqual(["timestamp"]);
    expect(server.requests).toHaveLength(1);
  });
});
