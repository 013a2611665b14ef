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
}

export const COVERED_OPERATIONS: readonly CoveredOperation[] = [
  { method: "post", path: "/v1/delete_finetune", sends: { in: "body", name: "finetune_id" } },
  { method: "get", path: "/v1/my_finetunes" },
  { method: "get", path: "/v1/finetune_details", sends: { in: "query", name: "finetune_id" } },
];

/** "POST /v1/delete_finetune". */
export const operationName = ({ method, path }: Pick<CoveredOperation, "method" | "path">): string =>
  `${method.toUpperCase()} ${path}`;
