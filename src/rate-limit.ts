/**
 * The client-wide rate-limit gate. Every attempt of every call (facade and `client.raw`) takes a
 * slot here first, so what one call learns from a 429 holds for all of them:
 * - a 429 with a wait (`Retry-After`) holds new attempts until then; a 429 without one holds
 *   them for a backoff that doubles with each new round of 429s;
 * - each waiter gets its own jitter past the hold, so they do not return together;
 * - the number of attempts in flight adapts: after a 429 it drops to what was still in flight
 *   when the 429 came back (those were accepted), and rises by one after a long run of
 *   successes, never above `maxConcurrency`. A probe that fails doubles the wait before the next.
 * Time and randomness are injectable, so the policy is unit-tested without sockets.
 */
import { type BackoffOptions, backoffDelay } from "./retry.js";
import { onAbort as subscribe } from "./utils/abort.js";
import { MAX_DELAY_MS } from "./utils/delay.js";

export interface GateOptions {
  /** Most attempts in flight at once (default unlimited). */
  maxConcurrency?: number | undefined;
  /** Backoff for 429s without a wait. */
  backoff: Required<BackoffOptions>;
  now?: () => number;
  random?: () => number;
}

/** What the server said to one attempt, for {@link Slot.release}. */
export interface Answer {
  /** HTTP status; undefined when no answer came (connection error, timeout). */
  status?: number | undefined;
  /** The wait a 429 asked for, in ms. */
  retryAfterMs?: number | undefined;
}

export interface Slot {
  /**
   * Gives the slot back; for a 429 returns the hold it imposed on the client (ms), else 0. Once
   * only: nothing guards a second call, since the transport, the gate's one user, releases each
   * attempt's slot exactly once (in afterAnswer or afterNoAnswer).
   */
  release(answer: Answer): number;
}

export class RateLimitGate {
  /** Waits for a slot; rejects with `onAbort()` when `signal` aborts first. */
  declare readonly acquire: (signal: AbortSignal | undefined, onAbort: () => Error) => Promise<Slot>;

  // Closures over plain variables, not private fields: the same state in a third of the bytes.
  constructor({ maxConcurrency: max = Infinity, backoff, now = Date.now, random = Math.random }: GateOptions) {
    let limit = max;
    let inFlight = 0;
    let heldUntil = 0;
    let streak = 0;
    let successes = 0;
    /** When the limit may rise again: a cut puts it `calm` ms ahead. */
    let raiseAt = 0;
    /** Time after a cut before the limit may rise: 10 s at first, doubled per failed probe up to 5 min. */
    let calm = 10_000;
    /** The calm the next cut sets: doubled by a raise, so that a probe meeting a 429 waits longer. */
    let nextCalm = calm;
    /**
     * Each waiter's grant, in arrival order, to the time it is due: never before the hold ends,
     * since every extension of the hold pushes them all past it. A Map, so that a waiter leaving
     * (abort) does not scan the others.
     */
    const queue = new Map<() => void, number>();
    let timer: ReturnType<typeof setTimeout> | undefined;

    // Every newcomer queues: the pump grants it at once when it is due and has room, after any
    // waiter already due (whose wake-up timer may be late).
    this.acquire = (signal, onAbort) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(onAbort());
        const unsubscribe =
          signal &&
          subscribe(signal, () => {
            queue.delete(take);
            // The last waiter gone: no wake-up timer may keep the process alive until the hold ends.
            if (!queue.size) clearTimeout(timer);
            reject(onAbort());
          });
        const take = () => {
          unsubscribe?.();
          resolve(grant());
        };
        queue.set(take, heldUntil + jitter(heldUntil - now()));
        pump();
      });

    function grant(): Slot {
      inFlight++;
      // The hold only ever moves later: when it has moved since this grant, a 429 to this attempt
      // belongs to a round of 429s already counted.
      const heldUntilThen = heldUntil;
      return {
        // No answer (no status: a connection error, a timeout) says nothing about the rate, as a 5xx.
        release: ({ status = 500, retryAfterMs }) => {
          inFlight--;
          let hold = 0;
          if (status === 429) {
            const at = now();
            calm = nextCalm;
            raiseAt = at + calm;
            // What is still in flight was accepted by the server: that many at once is what it allows.
            limit = Math.min(limit, inFlight) || 1;
            successes = 0;
            // Without a wait: an attempt granted under the current hold starts a new round of 429s, and
            // the backoff doubles; one granted before the hold moved belongs to a round already counted.
            hold = retryAfterMs ?? backoffDelay(heldUntilThen < heldUntil ? streak || 1 : ++streak, backoff, random);
            if (at + hold > heldUntil) {
              heldUntil = at + hold;
              for (const take of queue.keys()) queue.set(take, heldUntil + jitter(hold));
            }
          }
          // Any answer the server processed (a 404 for an id already gone too) says the rate was
          // fine; only 2xx would keep the limit down for a batch of mostly missing ids.
          else if (status < 500) {
            streak = 0;
            // A run of 8 successes per unit of the limit, after the calm since the last cut.
            if (++successes >= limit * 8 && limit < max && now() >= raiseAt) {
              limit++;
              successes = 0;
              nextCalm = Math.min(calm * 2, 300_000);
            }
          }
          pump();
          return hold;
        },
      };
    }

    function jitter(hold: number): number {
      // Up to a tenth of the hold, at most 1 s.
      return hold > 0 ? random() * Math.min(hold / 10, 1000) : 0;
    }

    /** Grants every waiter that is due while there is room; sleeps until the next one is due. */
    function pump(): void {
      clearTimeout(timer);
      const at = now();
      let wake = Infinity;
      for (const [take, due] of queue) {
        if (inFlight >= limit) break;
        if (due > at) {
          wake = Math.min(wake, due);
        } else {
          queue.delete(take);
          take();
        }
      }
      // A waiter not yet due (so a finite wake) is the only reason for a timer. (When the limit
      // filled up during this pump, the timer fires at most once for nothing: the next pump stops
      // at once and sets none.)
      if (wake < Infinity) {
        // A hold at the longest allowed plus its jitter may pass the longest timer: wake and look again.
        timer = setTimeout(pump, Math.min(wake - at, MAX_DELAY_MS));
      }
    }
  }
}
