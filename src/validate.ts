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
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

/** Returns every way `value` breaks `schema`, `$ref`s looked up in `components`; empty when it conforms. */
export function validate(schema: Schema, value: unknown, components: Components): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  check(schema, value, "", components, issues);
  return issues;
}

/** The component schema a `$ref` (`#/components/schemas/NAME`) names, if `components` has it. */
export function refTarget(ref: string, components: Components): Schema | undefined {
  const name = ref.slice(ref.lastIndexOf("/") + 1);
  return Object.hasOwn(components, name) ? components[name] : undefined;
}

/** Adds to `issues` every way `value` (at `path`) breaks `schema`, in the order of the keywords below. */
function check(schema: Schema, value: unknown, path: string, components: Components, issues: ResponseIssue[]): void {
  const add = (message: string) => {
    issues.push({ path, message });
  };
  if (schema.$ref !== undefined) {
    const target = refTarget(schema.$ref, components);
    if (target) check(target, value, path, components, issues);
    else add(`unknown schema ${schema.$ref}`);
    return;
  }
  const type = typeOf(value);
  if (schema.type !== undefined) {
    const types = typeof schema.type === "string" ? [schema.type] : schema.type;
    if (!types.some((t) => t === type || (t === "integer" && Number.isInteger(value)))) {
      add(`expected ${types.join(" or ")}, got ${type}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.some((allowed) => sameJson(allowed, value))) add("not one of the allowed values");
  if ("const" in schema && !sameJson(schema.const, value)) add("not the expected constant");
  const { minimum = -Infinity, maximum = Infinity, minLength = 0, maxLength = Infinity } = schema;
  if (typeof value === "number") {
    if (value < minimum) add(`less than ${minimum}`);
    if (value > maximum) add(`more than ${maximum}`);
  }
  // Code points, as JSON Schema counts; counted only when a bound is given.
  if (typeof value === "string" && (schema.minLength ?? schema.maxLength) !== undefined) {
    const length = [...value].length;
    if (length < minLength) add(`shorter than ${minLength} characters`);
    if (length > maxLength) add(`longer than ${maxLength} characters`);
  }
  for (const sub of schema.allOf ?? []) check(sub, value, path, components, issues);
  if (schema.anyOf && !schema.anyOf.some((sub) => validate(sub, value, components).length === 0)) {
    add("matches none of the allowed shapes");
  }
  const { items } = schema;
  if (type === "array" && items) {
    for (const [i, item] of (value as unknown[]).entries()) check(items, item, join(path, i), components, issues);
  }
  if (type === "object") checkObject(schema, value as Record<string, unknown>, path, components, issues);
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
  issues: ResponseIssue[],
): void {
  const properties = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) issues.push({ path: join(path, name), message: "required field is missing" });
  }
  for (const [name, field] of Object.entries(value)) {
    const sub = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
    if (sub === false) issues.push({ path: join(path, name), message: "field not allowed" });
    else if (sub !== undefined && sub !== true) check(sub, field, join(path, name), components, issues);
  }
}
