/**
 * The layer under every request, facade and `client.raw` alike: a `fetch` handed to
 * openapi-fetch. Per attempt it takes a slot from the rate-limit gate, sets the key, bounds the
 * attempt (headers and body) by its timeout and the caller's signal, and reads the whole body;
 * across attempts it applies the retry policy and records what the server may already have done.
 * It resolves to the last HTTP answer (so `raw` keeps openapi-fetch's `{ data, error, response }`)
 * and throws a {@link BflError} only when no answer came.
 */
import { CallRecord, mayHaveBeenSent } from "./call-facts.js";
import { apiErrorFor, BflConfigurationError, BflConnectionError, BflTimeoutError, truncate } from "./errors.js";
import type { Logger } from "./logger.js";
import type { RateLimitGate, Slot } from "./rate-limit.js";
import { redactHeaders, redactText, redactValue } from "./redact.js";
import { isRetryableAnswer, parseRetryAfter, type RetryPolicy, retryDelay } from "./retry.js";
import { attemptSignal } from "./timeout.js";
import { settleBy } from "./utils/abort.js";
import { abortError, delay } from "./utils/delay.js";

export interface TransportSettings {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  policy: RetryPolicy;
  /** Most time one call may spend waiting out its own 429s. */
  maxRateLimitWaitMs: number;
  gate: RateLimitGate;
  /** A custom fetch; the global one when undefined. */
  fetch: ((request: Request) => Promise<Response>) | undefined;
  log: Logger | undefined;
}

/** Per-call settings; the facade passes them, `raw` calls use the client's. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

/** Most bytes read from one answer: a broken or hostile server must not exhaust memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The whole body, or an error past {@link MAX_BODY_BYTES}: the attempt then counts as an answer
 * that never came whole (retried; never a definite refusal).
 */
async function readBody(answer: Response): Promise<ArrayBuffer> {
  if (!answer.body) return new ArrayBuffer(0);
  // A declared length on an unencoded body bounds what fetch reads: take the native path.
  const declared = Number(answer.headers.get("content-length") ?? Number.NaN);
  if (!answer.headers.has("content-encoding") && Number.isInteger(declared) && declared <= MAX_BODY_BYTES) {
    return answer.arrayBuffer();
  }
  const reader = answer.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > MAX_BODY_BYTES) {
      reader.cancel().catch(() => {});
      throw new Error(`the answer's body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
    }
    chunks.push(read.value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body.buffer;
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([204, 205, 304]);

export type Transport = (request: Request, call?: CallOptions, record?: CallRecord) => Promise<Response>;

export function createTransport(settings: TransportSettings): Transport {
  const { apiKey, baseUrl, gate } = settings;
  const logger = settings.log;
  // A logger that throws must not change what a call reports nor keep its gate slot.
  const log: Logger | undefined =
    logger &&
    ((event) => {
      try {
        logger(event);
      } catch {}
    });

  function connectionError(cause: unknown, timedOut: boolean, timeoutMs: number, record: CallRecord) {
    const sent = timedOut || mayHaveBeenSent(cause);
    const facts = { ...record.facts(record.sentWithoutAnswer || sent), cause };
    const error = timedOut
      ? new BflTimeoutError(`Request to ${baseUrl} timed out after ${timeoutMs} ms`, facts)
      : new BflConnectionError(connectionMessage(cause, baseUrl, apiKey), facts);
    if (sent) {
      record.sentWithoutAnswer = true;
      record.ambiguous = error;
    }
    return error;
  }

  function apiError(response: Response, text: string, record: CallRecord) {
    let body: unknown = text === "" ? undefined : truncate(redactText(text, apiKey));
    try {
      body = redactValue(JSON.parse(text), apiKey);
    } catch {}
    const headers = redactHeaders(response.headers, apiKey);
    const init = { status: response.status, statusText: response.statusText, headers, body, ...record.facts() };
    return apiErrorFor(init, parseRetryAfter(response.headers));
  }

  /**
   * One request. The global fetch gets the URL and init, so the attempt's signal reaches it
   * directly. A custom fetch gets a Request, kept referenced until it settles: undici follows a
   * Request's signal through a weak reference, and a collected Request would never abort.
   */
  async function sendOnce(url: string, init: RequestInit): Promise<Response> {
    if (!settings.fetch) return fetch(url, init);
    const request = new Request(url, init);
    try {
      return await settings.fetch(request);
    } finally {
      request.signal.aborted;
    }
  }

  return async function send(request, call = {}, record = new CallRecord()) {
    // The key goes to baseUrl only: a raw call's own `baseUrl` option or a path such as "/../x"
    // would name another origin or path (the foreign URL is not echoed: it may hold a password).
    const rest = request.url.startsWith(baseUrl) ? request.url.slice(baseUrl.length) : undefined;
    if (rest === undefined || !(rest === "" || rest.startsWith("/") || rest.startsWith("?"))) {
      throw new BflConfigurationError(`Refusing a request outside ${baseUrl}: the API key is sent there only`);
    }
    // The caller's signal arrives out of band from the facade (a Request would add a listener to it
    // per call); `raw` callers' signals are on the request.
    const signal = call.signal ?? request.signal;
    const timeoutMs = call.timeoutMs ?? settings.timeoutMs;
    const policy =
      call.maxRetries === undefined ? settings.policy : { ...settings.policy, maxRetries: call.maxRetries };
    const headers = new Headers(request.headers);
    headers.set("x-key", apiKey);
    const body = request.body ? await request.arrayBuffer() : undefined;
    const aborted = (inFlight: boolean) => () => abortError(signal, record.facts(record.sentWithoutAnswer || inFlight));
    let retries = 0;
    let rateLimitWaitedMs = 0;

    for (;;) {
      const slot: Slot = await gate.acquire(signal, aborted(false));
      const n = ++record.attempts;
      const guard = attemptSignal(timeoutMs, signal);
      // Redirects are not followed: fetch would carry x-key to whatever origin a redirect names.
      const init: RequestInit = {
        method: request.method,
        headers,
        body: body ?? null,
        signal: guard.signal,
        redirect: "manual",
      };
      const started = log ? Date.now() : 0;
      log?.({ level: "debug", message: "request", method: request.method, url: request.url, attempt: n });
      let response: Response;
      let text: string;
      try {
        // A custom fetch may ignore the signal: its attempt ends on it all the same. The global
        // fetch honours it for the headers and the body, with no extra promise per attempt.
        const bounded = <T>(work: Promise<T>) => (settings.fetch ? settleBy(work, guard.signal) : work);
        const answer = await bounded(sendOnce(request.url, init));
        // The body belongs to the attempt: its time counts, and a reset mid-body is retried.
        const buffer = await bounded(readBody(answer));
        text = answer.ok ? "" : new TextDecoder().decode(buffer);
        response = new Response(NULL_BODY.has(answer.status) ? null : buffer, {
          status: answer.status,
          // A server may echo the key anywhere, the reason phrase included.
          statusText: redactText(answer.statusText, apiKey),
          headers: redactHeaders(answer.headers, apiKey),
        });
      } catch (cause) {
        slot.release({});
        if (signal?.aborted) throw aborted(true)();
        const error = connectionError(cause, guard.timedOut, timeoutMs, record);
        const wait = retryDelay(++retries, undefined, policy);
        if (wait === undefined) throw error;
        log?.({ level: "warn", message: "retry", retry: retries, delayMs: Math.round(wait), reason: error.message });
        await delay(wait, signal, aborted(false));
        continue;
      } finally {
        guard.dispose();
      }
      // Arguments of `log?.()` are only evaluated when there is a logger: nothing here on the hot path.
      log?.({
        level: "debug",
        message: "response",
        status: response.status,
        attempt: n,
        ms: Date.now() - started,
        requestId: response.headers.get("x-request-id") ?? undefined,
      });
      const asked = response.status === 429 ? parseRetryAfter(response.headers) : undefined;
      // "Retry-After: 0" or a date already past gives no wait: back off as for a 429 without one,
      // else a server that keeps answering so is asked again at once, forever.
      const retryAfterMs = asked === 0 ? undefined : asked;
      const tooLong = retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs;
      // A wait longer than the client honours fails this call at once; it does not stall the others.
      const held = slot.release({ status: response.status, retryAfterMs: tooLong ? 0 : retryAfterMs });
      if (response.ok) return response;

      const error = apiError(response, text, record);
      record.failure = error;
      if (!isRetryableAnswer(response.status, response.headers)) return response;
      let wait: number | undefined;
      if (response.status === 429 && held > 0) {
        // A 429 is not a failed try: the gate holds every call; this one only checks its budget.
        // One that imposed no hold (a zero backoff) counts as a try below, so the call still ends.
        rateLimitWaitedMs += held;
        if (tooLong || rateLimitWaitedMs > settings.maxRateLimitWaitMs) return response;
        wait = 0;
      } else {
        wait = retryDelay(++retries, response.headers, policy);
        if (wait === undefined) return response;
        if (response.status >= 500) record.ambiguous = error;
      }
      log?.({
        level: "warn",
        message: "retry",
        retry: retries,
        delayMs: Math.round(wait || held),
        reason: error.message,
      });
      if (wait > 0) await delay(wait, signal, aborted(false));
    }
  };
}

function connectionMessage(cause: unknown, baseUrl: string, apiKey: string): string {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return redactText(
    `Could not reach ${baseUrl}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`,
    apiKey,
  );
}
