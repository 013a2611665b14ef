/**
 * Renders generated/contract.ts: what the facade needs at run time from the effective spec and
 * types cannot carry: per operation its operationId, server URLs, API key header, query
 * parameters, request body, the JSON schema of every declared JSON response, and the spec's
 * example per status; plus the component schemas those reference.
 *
 * Schemas keep only the keywords src/validate.ts checks (SCHEMA_KEYWORDS, src/schema.ts); annotations are dropped
 * on purpose; any other keyword stops the generation, so nothing the spec says is silently ignored.
 */

import { SCHEMA_KEYWORDS } from "../../src/schema.js";
import { isObject } from "../../src/utils/is-object.js";
import { eachOperation, jsonMedia, operationSecurity, operationServers, resolveLocal } from "./openapi-operations.ts";

type Doc = Record<string, unknown>;

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

/** A schema reduced to what the validator checks; `refs` collects the component names it uses. */
function stripSchema(schema: unknown, refs: Set<string>, where: string): unknown {
  if (!isObject(schema)) {
    if (typeof schema === "boolean") return schema;
    throw new Error(`the schema at ${where} is not an object`);
  }
  const out: Doc = {};
  for (const [key, value] of Object.entries(schema)) {
    const at = `${where}/${key}`;
    if (ANNOTATIONS.has(key) || key.startsWith("x-")) continue;
    if (!CHECKED.has(key)) {
      throw new Error(
        `schema keyword "${key}" at ${where} is not checked by src/validate.ts: teach the validator (with a unit test) before generating`,
      );
    }
    if (key === "$ref") {
      if (typeof value !== "string" || !value.startsWith(SCHEMA_REF)) throw new Error(`unsupported $ref at ${at}`);
      refs.add(value.slice(SCHEMA_REF.length));
      out[key] = value;
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
  return out;
}

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

function operationContract(doc: Doc, item: Doc, operation: Doc, refs: Set<string>, where: string): Doc {
  const body = resolveLocal(doc, operation.requestBody);
  const bodyMedia = jsonMedia(doc, body);
  const responses: Doc = {};
  const examples: Doc = {};
  for (const [status, response] of Object.entries(isObject(operation.responses) ? operation.responses : {})) {
    const media = jsonMedia(doc, response);
    if (!media) continue;
    responses[status] = stripSchema(media.schema ?? {}, refs, `${where}/responses/${status}`);
    const example = firstExample(doc, media);
    if (example) examples[status] = example.value;
  }
  return {
    operationId: typeof operation.operationId === "string" ? operation.operationId : null,
    servers: operationServers(doc, { operation, item }),
    apiKeyHeader: apiKeyHeader(doc, operationSecurity(doc, { operation })),
    query: queryParameters(doc, item, operation, refs, where),
    body: bodyMedia
      ? {
          required: isObject(body) && body.required === true,
          schema: stripSchema(bodyMedia.schema ?? {}, refs, `${where}/requestBody`),
        }
      : null,
    responses,
    examples,
  };
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

/** The text of generated/contract.ts for the effective spec. */
export function renderContract(doc: Doc, sourceName: string): string {
  const refs = new Set<string>();
  const operations: Record<string, Doc> = {};
  for (const { path, method, operation, item } of eachOperation(doc)) {
    const where = `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}`;
    operations[path] ??= {};
    (operations[path] as Doc)[method] = operationContract(doc, item, operation, refs, where);
  }
  const schemas = collectSchemas(doc, refs);
  return [
    `// This file was generated by scripts/generate.ts from ${sourceName}. Do not make direct changes to the file.`,
    "// Run `npm run generate` to update it.",
    "",
    "/** What each operation needs at run time, in the spec's order; response schemas per declared JSON status. */",
    `export const operations = ${JSON.stringify(operations, null, 2)} as const;`,
    "",
    "/** Component schemas the operations reference, stripped to the keywords src/validate.ts checks. */",
    `export const schemas = ${JSON.stringify(schemas, null, 2)} as const;`,
    "",
  ].join("\n");
}
