/**
 * The task loop (src/tasks.ts) on its own, with a scripted poll and fake timers: the pace of the
 * polls, the meaning of each status, how a wait ends (abort, timeout, a failed poll), and the
 * checks made before anything is sent. The same loop against a real server: test/client/generation.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BflAbortError,
  BflConnectionError,
  BflModerationError,
  BflNotFoundError,
  BflRateLimitError,
  BflResponseValidationError,
  BflServerError,
  BflTaskError,
  BflTaskNotFoundError,
  BflTimeoutError,
} from "../../src/errors.js";
import {
  checkModel,
  checkSubmitBody,
  checkTask,
  nonBlank,
  pollingTarget,
  type ResultResponse,
  submitMayHaveCreated,
  waitForTask,
} from "../../src/tasks.js";

const SAMPLE = "https://delivery-eu1.bfl.ai/results/t-1/sample.jpeg?sig=abc";
const TASK = { id: "t-1" };
const pending = { id: "t-1", status: "Pending", result: null, details: null } as ResultResponse;
const ready = { id: "t-1", status: "Ready", result: { sample: SAMPLE }, details: null } as ResultResponse;
const answer = (fields: Record<string, unknown>) => ({ id: "t-1", result: null, ...fields }) as ResultResponse;
const noRedact = (value: unknown) => value;
const headers = () => new Headers();

/** A poll that answers `answers` in turn (the last one again once they run out), noting when. */
function scripted(...answers: (ResultResponse | Error)[]) {
  const at: number[] = [];
  const poll = async (_signal: AbortSignal) => {
    at.push(Date.now());
    const next = answers[Math.min(at.length, answers.length) - 1];
    if (next instanceof Error) throw next;
    return next as ResultResponse;
  };
  return { poll, at };
}

type WaitSettings = Partial<Parameters<typeof waitForTask>[2]>;
const wait = (poll: (signal: AbortSignal) => Promise<ResultResponse>, settings: WaitSettings = {}, redact = noRedact) =>
  waitForTask(TASK, poll, { pollIntervalMs: 1000, ...settings }, redact);

/** The rejection of `promise`, run to its end on fake timers. */
async function settled(promise: Promise<unknown>): Promise<unknown> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the pace of the polls", () => {
  it("waits one interval before the first poll, then 1.5 times longer each time, up to 4 s", async () => {
    const { poll, at } = scripted(...Array(7).fill(pending), ready);
    const outcome = await settled(wait(poll, { pollIntervalMs: 1000 }));
    expect(outcome).toEqual({ value: ready });
    const pauses = at.map((t, i) => t - (at[i - 1] ?? 0));
    expect(pauses).toEqual([1000, 1500, 2250, 3375, 4000, 4000, 4000, 4000]);
  });

  it("starts at 500 ms by default and never passes 4 s, however many polls", async () => {
    const { poll, at } = scripted(...Array(19).fill(pending), ready);
    await settled(waitForTask(TASK, poll, {}, noRedact));
    const pauses = at.map((t, i) => t - (at[i - 1] ?? 0));
    expect(pauses.slice(0, 3)).toEqual([500, 750, 1125]);
    expect(pauses).toHaveLength(20);
    for (let i = 1; i < pauses.length; i++) expect(pauses[i]).toBeGreaterThanOrEqual(pauses[i - 1] ?? 0);
    expect(pauses.slice(7)).toEqual(Array(13).fill(4000));
  });

  it("keeps a first interval longer than 4 s as it is", async () => {
    const { poll, at } = scripted(pending, pending, ready);
    await settled(wait(poll, { pollIntervalMs: 10_000 }));
    expect(at).toEqual([10_000, 20_000, 30_000]);
  });

  it("has no overall limit unless timeoutMs is given, and leaves no timer behind", async () => {
    const { poll, at } = scripted(...Array(100).fill(pending), ready);
    const waiting = wait(poll);
    await vi.advanceTimersByTimeAsync(24 * 3600 * 1000); // a day: 101 polls take minutes
    await expect(waiting).resolves.toBe(ready);
    expect(at).toHaveLength(101);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("the status of a task", () => {
  it("Ready with a sample: the answer as sent, never passed through redact", async () => {
    const redact = vi.fn(() => ({ status: "Error" }));
    const { poll } = scripted(pending, ready);
    expect(await settled(wait(poll, {}, redact))).toEqual({ value: ready });
    expect(redact).not.toHaveBeenCalled();
  });

  it.each([
    ["no result", answer({ status: "Ready" })],
    ["a result that is not an object", answer({ status: "Ready", result: "x" })],
    ["a sample that is not a string", answer({ status: "Ready", result: { sample: 7 } })],
  ])("Ready with %s: a response validation error naming result.sample", async (_name, body) => {
    const { error } = (await settled(wait(scripted(body).poll))) as { error: BflResponseValidationError };
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error.issues).toEqual([{ path: "result.sample", message: expect.stringContaining("sample") }]);
  });

  it.each(["Request Moderated", "Content Moderated"])("%s: a moderation error with id, status, details", async (s) => {
    const body = answer({ status: s, details: { reasons: ["x"] } });
    const { error } = (await settled(wait(scripted(body).poll))) as { error: BflModerationError };
    expect(error).toBeInstanceOf(BflModerationError);
    expect(error).toMatchObject({ taskId: "t-1", taskStatus: s, details: { reasons: ["x"] } });
  });

  it("Error: a task error, not a moderation one; details null when the answer has none", async () => {
    const { error } = (await settled(wait(scripted(answer({ status: "Error" })).poll))) as { error: BflTaskError };
    expect(error).toBeInstanceOf(BflTaskError);
    expect(error).not.toBeInstanceOf(BflModerationError);
    expect(error).toMatchObject({ taskId: "t-1", taskStatus: "Error", details: null });
  });

  it("Task not found: a not-found error with the id, the answer as its body, status 200", async () => {
    const body = answer({ status: "Task not found", details: { why: "expired" } });
    const { error } = (await settled(wait(scripted(body).poll))) as { error: BflTaskNotFoundError };
    expect(error).toBeInstanceOf(BflTaskNotFoundError);
    expect(error).toMatchObject({ taskId: "t-1", status: 200, body, details: { why: "expired" } });
    expect(error.message).toMatch(/^200 OK: task t-1 not found/);
  });

  it("an unknown status: a response validation error quoting it", async () => {
    const { error } = (await settled(wait(scripted(answer({ status: "Done" })).poll))) as {
      error: BflResponseValidationError;
    };
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error.issues).toEqual([{ path: "status", message: 'unknown task status "Done"' }]);
  });

  it("a status other than Ready never resolves, whatever its result holds", async () => {
    for (const status of ["Error", "Content Moderated"]) {
      const body = answer({ status, result: { sample: SAMPLE } });
      const { error } = (await settled(wait(scripted(body).poll))) as { error: BflTaskError };
      expect(error).toBeInstanceOf(BflTaskError);
    }
  });

  it("an error holds the answer after redact, never the answer as sent", async () => {
    const redact = (value: unknown) => ({ ...(value as object), details: "[redacted]" });
    for (const status of ["Error", "Content Moderated", "Task not found", "Done", "Ready"]) {
      const body = answer({ status, details: { echo: "the-key" } });
      const { error } = (await settled(wait(scripted(body).poll, {}, redact))) as { error: Error };
      expect(JSON.stringify(error) + error.message).not.toContain("the-key");
    }
  });
});

describe("a poll that fails", () => {
  const notFound = (init: Record<string, unknown> = {}) =>
    new BflNotFoundError({ status: 404, statusText: "", headers: headers(), body: { detail: "nope" }, ...init });

  it("a 404: the task's not-found error, with the 404's facts and the 404 as cause", async () => {
    const cause = notFound({ attempts: 2, afterAmbiguousAttempt: true });
    const { error } = (await settled(wait(scripted(cause).poll))) as { error: BflTaskNotFoundError };
    expect(error).toBeInstanceOf(BflTaskNotFoundError);
    expect(error).toMatchObject({ taskId: "t-1", status: 404, body: { detail: "nope" }, details: null });
    expect(error).toMatchObject({ attempts: 2, afterAmbiguousAttempt: true });
    expect(error.cause).toBe(cause);
    expect(error.message).toMatch(/^404 Not Found: nope; task t-1 not found/);
  });

  it.each([
    [
      "a task not-found error",
      () =>
        new BflTaskNotFoundError({
          status: 404,
          statusText: "",
          headers: headers(),
          body: null,
          taskId: "t-1",
          details: null,
        }),
    ],
    [
      "a 5xx left after retries",
      () => new BflServerError({ status: 503, statusText: "", headers: headers(), body: null }),
    ],
    ["a connection error", () => new BflConnectionError("reset")],
    ["a plain error", () => new Error("bug")],
  ])("%s: thrown as it is, and no more polls", async (_name, make) => {
    const thrown = make();
    const { poll, at } = scripted(thrown, ready);
    expect(((await settled(wait(poll))) as { error: unknown }).error).toBe(thrown);
    expect(at).toHaveLength(1);
  });

  it("an error not of this package is left untouched: no task id written onto it", async () => {
    const bug = new Error("bug");
    expect(((await settled(wait(scripted(bug).poll))) as { error: unknown }).error).toBe(bug);
    expect(bug).not.toHaveProperty("taskId");
  });
});

describe("ending a wait", () => {
  it("an abort before the first poll: an abort error with the caller's reason, nothing polled", async () => {
    const controller = new AbortController();
    const { poll, at } = scripted(pending);
    const waiting = settled(wait(poll, { signal: controller.signal }));
    controller.abort(new Error("Ctrl+C"));
    const { error } = (await waiting) as { error: BflAbortError };
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error).toMatchObject({ attempts: 0, cause: new Error("Ctrl+C") });
    expect(error.message).toContain("t-1");
    expect(error.message).toContain("last status: not polled yet");
    expect(at).toEqual([]);
  });

  it("an abort between polls: the polls made and the last status in the error", async () => {
    const controller = new AbortController();
    const { poll, at } = scripted(pending);
    const waiting = wait(poll, { signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(2600); // polls at 1000 and 2500
    controller.abort();
    const error = (await waiting) as BflAbortError;
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error).toMatchObject({ attempts: 2 });
    expect(error.message).toContain("last status: Pending");
    expect(at).toHaveLength(2);
  });

  it("an abort during a poll: the poll's abort becomes the wait's, with the caller's reason", async () => {
    const controller = new AbortController();
    const poll = async (signal: AbortSignal): Promise<ResultResponse> => {
      controller.abort(new Error("Ctrl+C"));
      expect(signal.aborted).toBe(true); // the poll is handed the wait's signal
      throw new BflAbortError("aborted in flight", { attempts: 1, sentWithoutAnswer: true });
    };
    const { error } = (await settled(wait(poll, { signal: controller.signal }))) as { error: BflAbortError };
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error).toMatchObject({ attempts: 1, cause: new Error("Ctrl+C") });
    expect(error.message).toMatch(/^Task t-1: wait aborted, the task goes on \(last status: not polled yet\)$/);
  });

  it("a poll's abort with neither a caller's signal nor a timeout: still an abort error", async () => {
    const { error } = (await settled(wait(scripted(new BflAbortError("aborted")).poll))) as { error: Error };
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error).toMatchObject({ attempts: 1 });
  });

  it("a signal aborted already: nothing polled", async () => {
    const { poll, at } = scripted(ready);
    const { error } = (await settled(wait(poll, { signal: AbortSignal.abort() }))) as { error: Error };
    expect(error).toBeInstanceOf(BflAbortError);
    expect(at).toEqual([]);
  });

  it("timeoutMs: a timeout error after that long, naming the task, the polls and the last status", async () => {
    const { poll, at } = scripted(pending);
    const waiting = wait(poll, { timeoutMs: 3000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(2999);
    expect(at).toEqual([1000, 2500]);
    await vi.advanceTimersByTimeAsync(1);
    const error = (await waiting) as BflTimeoutError;
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect(error.message).toBe("Task t-1: not ready after 3000 ms (last status: Pending)");
    expect(error).toMatchObject({ attempts: 2 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("timeoutMs during a poll: a timeout error whose cause is the poll's abort", async () => {
    const poll = (signal: AbortSignal) =>
      new Promise<ResultResponse>((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(new BflAbortError("poll aborted")));
      });
    const { error } = (await settled(wait(poll, { timeoutMs: 1500 }))) as { error: BflTimeoutError };
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect(error).toMatchObject({ attempts: 1, cause: new BflAbortError("poll aborted") });
    expect(error.message).toContain("last status: not polled yet");
  });
});

describe("checks before anything is sent", () => {
  it.each(["  ", "", " \t\n", null, undefined, 7, {}])("nonBlank(%j): a TypeError naming the field", (value) => {
    expect(() => nonBlank(value, "task.id")).toThrow(new TypeError("task.id must be a non-blank string"));
  });

  it("nonBlank: a string with text is kept as it is, spaces included", () => {
    expect(nonBlank(" t-1 ", "id")).toBe(" t-1 ");
  });

  it("checkModel: the path of a -finetuned model the spec has; anything else a TypeError", () => {
    const known = (path: string) => ["/v1/a-finetuned", "/v1/flux-dev"].includes(path);
    expect(checkModel("a-finetuned", known)).toBe("/v1/a-finetuned");
    for (const model of ["flux-dev", "b-finetuned", 7, undefined]) {
      expect(() => checkModel(model, known)).toThrow(
        new TypeError(`model must be a finetuned model of the API spec, got ${JSON.stringify(model)}`),
      );
    }
  });

  it("checkSubmitBody: an object with a non-blank finetune_id", () => {
    expect(() => checkSubmitBody({ finetune_id: "f" })).not.toThrow();
    for (const body of [null, "f", [{ finetune_id: "f" }], { finetune_id: " " }, {}]) {
      expect(() => checkSubmitBody(body)).toThrow(/finetune_id/);
    }
  });

  it("checkTask: the id and the polling_url string, a missing or null polling_url as none", () => {
    expect(checkTask({ id: "t", polling_url: "u" })).toEqual({ id: "t", polling_url: "u" });
    expect(checkTask({ id: "t", polling_url: null })).toEqual({ id: "t", polling_url: undefined });
    expect(checkTask({ id: "t" })).toEqual({ id: "t", polling_url: undefined });
    expect(() => checkTask({ id: "t", polling_url: 7 })).toThrow(new TypeError("task.polling_url must be a string"));
    expect(() => checkTask(null)).toThrow(/task\.id/);
  });

  it("pollingTarget: a polling_url that is not http(s) breaks the spec", () => {
    for (const url of ["ftp://127.0.0.1:9/v1/get_result", "xhttp://127.0.0.1:9/v1/get_result"]) {
      let error: unknown;
      try {
        pollingTarget({ id: "t", polling_url: url }, "http://127.0.0.1:9");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BflResponseValidationError);
      expect((error as BflResponseValidationError).issues).toEqual([
        { path: "polling_url", message: "not an absolute http(s) URL" },
      ]);
    }
  });
});

describe("submitMayHaveCreated", () => {
  const api = (Type: typeof BflServerError, status: number) =>
    new Type({ status, statusText: "", headers: headers(), body: null });

  it.each<[string, unknown, boolean]>([
    ["a 2xx that breaks the spec", new BflResponseValidationError(200, {}, []), true],
    ["a 500", api(BflServerError, 500), true],
    ["a 503", api(BflServerError, 503), true],
    ["a 499", api(BflServerError, 499), false],
    ["a 429", new BflRateLimitError({ status: 429, statusText: "", headers: headers(), body: null }, undefined), false],
    ["a connection never made", new BflConnectionError("refused"), false],
    ["a request sent without an answer", new BflConnectionError("reset", { sentWithoutAnswer: true }), true],
    ["a refusal after an ambiguous attempt", new BflConnectionError("x", { afterAmbiguousAttempt: true }), true],
    ["an error not of this package", Object.assign(new Error("x"), { sentWithoutAnswer: true, status: 500 }), false],
    ["a thrown string", "boom", false],
  ])("%s: %s", (_name, error, may) => {
    expect(submitMayHaveCreated(error)).toBe(may);
  });
});
