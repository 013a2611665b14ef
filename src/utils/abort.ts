/**
 * Abort listeners without piling them on a shared signal. A caller may pass one signal to
 * thousands of calls: it gets a single real listener, registered the first time, that fans out
 * to whoever is subscribed now. Node warns past 10 listeners, and
 * `AbortSignal.any` is not used because on Node 20 a composed signal can be collected while a
 * request still depends on it, and then never aborts.
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `listener` once when `signal` aborts; returns the function that unsubscribes it. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = subscribers.get(signal);
  if (!listeners) {
    const set = new Set<() => void>();
    listeners = set;
    subscribers.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        for (const fn of [...set]) fn();
        set.clear();
      },
      { once: true },
    );
  }
  const set = listeners;
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts, whichever is first:
 * for work that may ignore the signal (a custom fetch, a body stream it made). Only for a signal
 * of one attempt: it adds a listener of its own, removed when `promise` settles.
 */
export function settleBy<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
