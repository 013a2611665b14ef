/**
 * The fake's view of the effective spec: one entry per covered operation, read from
 * generated/contract.ts, so that routes, key header, request schemas and response schemas all
 * come from the spec and never from hand-written copies.
 */
import { errorResponses, examples, requests, responses } from "../../generated/contract.js";
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

type Request = Pick<OperationSpec, "operationId" | "apiKeyHeader" | "query" | "body">;
/** A generated per-operation table (path, then method) read as plain records. */
type Table<T> = Record<string, Record<string, T>>;

/** The generated per-operation exports joined back into one record per operation. */
function flatten(): OperationSpec[] {
  const at = <T>(table: unknown, path: string, method: string): T | undefined => (table as Table<T>)[path]?.[method];
  return Object.entries(requests as unknown as Table<Request>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, request]) => ({
      ...request,
      path,
      method: method.toUpperCase(),
      responses: { ...at(responses, path, method), ...at(errorResponses, path, method) },
      examples: at<OperationSpec["examples"]>(examples, path, method) ?? {},
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

/** The fields every body `schema` accepts must have (for `anyOf`, those all its branches require). */
export function requiredFields(schema: Schema): readonly string[] {
  if (!schema.anyOf) return schema.required ?? [];
  const [first = [], ...rest] = schema.anyOf.map(requiredFields);
  return first.filter((field) => rest.every((required) => required.includes(field)));
}
