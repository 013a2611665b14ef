/**
 * The error hierarchy. Every failure of a call is one of these, so callers branch with
 * `instanceof` (or on `name`) instead of parsing messages.
 *
 * ```
 * BflError
 * ├── BflConfigurationError          bad options (missing key, insecure baseUrl, unknown region)
 * ├── BflApiError                    the server answered non-2xx
 * │   ├── BflBadRequestError 400     ├── BflNotFoundError 404      ├── BflRateLimitError 429
 * │   ├── BflAuthenticationError 401 ├── BflConflictError 409      └── BflServerError 5xx
 * │   ├── BflInsufficientCreditsError 402
 * │   ├── BflPermissionDeniedError 403
 * │   └── BflValidationError 422
 * ├── BflConnectionError             no answer (DNS, refused, reset)
 * │   └── BflTimeoutError            an attempt ran out of time
 * ├── BflAbortError                  the caller's signal aborted
 * └── BflResponseValidationError     a 2xx whose body breaks the spec
 * ```
 */
import type { ValidationError } from "./types.js";
import { isObject } from "./utils/is-object.js";

/** Error bodies and texts are cut to this many characters so a huge page never lands in a log. */
export const BODY_LIMIT = 1024;

/** Cuts `text` to {@link BODY_LIMIT} characters, marking the cut. */
export function truncate(text: string): string {
  return text.length <= BODY_LIMIT ? text : `${text.slice(0, BODY_LIMIT)}… [${text.length - BODY_LIMIT} more]`;
}

/**
 * What a failed call knows about what the server may already have done. Every error thrown by an
 * operation call carries these; a configuration error has the defaults (nothing was sent).
 */
export interface CallFacts {
  /** Requests started by the call, retries included (0: nothing was sent). */
  attempts: number;
  /**
   * An earlier attempt of this call may have reached the server without a definite answer
   * (timeout, reset after sending, 5xx); `cause` is that earlier failure.
   */
  afterAmbiguousAttempt: boolean;
  /**
   * At least one attempt (this one or an earlier one) may have reached the server and no HTTP
   * answer came back for it (reset after sending, timeout, abort in flight). False when every
   * connection failed before a request could be sent (refused, DNS).
   */
  sentWithoutAnswer: boolean;
}

export interface BflErrorOptions extends ErrorOptions, Partial<CallFacts> {}

/**
 * Marks every instance so that `instanceof` also recognises errors from another copy of this
 * package (the CommonJS and ESM builds each load their own classes). Registered globally.
 */
const BRAND = Symbol.for("bfl-finetune.error");

/** `instanceof` for `target` (BflError or a subclass), across copies of this package. */
function isInstance(target: { prototype: object }, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(target, value)) return true;
  if (!Object.hasOwn(target.prototype, "name") || !isObject(value) || !(BRAND in value)) return false;
  const name = (target.prototype as Error).name;
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, "name") && proto.name === name) return true;
  }
  return false;
}

/** Base class of every error this package throws. */
export class BflError extends Error implements CallFacts {
  static {
    BflError.prototype.name = "BflError";
  }
  readonly attempts: number;
  readonly afterAmbiguousAttempt: boolean;
  readonly sentWithoutAnswer: boolean;

  constructor(message: string, options: BflErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.attempts = options.attempts ?? 0;
    this.afterAmbiguousAttempt = options.afterAmbiguousAttempt ?? false;
    this.sentWithoutAnswer = options.sentWithoutAnswer ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `err instanceof BflNotFoundError` holds for an error of either build: same realm as usual,
   * else a branded error whose prototype chain has a class of the same name. A user's subclass
   * (no own `name` on its prototype) falls back to the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass on the right of `instanceof`
    return isInstance(this, value);
  }
}

/** The client was given options it cannot work with; no request was sent. */
export class BflConfigurationError extends BflError {
  static {
    BflConfigurationError.prototype.name = "BflConfigurationError";
  }
}

/** Fields every {@link BflApiError} is built from. */
export interface ApiErrorInit extends BflErrorOptions {
  status: number;
  statusText: string;
  headers: Headers;
  /** Parsed JSON when the body parses, else the text cut to 1 KiB; `undefined` when empty. */
  body: unknown;
}

/** The server answered with a non-2xx status. */
export class BflApiError extends BflError {
  static {
    BflApiError.prototype.name = "BflApiError";
  }
  /** HTTP status of the last answer. */
  readonly status: number;
  /** Headers of the last answer (never the request's). */
  readonly headers: Headers;
  /** Parsed JSON when the body parses, else the text, cut to 1 KiB. */
  readonly body: unknown;
  /** The server's `x-request-id`, to quote to BFL support. */
  readonly requestId: string | undefined;

  constructor(init: ApiErrorInit, explanation?: string) {
    super(apiErrorMessage(init, explanation), init);
    this.status = init.status;
    this.headers = init.headers;
    this.body = init.body;
    this.requestId = init.headers.get("x-request-id") ?? undefined;
  }
}

/** 400: the request was malformed. */
export class BflBadRequestError extends BflApiError {
  static {
    BflBadRequestError.prototype.name = "BflBadRequestError";
  }
}

/** 401: no key, or a key the server does not accept. */
export class BflAuthenticationError extends BflApiError {
  static {
    BflAuthenticationError.prototype.name = "BflAuthenticationError";
  }
}

/** 402: the account has too few credits. */
export class BflInsufficientCreditsError extends BflApiError {
  static {
    BflInsufficientCreditsError.prototype.name = "BflInsufficientCreditsError";
  }
}

/** 403: the key is not allowed to do this (BFL also answers 403 for an invalid key). */
export class BflPermissionDeniedError extends BflApiError {
  static {
    BflPermissionDeniedError.prototype.name = "BflPermissionDeniedError";
  }
}

/**
 * 404: no such finetune (or path). When `afterAmbiguousAttempt` is true, an earlier attempt of
 * the same call (in `cause`) may have deleted it: for a delete, the finetune is gone.
 */
export class BflNotFoundError extends BflApiError {
  static {
    BflNotFoundError.prototype.name = "BflNotFoundError";
  }
}

/** 409: the finetune is busy or changed concurrently. Retried. */
export class BflConflictError extends BflApiError {
  static {
    BflConflictError.prototype.name = "BflConflictError";
  }
}

/** 422: the server rejected the body; `detail` says which fields and why. */
export class BflValidationError extends BflApiError {
  static {
    BflValidationError.prototype.name = "BflValidationError";
  }
  /** The spec's `ValidationError` entries (empty when the server sent another shape). */
  readonly detail: ValidationError[];

  constructor(init: ApiErrorInit) {
    const detail = validationDetail(init.body);
    super(init, detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; ") || undefined);
    this.detail = detail;
  }
}

/** 429: too many requests in flight (BFL allows 24). Retried when the server's wait is short. */
export class BflRateLimitError extends BflApiError {
  static {
    BflRateLimitError.prototype.name = "BflRateLimitError";
  }
  /** How long the server asked to wait, from `retry-after-ms` or `Retry-After`. */
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit, retryAfterMs: number | undefined) {
    super(init, retryAfterMs === undefined ? undefined : `retry after ${Math.ceil(retryAfterMs / 1000)} s`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: the server failed. Retried. */
export class BflServerError extends BflApiError {
  static {
    BflServerError.prototype.name = "BflServerError";
  }
}

/** No answer came: DNS failure, connection refused or reset. The original error is in `cause`. */
export class BflConnectionError extends BflError {
  static {
    BflConnectionError.prototype.name = "BflConnectionError";
  }
}

/** An attempt took longer than `timeoutMs` (headers and body together). */
export class BflTimeoutError extends BflConnectionError {
  static {
    BflTimeoutError.prototype.name = "BflTimeoutError";
  }
}

/**
 * The caller's `signal` aborted; nothing more is sent. The signal's reason is in `cause`.
 * `attempts` 0: nothing was sent; `sentWithoutAnswer`: a request was in flight (or an earlier one
 * went unanswered), so the server may have acted on it.
 */
export class BflAbortError extends BflError {
  static {
    BflAbortError.prototype.name = "BflAbortError";
  }
}

/** The error for a caller's abort, keeping the signal's reason as `cause`. */
export function abortError(signal: AbortSignal, facts: BflErrorOptions = {}): BflAbortError {
  return new BflAbortError("The request was aborted by the caller's signal", { ...facts, cause: signal.reason });
}

/** One way in which a 2xx body breaks the spec's response schema. */
export interface ResponseIssue {
  /** Where in the body, e.g. `timestamp` or `items.0.id`; empty for the body itself. */
  path: string;
  message: string;
}

/**
 * A 2xx whose body is not JSON, or does not match the spec's response schema. The server did
 * accept the request: for a delete, the finetune is gone.
 */
export class BflResponseValidationError extends BflError {
  static {
    BflResponseValidationError.prototype.name = "BflResponseValidationError";
  }
  readonly status: number;
  /** The body as received (parsed JSON, or the text cut to 1 KiB). */
  readonly body: unknown;
  /** Which fields were wrong. */
  readonly issues: ResponseIssue[];

  constructor(status: number, body: unknown, issues: ResponseIssue[], facts?: BflErrorOptions) {
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super(`The server accepted the request (${status}), but its response does not match the API spec: ${list}`, facts);
    this.status = status;
    this.body = body;
    this.issues = issues;
  }
}

const AUTH_HINT =
  "check that BFL_API_KEY (or the apiKey option) holds a valid key for this API region; the key itself is never logged";

function apiErrorMessage(init: ApiErrorInit, explanation?: string): string {
  const detail = isObject(init.body) && typeof init.body.detail === "string" ? truncate(init.body.detail) : undefined;
  const hint = init.status === 401 || init.status === 403 ? AUTH_HINT : undefined;
  const title = `${init.status} ${init.statusText || "HTTP error"}`;
  const said = [detail, explanation, hint].filter(Boolean).join("; ");
  return (said ? `${title}: ${said}` : title).replace(/\s+/g, " ");
}

function validationDetail(body: unknown): ValidationError[] {
  if (!isObject(body) || !Array.isArray(body.detail)) return [];
  return body.detail.filter(
    (d): d is ValidationError =>
      isObject(d) && Array.isArray(d.loc) && typeof d.msg === "string" && typeof d.type === "string",
  );
}

/** The error class for a status: the one place that maps statuses to classes. */
export function apiErrorFor(init: ApiErrorInit, retryAfterMs: number | undefined): BflApiError {
  switch (init.status) {
    case 400:
      return new BflBadRequestError(init);
    case 401:
      return new BflAuthenticationError(init);
    case 402:
      return new BflInsufficientCreditsError(init);
    case 403:
      return new BflPermissionDeniedError(init);
    case 404:
      return new BflNotFoundError(init);
    case 409:
      return new BflConflictError(init);
    case 422:
      return new BflValidationError(init);
    case 429:
      return new BflRateLimitError(init, retryAfterMs);
    default:
      return init.status >= 500 ? new BflServerError(init) : new BflApiError(init);
  }
}
