/**
 * What one call knows about what the server may already have done, gathered attempt by attempt
 * by the transport and copied into every error it throws. Pure: no I/O here.
 */
import type { BflApiError, BflError, BflErrorOptions } from "./errors.js";

/**
 * Error codes that mean no connection was made, so no request can have reached the server:
 * - DNS: ENOTFOUND and every getaddrinfo failure (EAI_AGAIN, EAI_NONAME, EAI_FAIL, ...);
 * - refused or unreachable: ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, undici's UND_ERR_CONNECT_TIMEOUT;
 * - a TLS handshake that failed on a certificate, which comes before any byte of the request: every
 *   code naming a CERT (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN,
 *   ERR_TLS_CERT_ALTNAME_INVALID, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ...) and the UNABLE_TO_VERIFY_*
 *   ones (UNABLE_TO_VERIFY_LEAF_SIGNATURE).
 * Anything else (ECONNRESET, ETIMEDOUT, EPIPE, UND_ERR_SOCKET, ...) may come after sending.
 */
const NEVER_CONNECTED =
  /^E(CONNREFUSED|NOTFOUND|NETUNREACH|HOSTUNREACH)$|^EAI_|^UND_ERR_CONNECT_TIMEOUT$|CERT|^UNABLE_TO_VERIFY/;

/** The `code` of a fetch failure: on the error, its `cause`, or the first of an AggregateError. */
export function errorCode(error: unknown): string | undefined {
  // The bound only stops a cycle of causes; undici puts the code at most three levels down.
  // Stryker disable next-line EqualityOperator: no real error is deep enough to tell 4 from 5.
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const { code, errors, cause } = e as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof code === "string") return code;
    e = cause ?? errors?.[0];
  }
  return undefined;
}

/**
 * Whether a request that failed with `error` may have reached the server. Only a known
 * "never connected" code says no; anything unknown (another runtime's errors) says maybe, so a
 * delete is reported unknown rather than failed.
 */
export function mayHaveBeenSent(error: unknown): boolean {
  return !NEVER_CONNECTED.test(errorCode(error) ?? "");
}

// The two optional fields are `declare`d: undefined until set, with no code to define them.
export class CallRecord {
  attempts = 0;
  /** The latest failure after which the server may have acted (no answer after sending, 5xx). */
  declare ambiguous: BflError | undefined;
  sentWithoutAnswer = false;
  /** The last HTTP error answer, as the facade throws it. */
  declare failure: BflApiError | undefined;

  /** The facts for an error thrown now (before this attempt is recorded as ambiguous). */
  facts(sentWithoutAnswer = this.sentWithoutAnswer): BflErrorOptions {
    const { attempts, ambiguous } = this;
    // `cause` may be undefined: BflError's constructor then sets none.
    return { attempts, afterAmbiguousAttempt: !!ambiguous, sentWithoutAnswer, cause: ambiguous };
  }
}
