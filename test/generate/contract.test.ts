/** scripts/lib/contract.ts on its own: the shape of generated/contract.ts and its keyword policy. */
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { identifiers, renderContract } from "../../scripts/lib/contract.ts";
import { COVERED_OPERATIONS } from "../../scripts/lib/covered-operations.ts";
import { SCHEMA_KEYWORDS } from "../../src/schema.js";
import { validate } from "../../src/validate.js";
import { effective } from "../spec/fixtures/variants.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

const EXPORTS = ["defaultServer", "responses", "requests", "errorResponses", "examples", "schemas"];

/** The exports of a rendered contract, read back as values by running it (component schemas are constants). */
function parse(text: string): Record<string, Doc> {
  const names = [...text.matchAll(/^export const (\w+) = /gm)].map((m) => m[1]);
  expect(names).toEqual(EXPORTS);
  const module = { exports: {} as Record<string, Doc> };
  new Function("module", "exports", transformSync(text, { loader: "ts", format: "cjs" }).code)(module, module.exports);
  return module.exports;
}

/** Every object `value` reaches, so what a reader of that export alone gets. */
function reached(value: unknown, seen = new Set<unknown>()): Set<unknown> {
  if (typeof value === "object" && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const sub of Object.values(value)) reached(sub, seen);
  }
  return seen;
}

/** The names of the components the client's part (`responses`) reaches. */
const clientComponents = (parts: Record<string, Doc>): string[] => {
  const seen = reached(parts.responses);
  return Object.keys(parts.schemas).filter((name) => seen.has(parts.schemas[name]));
};

/** The synthetic document's operation whose server is the default. */
const ITEMS = { method: "get", path: "/items" } as const;

/** Every part of one operation, joined back as the fake joins them. */
function operation(parts: Record<string, Doc>, path: string, method: string): Doc {
  const of = (name: string) => parts[name][path][method];
  return {
    ...of("requests"),
    responses: { ...of("responses"), ...of("errorResponses") },
    examples: of("examples"),
  };
}

const json = (schema: Doc, extra: Doc = {}) => ({
  description: "d",
  content: { "application/json": { schema, ...extra } },
});

/** A small document with what BFL's does not exercise: levels, $refs to other components, statuses. */
function synthetic(): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    servers: [{ url: "https://doc.example" }],
    security: [{ Key: [] }],
    paths: {
      "/items": {
        servers: [{ url: "https://path.example" }],
        parameters: [{ $ref: "#/components/parameters/Limit" }],
        get: {
          operationId: "list",
          parameters: [
            { name: "limit", in: "query", required: true, schema: { type: "integer", title: "Limit" } },
            { name: "x-trace", in: "header", schema: { type: "string" } },
          ],
          responses: {
            "200": json({ $ref: "#/components/schemas/Item" }, { example: { id: "a" } }),
            "204": { description: "none" },
            "404": json({ type: "object" }, { examples: { first: { value: { gone: true } }, second: { value: 2 } } }),
            "500": { description: "text", content: { "text/plain": { schema: { type: "string" } } } },
          },
        },
        post: {
          security: [],
          requestBody: { $ref: "#/components/requestBodies/NewItem" },
          responses: { "201": { $ref: "#/components/responses/Created" } },
        },
      },
    },
    components: {
      parameters: { Limit: { name: "limit", in: "query", schema: { type: "string" } } },
      requestBodies: { NewItem: { required: true, content: { "application/json": { schema: { type: "object" } } } } },
      responses: { Created: json({ $ref: "#/components/schemas/Item" }) },
      schemas: { Item: { type: "object", title: "Item", properties: { id: { type: "string" } }, required: ["id"] } },
      securitySchemes: { Key: { type: "apiKey", in: "header", name: "x-key" } },
    },
  };
}

describe("renderContract", () => {
  it("renders every covered operation with what the facade reads", () => {
    const parts = parse(renderContract(effective(), "openapi.json"));
    const covered = [...new Set(COVERED_OPERATIONS.map((op) => op.path))].sort();
    for (const name of EXPORTS.filter((n) => n !== "schemas" && n !== "defaultServer")) {
      expect(Object.keys(parts[name]).sort(), name).toEqual(covered);
    }
    const spec = effective();
    expect(parts.defaultServer).toBe(spec.paths["/v1/delete_finetune"].post.servers[0].url);
    const del = operation(parts, "/v1/delete_finetune", "post");
    const { DeleteFinetuneInputs, DeleteFinetuneResponse, HTTPValidationError } = parts.schemas;
    expect(del).toMatchObject({
      operationId: "delete_finetune_v1_delete_finetune_post",
      apiKeyHeader: "x-key",
      query: {},
      body: { required: true },
    });
    // A $ref is the component's constant itself.
    expect(del.body.schema).toBe(DeleteFinetuneInputs);
    expect(del.responses["200"]).toBe(DeleteFinetuneResponse);
    expect(del.responses["422"]).toBe(HTTPValidationError);
    expect(del.examples["200"].deleted_finetune_id).toBe("my-finetune");
    expect(operation(parts, "/v1/finetune_details", "get").query).toEqual({
      finetune_id: { required: true, schema: { type: "string" } },
    });
    expect(operation(parts, "/v1/my_finetunes", "get").body).toBeNull();
    expect(Object.keys(operation(parts, "/v1/my_finetunes", "get").responses)).not.toContain("422");
  });

  it("keeps the client's part (default server, 2xx schemas and their components) apart from the fake's", () => {
    const parts = parse(renderContract(effective(), "openapi.json"));
    expect(Object.keys(parts.responses["/v1/delete_finetune"].post)).toEqual(["200"]);
    expect(Object.keys(parts.errorResponses["/v1/delete_finetune"].post)).toContain("422");
    const client = clientComponents(parts);
    expect(client).toEqual(
      expect.arrayContaining(["DeleteFinetuneResponse", "FinetuneDetailResponse", "MyFinetunesResponse"]),
    );
    // What only requests and error answers use stays out of the client's part.
    for (const name of ["DeleteFinetuneInputs", "HTTPValidationError", "ValidationError", "BflErrorDetail"]) {
      expect(parts.schemas, name).toHaveProperty(name);
      expect(client, name).not.toContain(name);
    }
  });

  it("resolves levels and $refs: servers, security, parameters, bodies, responses, examples", () => {
    const parts = parse(renderContract(synthetic(), "s.json", ITEMS));
    const get = operation(parts, "/items", "get");
    expect(parts.defaultServer).toBe("https://path.example");
    expect(get.apiKeyHeader).toBe("x-key");
    // The operation's parameter overrides the path's of the same name; headers are not query.
    expect(get.query).toEqual({ limit: { required: true, schema: { type: "integer" } } });
    expect(get.responses).toEqual({ "200": parts.schemas.Item, "404": { type: "object" } });
    expect(get.responses["200"]).toBe(parts.schemas.Item);
    expect(get.examples).toEqual({ "200": { id: "a" }, "404": { gone: true } });
    const post = operation(parts, "/items", "post");
    expect(post).toMatchObject({ operationId: null, apiKeyHeader: null, examples: {} });
    expect(post.body).toEqual({ required: true, schema: { type: "object" } });
    expect(post.responses["201"]).toBe(parts.schemas.Item);
    expect(parts.schemas).toEqual({
      Item: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    });
    expect(parts.responses["/items"].get).toEqual({ "200": parts.schemas.Item });
    expect(parts.errorResponses["/items"].get).toEqual({ "404": { type: "object" } });
  });

  it("lists a component among the client's only when a 2xx response reaches it", () => {
    const doc = synthetic();
    doc.components.schemas.Problem = { type: "object", properties: { more: { $ref: "#/components/schemas/Note" } } };
    doc.components.schemas.Note = { type: "string" };
    doc.components.schemas.Input = { type: "object" };
    doc.paths["/items"].get.responses["404"] = json({ $ref: "#/components/schemas/Problem" });
    doc.paths["/items"].post.requestBody = {
      content: { "application/json": { schema: { $ref: "#/components/schemas/Input" } } },
    };
    doc.paths["/items"].post.responses["2XX"] = json({ type: "array", items: { $ref: "#/components/schemas/Note" } });
    const parts = parse(renderContract(doc, "s.json", ITEMS));
    expect(clientComponents(parts)).toEqual(["Item", "Note"]);
    expect(Object.keys(parts.schemas)).toEqual(["Input", "Item", "Note", "Problem"]);
    expect(Object.keys(parts.responses["/items"].post)).toEqual(["201", "2XX"]);
  });

  it("keeps every keyword the validator checks", () => {
    const doc = synthetic();
    doc.components.schemas.Item = {
      type: "object",
      properties: {
        id: { enum: ["a"], minLength: 1, maxLength: 9 },
        v: { const: 1 },
        any: { anyOf: [{ type: "string" }, { enum: [1] }] },
        n: { type: "number", minimum: 0, maximum: 2 },
      },
      required: ["id"],
      additionalProperties: { type: "string" },
      allOf: [{ type: "object" }],
    };
    doc.components.schemas.List = { type: "array", items: { $ref: "#/components/schemas/Item" } };
    doc.paths["/items"].get.responses["200"] = json({ $ref: "#/components/schemas/List" });
    const { schemas } = parse(renderContract(doc, "s.json", ITEMS));
    const seen = new Set(
      JSON.stringify(schemas)
        .match(/"[$a-zA-Z]+":/g)
        ?.map((k) => k.slice(1, -2)),
    );
    for (const keyword of SCHEMA_KEYWORDS) expect(seen.has(keyword), keyword).toBe(true);
    expect(schemas.Item).toEqual(doc.components.schemas.Item);
    expect(schemas.List.items).toBe(schemas.Item);
  });

  it("simplifies what accepts everything and anyOf of bare types, finding the same issues at the same paths", () => {
    const loose = {
      type: "object",
      properties: {
        nullable: { anyOf: [{ type: "number" }, { type: "null" }] },
        any: { anyOf: [{}, { type: "null" }] },
        list: { type: "array", items: {} },
        map: { type: "object", additionalProperties: true },
        // Beside another keyword, anyOf stays: a type list would stop at the type and hide the enum's issue.
        both: { anyOf: [{ type: "string" }, { type: "null" }], enum: ["x", null] },
      },
    };
    const doc = synthetic();
    doc.components.schemas.Item = loose;
    const { schemas } = parse(renderContract(doc, "s.json", ITEMS));
    expect(schemas.Item.properties).toEqual({
      nullable: { type: ["number", "null"] },
      any: {},
      list: { type: "array" },
      map: { type: "object" },
      both: loose.properties.both,
    });
    const bodies = [
      {},
      { nullable: null, any: 1, list: [1, "a"], map: { k: [] }, both: null },
      { nullable: "1", any: [], list: {}, map: [], both: 2 },
      { both: "y" },
    ];
    const issuePaths = (schema: Doc, body: unknown) => validate(schema, body).map((issue) => issue.path);
    for (const body of bodies) expect(issuePaths(schemas.Item, body)).toEqual(issuePaths(loose, body));
    expect(issuePaths(schemas.Item, bodies[2])).toEqual(["nullable", "list", "map", "both", "both"]);
  });

  it("renders a recursive schema with getters, which the validator follows", () => {
    const doc = synthetic();
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    doc.components.schemas.Item = {
      type: "object",
      properties: { id: { type: "string" }, children: { type: "array", items: ref("Item") }, other: ref("Other") },
    };
    doc.components.schemas.Other = { anyOf: [{ type: "null" }, ref("Item")] };
    const { schemas } = parse(renderContract(doc, "s.json", ITEMS));
    expect(schemas.Item.properties.children.items).toBe(schemas.Item);
    expect(schemas.Other.anyOf[1]).toBe(schemas.Item);
    const body = { id: "a", children: [{ id: "b", children: [{ id: 3 }] }], other: { id: "c", other: null } };
    expect(validate(schemas.Item, body)).toEqual([
      { path: "children.0.children.0.id", message: "expected string, got number" },
    ]);
  });

  it("applies a $ref beside other keywords with them, as OpenAPI 3.1 does", () => {
    const doc = synthetic();
    doc.paths["/items"].get.responses["200"] = json({ $ref: "#/components/schemas/Item", required: ["more"] });
    const parts = parse(renderContract(doc, "s.json", ITEMS));
    const schema = parts.responses["/items"].get["200"];
    expect(schema).toEqual({ required: ["more"], allOf: [parts.schemas.Item] });
    expect(validate(schema, {}).map((issue) => issue.path)).toEqual(["id", "more"]);
  });

  it("names each component's constant as an identifier, never twice the same", () => {
    const ids = identifiers(["Item", "a-b", "a_b", "1st", "x.y"]);
    expect([...ids.values()]).toEqual(["ItemSchema", "a_bSchema", "a_bSchema2", "_1stSchema", "x_ySchema"]);
    const doc = synthetic();
    doc.components.schemas["a-b"] = { type: "string" };
    doc.components.schemas["1st"] = { type: "string" };
    doc.components.schemas.Item.properties.id = {
      anyOf: [{ $ref: "#/components/schemas/a-b" }, { $ref: "#/components/schemas/1st" }],
    };
    const { schemas } = parse(renderContract(doc, "s.json", ITEMS));
    expect(schemas.Item.properties.id.anyOf).toEqual([schemas["a-b"], schemas["1st"]]);
  });

  it.each<[string, (doc: Doc) => void, string]>([
    [
      "a keyword the validator does not check",
      (d) => {
        d.components.schemas.Item.properties.id.pattern = "^a";
      },
      'schema keyword "pattern" at #/components/schemas/Item/properties/id is not checked by src/validate.ts',
    ],
    [
      "oneOf (exactly one: not checked)",
      (d) => {
        d.paths["/items"].get.responses["404"] = json({ oneOf: [{ type: "object" }] });
      },
      'schema keyword "oneOf" at #/paths/~1items/get/responses/404 is not checked',
    ],
    [
      "a $ref to something other than a component schema",
      (d) => {
        d.components.schemas.Item.properties.id = { $ref: "#/components/parameters/Limit" };
      },
      "unsupported $ref at #/components/schemas/Item/properties/id/$ref",
    ],
    [
      "a reference to a missing schema",
      (d) => {
        d.components.schemas.Item.properties.id = { $ref: "#/components/schemas/Gone" };
      },
      "a schema references the missing component Gone",
    ],
    [
      "a spec without the operation whose server is the default",
      (d) => {
        delete d.paths["/items"].get;
      },
      "GET /items, whose server is the client's default, is not in the spec",
    ],
  ])("refuses %s", (_name, edit, message) => {
    const doc = synthetic();
    edit(doc);
    expect(() => renderContract(doc, "s.json", ITEMS)).toThrow(message);
  });
});
