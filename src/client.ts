/**
 * The facade: `createBflClient()` and one short method per covered operation, over openapi-fetch.
 * Every request, `raw` included, goes through the transport (transport.ts: key, timeouts,
 * retries, the rate-limit gate); this file only says which operation to call and turns its
 * answer into a validated body or a {@link BflError}.
 */
import openapiFetch, { type Client, type FetchOptions } from "openapi-fetch";
import { responses } from "../generated/contract.js";
import { CallRecord } from "./call-facts.js";
import { type BflClientOptions, callSettings, checkFunction, clientSettings, type RequestOptions } from "./config.js";
import { BflResponseValidationError, truncate } from "./errors.js";
import { RateLimitGate } from "./rate-limit.js";
import { redactText, redactValue } from "./redact.js";
import {
  type CreditsResponse,
  checkModel,
  checkSubmitBody,
  checkTask,
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
import { createTransport, type Transport } from "./transport.js";
import type { paths, SuccessBody } from "./types.js";
import { isObject } from "./utils/is-object.js";
import { type Schema, validate } from "./validate.js";
import { VERSION } from "./version.js";

export type { BflClientOptions, RequestOptions } from "./config.js";

/**
 * openapi-fetch's CommonJS build exports its factory as `exports.default`; our CommonJS build,
 * like Node itself, hands a default import the whole `exports` object. Unwrap it once here.
 */
const createClient: typeof openapiFetch =
  (openapiFetch as unknown as { default?: typeof openapiFetch }).default ?? openapiFetch;

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

/** The operations of `paths` with method `M`. */
type PathOf<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, object> ? P : never }[keyof paths];
type Method = "get" | "post";

/**
 * `raw` with each call's `signal` handed to the transport out of band, as the facade does: inside
 * a Request, one signal shared by many calls gains a listener per call until each Request is
 * collected (a warning past 1,500 in flight). A call with its own `fetch` is left as it is.
 */
function signalOutOfBand(client: Client<paths>, transport: Transport): Client<paths> {
  type Init = { signal?: AbortSignal | null; fetch?: unknown };
  type Send = (...args: unknown[]) => unknown;
  const wrapped: Record<string, Send> = { ...(client as unknown as Record<string, Send>) };
  // openapi-fetch names its HTTP methods in capitals (GET, POST, ...), each `(url, init)`, and
  // `request(method, url, init)`: the init is the last argument. `use` and `eject` stay as they are.
  for (const method in wrapped) {
    const send = wrapped[method] as Send;
    if (method.toUpperCase() === method || method === "request") {
      wrapped[method] = (...args) => {
        const init = args.at(-1) as Init | undefined;
        if (isObject(init) && init.signal && init.fetch === undefined) {
          const { signal } = init;
          args[args.length - 1] = {
            ...init,
            signal: null,
            fetch: (request: Request) => transport(request, { signal }),
          };
        }
        return send(...args);
      };
    }
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
    // openapi-fetch passes its `requestInitExt` as fetch's second argument: never set here, so the transport gets no call options.
    createClient<paths>({ baseUrl, fetch: transport, headers }),
    transport,
  );

  /**
   * Runs one operation through the transport and returns its validated 2xx body, or throws the
   * error for its last answer. `init` holds the operation's parameters or body, typed by `paths`;
   * `url`, when given, is fetched instead (a task's polling_url), with the request openapi-fetch built.
   */
  async function call<M extends Method, P extends PathOf<M>>(
    method: M,
    path: P,
    options: RequestOptions = {},
    init?: FetchOptions<paths[P][M]>,
    url?: string,
  ): Promise<Body<P, M>> {
    const perCall = callSettings(options);
    const record = new CallRecord();
    // The caller's signal goes to the transport, not into a Request, where it would gain a listener per call.
    // An aborted one is refused there before anything is sent (the gate's acquire). `url` replaces the
    // request's own, keeping what openapi-fetch built (method, headers).
    const fetch = (request: Request) => transport(url ? new Request(url, request) : request, perCall, record);
    // "stream": openapi-fetch leaves the body unread; the facade owns parsing.
    const { response } = await (raw.request as (method: M, path: P, init: object) => Promise<{ response: Response }>)(
      method,
      path,
      { ...init, parseAs: "stream", fetch, headers: perCall.headers },
    );
    if (!response.ok) throw record.failure;
    const { status } = response;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {}
    const schema = (responses[path as keyof typeof responses] as Record<string, Record<string, Schema>>)[method]?.[
      status
    ];
    const issues =
      body === undefined
        ? [{ path: "", message: "body is not JSON" }]
        : validateResponses && schema
          ? validate(schema, body)
          : [];
    if (issues.length > 0) {
      const received = body === undefined ? truncate(redactText(text, apiKey)) : redactValue(body, apiKey);
      throw new BflResponseValidationError(status, received, issues, record.facts());
    }
    return body as Body<P, M>;
  }

  async function submitFinetuned<M extends FinetunedModel>(
    model: M,
    body: FinetunedInput<M>,
    options?: RequestOptions,
  ): Promise<SubmitResponse<M>> {
    const path = checkModel(model, (p) => Object.hasOwn(responses, p)) as PathOf<"post">;
    checkSubmitBody(body);
    // The path is a runtime string here; its body type was checked at the call site.
    // The transport sends a POST to a -finetuned path once unless the server clearly refused it.
    return call("post", path, options, { body } as never) as Promise<SubmitResponse<M>>;
  }

  async function waitForResult(task: TaskRef, options: WaitOptions = {}): Promise<ReadyResult> {
    const ref = checkTask(task);
    const settings = callSettings(options);
    const target = pollingTarget(ref, baseUrl);
    return waitForTask(
      ref,
      (signal) => call("get", "/v1/get_result", { signal }, { params: { query: { id: ref.id } } }, target),
      settings,
      (value) => redactValue(value, apiKey),
    );
  }

  return {
    // A bad argument is a rejection (these are async), checked before anything is sent.
    deleteFinetune: async (finetuneId, options) =>
      call("post", "/v1/delete_finetune", options, { body: { finetune_id: nonBlank(finetuneId, "finetuneId") } }),
    listFinetunes: (options) => call("get", "/v1/my_finetunes", options),
    getFinetuneDetails: async (finetuneId, options) =>
      call("get", "/v1/finetune_details", options, {
        params: { query: { finetune_id: nonBlank(finetuneId, "finetuneId") } },
      }),
    submitFinetuned,
    waitForResult,
    generateWithFinetune: async (model, body, options = {}) => {
      const { headers, onSubmitted, ...waitOptions } = options;
      callSettings(options);
      // Checked before the paid submit: a hook that cannot be called would lose the task after paying.
      checkFunction("onSubmitted", onSubmitted);
      const task = await submitFinetuned(model, body, { signal: waitOptions.signal, headers } as RequestOptions);
      onSubmitted?.(task);
      return waitForResult(task, waitOptions);
    },
    getResult: async (id, options) =>
      call("get", "/v1/get_result", options, { params: { query: { id: nonBlank(id, "id") } } }),
    getCredits: (options) => call("get", "/v1/credits", options),
    raw,
    baseUrl,
  };
}
