/**
 * Checks a request against the spec's request schemas and says what is wrong in the shape of
 * FastAPI's 422 `HTTPValidationError` items (`loc`, `msg`, `type`), as BFL's API answers.
 */
import { validate } from "../validate.js";
import type { OperationSpec } from "./fake-contract.js";

/** One item of a 422 body's `detail`. */
export interface ValidationErrorItem {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

/**
 * What the fake could read of a request body: nothing, JSON, text that does not parse as JSON, or
 * a body sent with a content type that is not JSON ("other"), which is never parsed.
 */
export type ParsedBody =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "invalid"; text: string }
  | { kind: "other"; text: string };

/** `application/json` and `application/*+json`, whatever the parameters. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a body as FastAPI does: without a content type, or with a JSON one, it is parsed as JSON;
 * with any other (`text/plain`, a form) it is not, so a JSON-looking text body is not an object.
 */
export function parseBody(text: string, contentType: string | null): ParsedBody {
  if (text === "") return { kind: "none" };
  if (contentType !== null && !JSON_TYPE.test(contentType)) return { kind: "other", text };
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch {
    return { kind: "invalid", text };
  }
}

/** The value at a dotted issue path (`a.0.b`), or at its parent for a missing field, as FastAPI's `input`. */
function inputAt(value: unknown, parts: (string | number)[]): unknown {
  let at = value;
  for (const part of parts) {
    const next = (at as Record<string | number, unknown> | null | undefined)?.[part];
    if (next === undefined) return at;
    at = next;
  }
  return at;
}

function item(where: string, path: string, message: string, value: unknown): ValidationErrorItem {
  const parts = path
    .split(".")
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const loc = [where, ...parts];
  const input = inputAt(value, parts);
  if (message === "required field is missing") return { loc, msg: "Field required", type: "missing", input };
  const expected = /^expected (\w+)/.exec(message)?.[1];
  if (expected) {
    const noun = expected === "object" ? "dictionary" : expected;
    return {
      loc,
      msg: `Input should be a valid ${noun}`,
      type: `${expected === "object" ? "dict" : expected}_type`,
      input,
    };
  }
  return { loc, msg: message, type: "value_error", input };
}

/** The query as Starlette reads it for a single-valued parameter: a repeated name's last value wins. */
export function lastValues(query: URLSearchParams): URLSearchParams {
  return new URLSearchParams([...new Map(query)]);
}

function queryIssues(op: OperationSpec, query: URLSearchParams): ValidationErrorItem[] {
  const issues: ValidationErrorItem[] = [];
  for (const [name, param] of Object.entries(op.query)) {
    const value = query.get(name);
    if (value === null) {
      if (param.required) issues.push(item("query", name, "required field is missing", null));
      continue;
    }
    for (const issue of validate(param.schema, value)) issues.push(item("query", name, issue.message, value));
  }
  return issues;
}

function bodyIssues(op: OperationSpec, body: ParsedBody): ValidationErrorItem[] {
  if (!op.body) return [];
  if (body.kind === "none") return op.body.required ? [item("body", "", "required field is missing", null)] : [];
  if (body.kind === "invalid") return [{ loc: ["body", 0], msg: "JSON decode error", type: "json_invalid" }];
  if (body.kind === "other") {
    // FastAPI validates the raw text against the body's model, which it is not.
    const msg = "Input should be a valid dictionary or object to extract fields from";
    return [{ loc: ["body"], msg, type: "model_attributes_type", input: body.text }];
  }
  return validate(op.body.schema, body.value).map((issue) => item("body", issue.path, issue.message, body.value));
}

/** Every way the request breaks the operation's request schemas; empty when it conforms. */
export function requestIssues(op: OperationSpec, query: URLSearchParams, body: ParsedBody): ValidationErrorItem[] {
  return [...queryIssues(op, query), ...bodyIssues(op, body)];
}
