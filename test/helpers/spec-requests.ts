/**
 * Requests built from the effective spec rather than written out per operation, so that a test
 * over every operation (every `-finetuned` model, whatever the spec adds) needs no edit when the
 * spec gains one.
 */
import type { OperationSpec } from "../../src/testing/fake-contract.js";
import type { Schema } from "../../src/validate.js";

type Bounds = Schema & { minimum?: number; minLength?: number; default?: unknown };

/** The smallest value `schema` accepts, as far as tests need: required fields only. */
export function sampleOf(schema: Schema): unknown {
  const s = schema as Bounds;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf) return sampleOf(s.anyOf.find((branch) => branch.type !== "null") ?? {});
  if (s.allOf) return Object.assign({}, ...s.allOf.map(sampleOf));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      return "x".repeat(Math.max(1, s.minLength ?? 1));
    case "number":
    case "integer":
      return s.minimum ?? 1;
    case "boolean":
      return false;
    case "array":
      return [];
    default:
      return Object.fromEntries(
        (s.required ?? []).map((name) => [name, sampleOf(s.properties?.[name] ?? { type: "string" })]),
      );
  }
}

/** A body `op` accepts, about finetune `finetuneId`, with `extra` fields over it. */
export function validBody(op: OperationSpec, finetuneId: string, extra: Record<string, unknown> = {}): unknown {
  if (!op.body) return undefined;
  return { ...(sampleOf(op.body.schema) as object), finetune_id: finetuneId, ...extra };
}
