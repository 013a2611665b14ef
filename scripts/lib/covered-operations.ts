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
   * Upstream declares no security on it although BFL's guides send the key; openapi/overlay.yaml
   * adds it. The pull does not refuse its missing security (every other covered operation's).
   */
  securityFromOverlay?: true;
}

export const COVERED_OPERATIONS: readonly CoveredOperation[] = [
  { method: "post", path: "/v1/delete_finetune", sends: { in: "body", name: "finetune_id" } },
  { method: "get", path: "/v1/my_finetunes" },
  { method: "get", path: "/v1/finetune_details", sends: { in: "query", name: "finetune_id" } },
  // Generating with a finetune: submit a task, follow it, and the balance a user checks first.
  { method: "post", path: "/v1/flux-pro-1.1-ultra-finetuned", sends: { in: "body", name: "finetune_id" } },
  { method: "post", path: "/v1/flux-pro-1.0-fill-finetuned", sends: { in: "body", name: "finetune_id" } },
  { method: "get", path: "/v1/get_result", sends: { in: "query", name: "id" }, securityFromOverlay: true },
  { method: "get", path: "/v1/credits" },
];

/** "POST /v1/delete_finetune". */
export const operationName = ({ method, path }: Pick<CoveredOperation, "method" | "path">): string =>
  `${method.toUpperCase()} ${path}`;
