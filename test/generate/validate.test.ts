/** src/validate.ts, keyword by keyword: every keyword the generator may keep is checked here. */
import { describe, expect, it } from "vitest";
import { schemas } from "../../generated/contract.js";
import { SCHEMA_KEYWORDS, type Schema } from "../../src/schema.js";
import { validate } from "../../src/validate.js";

const paths = (schema: Schema, value: unknown) => validate(schema, value).map((i) => `${i.path}: ${i.message}`);

describe("validate", () => {
  it("type: one or several, integer apart from number, null as a type", () => {
    expect(paths({ type: "string" }, "x")).toEqual([]);
    expect(paths({ type: "string" }, 1)).toEqual([": expected string, got number"]);
    expect(paths({ type: "integer" }, 2)).toEqual([]);
    expect(paths({ type: "integer" }, 2.5)).toEqual([": expected integer, got number"]);
    expect(paths({ type: "number" }, 2.5)).toEqual([]);
    expect(paths({ type: ["string", "null"] }, null)).toEqual([]);
    expect(paths({ type: ["string", "null"] }, [])).toEqual([": expected string or null, got array"]);
    expect(paths({ type: "object" }, [])).toEqual([": expected object, got array"]);
  });

  it("properties and required: nested paths, extra fields pass", () => {
    const schema: Schema = {
      type: "object",
      properties: { a: { type: "object", properties: { b: { type: "string" } }, required: ["b"] } },
      required: ["a", "c"],
    };
    expect(paths(schema, { a: { b: "x" }, c: 1, extra: true })).toEqual([]);
    expect(paths(schema, { a: { b: 1 } })).toEqual([
      "c: required field is missing",
      "a.b: expected string, got number",
    ]);
    expect(paths(schema, { a: {}, c: 1 })).toEqual(["a.b: required field is missing"]);
  });

  it("additionalProperties: true allows anything, false refuses extras, a schema checks them", () => {
    const base: Schema = { type: "object", properties: { known: { type: "string" } } };
    expect(paths({ ...base, additionalProperties: true }, { known: "k", x: [1], y: null })).toEqual([]);
    expect(paths({ ...base, additionalProperties: false }, { known: "k", x: 1 })).toEqual(["x: field not allowed"]);
    expect(paths({ ...base, additionalProperties: { type: "number" } }, { known: "k", x: 1, y: "2" })).toEqual([
      "y: expected number, got string",
    ]);
    // The declared property is checked against its own schema, not additionalProperties.
    expect(paths({ ...base, additionalProperties: false }, { known: 1 })).toEqual([
      "known: expected string, got number",
    ]);
  });

  it("items: {} takes any item; a schema checks each with its index", () => {
    expect(paths({ type: "array", items: {} }, ["a", 1, { b: null }, null])).toEqual([]);
    expect(paths({ type: "array", items: { type: "string" } }, ["a", 1, "c", false])).toEqual([
      "1: expected string, got number",
      "3: expected string, got boolean",
    ]);
  });

  it("anyOf: one matching shape is enough", () => {
    const loc: Schema = { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } };
    expect(paths(loc, ["body", 0])).toEqual([]);
    expect(paths(loc, ["body", 1.5])).toEqual(["1: matches none of the allowed shapes"]);
  });

  it("allOf: every shape must match", () => {
    const schema: Schema = {
      allOf: [
        { type: "object", required: ["a"] },
        { type: "object", properties: { b: { type: "string" } } },
      ],
    };
    expect(paths(schema, { a: 1, b: "x" })).toEqual([]);
    expect(paths(schema, { b: 2 })).toEqual(["a: required field is missing", "b: expected string, got number"]);
  });

  it("enum and const compare JSON values, objects included", () => {
    expect(paths({ enum: ["a", 1, null] }, null)).toEqual([]);
    expect(paths({ enum: ["a", 1] }, "b")).toEqual([": not one of the allowed values"]);
    expect(paths({ enum: [{ k: [1] }] }, { k: [1] })).toEqual([]);
    expect(paths({ const: "v1" }, "v1")).toEqual([]);
    expect(paths({ const: "v1" }, "v2")).toEqual([": not the expected constant"]);
    expect(paths({ const: [1, 2] }, [1, 2])).toEqual([]);
  });

  it("component schemas: a spec's $ref is the generated component itself, checked in place", () => {
    const { MyFinetunesResponse, FinetuneDetailResponse, HTTPValidationError } = schemas;
    expect(paths(MyFinetunesResponse, { finetunes: ["a", 2, { id: "b" }] })).toEqual([]);
    expect(paths(MyFinetunesResponse, { finetunes: "a" })).toEqual(["finetunes: expected array, got string"]);
    expect(paths(FinetuneDetailResponse, { finetune_details: { anything: [1] } })).toEqual([]);
    expect(paths(FinetuneDetailResponse, { finetune_details: [] })).toEqual([
      "finetune_details: expected object, got array",
    ]);
    // HTTPValidationError's items are ValidationError, another component: its issues carry their own paths.
    expect(paths(HTTPValidationError, { detail: [{ loc: ["query", 0], msg: "m", type: "t" }] })).toEqual([]);
    expect(paths(HTTPValidationError, { detail: [{ loc: [true], msg: "m" }] })).toEqual([
      "detail.0.type: required field is missing",
      "detail.0.loc.0: expected string or integer, got boolean",
    ]);
  });

  it("minimum/maximum bound numbers, minLength/maxLength bound strings in characters; other types pass", () => {
    const strength: Schema = { type: "number", minimum: 0, maximum: 2 };
    expect(validate(strength, 0)).toEqual([]);
    expect(validate(strength, 2)).toEqual([]);
    expect(validate(strength, -0.5)).toEqual([{ path: "", message: "less than 0" }]);
    expect(validate(strength, 2.5)).toEqual([{ path: "", message: "more than 2" }]);
    const url: Schema = { minLength: 1, maxLength: 3 };
    expect(validate(url, "")).toEqual([{ path: "", message: "shorter than 1 characters" }]);
    expect(validate(url, "😀😀😀")).toEqual([]);
    expect(validate(url, "abcd")).toEqual([{ path: "", message: "longer than 3 characters" }]);
    expect(validate({ minimum: 1, maxLength: 1 }, "long")).toEqual([{ path: "", message: "longer than 1 characters" }]);
    expect(validate({ minimum: 1, maxLength: 1 }, 0)).toEqual([{ path: "", message: "less than 1" }]);
    // A nullable bounded number: null is not a number below the bound (JS would compare it as 0),
    // nor is a numeric string one above it.
    const nullable: Schema = { type: ["integer", "null"], minimum: 1, maximum: 5 };
    expect(validate(nullable, null)).toEqual([]);
    expect(validate({ minimum: 1, maximum: 5 }, "9")).toEqual([]);
  });

  it("items apply to arrays only: a nullable array's null, or another type, is not iterated", () => {
    const tags: Schema = { type: ["array", "null"], items: { type: "string" } };
    expect(validate(tags, null)).toEqual([]);
    expect(validate({ items: { type: "string" } }, { 0: 1 })).toEqual([]);
    expect(paths({ items: { type: "string" } }, "ab")).toEqual([]);
  });

  it("every keyword the generator may keep has a case above", () => {
    // Keeps this file and SCHEMA_KEYWORDS in step: a new keyword needs a test here.
    expect([...SCHEMA_KEYWORDS].sort()).toEqual(
      [
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "enum",
        "maxLength",
        "maximum",
        "minLength",
        "minimum",
        "items",
        "properties",
        "required",
        "type",
      ].sort(),
    );
  });
});
