/** Edge values of the retry policy (src/retry.ts): pure, no sockets. The schedule is in test/client/retries. */
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, isRetryableAnswer, parseRetryAfter, retryDelay } from "../../src/retry.js";

const now = Date.parse("2026-12-06T12:00:00Z");
const wait = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), now);

describe("parseRetryAfter", () => {
  it("retry-after-ms wins, 0 included: no wait is a wait the server asked for", () => {
    expect(wait({ "retry-after-ms": "0", "retry-after": "5" })).toBe(0);
    expect(wait({ "retry-after-ms": "1.5", "retry-after": "5" })).toBe(1.5);
  });

  it.each(["-5", "NaN", "soon", "Infinity", ""])("retry-after-ms %j is unreadable: Retry-After decides", (ms) => {
    expect(wait({ "retry-after-ms": ms, "retry-after": "2" })).toBe(2000);
    expect(wait({ "retry-after-ms": ms })).toBeUndefined();
  });

  it("Retry-After in seconds, whole or not, spaces around it", () => {
    expect(wait({ "retry-after": " 3 " })).toBe(3000);
    expect(wait({ "retry-after": "1.5" })).toBe(1500);
    expect(wait({ "retry-after": "2.25" })).toBe(2250);
    expect(wait({ "retry-after": "0" })).toBe(0);
  });

  it.each(["5s", "-1", "5.", "1e3", "0x10", "3 4", ""])("Retry-After %j is unreadable", (value) => {
    expect(wait({ "retry-after": value })).toBeUndefined();
  });

  it("a date that is not an HTTP date (which starts with the day's name) is unreadable, not a wait", () => {
    // Date.parse reads ISO dates; a server's ISO date, past or to come, must not become a wait.
    expect(wait({ "retry-after": "2026-12-06T12:00:30Z" })).toBeUndefined();
    expect(wait({ "retry-after": "2026-12-06T11:59:00Z" })).toBeUndefined();
  });

  it("Retry-After as an HTTP date: the time left, never negative", () => {
    expect(wait({ "retry-after": "Sun, 06 Dec 2026 12:00:30 GMT" })).toBe(30_000);
    expect(wait({ "retry-after": "Sun, 06 Dec 2026 11:59:00 GMT" })).toBe(0);
    expect(wait({ "retry-after": "Sunday, 06-Dec-26 12:00:01 GMT" })).toBe(1000);
  });
});

describe("retryDelay", () => {
  const policy = { ...DEFAULT_BACKOFF, maxRetries: 2, maxRetryAfterMs: 10_000 };

  it("the last allowed retry still waits; the one after is refused", () => {
    expect(retryDelay(2, undefined, policy)).toBeGreaterThan(0);
    expect(retryDelay(3, undefined, policy)).toBeUndefined();
  });

  it("honours a wait exactly at maxRetryAfterMs, and refuses one just past it", () => {
    expect(retryDelay(1, parseRetryAfter(new Headers({ "retry-after-ms": "10000" })), policy)).toBe(10_000);
    expect(retryDelay(1, parseRetryAfter(new Headers({ "retry-after-ms": "10001" })), policy)).toBeUndefined();
  });

  it("a server's wait of 0 is taken as it is; no readable wait falls back to the backoff", () => {
    expect(retryDelay(1, parseRetryAfter(new Headers({ "retry-after": "0" })), policy)).toBe(0);
    const backoff = retryDelay(1, parseRetryAfter(new Headers({ "retry-after": "junk" })), policy);
    expect(backoff).toBeGreaterThan(DEFAULT_BACKOFF.initialDelayMs * 0.75 - 1);
    expect(backoff).toBeLessThanOrEqual(DEFAULT_BACKOFF.initialDelayMs);
  });
});

describe("isRetryableAnswer", () => {
  it("the server's x-should-retry wins either way", () => {
    expect(isRetryableAnswer(400, new Headers({ "x-should-retry": "true" }))).toBe(true);
    expect(isRetryableAnswer(503, new Headers({ "x-should-retry": "false" }))).toBe(false);
  });

  it.each([
    [408, true],
    [409, true],
    [429, true],
    [500, true],
    [599, true],
    [499, false],
    [404, false],
    [400, false],
  ])("%i without a hint: retried %s", (status, retried) => {
    expect(isRetryableAnswer(status, new Headers({ "x-should-retry": "maybe" }))).toBe(retried);
  });
});
