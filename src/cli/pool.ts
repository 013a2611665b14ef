/**
 * A fixed number of workers pulling from one async iterator. Only this bounds how many calls the
 * CLI has open; how many requests are actually in flight is the client's to decide (its
 * rate-limit gate lowers it after 429s), so the pool has no timing or retry logic of its own.
 */
export interface PoolOptions<T> {
  /** Workers, each running one task at a time. */
  limit: number;
  /** Checked before each pull: once true, nothing new starts. */
  stopped: () => boolean;
  /** Awaited before each pull, e.g. until the output has room again (backpressure). */
  ready?: () => Promise<void>;
  /** An item pulled but not started because the pool stopped meanwhile. */
  skipped?: (item: T) => void;
}

/** Runs `task` for items of `source` until it ends or the pool stops; rejects with the source's error after in-flight tasks end. */
export async function runPool<T>(
  source: AsyncIterator<T>,
  task: (item: T) => Promise<void>,
  options: PoolOptions<T>,
): Promise<void> {
  let sourceError: { error: unknown } | undefined;
  const stop = () => options.stopped() || sourceError !== undefined;
  const worker = async () => {
    while (!stop()) {
      await options.ready?.();
      if (stop()) return;
      let next: IteratorResult<T>;
      try {
        next = await source.next();
      } catch (error) {
        sourceError ??= { error };
        return;
      }
      if (next.done) return;
      if (stop()) options.skipped?.(next.value);
      else await task(next.value);
    }
  };
  await Promise.all(Array.from({ length: options.limit }, worker));
  if (sourceError) throw sourceError.error;
}
