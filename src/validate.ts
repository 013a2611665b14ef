/**
 * Checks a JSON body against a schema from generated/contract.ts. The generator keeps exactly the
 * keywords in SCHEMA_KEYWORDS (src/schema.ts) and refuses a spec with any other (annotations
 * aside), so every keyword a generated schema holds is checked here. Extra fields pass unless the
 * schema says `additionalProperties: false`, as the real API may add some.
 *
 * The caller passes the component schemas `$ref`s resolve in: the client its `responseSchemas`,
 * the fake every one. Importing them here would put the fake's schemas in the client's bundle.
 */
import type { ResponseIssue } from "./errors.js";
import type { Schema } from "./schema.js";

export type { Schema } from "./schema.js";

/** Component schemas by name, as `#/components/schemas/NAME` refers to them. */
export type Components = { readonly [name: string]: Schema };

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  if (type === "integer") return Number.isInteger(value);
  return typeOf(value) === type;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

/** Returns every way `value` breaks `schema`, `$ref`s looked up in `components`; empty when it conforms. */
export function validate(schema: Schema, value: unknown, components: Components): ResponseIssue[] {
  return check(schema, value, "", components);
}

/** The component schema a `$ref` (`#/components/schemas/NAME`) names, if `components` has it. */
export function refTarget(ref: string, components: Components): Schema | undefined {
  const name = ref.slice(ref.lastIndexOf("/") + 1);
  return Object.hasOwn(components, name) ? components[name] : undefined;
}

function check(schema: Schema, value: unknown, path: string, components: Components): ResponseIssue[] {
  if (schema.$ref !== undefined) {
    const target = refTarget(schema.$ref, components);
    return target ? check(target, value, path, components) : [{ path, message: `unknown schema ${schema.$ref}` }];
  }
  if (schema.type !== undefined) {
    const types = typeof schema.type === "string" ? [schema.type] : schema.type;
    if (!types.some((t) => hasType(value, t))) {
      return [{ path, message: `expected ${types.join(" or ")}, got ${typeOf(value)}` }];
    }
  }
  const issues: ResponseIssue[] = [];
  if (schema.enum && !schema.enum.some((allowed) => sameJson(allowed, value))) {
    issues.push({ path, message: "not one of the allowed values" });
  }
  if ("const" in schema && !sameJson(schema.const, value)) issues.push({ path, message: "not the expected constant" });
  for (const sub of schema.allOf ?? []) issues.push(...check(sub, value, path, components));
  if (schema.anyOf && !schema.anyOf.some((sub) => check(sub, value, path, components).length === 0)) {
    issues.push({ path, message: "matches none of the allowed shapes" });
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      issues.push(...check(schema.items as Schema, item, join(path, i), components));
    });
  }
  if (typeOf(value) === "object") {
    issues.push(...checkObject(schema, value as Record<string, unknown>, path, components));
  }
  return issues;
}

/**
 * JSON equality, for enum and const (which may hold objects and arrays). Objects compare by their
 * serialisation, so key order counts: enough for the literal values specs put there.
 */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkObject(
  schema: Schema,
  value: Record<string, unknown>,
  path: string,
  components: Components,
): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  const properties = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) issues.push({ path: join(path, name), message: "required field is missing" });
  }
  for (const [name, field] of Object.entries(value)) {
    const sub = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
    if (sub === false) issues.push({ path: join(path, name), message: "field not allowed" });
    else if (sub !== undefined && sub !== true) issues.push(...check(sub, field, join(path, name), components));
  }
  return issues;
}
