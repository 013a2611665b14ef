/**
 * The layer under every request, facade and `client.raw` alike: a `fetch` handed to
 * openapi-fetch. Per attempt it takes a slot from the rate-limit gate, sets the key, bounds the
 * attempt (headers and body) by its timeout and the caller's signal, and reads the whole body;
 * across attempts it applies the retry policy and records what the server may already have done.
 * It resolves to the last HTTP answer (so `raw` keeps openapi-fetch's `{ data, error, response }`)
 * and throws a {@link BflError} only when no answer came.
 *
 * One call is the closure `send` returns; its loop reads as its steps: take a slot,
 * `sendAttempt`, decide from the answer (`afterAnswer`) or its absence (`afterNoAnswer`), each
 * recording the facts and returning the answer to hand back or the wait before the next attempt
 * (`retryIn` logs it), or throwing the error that ends the call.
 */
import { CallRecord, errorCode, mayHaveBeenSent } from "./call-facts.js";
import {
  abortError,
  apiErrorFor,
  BflConfigurationError,
  BflConnectionError,
  type BflError,
  BflTimeoutError,
  truncate,
} from "./errors.js";
import { mayCarryKey } from "./key-scope.js";
import type { LogEvent, Logger } from "./logger.js";
import type { RateLimitGate, Slot } from "./rate-limit.js";
import { redactHeaders, redactText, redactValue } from "./redact.js";
import { isRetryableAnswer, parseRetryAfter, type RetryPolicy, rateLimitBudget, retryDelay } from "./retry.js";
import { type AttemptSignal, attemptSignal } from "./timeout.js";
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

/** Per-call settings; the facade passes them, `raw` calls use the client's. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

export type Transport = (request: Request, call?: CallOptions, record?: CallRecord) => Promise<Response>;

/** Most bytes read from one answer: a broken or hostile server must not exhaust memory. */
const MAX_BODY_BYTES = 2 ** 24; // 16 MiB
const tooLarge = () => new Error("the answer's body is larger than 16 MiB");

export function createTransport(settings: TransportSettings): Transport {
  const { apiKey, baseUrl, gate, fetch: custom, log: logger } = settings;
  // The logger as the steps call it: each event with the key redacted in its values, before any
  // logger serialises it (redacting the text after would break it for a key such as `"`), and a
  // logger that throws ignored: it must not change what a call reports nor keep its gate slot.
  const log =
    logger &&
    ((event: LogEvent) => {
      try {
        logger(redactValue(event, apiKey) as LogEvent);
      } catch {}
    });
  return async function send(request, options = {}, record = new CallRecord()) {
    const { url, method } = request;
    // The key goes to baseUrl or a BFL API host only (key-scope.ts): a raw call's own `baseUrl`
    // option or a path such as "/../x" would name another origin or path (the foreign URL is not
    // echoed: it may hold a password).
    if (!mayCarryKey(url, baseUrl)) {
      throw new BflConfigurationError(`Refusing to send the API key outside ${baseUrl} and BFL's API hosts`);
    }
    const headers = new Headers(request.headers);
    headers.set("x-key", apiKey);
    // The body is read once; redirects are not followed: fetch would carry x-key to whatever
    // origin a redirect names.
    const init: RequestInit = {
      method,
      headers,
      body: request.body && (await request.arrayBuffer()),
      redirect: "manual",
    };
    // The caller's signal arrives out of band from the facade (a Request would add a listener to it
    // per call); `raw` callers' signals are on the request.
    const signal = options.signal ?? request.signal;
    const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
    const policy = { ...settings.policy, maxRetries: options.maxRetries ?? settings.policy.maxRetries };
    /** What is left of the time this call may spend waiting out its own 429s (their holds on the client). */
    let budgetMs = rateLimitBudget(settings.maxRateLimitWaitMs, policy.maxRetries);
    // A POST to a `-finetuned` path creates a paid task, whoever sends it (`raw` too): never twice
    // unasked. It is retried only when nothing can have been done (a connection never made, a 429);
    // an attempt the server may have acted on (no answer after sending, a timeout, a 5xx, 408,
    // 409) ends the call with its facts.
    const paid = method === "POST" && /-finetuned$/.test(new URL(url).pathname);
    /** Retries spent (429s that held the client are not counted). */
    let retries = 0;

    /** The abort error for this call, now. */
    const aborted = (): BflError => abortError(signal, record.facts());

    /**
     * One attempt, bounded (headers and body) by its timeout and the caller's signal. The answer is
     * read whole and rebuilt with the key redacted wherever a server may echo it; it rejects when
     * no answer came whole.
     */
    async function sendAttempt(guard: AttemptSignal): Promise<Response> {
      const attempt = ++record.attempts;
      const started = Date.now();
      log?.({ level: "debug", message: "request", method, url, attempt });
      // A custom fetch gets a Request, kept referenced until the attempt ends: undici follows a
      // Request's signal through a weak reference, and a collected Request would never abort.
      // The global fetch gets the URL and init, so the attempt's signal reaches it directly.
      init.signal = guard.signal;
      const sent = custom && new Request(url, init);
      // A custom fetch may ignore the signal: its attempt ends on it all the same. The global
      // fetch honours it for the headers and the body, with no extra promise per attempt.
      const bounded = <T>(work: Promise<T>) => (sent ? settleBy(work, guard.signal) : work);
      try {
        const answer = await bounded(custom && sent ? custom(sent) : fetch(url, init));
        // The body belongs to the attempt: its time counts, and a reset mid-body is retried; so is
        // one past MAX_BODY_BYTES: an answer that never came whole (never a definite refusal).
        const body = await bounded(readCapped(answer.body, MAX_BODY_BYTES, tooLarge));
        const { status } = answer;
        // 204, 205 and 304 must have a null body.
        const response = new Response([204, 205, 304].includes(status) ? null : body, {
          status,
          // A server may echo the key anywhere, the reason phrase included.
          statusText: redactText(answer.statusText, apiKey),
          headers: redactHeaders(answer.headers, apiKey),
        });
        // Arguments of `log?.()` are only evaluated when there is a logger: nothing here on the hot path.
        log?.({
          level: "debug",
          message: "response",
          status,
          attempt,
          ms: Date.now() - started,
          requestId: response.headers.get("x-request-id") ?? undefined,
        });
        return response;
      } finally {
        guard.dispose();
        sent?.signal;
      }
    }

    /**
     * After an answer: tells the gate (a 429 holds the whole client), records an error answer as
     * the call's failure, and says whether to try again. An answer that is not retried is handed
     * back as it is: the facade throws `record.failure`, `raw` returns it.
     */
    async function afterAnswer(response: Response, slot: Slot): Promise<Response | number> {
      const { status, headers } = response;
      const asked = parseRetryAfter(headers);
      // A wait longer than the client honours fails this call at once (retryDelay refuses it
      // below); it must not stall the others, so the gate is told 0 and imposes no hold.
      // "Retry-After: 0" or a date already past gives no wait: the gate backs off as for a 429
      // without one, else a server that keeps answering so is asked again at once, forever.
      const held = slot.release({
        status,
        retryAfterMs: (asked ?? 0) > policy.maxRetryAfterMs ? 0 : asked || undefined,
      });
      if (response.ok) return response;
      // A 429 says how long to keep away (apiErrorFor reads it for a 429 only): the server's wait,
      // else the hold it put on this client.
      const facts = {
        ...record.facts(),
        status,
        statusText: response.statusText,
        headers,
        // A copy of the body: the answer itself goes back unread.
        body: errorBody(await response.clone().text(), apiKey),
      };
      const error = apiErrorFor(facts, held || asked);
      record.failure = error;
      if (!isRetryableAnswer(status, headers)) return response;
      if (status === 429 && held > 0) {
        // A 429 is not a failed try: the gate holds every call; this one only checks its budget.
        // One that imposed no hold (a zero backoff, a wait too long) counts as a try below, so the
        // call still ends.
        budgetMs -= held;
        return budgetMs < 0 ? response : retryIn(0, error, held);
      }
      // Only a 429 is a definite refusal; any other retryable answer may follow a task created.
      const wait = paid && status !== 429 ? undefined : retryDelay(++retries, asked, policy);
      if (wait === undefined) return response;
      if (status >= 500) record.ambiguous = error;
      return retryIn(wait, error);
    }

    /** After an attempt without an answer: records that it may have been sent, then retries or throws. */
    function afterNoAnswer(cause: unknown, timedOut: boolean, slot: Slot): number {
      slot.release({});
      // Aborted in flight, a request may be on its way whatever the cause says.
      const sent = signal.aborted || timedOut || mayHaveBeenSent(cause);
      record.sentWithoutAnswer ||= sent;
      if (signal.aborted) throw aborted();
      const code = errorCode(cause);
      const why = timedOut
        ? `timed out after ${timeoutMs} ms`
        : `${(cause as Error)?.message ?? cause}${code ? ` (${code})` : ""}`;
      // Named by the origin that did not answer (a regional BFL host of a poll included); the
      // cause's message may echo anything, the key included.
      const message = redactText(`No answer from ${new URL(url).origin}: ${why}`, apiKey);
      const error = new (timedOut ? BflTimeoutError : BflConnectionError)(message, { ...record.facts(), cause });
      // Recorded after its facts: its own `cause` is the earlier ambiguous attempt.
      if (sent) record.ambiguous = error;
      const wait = paid && record.sentWithoutAnswer ? undefined : retryDelay(++retries, undefined, policy);
      if (wait === undefined) throw error;
      return retryIn(wait, error);
    }

    /** Logs the retry (its reason: the error it follows) and returns its wait. */
    function retryIn(wait: number, after: BflError, shownMs = wait): number {
      log?.({ level: "warn", message: "retry", retry: retries, delayMs: Math.round(shownMs), reason: after.message });
      return wait;
    }

    for (;;) {
      const slot = await gate.acquire(signal, aborted);
      const guard = attemptSignal(timeoutMs, signal);
      const next = await sendAttempt(guard).then(
        (response) => afterAnswer(response, slot),
        (cause) => afterNoAnswer(cause, guard.timedOut, slot),
      );
      if (next instanceof Response) return next;
      // A wait of 0 (a 429 that holds the client) is one timer tick: the gate paces the next attempt.
      await delay(next, signal, aborted);
    }
  };
}

/** An error answer's body (`text`) for its error: parsed JSON, else the text cut to 1 KiB; the key redacted either way. */
function errorBody(text: string, apiKey: string): unknown {
  try {
    return redactValue(JSON.parse(text), apiKey);
  } catch {
    return text === "" ? undefined : truncate(redactText(text, apiKey));
  }
}
