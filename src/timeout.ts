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
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const abort = () => controller.abort(callerSignal?.reason);
  let unsubscribe: () => unknown = () => false;
  if (callerSignal?.aborted) abort();
  else if (callerSignal) unsubscribe = onAbort(callerSignal, abort);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      unsubscribe();
    },
  };
}
