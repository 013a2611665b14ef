/**
 * The facade: `createBflClient()` and one short method per covered operation, over openapi-fetch.
 * Every request, `raw` included, goes through the transport (transport.ts: key, timeouts,
 * retries, the rate-limit gate); this file only says which operation to call and turns its
 * answer into a validated body or a {@link BflError}.
 */
import openapiFetch, { type Client } from "openapi-fetch";
import { responseSchemas, responses } from "../generated/contract.js";
import { CallRecord } from "./call-facts.js";
import {
  checkCount,
  checkDelay,
  checkFunction,
  checkHeaders,
  type Env,
  type Region,
  readEnv,
  resolveApiKey,
  resolveBaseUrl,
} from "./config.js";
import { BflConfigurationError, BflResponseValidationError, truncate } from "./errors.js";
import { consoleLogger, type Logger } from "./logger.js";
import { RateLimitGate } from "./rate-limit.js";
import { redactText, redactValue } from "./redact.js";
import { type BackoffOptions, DEFAULT_BACKOFF } from "./retry.js";
import { type CallOptions, createTransport, type Transport } from "./transport.js";
import type { paths, SuccessBody } from "./types.js";
import { abortError } from "./utils/delay.js";
import { HTTP_METHODS } from "./utils/http-methods.js";
import { type Schema, validate } from "./validate.js";
import { VERSION } from "./version.js";

/**
 * openapi-fetch's CommonJS build exports its factory as `exports.default`; our CommonJS build,
 * like Node itself, hands a default import the whole `exports` object. Unwrap it once here.
 */
const createClient: typeof openapiFetch =
  typeof openapiFetch === "function"
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

/** Options of {@link createBflClient}. */
export interface BflClientOptions {
  /** API key, sent as `x-key`. Default: env `BFL_API_KEY`. */
  apiKey?: string;
  /** API origin, optionally with a path prefix. Default: env `BFL_BASE_URL`, else the `region`'s host, else the spec's server. */
  baseUrl?: string;
  /** BFL region whose host to use when no `baseUrl` is given. Default `'us1'` (the spec's server). */
  region?: Region;
  /** Allow a non-loopback `http:` baseUrl. The key then travels in clear text. Default `false`. */
  allowInsecureHttp?: boolean;
  /** Time allowed for each attempt, headers and body (default 60000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). Waits asked for by 429s are not counted. */
  maxRetries?: number;
  /** Most attempts in flight at once on this client (default unlimited); 429s lower it for a while. */
  maxConcurrency?: number;
  /** Backoff tuning; mostly for tests. */
  backoff?: BackoffOptions;
  /** Rate-limit handling: `maxTotalWaitMs` bounds the 429 waits of one call (default 120000). */
  rateLimit?: { maxTotalWaitMs?: number };
  /** A `fetch` to send requests with (default the global one). */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers sent with every request (not `x-key` or `content-type`). */
  headers?: Record<string, string>;
  /** Check 2xx bodies against the spec's response schema (default `true`). */
  validateResponses?: boolean;
  /** Receives log events; default none, or stderr JSON lines when env `BFL_LOG=debug`. */
  logger?: Logger;
  /** Where `BFL_API_KEY`, `BFL_BASE_URL` and `BFL_LOG` are read from (default `process.env`). */
  env?: Env;
}

/** Per-call options of every operation. */
export interface RequestOptions {
  /** Aborts the call at once, during a request or a wait, with `BflAbortError`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for each attempt of this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Extra headers for this call (not `x-key` or `content-type`). */
  headers?: Record<string, string>;
}

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
  /** The openapi-fetch client (`{ data, error, response }`), over the same key, timeouts and retries. */
  readonly raw: Client<paths>;
  /** The origin (and path prefix) requests go to. */
  readonly baseUrl: string;
}

function checkedId(finetuneId: unknown): string {
  if (typeof finetuneId !== "string") {
    throw new TypeError(`finetuneId must be a string, got ${finetuneId === null ? "null" : typeof finetuneId}`);
  }
  if (finetuneId.trim() === "") throw new TypeError("finetuneId must not be empty or only whitespace");
  return finetuneId;
}

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

/** Per-call options, checked before anything is sent. */
function checkCall(options: RequestOptions): RequestOptions {
  if (typeof options !== "object" || options === null) throw new BflConfigurationError("options must be an object");
  if (options.timeoutMs !== undefined) checkDelay("timeoutMs", options.timeoutMs, 1);
  if (options.maxRetries !== undefined) checkCount("maxRetries", options.maxRetries, 0, 100);
  checkHeaders("headers", options.headers);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new BflConfigurationError("signal must be an AbortSignal");
  }
  return options;
}

/**
 * Creates a client. Reads `BFL_API_KEY`, `BFL_BASE_URL` and `BFL_LOG` once, here, and only those
 * not given as options.
 * @throws {BflConfigurationError} for any unusable option (nothing is sent).
 */
export function createBflClient(options: BflClientOptions = {}): BflClient {
  const { env } = options;
  const apiKey = resolveApiKey(options.apiKey, env);
  const baseUrl = resolveBaseUrl(options, env);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  checkDelay("backoff.initialDelayMs", backoff.initialDelayMs, 0);
  checkDelay("backoff.maxDelayMs", backoff.maxDelayMs, 0);
  checkDelay("backoff.maxRetryAfterMs", backoff.maxRetryAfterMs, 0);
  const headers = checkHeaders("headers", options.headers);
  const validateResponses = options.validateResponses ?? true;
  const transport = createTransport({
    apiKey,
    baseUrl,
    timeoutMs: checkDelay("timeoutMs", options.timeoutMs ?? 60_000, 1),
    policy: { ...backoff, maxRetries: checkCount("maxRetries", options.maxRetries ?? 2, 0, 100) },
    maxRateLimitWaitMs: checkDelay("rateLimit.maxTotalWaitMs", options.rateLimit?.maxTotalWaitMs ?? 120_000, 0),
    gate: new RateLimitGate({
      backoff,
      ...(options.maxConcurrency === undefined
        ? {}
        : { maxConcurrency: checkCount("maxConcurrency", options.maxConcurrency, 1) }),
    }),
    fetch: checkFunction("fetch", options.fetch),
    log: checkFunction("logger", options.logger) ?? (readEnv("BFL_LOG", env) === "debug" ? consoleLogger : undefined),
  });
  const raw = signalOutOfBand(
    createClient<paths>({
      baseUrl,
      fetch: (request) => transport(request),
      headers: { "user-agent": `bfl-finetune/${VERSION}`, ...headers },
    }),
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
    request: (init: {
      parseAs: "text";
      fetch: (request: Request) => Promise<Response>;
      headers?: Record<string, string>;
    }) => Promise<{ data?: string | undefined; response: Response }>,
  ): Promise<T> {
    const { signal, headers: callHeaders, ...rest } = checkCall(options);
    if (signal?.aborted) throw abortError(signal);
    const record = new CallRecord();
    const perCall: CallOptions = { ...rest, signal };
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

  function parseBody(status: number, text: string, schema: Schema | undefined, record: CallRecord): unknown {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const issues = [{ path: "", message: "body is not JSON" }];
      throw new BflResponseValidationError(status, truncate(redactText(text, apiKey)), issues, record.facts());
    }
    const issues = validateResponses && schema ? validate(schema, body, responseSchemas) : [];
    if (issues.length > 0) {
      throw new BflResponseValidationError(status, redactValue(body, apiKey), issues, record.facts());
    }
    return body;
  }

  return {
    deleteFinetune: async (finetuneId, options = {}) => {
      const finetune_id = checkedId(finetuneId);
      return call("/v1/delete_finetune", "post", options, (init) =>
        raw.POST("/v1/delete_finetune", { ...init, body: { finetune_id } }),
      );
    },
    listFinetunes: async (options = {}) =>
      call("/v1/my_finetunes", "get", options, (init) => raw.GET("/v1/my_finetunes", init)),
    getFinetuneDetails: async (finetuneId, options = {}) => {
      const finetune_id = checkedId(finetuneId);
      return call("/v1/finetune_details", "get", options, (init) =>
        raw.GET("/v1/finetune_details", { ...init, params: { query: { finetune_id } } }),
      );
    },
    raw,
    baseUrl,
  };
}
