/** A parsed JSON object, as the spec scripts walk OpenAPI documents. */
export type Json = Record<string, unknown>;

/** A plain object (not null, not an array). */
export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
