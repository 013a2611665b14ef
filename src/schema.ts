/**
 * The subset of JSON Schema that generated/contract.ts holds and src/validate.ts checks. Kept
 * apart from the validator (no import of generated/) so the generator can read the keyword list
 * even when generated/ is stale or missing. No `$ref`: the generator puts the component schema
 * itself where the spec refers to it (scripts/lib/contract.ts).
 */

export interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: { readonly [name: string]: Schema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** Every keyword `validate` checks: what scripts/lib/contract.ts may keep in a generated schema. */
export const SCHEMA_KEYWORDS = [
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "anyOf",
  "allOf",
  "enum",
  "const",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
] as const satisfies readonly (keyof Schema)[];

type IsTrue<T extends true> = T;
/** Fails to compile when Schema gains a keyword that SCHEMA_KEYWORDS does not list. */
export type EveryKeywordListed = IsTrue<
  [Exclude<keyof Schema, (typeof SCHEMA_KEYWORDS)[number]>] extends [never] ? true : false
>;
