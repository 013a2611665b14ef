/**
 * Walking the operations of an OpenAPI document: the one place that resolves what applies to an operation (servers: operation > path item > document;
 * security: operation > document).
 */
import { HTTP_METHODS, type HttpMethod } from "../../src/utils/http-methods.js";
import { isObject } from "../../src/utils/is-object.js";

export { HTTP_METHODS, type HttpMethod };

export const isHttpMethod = (key: string): key is HttpMethod => (HTTP_METHODS as readonly string[]).includes(key);

export interface OperationRef {
  path: string;
  method: HttpMethod;
  operation: Record<string, unknown>;
  item: Record<string, unknown>;
}

/** Every operation of `doc`, in the document's order. */
export function* eachOperation(doc: unknown): Generator<OperationRef> {
  if (!isObject(doc) || !isObject(doc.paths)) return;
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (isObject(operation)) yield { path, method, operation, item };
    }
  }
}

/** The `url`s of a node's `servers`, or undefined when it declares none. */
function serverUrls(node: unknown): string[] | undefined {
  if (!isObject(node) || !Array.isArray(node.servers) || node.servers.length === 0) return undefined;
  return node.servers.map((server) => (isObject(server) ? String(server.url) : ""));
}

/** The URLs an operation is called on: its own servers, else its path's, else the document's, else "/". */
export function operationServers(
  doc: unknown,
  { operation, item }: Pick<OperationRef, "operation" | "item">,
): string[] {
  return serverUrls(operation) ?? serverUrls(item) ?? serverUrls(doc) ?? ["/"];
}

/** The security requirements in effect for an operation (its own, else the document's). */
export function operationSecurity(doc: unknown, { operation }: Pick<OperationRef, "operation">): unknown {
  return operation.security ?? (isObject(doc) ? doc.security : undefined);
}

/** Follows local `$ref`s (JSON pointers into the document) to the node they name. */
export function resolveLocal(doc: unknown, node: unknown): unknown {
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

/** The `application/json` media type object of a request body or response (after `$ref`s). */
export function jsonMedia(doc: unknown, holder: unknown): Record<string, unknown> | undefined {
  const resolved = resolveLocal(doc, holder);
  if (!isObject(resolved) || !isObject(resolved.content)) return undefined;
  const media = resolved.content["application/json"];
  return isObject(media) ? media : undefined;
}
