/**
 * Rules of the rate-limit gate (src/rate-limit.ts) that test/client/rate-limit-gate.test.ts does
 * not pin down: releases, queue order, what counts as a success, probes, jitter, abort listeners.
 * Fake timers; where a timer firing late matters, the gate's clock runs ahead of them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitGate, type Slot } from "../../src/rate-limit.js";
import { DEFAULT_BACKOFF } from "../../src/retry.js";
import { room } from "../helpers/gate.js";

const START = 1_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

const aborted = () => new Error("aborted");

function gate(maxConcurrency: number | undefined, random = () => 0, now?: () => number) {
  return new RateLimitGate({
    backoff: DEFAULT_BACKOFF,
    random,
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    ...(now ? { now } : {}),
  });
}

/** Starts an acquire; `slot` is set once it is granted. */
function pending(g: RateLimitGate, signal?: AbortSignal, onAbort = aborted) {
  const state: { slot?: Slot; error?: unknown } = {};
  g.acquire(signal, onAbort).then(
    (slot) => {
      state.slot = slot;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
}

/** `count` calls that each take a slot and give it back with `status`, one after another. */
async function answer(g: RateLimitGate, count: number, status: number | undefined) {
  for (let i = 0; i < count; i++) (await g.acquire(undefined, aborted)).release(status === undefined ? {} : { status });
}

/** Cuts the limit to 1 with a 429 that asks for no wait, from a gate with room for `max`. */
async function cutToOne(g: RateLimitGate) {
  (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 0 });
  expect(await room(g)).toBe(1);
}

describe("releasing a slot", () => {
  it("a 429 with a wait returns that wait as the hold; other answers return 0", async () => {
    const g = gate(undefined);
    expect((await g.acquire(undefined, aborted)).release({ status: 503 })).toBe(0);
    expect((await g.acquire(undefined, aborted)).release({})).toBe(0);
    expect((await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 1234 })).toBe(1234);
  });
});

describe("who gets a slot at once", () => {
  it("nobody while the limit is full", async () => {
    const g = gate(2);
    await g.acquire(undefined, aborted);
    await g.acquire(undefined, aborted);
    const third = pending(g);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(third.slot).toBeUndefined();
  });

  it("nobody while a 429's hold runs, though no attempt is in flight", async () => {
    const g = gate(undefined);
    // The 429 leaves nothing in flight and a limit of 1: only the hold keeps `next` waiting.
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 2000 });
    const next = pending(g);
    await vi.advanceTimersByTimeAsync(1999);
    expect(next.slot).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next.slot).toBeDefined();
  });

  it("a newcomer does not take the slot of a waiter already due (its wake-up timer late)", async () => {
    let clock = START;
    const g = gate(
      undefined,
      () => 0,
      () => clock,
    );
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 1000 });
    const waiter = pending(g);
    clock += 1000; // the hold is over, the timer that would grant the waiter has not fired yet
    const newcomer = pending(g);
    await Promise.resolve();
    expect(waiter.slot).toBeDefined();
    expect(newcomer.slot).toBeUndefined();
  });
});

describe("wake-up timers", () => {
  it("none is left once the last waiter is granted: nothing keeps the process alive", async () => {
    const g = gate(undefined);
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 1000 });
    const waiter = pending(g);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(waiter.slot).toBeDefined();
    expect(vi.getTimerCount()).toBe(0);
    waiter.slot?.release({ status: 200 });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("what counts as a success", () => {
  it("only answers below 500 raise the limit: a 5xx or no answer says nothing about the rate", async () => {
    const g = gate(4);
    await cutToOne(g);
    await vi.advanceTimersByTimeAsync(10_000);
    await answer(g, 20, 500);
    await answer(g, 20, undefined);
    expect(await room(g)).toBe(1);
    await answer(g, 8, 499);
    expect(await room(g)).toBe(2);
  });

  it("a 5xx or no answer does not end a run of 429s: the backoff keeps doubling", async () => {
    const g = gate(undefined);
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(500);
    await vi.advanceTimersByTimeAsync(500);
    await answer(g, 1, 503);
    await answer(g, 1, undefined);
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(1000);
  });

  it("the limit rises only after a run of 8 successes per slot of the current limit", async () => {
    const g = gate(3);
    await cutToOne(g);
    await vi.advanceTimersByTimeAsync(10_000);
    await answer(g, 7, 200);
    expect(await room(g)).toBe(1);
    await answer(g, 1, 200);
    expect(await room(g)).toBe(2);
    await answer(g, 15, 200);
    expect(await room(g)).toBe(2);
    await answer(g, 1, 200);
    expect(await room(g)).toBe(3);
  });

  it("a 429 restarts the run of successes", async () => {
    const g = gate(3);
    await cutToOne(g);
    await vi.advanceTimersByTimeAsync(10_000);
    await answer(g, 7, 200);
    await cutToOne(g);
    await vi.advanceTimersByTimeAsync(10_000);
    await answer(g, 7, 200);
    expect(await room(g)).toBe(1);
  });
});

describe("probing for a higher limit", () => {
  /** Waits `ms`, then answers 8 successes: whether the limit rose from 1 says whether it was calm enough. */
  async function probeAfter(g: RateLimitGate, ms: number) {
    await vi.advanceTimersByTimeAsync(ms);
    await answer(g, 8, 200);
    return (await room(g)) > 1;
  }

  it("waits 10 s after a cut; a probe that meets a 429 doubles that, up to 5 minutes", async () => {
    const g = gate(2);
    await cutToOne(g);
    expect(await probeAfter(g, 9_999)).toBe(false);
    expect(await probeAfter(g, 1)).toBe(true);
    let calm = 10_000;
    for (const next of [20_000, 40_000, 80_000, 160_000, 300_000, 300_000]) {
      await cutToOne(g); // the probe failed
      expect(await probeAfter(g, next - 1)).toBe(false);
      expect(await probeAfter(g, 1)).toBe(true);
      calm = next;
    }
    expect(calm).toBe(300_000);
  });

  it("a 429 without a probe before it does not lengthen the wait", async () => {
    const g = gate(2);
    await cutToOne(g);
    await cutToOne(g);
    expect(await probeAfter(g, 10_000)).toBe(true);
  });
});

describe("a 429 from an earlier round", () => {
  it("arriving after a newer hold was set does not double the backoff again", async () => {
    const g = gate(undefined);
    const [first, lost, old] = [0, 1, 2].map(() => g.acquire(undefined, aborted));
    expect((await first)?.release({ status: 429 })).toBe(500);
    (await lost)?.release({}); // no answer: says nothing
    await vi.advanceTimersByTimeAsync(500);
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(1000);
    // `old` was sent before either hold: its 429 belongs to the first round.
    expect((await old)?.release({ status: 429 })).toBe(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(2000);
  });

  it("a 429 that asks for a wait starts no backoff round: the next one without a wait backs off from the start", async () => {
    const g = gate(undefined);
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect((await g.acquire(undefined, aborted)).release({ status: 429 })).toBe(500);
  });

  it("a shorter wait never shortens a longer hold already set", async () => {
    const g = gate(undefined);
    const early = await g.acquire(undefined, aborted);
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 5000 });
    early.release({ status: 429, retryAfterMs: 1000 });
    const next = pending(g);
    await vi.advanceTimersByTimeAsync(4999);
    expect(next.slot).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next.slot).toBeDefined();
  });
});

describe("jitter past a hold", () => {
  it("each waiter gets its own share of up to 10 % of the hold, after the hold ends", async () => {
    const draws = [0.5, 0, 1, 0.25];
    const g = gate(undefined, () => draws.shift() ?? 0);
    const slots = [await g.acquire(undefined, aborted), await g.acquire(undefined, aborted)];
    slots[0]?.release({ status: 429, retryAfterMs: 1000 });
    slots[1]?.release({ status: 200 });
    // Limit 1: waiters wake one by one as slots come back; here each is released at once.
    const waiters = [pending(g), pending(g), pending(g)];
    const grantedAt: number[] = [];
    for (let t = 0; t <= 1200 && grantedAt.length < 3; t++) {
      await vi.advanceTimersByTimeAsync(1);
      for (const w of waiters) {
        if (w.slot && !grantedAt.includes(waiters.indexOf(w))) {
          grantedAt.push(waiters.indexOf(w));
          w.slot.release({ status: 200 });
        }
      }
    }
    expect(grantedAt).toEqual([1, 0, 2]); // jitters 0, 50 and 100 ms
  });

  it("waiters queued before a 429 are pushed past its hold, each with its own jitter", async () => {
    const draws = [0.5, 1, 0.2];
    const g = gate(1, () => draws.shift() ?? 0);
    const held = await g.acquire(undefined, aborted);
    const waiters = [pending(g), pending(g)];
    held.release({ status: 429, retryAfterMs: 2000 });
    const when = (w: { slot?: Slot }) => (w.slot ? Date.now() - START : undefined);
    await vi.advanceTimersByTimeAsync(2000 + 99);
    expect(waiters.map(when)).toEqual([undefined, undefined]);
    await vi.advanceTimersByTimeAsync(1);
    expect(when(waiters[0] ?? {})).toBe(2100);
    waiters[0]?.slot?.release({ status: 200 });
    await vi.advanceTimersByTimeAsync(100);
    expect(when(waiters[1] ?? {})).toBe(2200);
  });

  it("jitter is capped at 1 s however long the hold", async () => {
    const g = gate(undefined, () => 1);
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 60_000 });
    const waiter = pending(g);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(waiter.slot).toBeDefined();
  });
});

describe("abort listeners", () => {
  it("a granted waiter no longer listens to its signal", async () => {
    const g = gate(1);
    const held = await g.acquire(undefined, aborted);
    const controller = new AbortController();
    const onAbort = vi.fn(aborted);
    const waiter = pending(g, controller.signal, onAbort);
    held.release({ status: 200 });
    await vi.advanceTimersByTimeAsync(0);
    expect(waiter.slot).toBeDefined();
    controller.abort();
    expect(onAbort).not.toHaveBeenCalled();
    expect(await room(g)).toBe(0); // the slot is still the waiter's
  });

  it("a waiter leaving while others wait keeps their wake-up timer", async () => {
    const g = gate(undefined);
    (await g.acquire(undefined, aborted)).release({ status: 429, retryAfterMs: 1000 });
    const controller = new AbortController();
    const leaving = pending(g, controller.signal);
    const staying = pending(g);
    controller.abort();
    await vi.advanceTimersByTimeAsync(1000);
    expect(leaving.error).toEqual(new Error("aborted"));
    expect(staying.slot).toBeDefined();
  });
});
