/**
 * The retry policy, in one place: which failures are retried, how long to wait, and the loop
 * that runs attempts. Everything else in the client only throws {@link BflError}s.
 */
import { BflAbortError, BflApiError, BflConnectionError, type BflError } from "./errors.js";

/** How retries back off. Tests shrink the delays here rather than patching timers. */
export interface BackoffOptions {
  /** Delay before the first retry; doubles each time (default 500 ms). */
  initialDelayMs?: number;
  /** Cap on the doubling delay (default 8000 ms). */
  maxDelayMs?: number;
  /** Longest server-requested wait (`Retry-After`) honoured; longer ones fail at once (default 60 s). */
  maxRetryAfterMs?: number;
}

export interface RetryPolicy extends Required<BackoffOptions> {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

/** Statuses worth another try: timeout, conflict, rate limit, and every 5xx. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Whether a failed attempt may succeed if repeated. The server's `x-should-retry` wins over the
 * status rules; connection failures and timeouts are always worth it; an abort never is.
 */
export function isRetryable(error: BflError): boolean {
  if (error instanceof BflApiError) {
    const hint = error.headers.get("x-should-retry");
    if (hint === "true") return true;
    if (hint === "false") return false;
    return isRetryableStatus(error.status);
  }
  return error instanceof BflConnectionError;
}

/**
 * The wait a server asked for, in ms: `retry-after-ms`, else `Retry-After` in seconds or as an
 * HTTP date. `undefined` when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `retry` (1 for the first retry), or `undefined` when the
 * failure must be thrown now. A server-requested wait is used as is when short enough; otherwise
 * the delay doubles from `initialDelayMs` up to `maxDelayMs`, minus up to 25 % jitter so that
 * clients failing together do not retry together.
 */
export function retryDelay(
  error: BflError,
  retry: number,
  policy: RetryPolicy,
  random = Math.random,
): number | undefined {
  if (retry > policy.maxRetries || !isRetryable(error)) return undefined;
  const asked = error instanceof BflApiError ? parseRetryAfter(error.headers) : undefined;
  if (asked !== undefined) return asked <= policy.maxRetryAfterMs ? asked : undefined;
  const base = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  return base * (1 - 0.25 * random());
}

/** Resolves after `ms`, or rejects with {@link BflAbortError} as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error for a caller's abort, keeping the signal's reason as `cause`. */
export function abortError(signal: AbortSignal): BflAbortError {
  return new BflAbortError("The request was aborted by the caller's signal", { cause: signal.reason });
}

/** Called before each retry's wait, for logging. */
export type OnRetry = (info: { error: BflError; retry: number; delayMs: number }) => void;

/**
 * Runs `attempt(1)`, `attempt(2)`, … until one resolves or the policy gives up, and throws the
 * last failure. `attempt` must throw only {@link BflError}s.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  onRetry?: OnRetry,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const delayMs = retryDelay(error as BflError, n, policy);
      if (delayMs === undefined) throw error;
      onRetry?.({ error: error as BflError, retry: n, delayMs });
      await sleep(delayMs, signal);
    }
  }
}
