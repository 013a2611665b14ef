/** The operation keys of an OpenAPI path item: the one list of HTTP methods in src/ and scripts/. */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
