/** The client-wide rate-limit gate, on a fake clock: holds, jitter, the adaptive limit, aborts. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitGate, type Slot } from "../../src/rate-limit.js";
import { DEFAULT_BACKOFF } from "../../src/retry.js";
import { room } from "../helpers/gate.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const aborted = () => new Error("aborted");

function gate(maxConcurrency?: number, random = () => 0.5) {
  return new RateLimitGate({
    backoff: DEFAULT_BACKOFF,
    random,
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
  });
}

/** Starts `count` acquires; `granted` fills in as slots are handed out. */
function acquireMany(g: RateLimitGate, count: number, signal?: AbortSignal) {
  const granted: Slot[] = [];
  const settled = Array.from({ length: count }, () =>
    g.acquire(signal, aborted).then(
      (slot) => granted.push(slot),
      (error: Error) => error,
    ),
  );
  return { granted, settled };
}

describe("without 429s", () => {
  it("grants at once up to maxConcurrency and queues the rest in order", async () => {
    const g = gate(3);
    const { granted } = acquireMany(g, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(3);
    granted[0]?.release({ status: 200 });
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(4);
    expect(await room(g)).toBe(0);
  });

  it("is unlimited by default", async () => {
    const { granted } = acquireMany(gate(), 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(100);
  });
});

describe("a 429 with a wait", () => {
  it("holds every new attempt until then, each with its own jitter of at most 10 %", async () => {
    const draws = [0.1, 0.9, 0.5];
    const g = gate(undefined, () => draws.shift() ?? 0);
    const first = await g.acquire(undefined, aborted);
    expect(first.release({ status: 429, retryAfterMs: 2000 })).toBe(2000);
    const { granted } = acquireMany(g, 3);
    await vi.advanceTimersByTimeAsync(1999);
    expect(granted).toHaveLength(0);
    // Jitters 0.1, 0.9, 0.5 of 200 ms: 20, 180 and 100 ms past the hold, and the limit is 1.
    await vi.advanceTimersByTimeAsync(21);
    expect(granted).toHaveLength(1);
    // The 429 came back with nothing else in flight: the limit is 1, whatever the jitter.
    await vi.advanceTimersByTimeAsync(1000);
    expect(granted).toHaveLength(1);
  });

  it("the longest wait allowed plus jitter never sets a timer Node would cut to 1 ms", async () => {
    const g = gate(undefined, () => 1);
    const first = await g.acquire(undefined, aborted);
    first.release({ status: 429, retryAfterMs: 2_147_483_647 });
    const timers = vi.spyOn(globalThis, "setTimeout");
    acquireMany(g, 1);
    const delays = timers.mock.calls.map(([, ms]) => ms ?? 0);
    timers.mockRestore();
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_147_483_647);
  });

  it("drops the limit to what was still in flight when the 429s came back (those were accepted)", async () => {
    const g = gate(8);
    const { granted } = acquireMany(g, 8);
    await vi.advanceTimersByTimeAsync(0);
    // The server accepted two and rejected six, in any order.
    for (const slot of granted.slice(2)) slot.release({ status: 429, retryAfterMs: 2000 });
    for (const slot of granted.slice(0, 2)) slot.release({ status: 200 });
    await vi.advanceTimersByTimeAsync(2000 + 200); // the hold and the most jitter it adds
    expect(await room(g)).toBe(2);
  });
});

describe("a 429 without a wait", () => {
  it("backs the whole client off, doubling per round, not per 429 of one burst", async () => {
    const g = gate(undefined, () => 0);
    const burst = acquireMany(g, 4);
    await vi.advanceTimersByTimeAsync(0);
    const holds = burst.granted.map((slot) => slot.release({ status: 429 }));
    expect(holds).toEqual([500, 500, 500, 500]);
    const next = await (async () => {
      const pending = g.acquire(undefined, aborted);
      await vi.advanceTimersByTimeAsync(500);
      return pending;
    })();
    expect(next.release({ status: 429 })).toBe(1000);
  });

  it("a success ends the streak", async () => {
    const g = gate(undefined, () => 0);
    (await g.acquire(undefined, aborted)).release({ status: 429 });
    await vi.advanceTimersByTimeAsync(500);
    (await g.acquire(undefined, aborted)).release({ status: 200 });
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(500);
  });
});

describe("raising the limit again", () => {
  it("rises by one after a calm run of successes, never above maxConcurrency", async () => {
    const g = gate(3);
    const { granted } = acquireMany(g, 3);
    await vi.advanceTimersByTimeAsync(0);
    granted[0]?.release({ status: 429, retryAfterMs: 0 });
    granted[1]?.release({ status: 200 });
    granted[2]?.release({ status: 200 });
    expect(await room(g)).toBe(2);
    const runSuccesses = async (count: number) => {
      for (let i = 0; i < count; i++) (await g.acquire(undefined, aborted)).release({ status: 200 });
    };
    await runSuccesses(100);
    expect(await room(g)).toBe(2); // not calm long enough yet
    await vi.advanceTimersByTimeAsync(10_000);
    await runSuccesses(16);
    expect(await room(g)).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    await runSuccesses(100);
    expect(await room(g)).toBe(3);
  });
});

describe("answers the server processed without a 2xx", () => {
  it("a run of 404s (ids already gone) raises the limit and ends the streak, as 2xx do", async () => {
    const g = gate(3, () => 0);
    const { granted } = acquireMany(g, 2);
    await vi.advanceTimersByTimeAsync(0);
    granted[0]?.release({ status: 429 });
    granted[1]?.release({ status: 404 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await room(g)).toBe(1);
    for (let i = 0; i < 8; i++) (await g.acquire(undefined, aborted)).release({ status: 404 });
    expect(await room(g)).toBe(2);
    // The streak ended: the next 429 without a wait backs off from the start again.
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(500);
  });
});

describe("aborts", () => {
  it("a waiter whose signal aborts is rejected and leaves the queue", async () => {
    const g = gate(1);
    const held = await g.acquire(undefined, aborted);
    const controller = new AbortController();
    const { settled } = acquireMany(g, 2, controller.signal);
    controller.abort();
    expect(await Promise.all(settled)).toEqual([new Error("aborted"), new Error("aborted")]);
    held.release({ status: 200 });
    expect(await room(g)).toBe(1); // no aborted waiter took the slot
    await expect(g.acquire(AbortSignal.abort(), aborted)).rejects.toThrow("aborted");
  });

  it("the last waiter leaving during a hold leaves no timer behind to keep the process alive", async () => {
    const g = gate();
    const first = await g.acquire(undefined, aborted);
    first.release({ status: 429, retryAfterMs: 60_000 });
    const controller = new AbortController();
    const { settled } = acquireMany(g, 2, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await Promise.all(settled);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("50,000 waiters on one signal all leave the queue at once (each leaving used to scan it)", async () => {
    const g = gate(1);
    const held = await g.acquire(undefined, aborted);
    const controller = new AbortController();
    const { settled } = acquireMany(g, 50_000, controller.signal);
    controller.abort();
    const results = await Promise.all(settled);
    expect(results.every((r) => r instanceof Error)).toBe(true);
    held.release({ status: 200 });
    const next = await g.acquire(undefined, aborted);
    next.release({ status: 200 });
    expect(await room(g)).toBe(1); // no aborted waiter took a slot
  }, 10_000);
});
