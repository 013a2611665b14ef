/**
 * Generation tasks: the finetuned models and their types, derived from `paths`, where a task is
 * polled, and the wait for its result. A task is many calls; each poll is one short call through
 * the transport (its own retries), the loop here adds the pace, the caller's signal, the overall
 * timeout and the meaning of each status. The facade (client.ts) wires it to the transport.
 */
import {
  BflAbortError,
  BflError,
  BflModerationError,
  BflNotFoundError,
  BflResponseValidationError,
  BflTaskError,
  BflTaskNotFoundError,
  BflTimeoutError,
} from "./errors.js";
import { isBflApiUrl, isUnderBase } from "./key-scope.js";
import { attemptSignal } from "./timeout.js";
import type { components, paths, SuccessBody } from "./types.js";
import { delay, MAX_DELAY_MS } from "./utils/delay.js";
import { isObject } from "./utils/is-object.js";

/** The submit operations of finetuned generation: every `POST /v1/…-finetuned` with a JSON body. */
type FinetunedPath = {
  [P in keyof paths]: P extends `/v1/${string}-finetuned`
    ? paths[P] extends { post: { requestBody: { content: { "application/json": unknown } } } }
      ? P
      : never
    : never;
}[keyof paths];

type ModelOf<P> = P extends `/v1/${infer M}` ? M : never;

/**
 * A model that runs a finetune: `"flux-pro-1.1-ultra-finetuned"`, `"flux-pro-1.0-fill-finetuned"`,
 * the FLUX.2 [klein] ones ({@link KleinFinetunedModel}, BFL's public beta), and any `-finetuned`
 * operation the spec gains, with no change here.
 */
export type FinetunedModel = ModelOf<FinetunedPath>;

/**
 * The FLUX.2 [klein] finetuned models (`flux-2-klein-4b-finetuned`, `…-9b-…`, `…-9b-kv-…`,
 * `…-9b-kv-bf16-…`, `…-base-4b-…`, `…-base-9b-…`): a LoRA from the BFL Dashboard on a klein base.
 * BFL's public beta, from its "FLUX.2 LoRA Inference" guide, not its OpenAPI document: this
 * package's overlay declares them, and BFL may change them without notice.
 * @beta
 */
export type KleinFinetunedModel = Extract<FinetunedModel, `flux-2-klein-${string}`>;

type SubmitOperation<M extends FinetunedModel> = paths[`/v1/${M}` & FinetunedPath]["post"];

/** The request body of a finetuned model, as the spec types it (snake_case, sent as it is). */
export type FinetunedInput<M extends FinetunedModel> =
  SubmitOperation<M> extends {
    requestBody: { content: { "application/json": infer Body } };
  }
    ? Body
    : never;

/** A submit's answer: `AsyncResponse` (`id`, `polling_url`), or `AsyncWebhookResponse` with a `webhook_url`. */
export type SubmitResponse<M extends FinetunedModel = FinetunedModel> = SuccessBody<SubmitOperation<M>>;

/** `GET /v1/get_result`'s answer: the task's `status`, and for `Ready` its `result`. */
export type ResultResponse = components["schemas"]["ResultResponse"];

/** `GET /v1/credits`'s answer. */
export type CreditsResponse = components["schemas"]["CreditsResponse"];

/** A task to follow: a submit's answer, or its `id` and `polling_url` kept from one. */
export interface TaskRef {
  id: string;
  polling_url?: string | undefined;
}

/** A `Ready` result: `result.sample` is the image's signed URL (on a delivery host, valid ~10 minutes). */
export type ReadyResult = ResultResponse & { status: "Ready"; result: { sample: string } & Record<string, unknown> };

/** Options of a wait for a task's result. */
export interface WaitOptions {
  /** Stops the wait at once, during a poll or between polls, with `BflAbortError` (the task goes on). */
  signal?: AbortSignal;
  /** The first pause between polls; each next one is 1.5 times longer, up to 4 s (default 500 ms). */
  pollIntervalMs?: number;
  /** Most time for the whole wait, polls and pauses; then `BflTimeoutError` (default none). */
  timeoutMs?: number;
}

/**
 * `value` when it is a non-blank string, else a TypeError naming `name`: checked before anything
 * is sent. Like config.ts's refusals, the TypeErrors here name the argument and the rule; only
 * the model is echoed (which one was refused is the fact to report, the CLI's --model included).
 */
export function nonBlank(value: unknown, name: string): string {
  if (typeof value !== "string" || !value.trim()) throw new TypeError(`${name} must be a non-blank string`);
  return value;
}

/** Checks a model name before anything is sent: a `-finetuned` operation the spec has. */
export function checkModel(model: unknown, known: (path: string) => boolean): string {
  if (typeof model !== "string" || !model.endsWith("-finetuned") || !known(`/v1/${model}`)) {
    throw new TypeError(`model must be a finetuned model of the API spec, got ${JSON.stringify(model)}`);
  }
  return `/v1/${model}`;
}

/** Checks a submit body before anything is sent: an object with a non-blank `finetune_id`. */
export function checkSubmitBody(body: unknown): void {
  nonBlank(isObject(body) ? body.finetune_id : undefined, "body.finetune_id");
}

/** Checks a task to follow before anything is sent: an `id`, and a `polling_url` string or none. */
export function checkTask(task: unknown): TaskRef {
  const { id, polling_url } = isObject(task) ? task : {};
  if (polling_url != null && typeof polling_url !== "string") throw new TypeError("task.polling_url must be a string");
  return { id: nonBlank(id, "task.id"), polling_url: polling_url ?? undefined };
}

/**
 * Where to poll a task, with the key: its `polling_url` when that is under the client's own base
 * URL, or over https on a BFL API host while the client itself talks to one (the global endpoint
 * hands out regional hosts); `undefined` means the client's own `get_result?id=`. A client pointed
 * at a mock, a proxy or a fake never follows a URL to another origin: its key stays where it was
 * configured to go. A `polling_url` that is not an absolute URL is an answer that breaks the spec.
 */
export function pollingTarget(task: TaskRef, baseUrl: string): string | undefined {
  if (task.polling_url === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(task.polling_url);
  } catch {}
  if (url?.protocol !== "https:" && url?.protocol !== "http:") {
    throw invalid(task, task.id, "polling_url", "not an absolute http(s) URL");
  }
  if (isUnderBase(url.href, baseUrl)) return url.href;
  return isBflApiUrl(url) && isBflApiUrl(new URL(baseUrl)) ? url.href : undefined;
}

/** A 2xx answer (the submit's or a poll's) about task `taskId` that breaks the spec at `path`. */
const invalid = (answer: unknown, taskId: string, path: string, message: string) =>
  new BflResponseValidationError(200, answer, [{ path, message }], { taskId });

/**
 * The answer for a terminal status, or `undefined` while `Pending`. An error holds the answer
 * through `redact`: a server may echo the key anywhere, and errors end up in logs.
 */
function settle(answer: ResultResponse, taskId: string, redact: (value: unknown) => unknown): ReadyResult | undefined {
  if (answer.status === "Pending") return undefined;
  if (answer.status === "Ready" && isObject(answer.result) && typeof answer.result.sample === "string") {
    return answer as ReadyResult;
  }
  const result = redact(answer) as ResultResponse;
  const { status, details = null } = result;
  switch (status) {
    case "Ready":
      throw invalid(result, taskId, "result.sample", "no sample URL");
    case "Request Moderated":
    case "Content Moderated":
      throw new BflModerationError({ taskId, taskStatus: status, details });
    case "Error":
      throw new BflTaskError({ taskId, taskStatus: status, details });
    case "Task not found":
      throw new BflTaskNotFoundError({
        status: 200,
        statusText: "OK",
        headers: new Headers(),
        body: result,
        taskId,
        details,
      });
    default:
      throw invalid(result, taskId, "status", `unknown task status ${JSON.stringify(status)}`);
  }
}

/**
 * A poll's own failure names the task it was about: a get_result that answered 404 becomes the
 * task's not-found error (the 404's own fields: status, headers, body, facts such as attempts,
 * with it as cause); any other error of this package (5xx after its retries, a connection error)
 * gets the task id.
 */
function aboutTask(error: unknown, taskId: string): unknown {
  if (error instanceof BflNotFoundError && !(error instanceof BflTaskNotFoundError)) {
    return new BflTaskNotFoundError({ ...error, statusText: "Not Found", taskId, details: null, cause: error });
  }
  if (error instanceof BflError) (error as { taskId?: string }).taskId ??= taskId;
  return error;
}

/**
 * Polls `task` until a terminal status: resolves to the `Ready` result, throws the task error
 * for the others. `poll(signal)` is one call through the transport (its own retries); the first
 * poll waits one interval, as a task just submitted is still running.
 */
export async function waitForTask(
  task: TaskRef,
  poll: (signal: AbortSignal) => Promise<ResultResponse>,
  options: WaitOptions,
  redact: (value: unknown) => unknown,
): Promise<ReadyResult> {
  // The pauses (see WaitOptions): from the first (default 500 ms), each 1.5 times the last, up to
  // 4 s, or the first when that is longer.
  const { signal, pollIntervalMs: first = 500, timeoutMs } = options;
  let pause = first;
  // One signal for the wait: the caller's abort or the overall timeout, whichever comes first.
  const wait = attemptSignal(timeoutMs ?? MAX_DELAY_MS, signal);
  let polls = 0;
  let last: unknown = "not polled yet";
  // The wait's end, named for the task: its own timeout (the poll's abort as cause) or the caller's abort.
  const stopped = (cause?: unknown) =>
    new (wait.timedOut ? BflTimeoutError : BflAbortError)(
      `Task ${task.id}: ${wait.timedOut ? `not ready after ${timeoutMs} ms` : "wait aborted, the task goes on"} (last status: ${last})`,
      { attempts: polls, cause: wait.timedOut ? cause : signal?.reason, taskId: task.id },
    );
  try {
    for (;;) {
      await delay(pause, wait.signal, stopped);
      pause = Math.min(pause * 1.5, Math.max(first, 4000));
      polls++;
      const result = await poll(wait.signal).catch((error: unknown) => {
        throw error instanceof BflAbortError ? stopped(error) : aboutTask(error, task.id);
      });
      last = result.status;
      const ready = settle(result, task.id, redact);
      if (ready) return ready;
    }
  } finally {
    wait.dispose();
  }
}

/** Whether an error of a submit means the task may exist all the same (check before submitting again). */
export function submitMayHaveCreated(error: unknown): boolean {
  if (!(error instanceof BflError)) return false;
  if (error instanceof BflResponseValidationError) return true; // a 2xx: the server took it
  return error.sentWithoutAnswer || error.afterAmbiguousAttempt || ("status" in error && Number(error.status) >= 500);
}
