/**
 * The facade: `createBflClient()` and one short method per covered operation, over openapi-fetch.
 * Every request, `raw` included, goes through the transport (transport.ts: key, timeouts,
 * retries, the rate-limit gate); this file only says which operation to call and turns its
 * answer into a validated body or a {@link BflError}.
 */
import openapiFetch, { type Client } from "openapi-fetch";
import { responses } from "../generated/contract.js";
import { CallRecord } from "./call-facts.js";
import { type BflClientOptions, callSettings, checkFunction, clientSettings, type RequestOptions } from "./config.js";
import { abortError, BflResponseValidationError, truncate } from "./errors.js";
import { RateLimitGate } from "./rate-limit.js";
import { redactText, redactValue } from "./redact.js";
import {
  type CreditsResponse,
  checkModel,
  checkSubmitBody,
  checkTask,
  DEFAULT_POLL_INTERVAL_MS,
  type FinetunedInput,
  type FinetunedModel,
  nonBlank,
  pollingTarget,
  type ReadyResult,
  type ResultResponse,
  type SubmitResponse,
  type TaskRef,
  type WaitOptions,
  waitForTask,
} from "./tasks.js";
import { type CallOptions, createTransport, type Transport } from "./transport.js";
import type { paths, SuccessBody } from "./types.js";
import { HTTP_METHODS } from "./utils/http-methods.js";
import { type Schema, validateSuccess } from "./validate.js";
import { VERSION } from "./version.js";

export type { BflClientOptions, RequestOptions } from "./config.js";

/**
 * openapi-fetch's CommonJS build exports its factory as `exports.default`; our CommonJS build,
 * like Node itself, hands a default import the whole `exports` object. Unwrap it once here.
 */
const createClient: typeof openapiFetch =
  typeof openapiFetch === "function"
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

type Body<P extends keyof paths, M extends keyof paths[P]> = SuccessBody<paths[P][M]>;

/** A BFL Finetune API client. Holds no key in any inspectable property. */
export interface BflClient {
  /**
   * Deletes a finetune you created and resolves to the server's answer. On failure, the error's
   * `afterAmbiguousAttempt` and `sentWithoutAnswer` say whether it may be gone all the same.
   * @throws {TypeError} when `finetuneId` is not a non-blank string (nothing is sent).
   */
  deleteFinetune(finetuneId: string, options?: RequestOptions): Promise<Body<"/v1/delete_finetune", "post">>;
  /** Lists the finetunes you created (`finetunes`: items as the server sends them). */
  listFinetunes(options?: RequestOptions): Promise<Body<"/v1/my_finetunes", "get">>;
  /**
   * Training parameters and other metadata of one finetune.
   * @throws {TypeError} when `finetuneId` is not a non-blank string (nothing is sent).
   */
  getFinetuneDetails(finetuneId: string, options?: RequestOptions): Promise<Body<"/v1/finetune_details", "get">>;
  /**
   * Submits a generation task with a finetune and resolves to the server's answer (`id`,
   * `polling_url`; `webhook_url` instead when the body has one). The task costs credits, so it is
   * never sent twice unasked: only a definite refusal (a 429, a connection never made) is retried.
   * On any other failure, {@link submitMayHaveCreated} (or the error's `sentWithoutAnswer`,
   * `afterAmbiguousAttempt`, a 5xx `BflServerError`) says the task may exist all the same.
   * @param model a `-finetuned` model of the spec; the body's type follows it. The FLUX.2 [klein]
   * ones (`KleinFinetunedModel`) are BFL's public beta.
   * @param body the model's request body as the spec types it (snake_case), sent as it is.
   * `finetune_id` may name a LoRA another organization shares, as `org-id/lora-name`.
   * @throws {TypeError} when `model` is not a finetuned model or `body.finetune_id` is blank (nothing is sent).
   */
  submitFinetuned<M extends FinetunedModel>(
    model: M,
    body: FinetunedInput<M>,
    options?: RequestOptions,
  ): Promise<SubmitResponse<M>>;
  /**
   * Polls a task until it is `Ready` and resolves to its result; `result.sample` is the image's
   * signed URL on a delivery host (valid about 10 minutes). The library never downloads it and
   * never sends the key there: fetch it yourself, without headers.
   * The task's `polling_url` is followed, with the key, only under this client's `baseUrl` or on
   * a BFL API host over https while `baseUrl` is one too; otherwise the client's own
   * `get_result?id=` is polled. Each poll's transient failures are retried by the transport.
   * @throws {BflModerationError} `Request Moderated` / `Content Moderated`, with `taskId` and `details`.
   * @throws {BflTaskError} `Error`, with `taskId` and `details`.
   * @throws {BflTaskNotFoundError} `Task not found` (a {@link BflNotFoundError}).
   * @throws {BflResponseValidationError} a `polling_url` that is not a URL, `Ready` without a sample, an unknown status.
   * @throws {BflAbortError} on `signal`, at once; {@link BflTimeoutError} after `timeoutMs`. The task goes on.
   */
  waitForResult(task: TaskRef, options?: WaitOptions): Promise<ReadyResult>;
  /**
   * {@link BflClient.submitFinetuned} then {@link BflClient.waitForResult}. `onSubmitted` receives
   * the task as soon as it exists, so its id is never lost when the wait fails or is aborted.
   */
  generateWithFinetune<M extends FinetunedModel>(
    model: M,
    body: FinetunedInput<M>,
    options?: GenerateOptions<M>,
  ): Promise<ReadyResult>;
  /**
   * One poll of a task: its status now, whatever it is (no wait, no error for a terminal status).
   * @throws {TypeError} when `id` is not a non-blank string (nothing is sent).
   */
  getResult(id: string, options?: RequestOptions): Promise<ResultResponse>;
  /** The account's credit balance. */
  getCredits(options?: RequestOptions): Promise<CreditsResponse>;
  /** The openapi-fetch client (`{ data, error, response }`), over the same key, timeouts and retries. */
  readonly raw: Client<paths>;
  /** The origin (and path prefix) requests go to. */
  readonly baseUrl: string;
}

/** Options of {@link BflClient.generateWithFinetune}: the wait's, the submit's headers, and a hook for the task. */
export interface GenerateOptions<M extends FinetunedModel = FinetunedModel> extends WaitOptions {
  /** Extra headers for the submit (not `x-key` or `content-type`). */
  headers?: Record<string, string>;
  /** Receives the submit's answer as soon as the task exists (log its id: it costs credits). */
  onSubmitted?: (task: SubmitResponse<M>) => void;
}

/** What the facade hands each openapi-fetch call: its own parsing and the per-call transport. */
type CallInit = {
  parseAs: "text";
  fetch: (request: Request) => Promise<Response>;
  headers?: Record<string, string>;
};

/**
 * `raw` with each call's `signal` handed to the transport out of band, as the facade does: inside
 * a Request, one signal shared by many calls gains a listener per call until each Request is
 * collected (a warning past 1,500 in flight). A call with its own `fetch` is left as it is.
 */
function signalOutOfBand(client: Client<paths>, transport: Transport): Client<paths> {
  const wrapped: Record<string, unknown> = { ...client };
  for (const method of HTTP_METHODS.map((m) => m.toUpperCase() as Uppercase<typeof m>)) {
    const send = client[method] as (url: unknown, init?: { signal?: AbortSignal | null; fetch?: unknown }) => unknown;
    wrapped[method] = (url: unknown, init?: { signal?: AbortSignal | null; fetch?: unknown }) => {
      if (!init?.signal || init.fetch !== undefined) return send(url, init);
      const { signal, ...rest } = init;
      return send(url, { ...rest, fetch: (request: Request) => transport(request, { signal }) });
    };
  }
  return wrapped as unknown as Client<paths>;
}

/**
 * Creates a client. Reads `BFL_API_KEY`, `BFL_BASE_URL` and `BFL_LOG` once, here, and only those
 * not given as options.
 * @throws {BflConfigurationError} for any unusable option (nothing is sent).
 */
export function createBflClient(options: BflClientOptions = {}): BflClient {
  const settings = clientSettings(options);
  const { apiKey, baseUrl, validateResponses } = settings;
  const gate = new RateLimitGate({ backoff: settings.policy, maxConcurrency: settings.maxConcurrency });
  const transport = createTransport({ ...settings, gate });
  const headers = { "user-agent": `bfl-finetune/${VERSION}`, ...settings.headers };
  const raw = signalOutOfBand(
    createClient<paths>({ baseUrl, fetch: (request) => transport(request), headers }),
    transport,
  );

  /**
   * Runs one operation through the transport and returns its validated 2xx body, or throws the
   * error for its last answer. `request` is the typed openapi-fetch call; `init` carries the
   * per-call transport and the facade's own parsing.
   */
  async function call<T>(
    path: keyof typeof responses,
    method: "get" | "post",
    options: RequestOptions,
    request: (init: CallInit) => Promise<{ data?: string | undefined; response: Response }>,
  ): Promise<T> {
    const { headers: callHeaders, ...rest } = callSettings(options);
    const perCall: CallOptions = rest;
    if (perCall.signal?.aborted) throw abortError(perCall.signal);
    const record = new CallRecord();
    const { data, response } = await request({
      parseAs: "text",
      // The caller's signal goes to the transport, not into a Request, where it would gain a listener per call.
      fetch: (req) => transport(req, perCall, record),
      ...(callHeaders ? { headers: callHeaders } : {}),
    });
    if (!response.ok) throw record.failure;
    const schema = (responses[path] as Record<string, Record<string, Schema>>)[method]?.[response.status];
    return parseBody(response.status, data ?? "", schema, record) as T;
  }

  /** A GET of an absolute URL (a task's polling_url) as openapi-fetch would send it, through `init.fetch`. */
  async function getUrl(url: string, init: CallInit): Promise<{ data: string; response: Response }> {
    const response = await init.fetch(new Request(url, { headers: { ...headers, ...init.headers } }));
    return { data: await response.text(), response };
  }

  async function getResult(id: string, options: RequestOptions = {}): Promise<ResultResponse> {
    const taskId = nonBlank(id, "id");
    return call("/v1/get_result", "get", options, (init) =>
      raw.GET("/v1/get_result", { ...init, params: { query: { id: taskId } } }),
    );
  }

  async function submitFinetuned<M extends FinetunedModel>(
    model: M,
    body: FinetunedInput<M>,
    options: RequestOptions = {},
  ): Promise<SubmitResponse<M>> {
    const path = checkModel(model, (p) => Object.hasOwn(responses, p)) as keyof typeof responses;
    checkSubmitBody(body);
    // The path is a runtime string here; its body type was checked at the call site.
    const post = raw.POST as unknown as (path: string, init: CallInit & { body: unknown }) => ReturnType<typeof getUrl>;
    // The transport sends a POST to a -finetuned path once unless the server clearly refused it.
    return call(path, "post", options, (init) => post(path, { ...init, body }));
  }

  async function waitForResult(task: TaskRef, options: WaitOptions = {}): Promise<ReadyResult> {
    const ref = checkTask(task);
    const { signal, timeoutMs, pollIntervalMs = DEFAULT_POLL_INTERVAL_MS } = callSettings(options);
    const target = pollingTarget(ref, baseUrl);
    return waitForTask(
      ref,
      (signal) =>
        target === undefined
          ? getResult(ref.id, { signal })
          : call("/v1/get_result", "get", { signal }, (init) => getUrl(target, init)),
      { signal, timeoutMs, pollIntervalMs },
      (value) => redactValue(value, apiKey),
    );
  }

  function parseBody(status: number, text: string, schema: Schema | undefined, record: CallRecord): unknown {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const issues = [{ path: "", message: "body is not JSON" }];
      throw new BflResponseValidationError(status, truncate(redactText(text, apiKey)), issues, record.facts());
    }
    const issues = validateResponses && schema ? validateSuccess(schema, body) : [];
    if (issues.length > 0) {
      throw new BflResponseValidationError(status, redactValue(body, apiKey), issues, record.facts());
    }
    return body;
  }

  return {
    deleteFinetune: async (finetuneId, options = {}) => {
      const finetune_id = nonBlank(finetuneId, "finetuneId");
      return call("/v1/delete_finetune", "post", options, (init) =>
        raw.POST("/v1/delete_finetune", { ...init, body: { finetune_id } }),
      );
    },
    listFinetunes: async (options = {}) =>
      call("/v1/my_finetunes", "get", options, (init) => raw.GET("/v1/my_finetunes", init)),
    getFinetuneDetails: async (finetuneId, options = {}) => {
      const finetune_id = nonBlank(finetuneId, "finetuneId");
      return call("/v1/finetune_details", "get", options, (init) =>
        raw.GET("/v1/finetune_details", { ...init, params: { query: { finetune_id } } }),
      );
    },
    submitFinetuned,
    waitForResult,
    generateWithFinetune: async (model, body, options = {}) => {
      const { headers, onSubmitted, ...waitOptions } = options;
      callSettings(options);
      // Checked before the paid submit: a hook that cannot be called would lose the task after paying.
      checkFunction("onSubmitted", onSubmitted);
      const { signal } = waitOptions;
      const task = await submitFinetuned(model, body, {
        ...(signal ? { signal } : {}),
        ...(headers ? { headers } : {}),
      });
      onSubmitted?.(task);
      return waitForResult(task, waitOptions);
    },
    getResult,
    getCredits: async (options = {}) => call("/v1/credits", "get", options, (init) => raw.GET("/v1/credits", init)),
    raw,
    baseUrl,
  };
}
