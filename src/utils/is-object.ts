/** A plain JSON-like object: not null, not an array. The one such guard in src/ and scripts/. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
