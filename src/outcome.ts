/**
 * What happened to one delete, from what the call resolved to or threw. Pure: no I/O, no clock.
 * The CLI prints it; a batch job in TypeScript can use it the same way:
 *
 * ```ts
 * const outcome = await bfl.deleteFinetune(id).then(deletedOutcome, (error) => classifyDelete(error));
 * ```
 */
import { BflAbortError, BflApiError, BflError, BflNotFoundError, BflResponseValidationError } from "./errors.js";
import type { DeleteFinetuneResponse } from "./types.js";
import { oneLine } from "./utils/one-line.js";

/** Every outcome, in the order reports list them. */
export const DELETE_OUTCOMES = ["deleted", "already-gone", "failed", "unknown", "not-attempted"] as const;

/**
 * - `deleted`: the server answered 2xx (a 2xx body that breaks the spec comes with a `warning`).
 * - `already-gone`: a 404 after an earlier attempt of the same call may have deleted it, or any
 *   404 with `ignoreMissing`.
 * - `failed`: a definite refusal: an HTTP error answer, or no connection ever made.
 * - `unknown`: the request may have reached the server and no answer came back (or the call was
 *   interrupted after a 5xx, before the retry that would have told): check it.
 * - `not-attempted`: nothing was sent.
 */
export type DeleteOutcomeName = (typeof DELETE_OUTCOMES)[number];

export interface DeleteOutcome {
  outcome: DeleteOutcomeName;
  /** True for `deleted` and `already-gone`: the finetune is gone. */
  ok: boolean;
  /** HTTP status of the last answer; `null` when none came. */
  status: number | null;
  /** The server's answer, for a `deleted` whose body matches the spec. */
  result?: DeleteFinetuneResponse;
  /** Why a `deleted` deserves a second look (its body broke the spec). */
  warning?: string;
  /** What went wrong, for every outcome but `deleted`. */
  error?: { name: string; message: string };
}

export interface ClassifyOptions {
  /** Every 404 means already gone (like `rm -f`). Default `false`. */
  ignoreMissing?: boolean;
}

/** Whether an outcome means the finetune is gone. */
export function isGone(outcome: DeleteOutcomeName): boolean {
  return outcome === "deleted" || outcome === "already-gone";
}

/** The outcome of a delete that resolved to `result`. */
export function deletedOutcome(result: DeleteFinetuneResponse): DeleteOutcome {
  return { outcome: "deleted", ok: true, status: 200, result };
}

/** The outcome of a delete that was never started (for example after Ctrl+C). */
export function notAttemptedOutcome(reason = "not sent: the batch was interrupted"): DeleteOutcome {
  return { outcome: "not-attempted", ok: false, status: null, error: { name: "NotAttempted", message: reason } };
}

function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof BflApiError) return { name: error.name, message: oneLine(error.message) };
  if (error instanceof Error) return { name: error.name, message: oneLine(`${error.name}: ${error.message}`) };
  return { name: "Error", message: oneLine(String(error)) };
}

/** The outcome of a delete that threw `error`, from the call facts every {@link BflError} carries. */
export function classifyDelete(error: unknown, options: ClassifyOptions = {}): DeleteOutcome {
  const status = error instanceof BflApiError ? error.status : null;
  const described = describeError(error);
  if (error instanceof BflResponseValidationError) {
    const fields = error.issues.map((issue) => issue.path || "(body)").join(", ");
    const warning = `the server accepted the delete (${error.status}) but its answer breaks the API spec: ${fields}`;
    return { outcome: "deleted", ok: true, status: error.status, warning: oneLine(warning) };
  }
  // Every 404 is a BflNotFoundError (errors.ts's one status map), so the class alone decides.
  if (error instanceof BflNotFoundError && (error.afterAmbiguousAttempt || options.ignoreMissing === true)) {
    return { outcome: "already-gone", ok: true, status: 404, error: described };
  }
  if (error instanceof BflAbortError && error.attempts === 0) {
    return { outcome: "not-attempted", ok: false, status: null, error: described };
  }
  // Interrupted after an ambiguous attempt (a 5xx), before the retry that would have told: nothing
  // definite came back, so the delete may have happened.
  const interrupted = error instanceof BflAbortError && error.afterAmbiguousAttempt;
  if (error instanceof BflError && (error.sentWithoutAnswer || interrupted)) {
    return { outcome: "unknown", ok: false, status, error: described };
  }
  return { outcome: "failed", ok: false, status, error: described };
}
