/**
 * The probes of `contract:check` and how an answer that came through Prism's validating proxy is
 * judged. Every probe is harmless: the only delete names a random id that cannot exist.
 */
import { randomUUID } from "node:crypto";
import { redactValue } from "../../src/redact.js";

/** One entry of Prism's `sl-violations` header. */
export interface Violation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

export interface Probe {
  name: string;
  /** What is sent, in words. */
  description: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Statuses a server that matches the snapshot may answer. */
  expected: number[];
  /** The request-side violation this probe causes on purpose; any other one is reported. */
  provokes?: (violation: Violation) => boolean;
}

/** What came back through the proxy. */
export interface Answer {
  status: number;
  contentType: string;
  violations: string | null;
  body: string;
}

/** A mismatch, with the field it is about (e.g. `response.body.timestamp`). */
export interface Finding {
  field: string;
  message: string;
}

export interface ProbeResult {
  probe: string;
  description: string;
  expected: number[];
  /** The upstream's status; null when the upstream did not answer. */
  status: number | null;
  conforms: boolean;
  violations: Finding[];
  notes: string[];
  /** The answer's body, when it does not conform (whole: {@link shownResult} cuts it). */
  body?: string;
}

export const PROBE_ID_PREFIX = "bfl-contract-probe-";

/** The three probes; `key` is sent only as `x-key`. */
export function probes(key: string, id = `${PROBE_ID_PREFIX}${randomUUID()}`): Probe[] {
  return [
    {
      name: "delete-missing-id",
      description: `delete of ${id}, an id that cannot exist`,
      headers: { "x-key": key },
      body: { finetune_id: id },
      expected: [200, 404],
    },
    {
      name: "no-key",
      description: "the same delete without x-key",
      headers: {},
      body: { finetune_id: id },
      expected: [401, 403],
      provokes: (v) => v.code === 401,
    },
    {
      name: "invalid-body",
      description: "a body without finetune_id",
      headers: { "x-key": key },
      body: {},
      expected: [422],
      provokes: (v) => v.location[1] === "body" && v.code === "required" && v.message.includes("'finetune_id'"),
    },
  ];
}

const UNDECLARED_STATUS = /Unable to match the returned status code with those defined in the document: ?(.*)$/;
const PRISM_PROBLEM = /^(FetchError$|https:\/\/stoplight\.io\/prism\/errors#)/;

/** Names the field a violation is about: the location, plus the property a `required` rule missed. */
export function fieldOf(violation: Violation): string {
  const missing =
    violation.code === "required" ? /required property '([^']+)'/.exec(violation.message)?.[1] : undefined;
  return [...violation.location, ...(missing ? [missing] : [])].join(".");
}

function parseViolations(header: string | null): Violation[] {
  if (!header) return [];
  // Prism cuts a header over 8 KiB and prefixes it, which leaves no valid JSON.
  const parsed: unknown = JSON.parse(header);
  if (!Array.isArray(parsed)) throw new Error("not an array");
  return parsed as Violation[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Prism's own error instead of a proxied answer: the upstream was unreachable, or answered 501
 * and Prism mocked the call. Proxied answers to these probes never look like this: they either
 * conform (no header) with a JSON body of the spec, or carry an `sl-violations` header.
 */
function prismOwnError(answer: Answer): string | undefined {
  if (answer.violations !== null || !answer.contentType.includes("application/problem+json")) return undefined;
  const problem = parseJson(answer.body) as { type?: unknown; title?: unknown } | undefined;
  if (typeof problem?.type !== "string" || !PRISM_PROBLEM.test(problem.type)) return undefined;
  return String(problem.title ?? problem.type);
}

function statusFinding(probe: Probe, status: number, declared: string | undefined): Finding {
  let message = `got ${status}, expected ${probe.expected.join(" or ")}`;
  if (declared !== undefined) message += `; ${status} is not declared in the snapshot (it declares ${declared})`;
  if (probe.headers["x-key"] && (status === 401 || status === 403)) message += "; the upstream refused the key";
  if (!probe.headers["x-key"] && status < 300) message += "; the upstream accepted a request without a key";
  return { field: "status", message };
}

/** For a 200 to the delete probe: it must name the id that was sent. */
function echoFinding(probe: Probe, answer: Answer): Finding | undefined {
  if (answer.status !== 200 || typeof probe.body.finetune_id !== "string") return undefined;
  const deleted = (parseJson(answer.body) as { deleted_finetune_id?: unknown } | undefined)?.deleted_finetune_id;
  if (typeof deleted !== "string" || deleted === probe.body.finetune_id) return undefined;
  return {
    field: "response.body.deleted_finetune_id",
    message: `is ${JSON.stringify(deleted)}, not the id sent (${probe.body.finetune_id})`,
  };
}

function unanswered(probe: Probe, reason: string): ProbeResult {
  return {
    probe: probe.name,
    description: probe.description,
    expected: probe.expected,
    status: null,
    conforms: false,
    violations: [{ field: "upstream", message: `no answer: ${reason}` }],
    notes: [],
  };
}

/** Judges one answer: its status against what the probe expects, its body against the snapshot. */
export function judge(probe: Probe, answer: Answer): ProbeResult {
  const ownError = prismOwnError(answer);
  if (ownError !== undefined) return unanswered(probe, ownError);
  const findings: Finding[] = [];
  const notes: string[] = [];
  let all: Violation[] = [];
  try {
    all = parseViolations(answer.violations);
  } catch {
    findings.push({ field: "sl-violations", message: `unreadable: ${answer.violations}` });
  }
  let declared: string | undefined;
  for (const v of all) {
    const undeclared = UNDECLARED_STATUS.exec(v.message);
    if (v.location[0] === "request") {
      if (!probe.provokes?.(v))
        findings.push({ field: fieldOf(v), message: `${v.message} (the probe no longer fits the snapshot)` });
    } else if (undeclared) {
      declared = (undeclared[1] ?? "").split(",").join(", ");
    } else if (v.severity === "Error") {
      findings.push({ field: fieldOf(v), message: v.message });
    } else {
      notes.push(`${fieldOf(v)}: ${v.message}`);
    }
  }
  if (!probe.expected.includes(answer.status)) findings.unshift(statusFinding(probe, answer.status, declared));
  else if (declared !== undefined) {
    notes.push(
      `${answer.status} is not declared in the snapshot (it declares ${declared}), so its body is not checked`,
    );
  }
  const echo = echoFinding(probe, answer);
  if (echo) findings.push(echo);
  return {
    probe: probe.name,
    description: probe.description,
    expected: probe.expected,
    status: answer.status,
    conforms: findings.length === 0,
    violations: findings,
    notes,
    ...(findings.length > 0 ? { body: answer.body } : {}),
  };
}

/** Most characters of a body or a finding shown: enough to recognise, never a whole page. */
const SHOWN_CHARS = 300;
const cut = (text: string) => text.slice(0, SHOWN_CHARS);

/**
 * A result as printed, in text or JSON: the key redacted in every value first, then bodies and
 * findings cut. Values, never the printed text: a key that is also a JSON token (`"`, `:`) would
 * break the JSON. Redacted before the cut: a key cut in two is no longer the whole key, and its
 * first half would be printed.
 */
export function shownResult(result: ProbeResult, key: string): ProbeResult {
  const clean = redactValue(result, key) as ProbeResult;
  const violations = clean.violations.map((v) => ({ ...v, message: cut(v.message) }));
  return { ...clean, violations, ...(clean.body === undefined ? {} : { body: cut(clean.body) }) };
}

/** `unanswered` for a request that failed before any answer (refused, timed out). */
export function noAnswer(probe: Probe, error: Error): ProbeResult {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return unanswered(probe, `${error.message}${cause}`);
}

/** `unanswered` for a probe whose answer did not come within `timeoutMs`, naming the wait. */
export function timedOut(probe: Probe, timeoutMs: number): ProbeResult {
  return unanswered(probe, `none within ${timeoutMs} ms (--timeout-ms)`);
}
