/** What a pulled document must be before it may replace the snapshot. */
import openapiTS, { type OpenAPI3 } from "openapi-typescript";
import { SpecError } from "./spec-source.ts";

export type OpenApiDoc = Record<string, unknown> & { openapi: string; paths: Record<string, Record<string, unknown>> };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function assertOpenApi3(doc: unknown, from: string): asserts doc is OpenApiDoc {
  if (!isObject(doc) || typeof doc.openapi !== "string" || !/^3\.\d+/.test(doc.openapi)) {
    throw new SpecError(`${from} is not an OpenAPI 3.x document (no "openapi: 3.x" field)`);
  }
  if (!isObject(doc.paths)) throw new SpecError(`${from} has no paths`);
}

/** Validates with openapi-typescript's own Redocly check; its first error becomes the one line. */
export async function assertValid(doc: OpenApiDoc, from: string): Promise<void> {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    await openapiTS(structuredClone(doc) as unknown as OpenAPI3, { silent: true });
  } catch (error) {
    throw new SpecError(`${from} fails OpenAPI validation: ${(error as Error).message}`);
  } finally {
    console.error = original;
  }
}

function resolve(doc: OpenApiDoc, node: unknown): unknown {
  for (let depth = 0; isObject(node) && typeof node.$ref === "string" && depth < 20; depth++) {
    const ref: string = node.$ref;
    node = ref
      .slice(2)
      .split("/")
      .reduce<unknown>(
        (at, key) => (isObject(at) ? at[key.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined),
        doc,
      );
  }
  return node;
}

/** The facade needs `POST /v1/delete_finetune` taking `finetune_id` and answering a JSON 200. */
export function assertFacadeNeeds(doc: OpenApiDoc, from: string): void {
  const operation = resolve(doc, doc.paths["/v1/delete_finetune"]?.post);
  if (!isObject(operation)) throw new SpecError(`${from} lacks POST /v1/delete_finetune, which the client calls`);
  const body = resolve(doc, resolve(doc, operation.requestBody) as never);
  const input =
    isObject(body) && isObject(body.content)
      ? resolve(doc, (body.content["application/json"] as { schema?: unknown })?.schema)
      : undefined;
  if (!isObject(input) || !isObject(input.properties) || !("finetune_id" in input.properties)) {
    throw new SpecError(`${from}: POST /v1/delete_finetune no longer takes a JSON body with finetune_id`);
  }
  const ok = isObject(operation.responses) ? resolve(doc, operation.responses["200"]) : undefined;
  const media = isObject(ok) && isObject(ok.content) ? ok.content["application/json"] : undefined;
  if (!isObject(media) || media.schema === undefined) {
    throw new SpecError(`${from}: POST /v1/delete_finetune has no JSON 200 response`);
  }
}
