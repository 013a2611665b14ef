/**
 * Checks a JSON body against a schema from generated/contract.ts. The generator keeps exactly the
 * keywords in SCHEMA_KEYWORDS (src/schema.ts) and refuses a spec with any other (annotations
 * aside), so every keyword a generated schema holds is checked here. Extra fields pass unless the
 * schema says `additionalProperties: false`, as the real API may add some. A `$ref` of the spec
 * is the component schema itself in generated/contract.ts, so there is nothing to look up.
 */
import type { ResponseIssue } from "./errors.js";
import type { Schema } from "./schema.js";

export type { Schema } from "./schema.js";

/**
 * JSON equality, for enum and const (which may hold objects and arrays). Objects compare by their
 * serialisation, so key order counts: enough for the literal values specs put there.
 */
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Returns every way `value` breaks `schema`, in the order of the keywords below; empty when it conforms. */
export function validate(schema: Schema, value: unknown): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  // One closure over `issues`, rather than functions passing it along: the client's bundle is smaller.
  const check = (schema: Schema, value: unknown, path: string): void => {
    const add = (message: string, at = path) => {
      issues.push({ path: at, message });
    };
    const at = (key: string | number) => (path ? `${path}.${key}` : `${key}`);
    const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    const { minimum = -Infinity, maximum = Infinity, minLength = 0, maxLength = Infinity } = schema;
    const { items, properties = {}, additionalProperties } = schema;
    if (schema.type !== undefined) {
      const types = [schema.type].flat();
      if (!types.some((t) => t === type || (t === "integer" && Number.isInteger(value)))) {
        add(`expected ${types.join(" or ")}, got ${type}`);
        return;
      }
    }
    if (schema.enum && !schema.enum.some((allowed) => sameJson(allowed, value))) add("not one of the allowed values");
    if ("const" in schema && !sameJson(schema.const, value)) add("not the expected constant");
    if (type === "number") {
      if ((value as number) < minimum) add(`less than ${minimum}`);
      if ((value as number) > maximum) add(`more than ${maximum}`);
    }
    // Code points, as JSON Schema counts; counted only when a bound is given.
    if (type === "string" && (schema.minLength ?? schema.maxLength) !== undefined) {
      const length = [...(value as string)].length;
      if (length < minLength) add(`shorter than ${minLength} characters`);
      if (length > maxLength) add(`longer than ${maxLength} characters`);
    }
    for (const sub of schema.allOf ?? []) check(sub, value, path);
    if (schema.anyOf && !schema.anyOf.some((sub) => validate(sub, value).length === 0)) {
      add("matches none of the allowed shapes");
    }
    if (type === "array" && items) {
      for (const [i, item] of (value as unknown[]).entries()) check(items, item, at(i));
    }
    if (type !== "object") return;
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value as object, name)) add("required field is missing", at(name));
    }
    for (const [name, field] of Object.entries(value as object)) {
      const sub = Object.hasOwn(properties, name) ? properties[name] : additionalProperties;
      if (sub === false) add("field not allowed", at(name));
      else if (sub !== undefined && sub !== true) check(sub, field, at(name));
    }
  };
  check(schema, value, "");
  return issues;
}
