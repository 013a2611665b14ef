/** The outcome of one delete (src/outcome.ts), from the errors' call facts alone: no server, no process. */
import { describe, expect, it } from "vitest";
import {
  BflAbortError,
  BflConnectionError,
  type BflErrorOptions,
  BflNotFoundError,
  BflPermissionDeniedError,
  BflResponseValidationError,
  BflServerError,
  BflTimeoutError,
} from "../../../src/errors.js";
import { classifyDelete, DELETE_OUTCOMES, deletedOutcome, isGone, notAttemptedOutcome } from "../../../src/outcome.js";

type Facts = BflErrorOptions;

const init = (status: number, facts: Facts) => ({
  status,
  statusText: "",
  headers: new Headers(),
  body: { detail: "Finetune not found" },
  attempts: 1,
  ...facts,
});
const notFound = (facts: Facts) => new BflNotFoundError(init(404, facts));
const okBody = { status: "success", message: "gone", deleted_finetune_id: "a", timestamp: "2026-11-29T12:00:00Z" };

describe("classifyDelete", () => {
  it("a 2xx is deleted with the server's answer", () => {
    expect(deletedOutcome(okBody)).toEqual({ outcome: "deleted", ok: true, status: 200, result: okBody });
  });

  it("a 2xx whose body breaks the spec is deleted, with a warning naming the fields", () => {
    const error = new BflResponseValidationError(200, { status: "success" }, [
      { path: "timestamp", message: "is required" },
      { path: "deleted_finetune_id", message: "is required" },
    ]);
    const outcome = classifyDelete(error);
    expect(outcome).toMatchObject({ outcome: "deleted", ok: true, status: 200 });
    expect(outcome.warning).toMatch(/accepted the delete.*timestamp, deleted_finetune_id/);
    expect(outcome.error).toBeUndefined();
  });

  it("a 404 after an ambiguous attempt is already-gone; a plain 404 is failed", () => {
    const after = classifyDelete(notFound({ attempts: 2, afterAmbiguousAttempt: true, sentWithoutAnswer: true }));
    expect(after).toMatchObject({ outcome: "already-gone", ok: true, status: 404 });
    const plain = classifyDelete(notFound({ attempts: 1, afterAmbiguousAttempt: false, sentWithoutAnswer: false }));
    expect(plain).toMatchObject({ outcome: "failed", ok: false, status: 404, error: { name: "BflNotFoundError" } });
  });

  it("ignoreMissing makes every 404 already-gone, and nothing else", () => {
    expect(classifyDelete(notFound({ attempts: 1 }), { ignoreMissing: true }).outcome).toBe("already-gone");
    const server = new BflServerError(init(503, { attempts: 3 }));
    expect(classifyDelete(server, { ignoreMissing: true }).outcome).toBe("failed");
  });

  it("an abort before anything was sent is not-attempted; one in flight is unknown", () => {
    const before = new BflAbortError("aborted", { attempts: 0, sentWithoutAnswer: false });
    expect(classifyDelete(before)).toMatchObject({ outcome: "not-attempted", ok: false, status: null });
    const during = new BflAbortError("aborted", { attempts: 1, sentWithoutAnswer: true });
    expect(classifyDelete(during)).toMatchObject({ outcome: "unknown", ok: false, status: null });
  });

  it("timeouts and resets after sending are unknown; a refused connection is failed", () => {
    const timeout = new BflTimeoutError("timed out", { attempts: 3, sentWithoutAnswer: true });
    expect(classifyDelete(timeout)).toMatchObject({
      outcome: "unknown",
      status: null,
      error: { name: "BflTimeoutError" },
    });
    const refused = new BflConnectionError("refused", { attempts: 1, sentWithoutAnswer: false });
    expect(classifyDelete(refused)).toMatchObject({ outcome: "failed", status: null });
  });

  it("a 5xx after an attempt that got no answer is unknown, keeping the last status", () => {
    const error = new BflServerError(init(502, { attempts: 3, sentWithoutAnswer: true }));
    expect(classifyDelete(error)).toMatchObject({ outcome: "unknown", status: 502 });
    const answered = new BflServerError(init(502, { attempts: 3, sentWithoutAnswer: false }));
    expect(classifyDelete(answered)).toMatchObject({ outcome: "failed", status: 502 });
  });

  it("anything else is failed, with a one-line message", () => {
    const outcome = classifyDelete(new TypeError("bad\nthing"));
    expect(outcome).toEqual({
      outcome: "failed",
      ok: false,
      status: null,
      error: { name: "TypeError", message: "TypeError: bad thing" },
    });
  });

  it("a definite refusal after an earlier 5xx is failed: the server answered, and said no", () => {
    const refused = new BflPermissionDeniedError(init(403, { attempts: 2, afterAmbiguousAttempt: true }));
    expect(classifyDelete(refused)).toMatchObject({ outcome: "failed", ok: false, status: 403 });
  });

  it("ignoreMissing: false is the default: a plain 404 stays failed", () => {
    expect(classifyDelete(notFound({ attempts: 1 }), { ignoreMissing: false }).outcome).toBe("failed");
  });

  it("an HTTP error's message is its own (it names the status); others are prefixed with their name", () => {
    const error = notFound({ attempts: 1 });
    expect(classifyDelete(error).error).toEqual({ name: "BflNotFoundError", message: error.message });
    expect(error.message).not.toMatch(/^BflNotFoundError/);
  });

  it("a thrown value that is not an Error is failed, shown as text", () => {
    expect(classifyDelete("boom\nagain")).toEqual({
      outcome: "failed",
      ok: false,
      status: null,
      error: { name: "Error", message: "boom again" },
    });
  });

  it("a 2xx whose whole body breaks the spec names the body", () => {
    const error = new BflResponseValidationError(200, "not json", [{ path: "", message: "expected object" }]);
    expect(classifyDelete(error).warning).toMatch(/\(body\)$/);
  });

  it("not-attempted carries a reason; only deleted and already-gone are gone", () => {
    expect(notAttemptedOutcome()).toEqual({
      outcome: "not-attempted",
      ok: false,
      status: null,
      error: { name: "NotAttempted", message: expect.stringMatching(/^not sent/) },
    });
    expect(notAttemptedOutcome("stopped").error?.message).toBe("stopped");
    expect(DELETE_OUTCOMES.filter(isGone)).toEqual(["deleted", "already-gone"]);
  });
});
