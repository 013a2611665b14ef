/**
 * The facade: `createBflClient()` and its typed `deleteFinetune()`, over openapi-fetch. This file
 * sends one attempt and turns its outcome into a typed body or a {@link BflError}; the retry
 * policy lives in retry.ts, settings in config.ts.
 */
import openapiFetch, { type Client } from "openapi-fetch";
import { operations } from "../generated/contract.js";
import { type Region, resolveApiKey, resolveBaseUrl } from "./config.js";
import {
  apiErrorFor,
  type BflApiError,
  BflConnectionError,
  BflError,
  BflResponseValidationError,
  BflTimeoutError,
  truncate,
} from "./errors.js";
import { type Logger, resolveLogger } from "./logger.js";
import {
  abortError,
  type BackoffOptions,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  type RetryPolicy,
  withRetries,
} from "./retry.js";
import { attemptSignal } from "./timeout.js";
import type { DeleteFinetuneResponse, paths } from "./types.js";
import { validate } from "./validate.js";
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
  /** API origin. Default: env `BFL_BASE_URL`, else the `region`'s host, else the spec's server. */
  baseUrl?: string;
  /** BFL region whose host to use when no `baseUrl` is given. Default `'us1'` (the spec's server). */
  region?: Region;
  /** Allow a non-loopback `http:` baseUrl. The key then travels in clear text. Default `false`. */
  allowInsecureHttp?: boolean;
  /** Time allowed for each attempt, headers and body (default 60000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Backoff tuning; mostly for tests. */
  backoff?: BackoffOptions;
  /** A `fetch` to send requests with (default the global one). */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Check 2xx bodies against the spec's response schema (default `true`). */
  validateResponses?: boolean;
  /** Receives log events; default none, or stderr JSON lines when env `BFL_LOG=debug`. */
  logger?: Logger;
}

/** Per-call options of {@link BflClient.deleteFinetune}. */
export interface RequestOptions {
  /** Aborts the call at once, during a request or a backoff wait, with `BflAbortError`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for each attempt of this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

/** A BFL Finetune API client. Holds no key in any inspectable property. */
export interface BflClient {
  /**
   * Deletes a finetune you created and resolves to the server's typed answer.
   * @throws {TypeError} when `finetuneId` is not a non-blank string (nothing is sent).
   * @throws {BflApiError} (a subclass per status), {@link BflConnectionError}, {@link BflTimeoutError},
   *   {@link BflAbortError} or {@link BflResponseValidationError}.
   */
  deleteFinetune(finetuneId: string, options?: RequestOptions): Promise<DeleteFinetuneResponse>;
  /** The underlying openapi-fetch client (key and base URL preset), for `{ data, error, response }`. */
  readonly raw: Client<paths>;
  /** The origin requests go to. */
  readonly baseUrl: string;
}

const DELETE_PATH = "/v1/delete_finetune";
const DELETE_RESPONSE_SCHEMA = operations[DELETE_PATH].post.responses[200];

function assertFinetuneId(finetuneId: unknown): asserts finetuneId is string {
  if (typeof finetuneId !== "string") {
    throw new TypeError(`finetuneId must be a string, got ${finetuneId === null ? "null" : typeof finetuneId}`);
  }
  if (finetuneId.trim() === "") throw new TypeError("finetuneId must not be empty or only whitespace");
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min || (name === "maxRetries" && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be a ${name === "maxRetries" ? "whole " : ""}number >= ${min}, got ${value}`);
  }
}

/** Replaces every occurrence of the key in a body the server sent back (a debugging proxy may echo it). */
function redactBody(body: unknown, key: string): unknown {
  if (body === undefined) return undefined;
  if (typeof body === "string") return truncate(body.replaceAll(key, "[redacted]"));
  const text = JSON.stringify(body);
  const escaped = JSON.stringify(key).slice(1, -1);
  return text.includes(escaped) ? JSON.parse(text.replaceAll(escaped, "[redacted]")) : body;
}

function connectionMessage(cause: unknown, baseUrl: string): string {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return `Could not reach ${baseUrl}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`;
}

/**
 * Creates a client. Reads `BFL_API_KEY`, `BFL_BASE_URL` and `BFL_LOG` once, here.
 * @throws {BflConfigurationError} without a key, or with an unusable `baseUrl` or `region`.
 */
export function createBflClient(options: BflClientOptions = {}): BflClient {
  const apiKey = resolveApiKey(options.apiKey);
  const baseUrl = resolveBaseUrl(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxRetries = options.maxRetries ?? 2;
  assertCount("timeoutMs", timeoutMs, 1);
  assertCount("maxRetries", maxRetries, 0);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const validateResponses = options.validateResponses ?? true;
  const log = resolveLogger(options.logger);
  const raw = createClient<paths>({
    baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: { "user-agent": `bfl-finetune/${VERSION}`, ...options.headers, "x-key": apiKey },
  });

  function parseSuccess(response: Response, text: string | undefined): DeleteFinetuneResponse {
    let body: unknown;
    try {
      body = JSON.parse(text ?? "");
    } catch {
      const issue = { path: "", message: "body is not JSON" };
      throw new BflResponseValidationError(response.status, redactBody(text ?? "", apiKey), [issue]);
    }
    const issues = validateResponses ? validate(DELETE_RESPONSE_SCHEMA, body) : [];
    if (issues.length > 0) {
      throw new BflResponseValidationError(response.status, redactBody(body, apiKey), issues);
    }
    return body as DeleteFinetuneResponse;
  }

  function apiError(response: Response, body: unknown, attempts: number): BflApiError {
    const init = {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body: redactBody(body, apiKey),
      attempts,
    };
    return apiErrorFor(init, parseRetryAfter(response.headers));
  }

  async function attempt(finetuneId: string, n: number, call: RequestOptions): Promise<DeleteFinetuneResponse> {
    const attemptTimeout = call.timeoutMs ?? timeoutMs;
    const guard = attemptSignal(attemptTimeout, call.signal);
    const started = Date.now();
    log?.({ level: "debug", message: "request", method: "POST", url: `${baseUrl}${DELETE_PATH}`, attempt: n });
    try {
      const { data, error, response } = await raw.POST(DELETE_PATH, {
        body: { finetune_id: finetuneId },
        parseAs: "text",
        signal: guard.signal,
        ...(call.headers ? { headers: call.headers } : {}),
      });
      // Arguments of `log?.()` are only evaluated when there is a logger: nothing here on the hot path.
      log?.({
        level: "debug",
        message: "response",
        status: response.status,
        attempt: n,
        ms: Date.now() - started,
        requestId: response.headers.get("x-request-id") ?? undefined,
      });
      if (!response.ok) throw apiError(response, error, n);
      return parseSuccess(response, data);
    } catch (cause) {
      if (cause instanceof BflError) throw cause;
      if (call.signal?.aborted) throw abortError(call.signal);
      if (guard.timedOut) {
        throw new BflTimeoutError(`Request to ${baseUrl} timed out after ${attemptTimeout} ms`, n, { cause });
      }
      throw new BflConnectionError(connectionMessage(cause, baseUrl), n, { cause });
    } finally {
      guard.dispose();
    }
  }

  async function deleteFinetune(finetuneId: string, call: RequestOptions = {}): Promise<DeleteFinetuneResponse> {
    assertFinetuneId(finetuneId);
    if (call.timeoutMs !== undefined) assertCount("timeoutMs", call.timeoutMs, 1);
    if (call.maxRetries !== undefined) assertCount("maxRetries", call.maxRetries, 0);
    if (call.signal?.aborted) throw abortError(call.signal);
    const policy: RetryPolicy = { ...backoff, maxRetries: call.maxRetries ?? maxRetries };
    return withRetries(
      (n) => attempt(finetuneId, n, call),
      policy,
      call.signal,
      ({ error, retry, delayMs }) =>
        log?.({ level: "warn", message: "retry", retry, delayMs: Math.round(delayMs), reason: error.message }),
    );
  }

  return { deleteFinetune, raw, baseUrl };
}
