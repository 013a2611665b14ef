/**
 * What a pulled document must be before it may replace the pulled copy: OpenAPI 3.x, structurally
 * valid, self-contained, and offering what the facade uses in each covered operation. Everything
 * else Redocly's recommended rules find is reported, not refused: the client only calls the
 * covered operations, and the upstream document is what it is.
 */
import { isObject } from "../../src/utils/is-object.js";
import { COVERED_OPERATIONS, operationName } from "./covered-operations.ts";
import { jsonMedia, operationServers, resolveLocal } from "./openapi-operations.ts";
import { SpecError } from "./spec-source.ts";

export type OpenApiDoc = Record<string, unknown> & { openapi: string; paths: Record<string, Record<string, unknown>> };

export function assertOpenApi3(doc: unknown, from: string): asserts doc is OpenApiDoc {
  if (!isObject(doc) || typeof doc.openapi !== "string" || !/^3\.\d+\.\d+/.test(doc.openapi)) {
    const found = isObject(doc) && typeof doc.swagger === "string" ? ` (found swagger: ${doc.swagger})` : "";
    throw new SpecError(`${from} is not an OpenAPI 3.x document${found}`);
  }
  if (!isObject(doc.paths)) throw new SpecError(`${from} has no paths`);
}

/** Every `$ref` must point inside the document: the pulled copy is one self-contained file. */
function assertLocalRefs(node: unknown, from: string): void {
  if (Array.isArray(node)) for (const item of node) assertLocalRefs(item, from);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
        throw new SpecError(
          `${from} has an external $ref (${value}); only references inside the document are accepted`,
        );
      }
      assertLocalRefs(value, from);
    }
  }
}

export interface Finding {
  severity: "error" | "warn";
  ruleId: string;
  message: string;
  pointer: string;
}

/**
 * Rules whose errors make a document unusable wherever they are: its structure, its references,
 * and the unique operationIds openapi-typescript needs.
 */
const STRUCTURAL_RULES = new Set(["struct", "no-unresolved-refs", "operation-operationId-unique"]);

/**
 * Rules whose errors inside a covered operation break what the client sends: the API key header
 * comes from the operation's security (generated/contract.ts `apiKeyHeader`).
 */
const COVERED_OPERATION_RULES = new Set(["security-defined"]);

/** JSON pointers of the covered operations whose security the pulled document must declare. */
const COVERED_POINTERS = COVERED_OPERATIONS.filter((op) => !op.securityFromOverlay).map(
  ({ path, method }) => `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}`,
);

const inCoveredOperation = (pointer: string) =>
  COVERED_POINTERS.some((p) => pointer === p || pointer.startsWith(`${p}/`));

const isFatal = (f: Finding) =>
  f.severity === "error" &&
  (STRUCTURAL_RULES.has(f.ruleId) || (COVERED_OPERATION_RULES.has(f.ruleId) && inCoveredOperation(f.pointer)));

/** Redocly's recommended rules over `doc` (the @redocly/openapi-core in the lockfile, no network). */
export async function lintDocument(doc: unknown): Promise<Finding[]> {
  // Loaded on demand: it takes a good part of a second, and refusals before this point skip it.
  const { createConfig, lintFromString } = await import("@redocly/openapi-core");
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: "/openapi.json", config });
  return problems.map((p) => ({
    severity: p.severity === "error" ? "error" : "warn",
    ruleId: p.ruleId,
    message: p.message,
    pointer: p.location[0]?.pointer ?? "",
  }));
}

/** One line per finding. */
export const formatFinding = (f: Finding): string => `${f.severity} ${f.ruleId}: ${f.message} at ${f.pointer || "#"}`;

/**
 * Refuses a document that is structurally invalid or whose covered operations lack security;
 * resolves to every finding (lint), which the caller reports.
 */
export async function assertValid(doc: OpenApiDoc, from: string): Promise<Finding[]> {
  assertLocalRefs(doc, from);
  const findings = await lintDocument(doc);
  const fatal = findings.filter(isFatal);
  const first = fatal[0];
  if (first) {
    const at = first.pointer ? ` at ${first.pointer}` : "";
    const more = fatal.length > 1 ? ` (and ${fatal.length - 1} more)` : "";
    throw new SpecError(`${from} fails OpenAPI validation: ${first.message}${at}${more}`);
  }
  return findings;
}

/** Allows `type: "string"` and 3.1's `type: ["string", …]`; a field without `type` is not checked. */
const allowsString = (schema: unknown) =>
  isObject(schema) &&
  (schema.type === undefined ||
    schema.type === "string" ||
    (Array.isArray(schema.type) && schema.type.includes("string")));

/** An object schema, or a choice (`anyOf`/`oneOf`) between object schemas, as a task's submit answers. */
const isObjectSchema = (doc: OpenApiDoc, schema: unknown): boolean => {
  if (!isObject(schema)) return false;
  if (schema.type === "object" || isObject(schema.properties) || Array.isArray(schema.allOf)) return true;
  const choice = schema.anyOf ?? schema.oneOf;
  return Array.isArray(choice) && choice.length > 0 && choice.every((s) => isObjectSchema(doc, resolveLocal(doc, s)));
};

/** The schema of a JSON body field, or of a query parameter, the facade fills in. */
function sentField(doc: OpenApiDoc, operation: Record<string, unknown>, sends: { in: string; name: string }): unknown {
  if (sends.in === "body") {
    const schema = resolveLocal(doc, jsonMedia(doc, operation.requestBody)?.schema);
    return isObject(schema) && isObject(schema.properties)
      ? resolveLocal(doc, schema.properties[sends.name])
      : undefined;
  }
  const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
  const parameter = parameters
    .map((p) => resolveLocal(doc, p))
    .find((p) => isObject(p) && p.in === sends.in && p.name === sends.name);
  return isObject(parameter) ? resolveLocal(doc, parameter.schema) : undefined;
}

/**
 * What the facade (src/client.ts) relies on in each covered operation: it exists, is called on an
 * absolute http(s) server, takes the string the facade sends where it sends it, and answers 200
 * with a JSON object. Anything finer is for the change report and, in `npm run regen`, for the
 * type-check.
 */
export function assertFacadeNeeds(doc: OpenApiDoc, from: string): void {
  for (const covered of COVERED_OPERATIONS) {
    const name = operationName(covered);
    const item = resolveLocal(doc, doc.paths[covered.path]);
    const operation = isObject(item) ? item[covered.method] : undefined;
    if (!isObject(item) || !isObject(operation)) throw new SpecError(`${from} lacks ${name}, which the client calls`);
    const server = operationServers(doc, { operation, item })[0] ?? "";
    if (!/^https?:\/\//.test(server)) throw new SpecError(`${from}: ${name} has no absolute server URL (${server})`);
    const { sends } = covered;
    if (sends && !allowsString(sentField(doc, operation, sends))) {
      const where = sends.in === "body" ? "a JSON body with a string" : "a string query parameter";
      throw new SpecError(`${from}: ${name} no longer takes ${where} ${sends.name}`);
    }
    const ok = isObject(operation.responses) ? jsonMedia(doc, operation.responses["200"]) : undefined;
    if (!isObjectSchema(doc, resolveLocal(doc, ok?.schema))) {
      throw new SpecError(`${from}: ${name} has no JSON object 200 response`);
    }
  }
}
