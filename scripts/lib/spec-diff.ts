/**
 * The change report between two OpenAPI documents, for a client of the API.
 *
 * api-smart-diff does the structural work: it resolves `$ref`s inside each operation, so a
 * component change shows at every operation it reaches, and classifies each change for API
 * consumers. Its rules are written for the server's compatibility, and a few differ from what a
 * typed client needs; those are corrected here:
 * - a retyped response field is breaking unless the new types are a subset of the old ones, and a
 *   retyped request field or parameter is breaking unless the new types include the old ones;
 * - a removed request-body property is breaking (generated types drop it; code that sends it no
 *   longer compiles, and the server ignores it); a whole `parameters` list or a required request
 *   body that appears is judged by what it requires, not as an annotation;
 * - servers and security are compared per operation, as in effect (operation > path > document),
 *   so moving them between levels is no change: a new URL the operation is called on is breaking,
 *   other server-list changes are not; losing an accepted security alternative is breaking, adding
 *   one is not; a changed definition of a security scheme an operation uses is breaking.
 * Only operations and the security schemes they use are reported; `components` are seen through
 * the operations that use them, and annotations (descriptions, examples) are "other".
 */
import { apiCompare, type Diff } from "api-smart-diff";
import { isObject } from "../../src/utils/is-object.js";
import { eachOperation, isHttpMethod, operationSecurity, operationServers } from "./openapi-operations.ts";

export interface ChangeReport {
  breaking: string[];
  nonBreaking: string[];
  other: string[];
}

type Kind = keyof ChangeReport;

/** How many "other" lines are printed; annotation churn upstream can run to hundreds. */
const MAX_OTHER_LINES = 20;

const typesOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);
const subset = (a: string[], b: string[]) => a.every((t) => b.includes(t));

/** Which side of the exchange a diff under `paths` is on. */
function sideOf(path: Diff["path"]): "request" | "response" | undefined {
  const part = path[2] === "parameters" ? "parameters" : path[3];
  if (part === "requestBody" || part === "parameters") return "request";
  if (part === "responses") return "response";
  return undefined;
}

/** A `type` keyword replaced (not a property that happens to be called `type`). */
const isRetype = (diff: Diff) =>
  diff.action === "replace" && diff.path.at(-1) === "type" && diff.path.at(-2) !== "properties";

function classify(diff: Diff): Kind {
  const side = sideOf(diff.path);
  if (isRetype(diff) && side !== undefined) {
    const [before, after] = [typesOf(diff.before), typesOf(diff.after)];
    const safe = side === "response" ? subset(after, before) : subset(before, after);
    return safe ? "nonBreaking" : "breaking";
  }
  if (diff.action === "remove" && side === "request" && diff.path.at(-2) === "properties") return "breaking";
  if (diff.type === "breaking") return "breaking";
  if (diff.type === "non-breaking" || diff.type === "deprecated") return "nonBreaking";
  return "other";
}

/** "POST /v1/x: " for a change inside an operation, "" when the description already names it. */
function operationPrefix(path: Diff["path"]): string {
  if (path[0] !== "paths" || path.length < 3) return "";
  const method = String(path[2]);
  if (!isHttpMethod(method)) return `${String(path[1])}: `;
  return path.length === 3 ? "" : `${method.toUpperCase()} ${String(path[1])}: `;
}

/** The name of the property a path ends in or lies under (`…properties › name › …`). */
function propertyAt(path: Diff["path"]): string | undefined {
  const i = path.lastIndexOf("properties");
  return i >= 0 && i + 1 < path.length ? String(path[i + 1]) : undefined;
}

/**
 * A property or enum value added or removed, named from the path. api-smart-diff describes the
 * second and later operations reaching the same component node as "annotation (name)" or
 * "annotation (index)", which names neither the field nor the value; the path always does.
 */
function namedChange(diff: Diff): string | undefined {
  const verb = diff.action === "add" ? "Added" : diff.action === "remove" ? "Removed" : undefined;
  if (!verb) return undefined;
  const where = / in [A-Z].*$/.exec(diff.description ?? "")?.[0] ?? "";
  if (diff.path.at(-2) === "properties") return `[${verb}] property \`${String(diff.path.at(-1))}\`${where}`;
  if (diff.path.at(-2) === "enum") {
    const v = diff.action === "add" ? diff.after : diff.before;
    const value = typeof v === "string" ? v : JSON.stringify(v);
    const of = propertyAt(diff.path);
    return `[${verb}] value \`${value}\`${of ? ` of \`${of}\`` : ""}${where}`;
  }
  return undefined;
}

function describe(diff: Diff): string {
  const what = namedChange(diff) ?? (diff.description || `[${diff.action}] ${diff.path.join(" › ")}`);
  const types = isRetype(diff) ? ` (${typesOf(diff.before).join("|")} → ${typesOf(diff.after).join("|")})` : "";
  return `${operationPrefix(diff.path)}${what}${types}`;
}

/**
 * api-smart-diff reports a whole `parameters` list added or removed as one annotation; for a client
 * each parameter counts: a new required one or any removed one is breaking.
 */
function parameterLines(diff: Diff): [Kind, string][] | undefined {
  const list = diff.action === "add" ? diff.after : diff.action === "remove" ? diff.before : undefined;
  if (diff.path.at(-1) !== "parameters" || !Array.isArray(list)) return undefined;
  return list.filter(isObject).map((p): [Kind, string] => {
    const what = `${p.required === true ? "required" : "optional"} ${String(p.in)} parameter \`${String(p.name)}\``;
    const kind: Kind = diff.action === "remove" || p.required === true ? "breaking" : "nonBreaking";
    return [kind, `${operationPrefix(diff.path)}[${diff.action === "add" ? "Added" : "Removed"}] ${what}`];
  });
}

/** The report lines for one api-smart-diff change. */
function linesFor(diff: Diff): [Kind, string][] {
  const parameters = parameterLines(diff);
  if (parameters) return parameters;
  // A request body that appears and is required: the client must now send one.
  if (
    diff.action === "add" &&
    diff.path.at(-1) === "requestBody" &&
    isObject(diff.after) &&
    diff.after.required === true
  ) {
    return [["breaking", `${describe(diff)} (required)`]];
  }
  return [[classify(diff), describe(diff)]];
}

/** Diffs taken from api-smart-diff: operations, except servers and security, compared as in effect below. */
const covered = (diff: Diff) =>
  diff.path[0] === "paths" && !diff.path.includes("servers") && diff.path[3] !== "security";

/** Each operation, as "METHOD /path", with the URLs it is called on and the security in effect. */
function operations(doc: unknown): Map<string, { servers: string[]; security: unknown }> {
  const out = new Map<string, { servers: string[]; security: unknown }>();
  for (const ref of eachOperation(doc)) {
    const servers = operationServers(doc, ref).map((url) => url.replace(/\/+$/, ""));
    out.set(`${ref.method.toUpperCase()} ${ref.path}`, { servers, security: operationSecurity(doc, ref) });
  }
  return out;
}

function serverChanges(before: unknown, after: unknown, add: (kind: Kind, line: string) => void): void {
  const old = operations(before);
  for (const [name, now] of operations(after)) {
    const was = old.get(name);
    if (!was || was.servers.join(" ") === now.servers.join(" ")) continue;
    if (was.servers[0] !== now.servers[0]) add("breaking", `${name}: server ${was.servers[0]} → ${now.servers[0]}`);
    else add("nonBreaking", `${name}: servers [${was.servers.join(", ")}] → [${now.servers.join(", ")}]`);
  }
}

/** Security alternatives as comparable strings: "A" or "A+B" (schemes required together). */
function alternatives(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  return security
    .map((req) => (isObject(req) ? Object.keys(req).sort().join("+") : ""))
    .map((a) => a || "(none)")
    .sort();
}

function securityChanges(before: unknown, after: unknown, add: (kind: Kind, line: string) => void): void {
  const old = operations(before);
  for (const [name, now] of operations(after)) {
    const was = old.get(name);
    if (!was) continue;
    const [a, b] = [alternatives(was.security), alternatives(now.security)];
    if (a.join(" | ") === b.join(" | ")) continue;
    const line = `${name}: security [${a.join(" | ") || "none"}] → [${b.join(" | ") || "none"}]`;
    // Still accepting every way the client could authenticate before is not breaking.
    add(a.length > 0 && subset(a, b) ? "nonBreaking" : "breaking", line);
  }
}

function schemeSummary(scheme: unknown): string {
  if (!isObject(scheme)) return "(none)";
  if (scheme.type === "apiKey") return `apiKey in ${String(scheme.in)} \`${String(scheme.name)}\``;
  if (scheme.type === "http") return `http ${String(scheme.scheme)}`;
  return String(scheme.type);
}

function schemes(doc: unknown): Record<string, unknown> {
  return isObject(doc) && isObject(doc.components) && isObject(doc.components.securitySchemes)
    ? doc.components.securitySchemes
    : {};
}

/** Security schemes used by an operation of `after` whose definition changed since `before`. */
function schemeChanges(before: unknown, after: unknown, add: (kind: Kind, line: string) => void): void {
  const used = new Set<string>();
  for (const { security } of operations(after).values()) {
    if (Array.isArray(security))
      for (const req of security) if (isObject(req)) for (const n of Object.keys(req)) used.add(n);
  }
  const [old, now] = [schemes(before), schemes(after)];
  for (const name of [...used].sort()) {
    const [was, is] = [old[name], now[name]];
    if (was === undefined || is === undefined) continue;
    const strip = (s: unknown) => JSON.stringify(isObject(s) ? { ...s, description: undefined } : s);
    if (strip(was) === strip(is)) continue;
    add("breaking", `security scheme ${name}: ${schemeSummary(was)} → ${schemeSummary(is)}`);
  }
}

/** The report from `before` to `after` (parsed OpenAPI 3.x documents). */
export function diffSpecs(before: unknown, after: unknown): ChangeReport {
  const report: ChangeReport = { breaking: [], nonBreaking: [], other: [] };
  const add = (kind: Kind, line: string) => {
    if (!report[kind].includes(line)) report[kind].push(line);
  };
  // api-smart-diff dereferences its inputs in place; a caller may compare the same document twice.
  for (const diff of apiCompare(structuredClone(before), structuredClone(after)).diffs) {
    if (covered(diff)) for (const [kind, line] of linesFor(diff)) add(kind, line);
  }
  serverChanges(before, after, add);
  securityChanges(before, after, add);
  schemeChanges(before, after, add);
  return report;
}

export function hasChanges(report: ChangeReport): boolean {
  return report.breaking.length + report.nonBreaking.length + report.other.length > 0;
}

/** The report as readable text, breaking changes first. */
export function formatReport(report: ChangeReport): string {
  if (!hasChanges(report)) return "No changes for this client.";
  const section = (title: string, lines: string[], max = Number.POSITIVE_INFINITY) =>
    lines.length === 0
      ? []
      : [
          `${title} (${lines.length}):`,
          ...lines.slice(0, max).map((l) => `  - ${l}`),
          ...(lines.length > max ? [`  … and ${lines.length - max} more (spec:diff --json lists all)`] : []),
        ];
  return [
    ...section("Breaking", report.breaking),
    ...section("Non-breaking", report.nonBreaking),
    ...section("Other (descriptions, examples, unclassified)", report.other, MAX_OTHER_LINES),
  ].join("\n");
}
