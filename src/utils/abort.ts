/**
 * Abort listeners without piling them on a shared signal. A caller may pass one signal to
 * thousands of calls: it gets a single real listener, registered the first time, that fans out
 * to whoever is subscribed now. Node warns past 10 listeners, and
 * `AbortSignal.any` is not used because on Node 20 a composed signal can be collected while a
 * request still depends on it, and then never aborts.
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `listener` once when `signal` aborts, at once when it has already, never without a
 * signal; returns the function that unsubscribes it.
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (signal?.aborted) listener();
  if (!signal || signal.aborted) return () => {};
  const listeners = subscribers.get(signal) ?? fanOut(signal);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The set of `signal`'s subscribers, and its one real listener, which calls whoever is subscribed
 * when it aborts (a snapshot, as a listener may unsubscribe another). A signal aborts once: the
 * listener needs no removing.
 */
function fanOut(signal: AbortSignal): Set<() => void> {
  const set = new Set<() => void>();
  subscribers.set(signal, set);
  signal.addEventListener("abort", () => {
    for (const fn of [...set]) fn();
  });
  return set;
}

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts, whichever is first:
 * for work that may ignore the signal (a custom fetch, a body stream it made). `promise` is
 * always handled, so a late rejection is never unhandled. Only for a signal of one attempt: its
 * listener is not removed, and stays until that signal is gone.
 */
export function settleBy<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    promise.then(resolve, reject);
    onAbort(signal, () => reject(signal.reason));
  });
}
