/**
 * The retry policy, pure: which answers are worth another try and how long to wait. The loop that
 * applies it is in transport.ts; waits the server asks for through 429s are rate-limit.ts's.
 */

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
  /** Retries after the first attempt; 0 means one attempt. 429 waits are not counted here. */
  maxRetries: number;
}

/** How long one call may wait out its own 429s when the client's options do not say. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 120_000;

/**
 * How long one call may wait out its own 429s: the client's `rateLimit.maxTotalWaitMs` when
 * given, else none for a call of one attempt (`maxRetries: 0`: a caller with its own deadline
 * gets the 429 at once), else {@link DEFAULT_RATE_LIMIT_WAIT_MS}.
 */
export function rateLimitBudget(maxTotalWaitMs: number | undefined, maxRetries: number): number {
  return maxTotalWaitMs ?? (maxRetries && DEFAULT_RATE_LIMIT_WAIT_MS);
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

/**
 * Whether an HTTP answer may succeed if repeated: the server's `x-should-retry` wins, else
 * timeout, conflict, rate limit and every 5xx.
 */
export function isRetryableAnswer(status: number, headers: Headers): boolean {
  const hint = headers.get("x-should-retry");
  return hint === "true" || (hint !== "false" && ([408, 409, 429].includes(status) || status >= 500));
}

/**
 * The wait a server asked for, in ms: `retry-after-ms`, else `Retry-After` in seconds or as an
 * HTTP date. `undefined` when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  // Stryker disable next-line StringLiteral: any text without a number parses as NaN, as "" does.
  const ms = parseFloat(headers.get("retry-after-ms") ?? "");
  const value = headers.get("retry-after") ?? "";
  // An HTTP date starts with the day's name; anything else ("-1", "5.") is unreadable, though
  // Date.parse would take it for a date long past and so for no wait at all. A date already
  // past is no wait; whatever is unreadable ends as NaN (Math.max passes NaN on), so undefined.
  const wait =
    ms >= 0 && ms < Infinity
      ? ms
      : /^\d+(\.\d+)?$/.test(value)
        ? +value * 1000
        : /^[a-z]/i.test(value)
          ? Math.max(0, Date.parse(value) - now)
          : NaN;
  return wait >= 0 ? wait : undefined;
}

/**
 * The delay before retry number `retry` (1 for the first): doubling from `initialDelayMs` up to
 * `maxDelayMs`, minus up to 25 % jitter so that clients failing together do not retry together.
 */
export function backoffDelay(retry: number, policy: Required<BackoffOptions>, random = Math.random): number {
  const base = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  return base * (1 - 0.25 * random());
}

/**
 * How long to wait before retry number `retry`, given the wait the server asked for (`asked`,
 * from {@link parseRetryAfter}), or `undefined` when it must not be retried: retries are spent,
 * or the server asks for longer than `maxRetryAfterMs`.
 */
export function retryDelay(retry: number, asked: number | undefined, policy: RetryPolicy): number | undefined {
  // No wait asked for (undefined) passes the second test: maxRetryAfterMs is never negative (config.ts).
  if (retry > policy.maxRetries || (asked ?? 0) > policy.maxRetryAfterMs) return undefined;
  return asked ?? backoffDelay(retry, policy);
}
