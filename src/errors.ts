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
 * │   │                              └── BflTaskNotFoundError      a task the server does not know
 * │   ├── BflInsufficientCreditsError 402
 * │   ├── BflPermissionDeniedError 403
 * │   └── BflValidationError 422
 * ├── BflConnectionError             no answer (DNS, refused, reset)
 * │   └── BflTimeoutError            an attempt ran out of time
 * ├── BflAbortError                  the caller's signal aborted
 * ├── BflResponseValidationError     a 2xx whose body breaks the spec
 * └── BflTaskError                   a generation task ended in `Error`
 *     └── BflModerationError         ... or was moderated (request or content)
 * ```
 */
import type { ValidationError } from "./types.js";
import { isObject } from "./utils/is-object.js";

/** Error bodies and texts are cut to this many characters so a huge page never lands in a log. */
export const BODY_LIMIT = 1024;

/**
 * `title: part; part` from the parts that say something (falsy ones are left out), `title` alone
 * when none does: the one shape of every message built here.
 */
function message(title: string, parts: unknown[]): string {
  const said = parts.filter(Boolean).join("; ");
  return said ? `${title}: ${said}` : title;
}

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

export interface BflErrorOptions extends ErrorOptions, Partial<CallFacts> {
  /** The generation task the failed call was about, when there is one. */
  taskId?: string | undefined;
}

/**
 * Marks every error so that `instanceof` also recognises errors from another copy of this package
 * (the CommonJS and ESM builds each load their own classes). Registered globally. Its value, on
 * each class's prototype, is the chain of class names from BflError down ("BflError BflApiError
 * "), so an ancestor's chain is a prefix of its descendants' chains.
 */
const BRAND = Symbol.for("bfl-finetune.error");

/** Base class of every error this package throws. */
export class BflError extends Error implements CallFacts {
  declare readonly attempts: number;
  declare readonly afterAmbiguousAttempt: boolean;
  declare readonly sentWithoutAnswer: boolean;
  /**
   * The generation task this error is about: set on every error a wait for a task throws (a
   * poll that failed, an abort, a timeout, the task's own end), so the id of a paid task is
   * never lost. `undefined` for calls that are not about a task.
   */
  declare readonly taskId?: string;

  constructor(message: string, options: BflErrorOptions = {}) {
    // Error reads only `cause` from its options; none at all when it is undefined.
    super(message, options.cause === undefined ? undefined : options);
    this.attempts = options.attempts ?? 0;
    this.afterAmbiguousAttempt = options.afterAmbiguousAttempt ?? false;
    this.sentWithoutAnswer = options.sentWithoutAnswer ?? false;
    if (options.taskId !== undefined) (this as { taskId?: string }).taskId = options.taskId;
  }

  /**
   * `err instanceof BflNotFoundError` holds for an error of either build: same realm as usual,
   * else an error whose brand (its chain of class names) extends this class's chain. A user's
   * subclass (no own brand on its prototype) falls back to the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass on the right of `instanceof`
    const prototype = this.prototype as Branded;
    const chain = Object.hasOwn(prototype, BRAND) && prototype[BRAND];
    // biome-ignore lint/complexity/noThisInStatic: `super[...](value)` is the ordinary check, run with `this`
    return super[Symbol.hasInstance](value) || (chain && (value as Branded)?.[BRAND]?.startsWith?.(chain)) === true;
  }
}

/** The client was given options it cannot work with; no request was sent. */
export class BflConfigurationError extends BflError {}

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
  /** HTTP status of the last answer. */
  declare readonly status: number;
  /** Headers of the last answer (never the request's). */
  declare readonly headers: Headers;
  /** Parsed JSON when the body parses, else the text, cut to 1 KiB. */
  declare readonly body: unknown;
  /** The server's `x-request-id`, to quote to BFL support. */
  declare readonly requestId: string | undefined;

  constructor(init: ApiErrorInit, explanation?: string) {
    const { status, headers, body } = init;
    const detail = isObject(body) && typeof body.detail === "string" && truncate(body.detail);
    const hint = (status === 401 || status === 403) && AUTH_HINT;
    // On one line: a server's `detail` may hold newlines.
    super(
      message(`${status} ${init.statusText || "HTTP error"}`, [detail, explanation, hint]).replace(/\s+/g, " "),
      init,
    );
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.requestId = headers.get("x-request-id") ?? undefined;
  }
}

/** 400: the request was malformed. */
export class BflBadRequestError extends BflApiError {}

/** 401: no key, or a key the server does not accept. */
export class BflAuthenticationError extends BflApiError {}

/** 402: the account has too few credits. */
export class BflInsufficientCreditsError extends BflApiError {}

/** 403: the key is not allowed to do this (BFL also answers 403 for an invalid key). */
export class BflPermissionDeniedError extends BflApiError {}

/**
 * 404: no such finetune (or path). When `afterAmbiguousAttempt` is true, an earlier attempt of
 * the same call (in `cause`) may have deleted it: for a delete, the finetune is gone.
 */
export class BflNotFoundError extends BflApiError {}

/** What a task's terminal answer says, for the task errors. */
export interface TaskFacts {
  /** The task's id, as the submit answered it. */
  taskId: string;
  /** The server's `details` (moderation reasons, failure), as sent; `null` when none. */
  details: unknown;
}

/**
 * A generation task the server does not know (`Task not found`, or a 404 from get_result): never
 * submitted, expired, or submitted on another region's host. `status` is the HTTP status.
 */
export class BflTaskNotFoundError extends BflNotFoundError {
  declare readonly taskId: string;
  declare readonly details: unknown;

  constructor(init: ApiErrorInit & TaskFacts) {
    // BflError's constructor sets `taskId` from `init`.
    super(init, `task ${init.taskId} not found`);
    this.details = init.details;
  }
}

/** 409: the finetune is busy or changed concurrently. Retried. */
export class BflConflictError extends BflApiError {}

/** 422: the server rejected the body; `detail` says which fields and why. */
export class BflValidationError extends BflApiError {
  /** The spec's `ValidationError` entries (empty when the server sent another shape). */
  declare readonly detail: ValidationError[];

  constructor(init: ApiErrorInit) {
    const detail = validationDetail(init.body);
    super(init, detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; "));
    this.detail = detail;
  }
}

/** 429: too many requests in flight (BFL allows 24). Retried when the server's wait is short. */
export class BflRateLimitError extends BflApiError {
  /**
   * How long to keep away: the wait the server asked for (`retry-after-ms` or `Retry-After`), else
   * the hold this 429 put on the client's later calls (its backoff); undefined when neither applies.
   */
  declare readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit, retryAfterMs: number | undefined) {
    super(init, retryAfterMs === undefined ? undefined : `retry after ${Math.ceil(retryAfterMs / 1000)} s`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: the server failed. Retried. */
export class BflServerError extends BflApiError {}

/** No answer came: DNS failure, connection refused or reset. The original error is in `cause`. */
export class BflConnectionError extends BflError {}

/** An attempt took longer than `timeoutMs` (headers and body together). */
export class BflTimeoutError extends BflConnectionError {}

/**
 * The caller's `signal` aborted; nothing more is sent. The signal's reason is in `cause`.
 * `attempts` 0: nothing was sent; `sentWithoutAnswer`: a request was in flight (or an earlier one
 * went unanswered), so the server may have acted on it.
 */
export class BflAbortError extends BflError {}

/** The error for a caller's abort, keeping the signal's reason as `cause`. */
export function abortError(signal: AbortSignal, facts: BflErrorOptions = {}): BflAbortError {
  return new BflAbortError("Aborted by the caller's signal", { ...facts, cause: signal.reason });
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
  declare readonly status: number;
  /** The body as received (parsed JSON, or the text cut to 1 KiB). */
  declare readonly body: unknown;
  /** Which fields were wrong. */
  declare readonly issues: ResponseIssue[];

  constructor(status: number, body: unknown, issues: ResponseIssue[], facts?: BflErrorOptions) {
    const said = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    super(
      message(`The server accepted the request (${status}), but its response does not match the API spec`, said),
      facts,
    );
    this.status = status;
    this.body = body;
    this.issues = issues;
  }
}

/** A task's terminal status and what came with it. */
export interface TaskErrorInit extends TaskFacts, Omit<BflErrorOptions, "taskId"> {
  /** The task's `status` as the server sent it (`Error`, `Request Moderated`, ...). */
  taskStatus: string;
}

/**
 * A generation task ended without an image: status `Error` (this class) or moderated
 * ({@link BflModerationError}). The submit was accepted: the task may have cost credits.
 */
export class BflTaskError extends BflError {
  declare readonly taskId: string;
  /** The task's status as the server sent it. */
  declare readonly taskStatus: string;
  /** The server's `details` as sent (for a moderated task, its reasons); `null` when none. */
  declare readonly details: unknown;

  constructor(init: TaskErrorInit) {
    // `details` as sent, on one line and cut (the key is redacted before).
    const said = init.details != null && truncate(JSON.stringify(init.details));
    // BflError's constructor sets `taskId` from `init`.
    super(message(`Task ${init.taskId} ended with status ${init.taskStatus}`, [said]), init);
    this.taskStatus = init.taskStatus;
    this.details = init.details;
  }
}

/** A task refused by moderation: `Request Moderated` (the prompt or input) or `Content Moderated` (the image). */
export class BflModerationError extends BflTaskError {}

const AUTH_HINT = "check that BFL_API_KEY (or apiKey) is a valid key for this region";

function validationDetail(body: unknown): ValidationError[] {
  if (!isObject(body) || !Array.isArray(body.detail)) return [];
  return body.detail.filter(
    (d): d is ValidationError =>
      isObject(d) && Array.isArray(d.loc) && typeof d.msg === "string" && typeof d.type === "string",
  );
}

/** The error class for a status: the one place that maps statuses to classes. */
export function apiErrorFor(init: ApiErrorInit, retryAfterMs: number | undefined): BflApiError {
  const { status } = init;
  if (status === 429) return new BflRateLimitError(init, retryAfterMs);
  const byStatus: Record<number, typeof BflApiError> = {
    400: BflBadRequestError,
    401: BflAuthenticationError,
    402: BflInsufficientCreditsError,
    403: BflPermissionDeniedError,
    404: BflNotFoundError,
    409: BflConflictError,
    422: BflValidationError,
  };
  return new (byStatus[status] ?? (status >= 500 ? BflServerError : BflApiError))(init);
}

/**
 * Each class's `name` and brand, on its prototype: what `err.name` says and what `instanceof`
 * compares across copies of this package. Set here once, by the name each class is exported under,
 * parents before children (a child's chain extends the one it inherits).
 */
type Branded = { [BRAND]?: string };

for (const [name, type] of Object.entries({
  BflError,
  BflConfigurationError,
  BflApiError,
  BflBadRequestError,
  BflAuthenticationError,
  BflInsufficientCreditsError,
  BflPermissionDeniedError,
  BflNotFoundError,
  BflTaskNotFoundError,
  BflConflictError,
  BflValidationError,
  BflRateLimitError,
  BflServerError,
  BflConnectionError,
  BflTimeoutError,
  BflAbortError,
  BflResponseValidationError,
  BflTaskError,
  BflModerationError,
})) {
  const prototype = type.prototype as Branded & Error;
  prototype.name = name;
  prototype[BRAND] = `${prototype[BRAND] ?? ""}${name} `;
}
