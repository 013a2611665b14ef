/**
 * The operations this client covers: the one list that cuts the upstream document down to the
 * effective spec (openapi/openapi.json), and what the facade (src/client.ts) sends to each, which
 * `spec:pull` checks before accepting a new document. Covering another operation starts here.
 */
import type { HttpMethod } from "./openapi-operations.ts";

export interface CoveredOperation {
  method: HttpMethod;
  path: string;
  /** The string the facade passes in: a JSON body field or a query parameter. */
  sends?: { in: "body" | "query"; name: string };
  /**
   * "overlay" for an operation BFL documents in its guides but not in its OpenAPI document:
   * openapi/overlay.yaml adds it, and the pulled document must not have it (if upstream starts
   * documenting it, `npm run generate` stops and names it rather than merge the two).
   */
  from?: "upstream" | "overlay";
}

export const COVERED_OPERATIONS: readonly CoveredOperation[] = [
  { method: "post", path: "/v1/delete_finetune", sends: { in: "body", name: "finetune_id" } },
  { method: "get", path: "/v1/my_finetunes" },
  { method: "get", path: "/v1/finetune_details", sends: { in: "query", name: "finetune_id" } },
];

/** The covered operations the pulled document itself must have. */
export const UPSTREAM_OPERATIONS: readonly CoveredOperation[] = COVERED_OPERATIONS.filter(
  (op) => op.from !== "overlay",
);

/** "POST /v1/delete_finetune". */
export const operationName = ({ method, path }: Pick<CoveredOperation, "method" | "path">): string =>
  `${method.toUpperCase()} ${path}`;
