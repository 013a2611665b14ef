/**
 * Checks a 2xx body against the response schema generated from the snapshot
 * (generated/contract.ts): types, required fields, arrays and unions. Extra fields pass, as the
 * real API may add some. Only the keywords the generator keeps are understood.
 */
import { schemas } from "../generated/contract.js";
import type { ResponseIssue } from "./errors.js";

/** The subset of JSON Schema that generated/contract.ts holds. */
export interface Schema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly properties?: { readonly [name: string]: Schema };
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly nullable?: boolean;
}

const components: { readonly [name: string]: Schema } = schemas;

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

/** Returns every way `value` breaks `schema`; an empty list means it conforms. */
export function validate(schema: Schema, value: unknown, path = ""): ResponseIssue[] {
  if (schema.$ref !== undefined) {
    const target = components[schema.$ref.slice(schema.$ref.lastIndexOf("/") + 1)];
    return target ? validate(target, value, path) : [{ path, message: `unknown schema ${schema.$ref}` }];
  }
  if (value === null && schema.nullable) return [];
  if (schema.type !== undefined) {
    const types = typeof schema.type === "string" ? [schema.type] : schema.type;
    if (!types.some((t) => hasType(value, t))) {
      return [{ path, message: `expected ${types.join(" or ")}, got ${typeOf(value)}` }];
    }
  }
  const issues: ResponseIssue[] = [];
  if (schema.enum && !schema.enum.includes(value)) issues.push({ path, message: "not one of the allowed values" });
  if ("const" in schema && schema.const !== value) issues.push({ path, message: "not the expected constant" });
  for (const sub of schema.allOf ?? []) issues.push(...validate(sub, value, path));
  const union = schema.anyOf ?? schema.oneOf;
  if (union && !union.some((sub) => validate(sub, value, path).length === 0)) {
    issues.push({ path, message: "matches none of the allowed shapes" });
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      issues.push(...validate(schema.items as Schema, item, join(path, i)));
    });
  }
  if (typeOf(value) === "object") issues.push(...validateObject(schema, value as Record<string, unknown>, path));
  return issues;
}

function validateObject(schema: Schema, value: Record<string, unknown>, path: string): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) issues.push({ path: join(path, name), message: "required field is missing" });
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (Object.hasOwn(value, name)) issues.push(...validate(sub, value[name], join(path, name)));
  }
  return issues;
}
