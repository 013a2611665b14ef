/**
 * Renders generated/contract.ts: what the facade and the fake need at run time from the effective
 * spec and types cannot carry: the client's default server, per operation the JSON schema of every
 * declared JSON response, its operationId, API key header, query parameters, request body and the
 * spec's example per status; plus the component schemas those reference. The client's part (the
 * server, 2xx schemas) and the fake's part are separate exports, so the client's bundle holds only
 * its own.
 *
 * Schemas keep only the keywords src/validate.ts checks (SCHEMA_KEYWORDS, src/schema.ts); annotations are dropped
 * on purpose; any other keyword stops the generation, so nothing the spec says is silently ignored.
 * A component schema is a constant and a `$ref` to it that constant itself, so the validator
 * follows no references and a bundle holds only the components its importer reaches, without
 * their names.
 */

import { SCHEMA_KEYWORDS } from "../../src/schema.js";
import { isObject } from "../../src/utils/is-object.js";
import {
  eachOperation,
  type HttpMethod,
  jsonMedia,
  operationSecurity,
  operationServers,
  resolveLocal,
} from "./openapi-operations.ts";

type Doc = Record<string, unknown>;

/**
 * The operation whose first server is the client's default base URL: the finetune endpoints'
 * host, which the spec names (the legacy us1 one). A spec without it stops the generation rather
 * than let the default move elsewhere unnoticed.
 */
const DEFAULT_SERVER_OPERATION: { method: HttpMethod; path: string } = {
  method: "post",
  path: "/v1/delete_finetune",
};

/**
 * Keywords that say nothing a response must satisfy. `format` is one too: JSON Schema 2020-12
 * treats it as an annotation unless a validator opts in, and a server's idea of "date-time" is
 * not worth failing a delete over.
 */
const ANNOTATIONS = new Set([
  "title",
  "description",
  "example",
  "examples",
  "default",
  "deprecated",
  "format",
  "readOnly",
  "writeOnly",
  "externalDocs",
  "$comment",
]);
const CHECKED: ReadonlySet<string> = new Set(SCHEMA_KEYWORDS);
const SCHEMA_REF = "#/components/schemas/";

/** A `$ref` to a component schema: rendered as the identifier of the component's constant. */
class ComponentRef {
  constructor(readonly name: string) {}
}

/**
 * A schema reduced to what the validator checks, its `$ref`s made {@link ComponentRef}s; `refs`
 * collects the component names it uses. A `$ref` beside other keywords applies with them (as in
 * OpenAPI 3.1), so it joins their `allOf`.
 */
function stripSchema(schema: unknown, refs: Set<string>, where: string): unknown {
  if (!isObject(schema)) {
    if (typeof schema === "boolean") return schema;
    throw new Error(`the schema at ${where} is not an object`);
  }
  const out: Doc = {};
  let ref: ComponentRef | undefined;
  for (const [key, value] of Object.entries(schema)) {
    const at = `${where}/${key}`;
    if (ANNOTATIONS.has(key) || key.startsWith("x-")) continue;
    if (key !== "$ref" && !CHECKED.has(key)) {
      throw new Error(
        `schema keyword "${key}" at ${where} is not checked by src/validate.ts: teach the validator (with a unit test) before generating`,
      );
    }
    if (key === "$ref") {
      if (typeof value !== "string" || !value.startsWith(SCHEMA_REF)) throw new Error(`unsupported $ref at ${at}`);
      ref = new ComponentRef(value.slice(SCHEMA_REF.length));
      refs.add(ref.name);
    } else if (key === "properties" && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, stripSchema(sub, refs, `${at}/${name}`)]),
      );
    } else if ((key === "anyOf" || key === "allOf") && Array.isArray(value)) {
      out[key] = value.map((sub, i) => stripSchema(sub, refs, `${at}/${i}`));
    } else if (key === "items" || key === "additionalProperties") {
      out[key] = stripSchema(value, refs, at);
    } else {
      out[key] = value; // type, required, enum, const: values, not schemas
    }
  }
  simplify(out);
  if (!ref) return out;
  if (Object.keys(out).length === 0) return ref;
  return { ...out, allOf: [...((out.allOf as unknown[] | undefined) ?? []), ref] };
}

/** Whether a stripped schema accepts every value (`{}` or `true`). */
const acceptsAll = (schema: unknown): boolean =>
  schema === true || (isObject(schema) && !(schema instanceof ComponentRef) && Object.keys(schema).length === 0);

/**
 * Rewrites a stripped schema in place into a shorter one that finds the same issues at the same
 * paths (the wording aside), as the client bundles what 2xx schemas hold: an `items` or
 * `additionalProperties` that accepts everything goes, as does an `anyOf` with such a branch; an
 * `anyOf` of bare types alone becomes one `type` list ("expected number or null, got string").
 */
function simplify(out: Doc): void {
  if (acceptsAll(out.items)) delete out.items;
  if (acceptsAll(out.additionalProperties)) delete out.additionalProperties;
  const { anyOf } = out;
  if (!Array.isArray(anyOf)) return;
  if (anyOf.some(acceptsAll)) delete out.anyOf;
  else if (Object.keys(out).length === 1 && anyOf.every(isBareType)) {
    delete out.anyOf;
    out.type = [...new Set(anyOf.flatMap((branch) => branch.type))];
  }
}

/** A stripped schema that says only its `type`. */
const isBareType = (schema: unknown): schema is { type: string | string[] } =>
  isObject(schema) && !(schema instanceof ComponentRef) && Object.keys(schema).join() === "type";

/** The value of the first example of a media type (`examples` map or `example`), if any. */
function firstExample(doc: Doc, media: Doc): { value: unknown } | undefined {
  if (isObject(media.examples)) {
    for (const example of Object.values(media.examples)) {
      const resolved = resolveLocal(doc, example);
      if (isObject(resolved) && "value" in resolved) return { value: resolved.value };
    }
  }
  return "example" in media ? { value: media.example } : undefined;
}

/** The header name of the first API key in a header the operation accepts, else null. */
function apiKeyHeader(doc: Doc, security: unknown): string | null {
  const schemes =
    isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  for (const requirement of Array.isArray(security) ? security : []) {
    for (const name of isObject(requirement) ? Object.keys(requirement) : []) {
      const scheme = resolveLocal(doc, schemes[name]);
      if (isObject(scheme) && scheme.type === "apiKey" && scheme.in === "header") return String(scheme.name);
    }
  }
  return null;
}

/** Query parameters (path-level ones first, the operation's override by name). */
function queryParameters(doc: Doc, item: Doc, operation: Doc, refs: Set<string>, where: string): Doc {
  const out: Doc = {};
  const all = [
    ...(Array.isArray(item.parameters) ? item.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ];
  for (const raw of all) {
    const parameter = resolveLocal(doc, raw);
    if (!isObject(parameter) || parameter.in !== "query") continue;
    const name = String(parameter.name);
    out[name] = {
      required: parameter.required === true,
      schema: stripSchema(parameter.schema ?? {}, refs, `${where}/parameters/${name}`),
    };
  }
  return out;
}

/** A status whose answer the client returns as a result (2xx), not as an error. */
const isSuccess = (status: string): boolean => /^2[0-9X]{2}$/i.test(status);

/** One operation's parts, each bound for its own export (see renderContract). */
interface OperationParts {
  request: Doc;
  responses: Doc;
  errorResponses: Doc;
  examples: Doc;
}

/** One operation, split by reader; `refs` collects the components it uses. */
function operationParts(
  doc: Doc,
  { item, operation }: { item: Doc; operation: Doc },
  refs: Set<string>,
  where: string,
): OperationParts {
  const body = resolveLocal(doc, operation.requestBody);
  const bodyMedia = jsonMedia(doc, body);
  const parts: OperationParts = {
    request: {
      operationId: typeof operation.operationId === "string" ? operation.operationId : null,
      apiKeyHeader: apiKeyHeader(doc, operationSecurity(doc, { operation })),
      query: queryParameters(doc, item, operation, refs, where),
      body: bodyMedia
        ? {
            required: isObject(body) && body.required === true,
            schema: stripSchema(bodyMedia.schema ?? {}, refs, `${where}/requestBody`),
          }
        : null,
    },
    responses: {},
    errorResponses: {},
    examples: {},
  };
  for (const [status, response] of Object.entries(isObject(operation.responses) ? operation.responses : {})) {
    const media = jsonMedia(doc, response);
    if (!media) continue;
    const schema = stripSchema(media.schema ?? {}, refs, `${where}/responses/${status}`);
    (isSuccess(status) ? parts.responses : parts.errorResponses)[status] = schema;
    const example = firstExample(doc, media);
    if (example) parts.examples[status] = example.value;
  }
  return parts;
}

/** Every component schema reachable from `names`, stripped, in name order. */
function collectSchemas(doc: Doc, names: Set<string>): Doc {
  const components = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const done: Doc = {};
  const queue = [...names];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (name in done) continue;
    if (!(name in components)) throw new Error(`a schema references the missing component ${name}`);
    const refs = new Set<string>();
    done[name] = stripSchema(components[name], refs, `${SCHEMA_REF}${name}`);
    queue.push(...refs);
  }
  return Object.fromEntries(
    Object.keys(done)
      .sort()
      .map((name) => [name, done[name]]),
  );
}

type PerOperation = Record<string, Record<string, unknown>>;

/** The identifier of each component's constant: its name made an identifier, `Schema` appended, never twice the same. */
export function identifiers(names: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  return new Map(
    names.map((name) => {
      const base = `${/^[A-Za-z_$]/.test(name) ? "" : "_"}${name.replace(/[^\w$]/g, "_")}Schema`;
      let id = base;
      for (let i = 2; taken.has(id); i++) id = `${base}${i}`;
      taken.add(id);
      return [name, id];
    }),
  );
}

/** `value` as TypeScript source (JSON, indented by two), each {@link ComponentRef} as its constant's identifier. */
function source(value: unknown, ids: ReadonlyMap<string, string>, indent = ""): string {
  if (value instanceof ComponentRef) return ids.get(value.name) as string;
  const inner = `${indent}  `;
  const lines = (items: string[], open: string, close: string) =>
    items.length === 0 ? `${open}${close}` : `${open}\n${items.map((i) => inner + i).join(",\n")}\n${indent}${close}`;
  if (Array.isArray(value))
    return lines(
      value.map((v) => source(v, ids, inner)),
      "[",
      "]",
    );
  if (isObject(value)) {
    return lines(
      Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${source(v, ids, inner)}`),
      "{",
      "}",
    );
  }
  return JSON.stringify(value);
}

/** The names of the components `value` refers to, at any depth. */
function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (value instanceof ComponentRef) out.add(value.name);
  else if (isObject(value) || Array.isArray(value)) for (const v of Object.values(value)) refsIn(v, out);
  return out;
}

/** Component names in an order where each comes after those it refers to, but for cycles. */
function dependencyOrder(components: Doc): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const used of refsIn(components[name])) visit(used);
    order.push(name);
  };
  for (const name of Object.keys(components)) visit(name);
  return order;
}

/**
 * One constant per component schema, each after those it refers to. A reference to one not yet
 * declared (a cycle) sits in a getter, read only once every constant exists; such a constant is
 * typed `Schema`, as its type cannot be inferred from itself.
 */
function componentConstants(components: Doc, ids: ReadonlyMap<string, string>): string[] {
  const declared = new Set<string>();
  return dependencyOrder(components).map((name) => {
    const schema = components[name];
    const id = ids.get(name) as string;
    const forward = (value: unknown) => [...refsIn(value)].some((used) => !declared.has(used));
    const text =
      !isObject(schema) || !forward(schema)
        ? `const ${id} = ${source(schema, ids)} as const;\n`
        : `const ${id}: Schema = {\n${Object.entries(schema)
            .map(([key, value]) =>
              forward(value)
                ? `  get ${JSON.stringify(key)}() {\n    return ${source(value, ids, "    ")};\n  }`
                : `  ${JSON.stringify(key)}: ${source(value, ids, "  ")}`,
            )
            .join(",\n")}\n};\n`;
    declared.add(name);
    return text;
  });
}

/** `value` as a constant of generated/contract.ts, with its doc comment. */
const constant = (comment: string, name: string, value: unknown, ids: ReadonlyMap<string, string>): string =>
  `/** ${comment} */\nexport const ${name} = ${source(value, ids)} as const;\n`;

/**
 * The text of generated/contract.ts for the effective spec. Each part is its own export, so a
 * bundler leaves out of the client what only the fake (`bfl-finetune/testing`) and tests read:
 * request schemas, error responses, examples and the components only they use.
 */
export function renderContract(doc: Doc, sourceName: string, serverOf = DEFAULT_SERVER_OPERATION): string {
  let server: string | undefined;
  const refs = new Set<string>();
  const table: Record<keyof OperationParts, PerOperation> = {
    request: {},
    responses: {},
    errorResponses: {},
    examples: {},
  };
  for (const { path, method, operation, item } of eachOperation(doc)) {
    const where = `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}`;
    const parts = operationParts(doc, { item, operation }, refs, where);
    if (path === serverOf.path && method === serverOf.method) server = operationServers(doc, { operation, item })[0];
    for (const key of Object.keys(table) as (keyof OperationParts)[]) {
      table[key][path] ??= {};
      (table[key][path] as Record<string, unknown>)[method] = parts[key];
    }
  }
  if (server === undefined) {
    throw new Error(
      `${serverOf.method.toUpperCase()} ${serverOf.path}, whose server is the client's default, is not in the spec`,
    );
  }
  const components = collectSchemas(doc, refs);
  const ids = identifiers(Object.keys(components));
  const constants = componentConstants(components, ids);
  return [
    `// This file was generated by scripts/generate.ts from ${sourceName}. Do not make direct changes to the file.`,
    "// Run `npm run generate` to update it.",
    "",
    ...(constants.some((text) => text.includes(": Schema = "))
      ? ['import type { Schema } from "../src/schema.js";', ""]
      : []),
    "// Component schemas, each after those it refers to: a bundle holds those its importer reaches.",
    "",
    ...constants,
    "// What the client reads (per operation: path, then method, in the spec's order).",
    "",
    constant(
      `The client's default base URL: the first server of ${serverOf.method.toUpperCase()} ${serverOf.path}.`,
      "defaultServer",
      server,
      ids,
    ),
    constant(
      "JSON schema of each declared 2xx JSON response: what the client validates.",
      "responses",
      table.responses,
      ids,
    ),
    "// What only the fake (bfl-finetune/testing) and tests read: separate exports, so bundles of the",
    "// client leave them out.",
    "",
    constant(
      "Per operation: operationId, API key header (from its security, else null), query parameters, JSON body (or null).",
      "requests",
      table.request,
      ids,
    ),
    constant(
      "JSON schema of each other declared JSON response (4xx, 5xx, default).",
      "errorResponses",
      table.errorResponses,
      ids,
    ),
    constant("The spec's example body per status, where it has one.", "examples", table.examples, ids),
    constant(
      "Every component schema the operations reference, by name, stripped to the keywords src/validate.ts checks.",
      "schemas",
      Object.fromEntries(Object.keys(components).map((name) => [name, new ComponentRef(name)])),
      ids,
    ),
  ].join("\n");
}
