/** What a pulled document must be before it may replace the snapshot. */

import { isObject } from "./json.ts";
import { SpecError } from "./spec-source.ts";

export type OpenApiDoc = Record<string, unknown> & { openapi: string; paths: Record<string, Record<string, unknown>> };

export function assertOpenApi3(doc: unknown, from: string): asserts doc is OpenApiDoc {
  if (!isObject(doc) || typeof doc.openapi !== "string" || !/^3\.\d+\.\d+/.test(doc.openapi)) {
    const found = isObject(doc) && typeof doc.swagger === "string" ? ` (found swagger: ${doc.swagger})` : "";
    throw new SpecError(`${from} is not an OpenAPI 3.x document${found}`);
  }
  if (!isObject(doc.paths)) throw new SpecError(`${from} has no paths`);
}

/** Every `$ref` must point inside the document: the snapshot is one self-contained file. */
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

/**
 * Validates with Redocly's "minimal" rules (the OpenAPI structure, resolvable references; the
 * engine openapi-typescript uses), plus unique operationIds, as openapi-typescript requires, and
 * defined security schemes. Warnings are not refusals.
 */
export async function assertValid(doc: OpenApiDoc, from: string): Promise<void> {
  assertLocalRefs(doc, from);
  // Loaded on demand: it takes a good part of a second, and refusals before this point skip it.
  const { createConfig, lintFromString } = await import("@redocly/openapi-core");
  const config = await createConfig({
    extends: ["minimal"],
    rules: { "operation-operationId-unique": "error", "security-defined": "error" },
  });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: "/openapi.json", config });
  const errors = problems.filter((p) => p.severity === "error");
  const first = errors[0];
  if (!first) return;
  const at = first.location[0]?.pointer ? ` at ${first.location[0].pointer}` : "";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  throw new SpecError(`${from} fails OpenAPI validation: ${first.message}${at}${more}`);
}

/** Follows local `$ref`s (JSON pointers into the document) to the node they name. */
function resolve(doc: OpenApiDoc, node: unknown): unknown {
  for (let depth = 0; isObject(node) && typeof node.$ref === "string" && depth < 20; depth++) {
    const ref: string = node.$ref;
    if (!ref.startsWith("#/")) return undefined;
    node = ref
      .slice(2)
      .split("/")
      .map((key) => key.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), doc);
  }
  return node;
}

function jsonSchemaOf(doc: OpenApiDoc, holder: unknown): unknown {
  const content = resolve(doc, holder);
  if (!isObject(content) || !isObject(content.content)) return undefined;
  const media = content.content["application/json"];
  return isObject(media) ? resolve(doc, media.schema) : undefined;
}

/** Allows `type: "string"` and 3.1's `type: ["string", …]`; a field without `type` is not checked. */
const allowsString = (schema: Record<string, unknown>) =>
  schema.type === undefined ||
  schema.type === "string" ||
  (Array.isArray(schema.type) && schema.type.includes("string"));

/**
 * What the facade (src/client.ts) relies on: `POST /v1/delete_finetune` taking a JSON body with a
 * string `finetune_id` and answering 200 with a JSON object. Anything finer is for the change
 * report and, in `npm run regen`, for the type-check.
 */
export function assertFacadeNeeds(doc: OpenApiDoc, from: string): void {
  const item = resolve(doc, doc.paths["/v1/delete_finetune"]);
  if (!isObject(item) || !isObject(item.post)) {
    throw new SpecError(`${from} lacks POST /v1/delete_finetune, which the client calls`);
  }
  const post = item.post;
  const input = jsonSchemaOf(doc, post.requestBody);
  const field = isObject(input) && isObject(input.properties) ? resolve(doc, input.properties.finetune_id) : undefined;
  if (!isObject(field) || !allowsString(field)) {
    throw new SpecError(`${from}: POST /v1/delete_finetune no longer takes a JSON body with a string finetune_id`);
  }
  const output = isObject(post.responses) ? jsonSchemaOf(doc, post.responses["200"]) : undefined;
  if (!isObject(output) || !(output.type === "object" || isObject(output.properties) || Array.isArray(output.allOf))) {
    throw new SpecError(`${from}: POST /v1/delete_finetune has no JSON object 200 response`);
  }
}
