/**
 * The operations of the effective spec (openapi/openapi.json) as tests call them: a request each
 * one accepts, built from the spec alone (its examples and defaults, else the required fields by
 * type), and the error answers it declares. Tests iterate this, so an operation covered later is
 * checked without a new line of test.
 */
import { readFileSync } from "node:fs";
import { eachOperation, jsonMedia, resolveLocal } from "../../scripts/lib/openapi-operations.ts";
import { isObject } from "../../src/utils/is-object.js";

type Doc = Record<string, unknown>;

/** The id every sample request names: tests create it in the fake; the mock's examples use it. */
export const SAMPLE_ID = "my-finetune";

export interface SpecCall {
  path: string;
  /** Upper case. */
  method: string;
  /** Query parameters to send (the required ones). */
  query: Record<string, string>;
  /** JSON body to send, `undefined` for none. */
  body: unknown;
  /** Every declared non-2xx status. */
  failures: number[];
  /** Declared non-2xx statuses other than 422 (the overlay's `{ detail }` answers), with the spec's example. */
  errors: { status: number; example: unknown }[];
}

export const effectiveSpec = (): Doc => JSON.parse(readFileSync("openapi/openapi.json", "utf8")) as Doc;

/** The first example of a schema or media type, if it gives one. */
function exampleOf(node: Doc): { value: unknown } | undefined {
  if ("example" in node) return { value: node.example };
  if (Array.isArray(node.examples) && node.examples.length > 0) return { value: node.examples[0] };
  if (isObject(node.examples)) {
    const first = Object.values(node.examples)[0];
    if (isObject(first) && "value" in first) return { value: first.value };
  }
  return undefined;
}

/** A value `schema` accepts: its example or default, else one made from its type and required fields. */
export function sampleOf(doc: Doc, node: unknown, name = ""): unknown {
  const schema = resolveLocal(doc, node);
  if (!isObject(schema)) return SAMPLE_ID;
  const given = exampleOf(schema) ?? ("default" in schema ? { value: schema.default } : undefined);
  if (given && given.value !== null) return given.value;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part) => sampleOf(doc, part, name)));
  }
  const choices = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(choices)) {
    const first = choices.find((c) => !(isObject(c) && c.type === "null"));
    return sampleOf(doc, first, name);
  }
  return sampleOfType(doc, schema, name);
}

function sampleOfType(doc: Doc, schema: Doc, name: string): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "integer" || type === "number") return typeof schema.minimum === "number" ? schema.minimum : 1;
  if (type === "boolean") return false;
  if (type === "array") return [];
  if (type === "object" || isObject(schema.properties)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    return Object.fromEntries(required.map((key) => [key, sampleOf(doc, properties[key], key)]));
  }
  // A string: an id where one is asked for, else a short text.
  return /_id$|^id$/.test(name) ? SAMPLE_ID : "a photo of TOK";
}

/** A request body the operation accepts: the media type's example, else a sample of its schema. */
function sampleBody(doc: Doc, operation: Doc): unknown {
  const media = jsonMedia(doc, operation.requestBody);
  if (!media) return undefined;
  return exampleOf(media)?.value ?? sampleOf(doc, media.schema);
}

function sampleQuery(doc: Doc, item: Doc, operation: Doc): Record<string, string> {
  const all = [
    ...(Array.isArray(item.parameters) ? item.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ].map((p) => resolveLocal(doc, p));
  const query: Record<string, string> = {};
  for (const p of all) {
    if (isObject(p) && p.in === "query" && p.required === true) {
      query[String(p.name)] = String(sampleOf(doc, p.schema, String(p.name)));
    }
  }
  return query;
}

function declaredErrors(doc: Doc, operation: Doc): SpecCall["errors"] {
  const responses = isObject(operation.responses) ? operation.responses : {};
  return Object.keys(responses)
    .filter((status) => /^[45]\d\d$/.test(status) && status !== "422")
    .map((status) => {
      const media = jsonMedia(doc, responses[status]);
      return { status: Number(status), example: media ? exampleOf(media)?.value : undefined };
    });
}

/** Every operation of `doc` (default: the effective spec), with a request it accepts. */
export function specCalls(doc: Doc = effectiveSpec()): SpecCall[] {
  return [...eachOperation(doc)].map(({ path, method, operation, item }) => ({
    path,
    method: method.toUpperCase(),
    query: sampleQuery(doc, item, operation),
    body: sampleBody(doc, operation),
    failures: Object.keys(isObject(operation.responses) ? operation.responses : {})
      .filter((status) => /^[45]\d\d$/.test(status))
      .map(Number),
    errors: declaredErrors(doc, operation),
  }));
}

/** `call`'s URL on `base`, with its query. */
export function urlOf(base: string, call: Pick<SpecCall, "path" | "query">): string {
  const query = new URLSearchParams(call.query).toString();
  return `${base.replace(/\/$/, "")}${call.path}${query ? `?${query}` : ""}`;
}
