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
import { MAX_DELAY_MS } from "./config.js";
import { type BackoffOptions, backoffDelay } from "./retry.js";
import { onAbort as subscribe } from "./utils/abort.js";

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
  /** Gives the slot back; for a 429 returns the hold it imposed on the client (ms), else 0. */
  release(answer: Answer): number;
}

interface Waiter {
  notBefore: number;
  resolve(slot: Slot): void;
  reject(reason: unknown): void;
  /** Unsubscribes from the caller's signal; undefined without one. */
  cleanup: (() => unknown) | undefined;
}

/** Successes needed, per unit of the limit, before it rises by one. */
const RAISE_RUN_PER_SLOT = 8;
/** Time since the last 429 before the limit may rise; doubles after each failed probe. */
const FIRST_RAISE_AFTER_MS = 10_000;
const LONGEST_RAISE_AFTER_MS = 300_000;
/** Jitter past a hold: a share of the hold, capped. */
const JITTER_SHARE = 0.1;
const MAX_JITTER_MS = 1000;

export class RateLimitGate {
  readonly #max: number;
  readonly #backoff: Required<BackoffOptions>;
  readonly #now: () => number;
  readonly #random: () => number;
  #limit: number;
  #inFlight = 0;
  #heldUntil = 0;
  /** Bumped whenever the hold is extended: a 429 from an older epoch belongs to a round already counted. */
  #epoch = 0;
  #streak = 0;
  #successes = 0;
  #lastCut = Number.NEGATIVE_INFINITY;
  #raiseAfterMs = FIRST_RAISE_AFTER_MS;
  #raisedSinceCut = false;
  /** In arrival order; a Set, so that a waiter leaving (abort) does not scan the others. */
  #queue = new Set<Waiter>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: GateOptions) {
    this.#max = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    this.#limit = this.#max;
    this.#backoff = options.backoff;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Waits for a slot; rejects with `onAbort()` when `signal` aborts first. */
  acquire(signal: AbortSignal | undefined, onAbort: () => Error): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(onAbort());
    if (this.#queue.size === 0 && this.#inFlight < this.#limit && this.#now() >= this.#heldUntil) {
      return Promise.resolve(this.#grant());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        notBefore: this.#heldUntil + this.#jitter(this.#heldUntil - this.#now()),
        resolve,
        reject,
        cleanup: signal
          ? subscribe(signal, () => {
              this.#queue.delete(waiter);
              // The last waiter gone: no wake-up timer may keep the process alive until the hold ends.
              if (this.#queue.size === 0) this.#pump();
              reject(onAbort());
            })
          : undefined,
      };
      this.#queue.add(waiter);
      this.#pump();
    });
  }

  #grant(): Slot {
    this.#inFlight++;
    const epoch = this.#epoch;
    let released = false;
    return {
      release: (answer) => {
        if (released) return 0;
        released = true;
        this.#inFlight--;
        const hold = answer.status === 429 ? this.#rateLimited(epoch, answer.retryAfterMs) : 0;
        // Any answer the server processed (a 404 for an id already gone too) says the rate was
        // fine; only 2xx would keep the limit down for a batch of mostly missing ids.
        if (answer.status !== undefined && answer.status !== 429 && answer.status < 500) this.#succeeded();
        this.#pump();
        return hold;
      },
    };
  }

  #rateLimited(epoch: number, retryAfterMs: number | undefined): number {
    const now = this.#now();
    if (this.#raisedSinceCut) this.#raiseAfterMs = Math.min(this.#raiseAfterMs * 2, LONGEST_RAISE_AFTER_MS);
    this.#raisedSinceCut = false;
    // What is still in flight was accepted by the server: that many at once is what it allows.
    this.#limit = Math.max(1, Math.min(this.#limit, this.#inFlight));
    this.#successes = 0;
    this.#lastCut = now;
    if (retryAfterMs === undefined && epoch === this.#epoch) this.#streak++;
    const hold = retryAfterMs ?? backoffDelay(Math.max(this.#streak, 1), this.#backoff, this.#random);
    if (now + hold > this.#heldUntil) {
      this.#heldUntil = now + hold;
      this.#epoch++;
      for (const waiter of this.#queue) waiter.notBefore = this.#heldUntil + this.#jitter(hold);
    }
    return hold;
  }

  #succeeded(): void {
    this.#streak = 0;
    this.#successes++;
    const calm = this.#now() - this.#lastCut >= this.#raiseAfterMs;
    if (this.#limit < this.#max && calm && this.#successes >= this.#limit * RAISE_RUN_PER_SLOT) {
      this.#limit++;
      this.#successes = 0;
      this.#raisedSinceCut = true;
    }
  }

  #jitter(hold: number): number {
    return hold > 0 ? this.#random() * Math.min(hold * JITTER_SHARE, MAX_JITTER_MS) : 0;
  }

  /** Grants every waiter that is due while there is room; sleeps until the next one is due. */
  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    let wake = Number.POSITIVE_INFINITY;
    for (const waiter of this.#queue) {
      if (this.#inFlight >= this.#limit) break;
      const due = Math.max(waiter.notBefore, this.#heldUntil);
      if (due > now) {
        wake = Math.min(wake, due);
        continue;
      }
      this.#queue.delete(waiter);
      waiter.cleanup?.();
      waiter.resolve(this.#grant());
    }
    // A waiter not yet due (so a finite wake) is the only reason for a timer; when full, a release pumps.
    if (wake !== Number.POSITIVE_INFINITY && this.#inFlight < this.#limit) {
      // A hold at the longest allowed plus its jitter may pass the longest timer: wake and look again.
      this.#timer = setTimeout(() => this.#pump(), Math.min(wake - now, MAX_DELAY_MS));
    }
  }
}
