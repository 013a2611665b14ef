/**
 * What the fake does with one request, independent of the transport: an HTTP answer, or no
 * answer at all ("timeout": the request is never answered; "reset": the connection drops).
 * fake.fetch and listen() each turn an outcome into their own terms.
 */
import { isObject } from "../utils/is-object.js";
import type { Call } from "./fake-operations.js";

/** An HTTP answer, as a scenario gives it or the fake makes it. */
export interface HttpAnswer {
  status: number;
  /**
   * A string is sent as it is; anything else as JSON. Default: the spec's example for this
   * status, else `{ "detail": <the status's text> }` (FastAPI's `detail` list for a 422).
   */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Outcome =
  | { kind: "answer"; status: number; headers: Record<string, string>; body: string | Uint8Array<ArrayBuffer> }
  | { kind: "timeout" }
  | { kind: "reset" };

/** Reason phrases, as an HTTP server sends them with the status line. */
const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** BFL's own wording where it has one; else the reason phrase. */
const DETAILS: Record<number, string> = {
  402: "Insufficient credits",
  403: "Not authenticated - Invalid Authentication",
  404: "Finetune not found",
  429: "Too many active tasks",
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "";
}

/** The `detail` BFL-like servers send with `status` when a scenario gives no body. */
export function defaultDetail(status: number): string {
  return DETAILS[status] ?? REASONS[status] ?? `HTTP ${status}`;
}

/** An outcome that sends `answer`, JSON unless its body is a string. */
export function toOutcome(answer: HttpAnswer): Outcome {
  const body = answer.body === undefined ? { detail: defaultDetail(answer.status) } : answer.body;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json";
  return { kind: "answer", status: answer.status, headers: { "content-type": type, ...answer.headers }, body: text };
}

export const json = (status: number, body: unknown): Outcome => toOutcome({ status, body });

/** BFL's answer for a finetune it does not hold (details, delete, a finetuned submit). */
export const finetuneNotFound = (): Outcome => json(404, { detail: "Finetune not found" });

/** The finetune a call's JSON body names (`finetune_id`), if any. */
export const bodyFinetuneId = (call: Call): string | undefined =>
  isObject(call.body) ? (call.body.finetune_id as string) : undefined;
