/**
 * The fake's view of the effective spec: one entry per covered operation, read from
 * generated/contract.ts, so that routes, key header, request schemas and response schemas all
 * come from the spec and never from hand-written copies.
 */
import { operations, schemas } from "../../generated/contract.js";
import type { Schema } from "../validate.js";

/** One operation as generated/contract.ts describes it. */
export interface OperationSpec {
  readonly path: string;
  /** Upper case, as in a request's `method`. */
  readonly method: string;
  readonly operationId: string;
  /** The header that carries the API key; `null` when the operation needs none. */
  readonly apiKeyHeader: string | null;
  readonly query: { readonly [name: string]: { readonly required: boolean; readonly schema: Schema } };
  readonly body: { readonly required: boolean; readonly schema: Schema } | null;
  /** Response schema per declared status. */
  readonly responses: { readonly [status: string]: Schema };
  /** The spec's example body per status, where it has one. */
  readonly examples: { readonly [status: string]: unknown };
}

type Generated = Omit<OperationSpec, "path" | "method" | "examples"> & { examples?: OperationSpec["examples"] };

function flatten(): OperationSpec[] {
  const table = operations as unknown as Record<string, Record<string, Generated>>;
  return Object.entries(table).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      ...op,
      path,
      method: method.toUpperCase(),
      examples: op.examples ?? {},
    })),
  );
}

/** Every operation of the effective spec. */
export const OPERATIONS: readonly OperationSpec[] = flatten();

/** The operation at `path`, if any, and whether `method` is one it answers. */
export function findOperation(
  method: string,
  path: string,
): { operation: OperationSpec | undefined; pathKnown: boolean } {
  const atPath = OPERATIONS.filter((op) => op.path === path);
  return { operation: atPath.find((op) => op.method === method), pathKnown: atPath.length > 0 };
}

/** A component schema behind `$ref`s, for reading the shape of a body (validation has its own). */
export function resolveSchema(schema: Schema): Schema {
  if (schema.$ref === undefined) return schema;
  const components = schemas as unknown as Record<string, Schema>;
  const target = components[schema.$ref.slice(schema.$ref.lastIndexOf("/") + 1)];
  return target ? resolveSchema(target) : schema;
}
