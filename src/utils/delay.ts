/** A wait that the caller's signal can cut short. */
import { onAbort } from "./abort.js";

/** The longest delay a timer honours: Node fires a longer one after 1 ms, so every delay setting stays at or below it. */
export const MAX_DELAY_MS = 2_147_483_647;

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
