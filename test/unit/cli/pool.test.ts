/** The CLI's pool (src/cli/pool.ts): workers pulling from an async iterator. No server, no process. */
import { describe, expect, it } from "vitest";
import { runPool } from "../../../src/cli/pool.js";

/** 0..n-1, counting how many were pulled. */
function numbers(n: number) {
  const stats = { pulled: 0 };
  const source = (async function* () {
    for (let i = 0; i < n; i++) {
      stats.pulled++;
      yield i;
    }
  })();
  return { source, stats };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("runPool", () => {
  it("runs every item once with at most `limit` in flight, and reaches it", async () => {
    const { source } = numbers(50);
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await runPool(
      source,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick();
        seen.push(i);
        inFlight--;
      },
      { limit: 4, stopped: () => false },
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(most).toBe(4);
  });

  it("pulls only what it starts: no reading ahead of the workers", async () => {
    const { source, stats } = numbers(1_000);
    let stop = false;
    let started = 0;
    await runPool(
      source,
      async () => {
        started++;
        if (started === 10) stop = true;
        await tick();
      },
      { limit: 3, stopped: () => stop },
    );
    expect(started).toBeGreaterThanOrEqual(10);
    expect(stats.pulled).toBeLessThan(20);
  });

  it("an item pulled after the stop is handed to `skipped`, not started", async () => {
    let stop = false;
    const started: number[] = [];
    const skipped: number[] = [];
    const source = (async function* () {
      yield 1;
      stop = true; // stops while the worker waits for the next item
      yield 2;
      yield 3;
    })();
    await runPool(
      source,
      async (i) => {
        started.push(i);
      },
      { limit: 1, stopped: () => stop, skipped: (i) => skipped.push(i) },
    );
    expect(started).toEqual([1]);
    expect(skipped).toEqual([2]);
    expect((await source.next()).value).toBe(3);
  });

  it("waits for `ready` before each pull (backpressure)", async () => {
    const { source, stats } = numbers(5);
    let release: () => void = () => {};
    let gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = runPool(source, async () => {}, { limit: 1, stopped: () => false, ready: () => gate });
    await tick();
    expect(stats.pulled).toBe(0);
    gate = Promise.resolve();
    release();
    await run;
    expect(stats.pulled).toBe(5);
  });

  it("a failing source stops new work, lets started tasks end, then rejects", async () => {
    let finished = 0;
    const source = (async function* () {
      yield 1;
      yield 2;
      throw new Error("EISDIR");
    })();
    const run = runPool(
      source,
      async () => {
        await tick();
        finished++;
      },
      { limit: 2, stopped: () => false },
    );
    await expect(run).rejects.toThrow("EISDIR");
    expect(finished).toBe(2);
  });
});
