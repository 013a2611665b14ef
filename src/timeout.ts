/**
 * One signal per attempt that fires on the caller's abort or on the attempt's timeout, and can
 * tell afterwards which of the two it was. A plain timer (cleared when the attempt settles) keeps
 * no timer alive per finished call, unlike `AbortSignal.timeout`.
 */
export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the attempt's own timeout fired (not the caller's signal). */
  readonly timedOut: boolean;
  /** Clears the timer and detaches from the caller's signal. */
  dispose(): void;
}

export function attemptSignal(timeoutMs: number, callerSignal: AbortSignal | undefined): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onAbort();
  else callerSignal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onAbort);
    },
  };
}
