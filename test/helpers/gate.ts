/** Reads the rate-limit gate's state through its behaviour: the gate keeps no getters for tests. */
import { vi } from "vitest";
import type { RateLimitGate, Slot } from "../../src/rate-limit.js";

/**
 * How many more attempts `gate` lets through now: its limit less what is in flight, or 0 during a
 * hold (up to `most`). It asks for `most` slots, then its waiters abort and the slots granted go
 * back without an answer, which tells the gate nothing, so the probe changes no state. Needs fake
 * timers; with a hold running, its waiters draw jitter from the gate's `random`.
 */
export async function room(gate: RateLimitGate, most = 100): Promise<number> {
  const controller = new AbortController();
  const granted: Slot[] = [];
  const settled = Array.from({ length: most }, () =>
    gate
      .acquire(controller.signal, () => new Error("probe over"))
      .then(
        (slot) => {
          granted.push(slot);
        },
        () => undefined,
      ),
  );
  await vi.advanceTimersByTimeAsync(0);
  controller.abort();
  await Promise.all(settled);
  for (const slot of granted) slot.release({});
  return granted.length;
}
