/** A wait that the caller's signal can cut short. */
import { onAbort } from "./abort.js";

/** Resolves after `ms`, or rejects with what `aborted()` returns as soon as `signal` aborts. */
export function delay(ms: number, signal: AbortSignal | undefined, aborted: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    const unsubscribe = onAbort(signal, () => {
      clearTimeout(timer);
      reject(aborted());
    });
  });
}
