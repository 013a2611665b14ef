/**
 * A paid task's id is never lost: every error a wait throws says which task it was about, in
 * `taskId`, whether the task ended, a poll kept failing, the wait was aborted or timed out. A
 * caller that only kept the promise of generateWithFinetune can still find (or delete) the task.
 */
import { describe, expect, it } from "vitest";
import {
  BflAbortError,
  BflConnectionError,
  type BflError,
  BflResponseValidationError,
  BflServerError,
  BflTaskError,
  BflTimeoutError,
} from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { json, reset, useFaultServer } from "../helpers/fault-server.js";

const MODEL = "flux-pro-1.1-ultra-finetuned";
const BODY = { finetune_id: "my-finetune", prompt: "a portrait of TOK" };
const TASK = "task-kept-7";

const server = useFaultServer();

/** Submits answer task TASK; every poll is answered by `poll`. */
function serve(poll: Parameters<FaultServer["reply"]>[0]) {
  server.reply((res, n, req) => {
    if (req.method === "POST")
      return json(200, { id: TASK, polling_url: `${server.url}/v1/get_result?id=${TASK}` })(res);
    return poll(res, n, req);
  });
}
type FaultServer = typeof server;

const generate = (options = {}) =>
  clientFor(server).generateWithFinetune(MODEL, BODY, { pollIntervalMs: 1, ...options });

describe("every error of a wait names its task", () => {
  it.each([
    ["a poll answering 503 after its retries", json(503, { detail: "overloaded" }), BflServerError],
    ["a poll whose connection keeps being reset", reset, BflConnectionError],
    ["the task's own end", json(200, { id: TASK, status: "Error", result: null, details: null }), BflTaskError],
  ] as const)("%s", async (_name, poll, type) => {
    serve(poll);
    const error = await rejectionOf(generate());
    expect(error).toBeInstanceOf(type);
    expect((error as BflError).taskId).toBe(TASK);
  });

  // Answers that break the spec only in what the wait reads: the poll itself validated them.
  it.each([
    ["a Ready answer without a sample URL", { id: TASK, status: "Ready", result: {}, details: null }, {}],
    [
      "an unknown task status (validation off)",
      { id: TASK, status: "Exploded", result: null, details: null },
      { validateResponses: false },
    ],
  ] as const)("%s", async (_name, answer, options) => {
    serve(json(200, answer));
    const client = clientFor(server, options);
    const error = await rejectionOf(client.generateWithFinetune(MODEL, BODY, { pollIntervalMs: 1 }));
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect((error as BflError).taskId).toBe(TASK);
  });

  it("a submit answer whose polling_url cannot be polled", async () => {
    server.reply(json(200, { id: TASK, polling_url: "ftp://elsewhere.example/result" }));
    const error = await rejectionOf(generate());
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect((error as BflError).taskId).toBe(TASK);
  });

  it("an abort of the wait", async () => {
    serve(json(200, { id: TASK, status: "Pending", result: null, details: null }));
    const controller = new AbortController();
    const pending = generate({
      signal: controller.signal,
      onSubmitted: () => setTimeout(() => controller.abort(), 20),
    });
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(BflAbortError);
    expect((error as BflError).taskId).toBe(TASK);
  });

  it("the wait's overall timeout", async () => {
    serve(json(200, { id: TASK, status: "Pending", result: null, details: null }));
    const error = await rejectionOf(generate({ timeoutMs: 50 }));
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect((error as BflError).taskId).toBe(TASK);
  });

  it("calls that are about no task carry none", async () => {
    server.reply(json(503, { detail: "overloaded" }));
    const error = await rejectionOf(clientFor(server).listFinetunes());
    expect(error).toBeInstanceOf(BflServerError);
    expect((error as BflError).taskId).toBeUndefined();
  });
});
