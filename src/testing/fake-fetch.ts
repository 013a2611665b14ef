/**
 * The fake as a `fetch`: outcomes become what `fetch` does on a real network, so that a client's
 * own timeout, abort and connection handling runs as it would against BFL.
 * - An answer resolves to a `Response`.
 * - "timeout": the promise never settles until the request's signal aborts, then rejects with
 *   the signal's reason, as `fetch` does (a client's own timeout is what ends it).
 * - "reset": rejects with `TypeError("fetch failed")` whose `cause` has `code: "ECONNRESET"`, as
 *   Node's fetch (undici) does when the server drops the connection.
 */
import { type Outcome, reasonPhrase } from "./fake-answers.js";

/** Node's fetch error for a connection the server dropped. */
function connectionReset(): TypeError {
  const cause = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104, syscall: "read" });
  return new TypeError("fetch failed", { cause });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * Settles only when `signal` aborts (no timer: it keeps no process alive); at once when it
 * already has, as it may while the fake read the request.
 */
function never(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(abortReason(signal));
    signal.addEventListener("abort", () => reject(abortReason(signal)), { once: true });
  });
}

/**
 * The fake's `fetch`. `RequestInfo` is left out on purpose: it exists only in the DOM lib, and a
 * consumer with a Node-only lib (`"lib": ["ES2022"], "types": ["node"]`) must be able to read
 * the published declarations; `Request`, `RequestInit` and `Response` come with `@types/node`.
 */
export type FakeFetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** A `fetch` that hands each request to `handle`. */
export function fakeFetch(handle: (request: Request) => Promise<Outcome>): FakeFetch {
  return async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (request.signal.aborted) throw abortReason(request.signal);
    const outcome = await handle(request);
    if (outcome.kind === "reset") throw connectionReset();
    if (outcome.kind === "timeout") return never(request.signal);
    return new Response(outcome.body, {
      status: outcome.status,
      statusText: reasonPhrase(outcome.status),
      headers: outcome.headers,
    });
  };
}
