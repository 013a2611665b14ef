/**
 * The layer under every request, facade and `client.raw` alike: a `fetch` handed to
 * openapi-fetch. Per attempt it takes a slot from the rate-limit gate, sets the key, bounds the
 * attempt (headers and body) by its timeout and the caller's signal, and reads the whole body;
 * across attempts it applies the retry policy and records what the server may already have done.
 * It resolves to the last HTTP answer (so `raw` keeps openapi-fetch's `{ data, error, response }`)
 * and throws a {@link BflError} only when no answer came.
 *
 * The loop in {@link createTransport} reads as its steps: take a slot, {@link sendAttempt},
 * decide from the answer ({@link afterAnswer}) or its absence ({@link afterNoAnswer}), each
 * recording the facts, then {@link waitToRetry}.
 */
import { CallRecord, mayHaveBeenSent } from "./call-facts.js";
import {
  abortError,
  apiErrorFor,
  type BflApiError,
  BflConfigurationError,
  BflConnectionError,
  type BflError,
  BflTimeoutError,
  truncate,
} from "./errors.js";
import { isUnderBase, mayCarryKey } from "./key-scope.js";
import type { LogEvent, Logger } from "./logger.js";
import type { RateLimitGate, Slot } from "./rate-limit.js";
import { redactHeaders, redactText, redactValue } from "./redact.js";
import { isRetryableAnswer, parseRetryAfter, type RetryPolicy, rateLimitBudget, retryDelay } from "./retry.js";
import { attemptSignal } from "./timeout.js";
import { settleBy } from "./utils/abort.js";
import { delay } from "./utils/delay.js";
import { readCapped } from "./utils/read-capped.js";

export interface TransportSettings {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  policy: RetryPolicy;
  /** Most time one call may spend waiting out its own 429s; undefined: {@link rateLimitBudget}. */
  maxRateLimitWaitMs: number | undefined;
  gate: RateLimitGate;
  /** A custom fetch; the global one when undefined. */
  fetch: ((request: Request) => Promise<Response>) | undefined;
  log: Logger | undefined;
}

/** Per-call settings; the facade passes them, `raw` calls use the client's. `startCall` resolves them. */
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
  const whole = await readCapped(answer.body, MAX_BODY_BYTES);
  if (whole === undefined) throw new Error("the answer's body is larger than 16 MiB");
  return whole;
}

export type Transport = (request: Request, call?: CallOptions, record?: CallRecord) => Promise<Response>;

/** One call as its attempts see it: what to send, its limits, and what it has learned so far. */
interface Call {
  readonly settings: TransportSettings;
  readonly log: Logger | undefined;
  readonly url: string;
  readonly init: Omit<RequestInit, "signal">;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly policy: RetryPolicy;
  /** Most time this call may spend waiting out its own 429s. */
  readonly rateLimitBudgetMs: number;
  /**
   * The request creates something that costs (a POST to a `-finetuned` path: a generation task):
   * retried only when nothing can have been done, a connection never made or a 429. An attempt
   * the server may have acted on (no answer after sending, a timeout, a 5xx, 408, 409) ends the
   * call with its facts.
   */
  readonly paid: boolean;
  readonly record: CallRecord;
  /** Retries spent (429s that held the client are not counted). */
  retries: number;
  /** Time this call's 429s have held the client. */
  rateLimitWaitedMs: number;
}

/** What one attempt came to: an answer, read whole, or no answer. */
type Attempt = { response: Response; text: string } | { cause: unknown; timedOut: boolean };

/** What follows an attempt: the answer to hand back, an error to throw, or another attempt after a wait. */
type Next = { done: Response } | { fail: BflError } | { retryIn: number; reason: string; shownMs: number };

export function createTransport(settings: TransportSettings): Transport {
  const log = safeLogger(settings.log, settings.apiKey);
  return async function send(request, options = {}, record = new CallRecord()) {
    const call = await startCall(settings, log, request, options, record);
    for (;;) {
      const slot = await settings.gate.acquire(call.signal, aborted(call, false));
      const attempt = await sendAttempt(call);
      const next = "response" in attempt ? afterAnswer(call, attempt, slot) : afterNoAnswer(call, attempt, slot);
      if ("done" in next) return next.done;
      if ("fail" in next) throw next.fail;
      await waitToRetry(call, next);
    }
  };
}

/**
 * The logger as the steps call it: each event with the key redacted in its values, before any
 * logger serialises it (redacting the text after would break it for a key such as `"`), and a
 * logger that throws ignored: it must not change what a call reports nor keep its gate slot.
 */
function safeLogger(logger: Logger | undefined, apiKey: string): Logger | undefined {
  return (
    logger &&
    ((event) => {
      try {
        logger(redactValue(event, apiKey) as LogEvent);
      } catch {}
    })
  );
}

/**
 * The call's settings (its options over the client's) and the request as every attempt sends it:
 * with the key, its body read once. Refuses a URL outside `baseUrl` before anything is sent.
 */
async function startCall(
  settings: TransportSettings,
  log: Logger | undefined,
  request: Request,
  options: CallOptions,
  record: CallRecord,
): Promise<Call> {
  const { apiKey, baseUrl } = settings;
  // The key goes to baseUrl or a BFL API host only (key-scope.ts): a raw call's own `baseUrl`
  // option or a path such as "/../x" would name another origin or path (the foreign URL is not
  // echoed: it may hold a password).
  if (!mayCarryKey(request.url, baseUrl)) {
    throw new BflConfigurationError(
      `Refusing a request outside ${baseUrl} and BFL's API hosts: the API key is sent there only`,
    );
  }
  const headers = new Headers(request.headers);
  headers.set("x-key", apiKey);
  const body = request.body ? await request.arrayBuffer() : null;
  const policy =
    options.maxRetries === undefined ? settings.policy : { ...settings.policy, maxRetries: options.maxRetries };
  return {
    settings,
    log,
    url: request.url,
    // Redirects are not followed: fetch would carry x-key to whatever origin a redirect names.
    init: { method: request.method, headers, body, redirect: "manual" },
    // The caller's signal arrives out of band from the facade (a Request would add a listener to it
    // per call); `raw` callers' signals are on the request.
    signal: options.signal ?? request.signal,
    timeoutMs: options.timeoutMs ?? settings.timeoutMs,
    policy,
    rateLimitBudgetMs: rateLimitBudget(settings.maxRateLimitWaitMs, policy.maxRetries),
    // A POST to a `-finetuned` path creates a paid task, whoever sends it (`raw` too): never twice unasked.
    paid: request.method === "POST" && /-finetuned$/.test(new URL(request.url).pathname),
    record,
    retries: 0,
    rateLimitWaitedMs: 0,
  };
}

/** The abort error for this call, now; `inFlight` when a request may be on its way. */
function aborted(call: Call, inFlight: boolean): () => BflError {
  const { record } = call;
  return () => abortError(call.signal, record.facts(record.sentWithoutAnswer || inFlight));
}

/**
 * One attempt, bounded (headers and body) by its timeout and the caller's signal. The answer is
 * read whole and rebuilt with the key redacted wherever a server may echo it.
 */
async function sendAttempt(call: Call): Promise<Attempt> {
  const { settings, log, record } = call;
  const n = ++record.attempts;
  const guard = attemptSignal(call.timeoutMs, call.signal);
  const started = log ? Date.now() : 0;
  log?.({ level: "debug", message: "request", method: call.init.method, url: call.url, attempt: n });
  let response: Response;
  let text: string;
  try {
    // A custom fetch may ignore the signal: its attempt ends on it all the same. The global
    // fetch honours it for the headers and the body, with no extra promise per attempt.
    const bounded = <T>(work: Promise<T>) => (settings.fetch ? settleBy(work, guard.signal) : work);
    const answer = await bounded(sendOnce(settings.fetch, call.url, { ...call.init, signal: guard.signal }));
    // The body belongs to the attempt: its time counts, and a reset mid-body is retried.
    const buffer = await bounded(readBody(answer));
    text = answer.ok ? "" : new TextDecoder().decode(buffer);
    // 204, 205 and 304 must have a null body.
    response = new Response([204, 205, 304].includes(answer.status) ? null : buffer, {
      status: answer.status,
      // A server may echo the key anywhere, the reason phrase included.
      statusText: redactText(answer.statusText, settings.apiKey),
      headers: redactHeaders(answer.headers, settings.apiKey),
    });
  } catch (cause) {
    return { cause, timedOut: guard.timedOut };
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
  return { response, text };
}

/**
 * One request. The global fetch gets the URL and init, so the attempt's signal reaches it
 * directly. A custom fetch gets a Request, kept referenced until it settles: undici follows a
 * Request's signal through a weak reference, and a collected Request would never abort.
 */
async function sendOnce(custom: TransportSettings["fetch"], url: string, init: RequestInit): Promise<Response> {
  if (!custom) return fetch(url, init);
  const request = new Request(url, init);
  try {
    return await custom(request);
  } finally {
    request.signal.aborted;
  }
}

/** After an attempt without an answer: records that it may have been sent, then retries or fails. */
function afterNoAnswer(call: Call, attempt: { cause: unknown; timedOut: boolean }, slot: Slot): Next {
  slot.release({});
  if (call.signal.aborted) return { fail: aborted(call, true)() };
  const error = connectionError(call, attempt.cause, attempt.timedOut);
  if (call.paid && error.sentWithoutAnswer) return { fail: error };
  const wait = retryDelay(++call.retries, undefined, call.policy);
  return wait === undefined ? { fail: error } : { retryIn: wait, reason: error.message, shownMs: wait };
}

/**
 * After an answer: tells the gate (a 429 holds the whole client), records an error answer as the
 * call's failure, and says whether to try again. An answer that is not retried is handed back
 * as it is: the facade throws `record.failure`, `raw` returns it.
 */
function afterAnswer(call: Call, { response, text }: { response: Response; text: string }, slot: Slot): Next {
  const { status, headers } = response;
  const asked = status === 429 ? parseRetryAfter(headers) : undefined;
  // "Retry-After: 0" or a date already past gives no wait: back off as for a 429 without one,
  // else a server that keeps answering so is asked again at once, forever.
  const retryAfterMs = asked === 0 ? undefined : asked;
  const tooLong = retryAfterMs !== undefined && retryAfterMs > call.policy.maxRetryAfterMs;
  // A wait longer than the client honours fails this call at once; it does not stall the others.
  const held = slot.release({ status, retryAfterMs: tooLong ? 0 : retryAfterMs });
  if (response.ok) return { done: response };
  // A 429 says how long to keep away: the server's wait, else the hold it put on this client.
  const error = apiError(call, response, text, held || asked);
  call.record.failure = error;
  if (!isRetryableAnswer(status, headers)) return { done: response };
  if (status === 429 && held > 0) {
    // A 429 is not a failed try: the gate holds every call; this one only checks its budget.
    // One that imposed no hold (a zero backoff) counts as a try below, so the call still ends.
    call.rateLimitWaitedMs += held;
    if (tooLong || call.rateLimitWaitedMs > call.rateLimitBudgetMs) return { done: response };
    return { retryIn: 0, reason: error.message, shownMs: held };
  }
  // Only a 429 is a definite refusal; any other retryable answer may follow a task created.
  if (call.paid && status !== 429) return { done: response };
  const wait = retryDelay(++call.retries, headers, call.policy);
  if (wait === undefined) return { done: response };
  if (status >= 500) call.record.ambiguous = error;
  return { retryIn: wait, reason: error.message, shownMs: wait };
}

/** Logs the retry and waits for it; a wait of 0 leaves the pacing to the gate. */
async function waitToRetry(call: Call, next: { retryIn: number; reason: string; shownMs: number }): Promise<void> {
  const { retries } = call;
  call.log?.({
    level: "warn",
    message: "retry",
    retry: retries,
    delayMs: Math.round(next.shownMs),
    reason: next.reason,
  });
  if (next.retryIn > 0) await delay(next.retryIn, call.signal, aborted(call, false));
}

/** The error for an attempt without an answer; records it as ambiguous when it may have been sent. */
function connectionError(call: Call, cause: unknown, timedOut: boolean): BflError {
  const { record, settings } = call;
  const sent = timedOut || mayHaveBeenSent(cause);
  const facts = { ...record.facts(record.sentWithoutAnswer || sent), cause };
  // A poll on a regional BFL host names that host, not the client's base URL.
  const where = isUnderBase(call.url, settings.baseUrl) ? settings.baseUrl : new URL(call.url).origin;
  const error = timedOut
    ? new BflTimeoutError(`Request to ${where} timed out after ${call.timeoutMs} ms`, facts)
    : new BflConnectionError(connectionMessage(cause, where, settings.apiKey), facts);
  if (sent) {
    record.sentWithoutAnswer = true;
    record.ambiguous = error;
  }
  return error;
}

/** The typed error for an error answer, its body and headers redacted; `retryAfterMs` for a 429. */
function apiError(call: Call, response: Response, text: string, retryAfterMs: number | undefined): BflApiError {
  const { apiKey } = call.settings;
  let body: unknown = text === "" ? undefined : truncate(redactText(text, apiKey));
  try {
    body = redactValue(JSON.parse(text), apiKey);
  } catch {}
  const headers = redactHeaders(response.headers, apiKey);
  const init = { status: response.status, statusText: response.statusText, headers, body, ...call.record.facts() };
  return apiErrorFor(init, retryAfterMs);
}

function connectionMessage(cause: unknown, baseUrl: string, apiKey: string): string {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return redactText(
    `Could not reach ${baseUrl}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`,
    apiKey,
  );
}
