/**
 * One signal per attempt that fires on the caller's abort or on the attempt's timeout, and can
 * tell afterwards which of the two it was. It subscribes to the caller's signal through
 * utils/abort.ts, so one signal shared by any number of calls never piles up listeners. A plain
 * timer, cleared when the attempt settles, keeps no timer alive per finished call (unlike
 * `AbortSignal.timeout`).
 */
import { onAbort } from "./utils/abort.js";

export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the attempt's own timeout fired (not the caller's signal). */
  readonly timedOut: boolean;
  /** Clears the timer and unsubscribes from the caller's signal. */
  dispose(): void;
}

export function attemptSignal(timeoutMs: number, callerSignal: AbortSignal | undefined): AttemptSignal {
  const controller = new AbortController();
  const guard = {
    signal: controller.signal,
    timedOut: false,
    dispose() {
      clearTimeout(timer);
      unsubscribe();
    },
  };
  const timer = setTimeout(() => {
    guard.timedOut = true;
    controller.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const unsubscribe = onAbort(callerSignal, () => controller.abort(callerSignal?.reason));
  return guard;
}
