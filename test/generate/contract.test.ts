/** scripts/lib/contract.ts on its own: the shape of generated/contract.ts and its keyword policy. */
import { describe, expect, it } from "vitest";
import { renderContract } from "../../scripts/lib/contract.ts";
import { COVERED_OPERATIONS } from "../../scripts/lib/covered-operations.ts";
import { SCHEMA_KEYWORDS } from "../../src/schema.js";
import { effective } from "../spec/fixtures/variants.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

const EXPORTS = ["defaultServer", "responses", "responseSchemas", "requests", "errorResponses", "examples", "schemas"];

/** The constants of a rendered contract, read back as values. */
function parse(text: string): Record<string, Doc> {
  const names = [...text.matchAll(/^export const (\w+) = /gm)].map((m) => m[1]);
  expect(names).toEqual(EXPORTS);
  const constant = (name: string) => {
    const match = new RegExp(`export const ${name} = (.*?) as const;`, "s").exec(text);
    return JSON.parse(match?.[1] ?? "null");
  };
  return Object.fromEntries(EXPORTS.map((name) => [name, constant(name)]));
}

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
    for (const name of EXPORTS.filter((n) => !n.endsWith("chemas") && n !== "defaultServer")) {
      expect(Object.keys(parts[name]).sort(), name).toEqual(covered);
    }
    const spec = effective();
    expect(parts.defaultServer).toBe(spec.paths["/v1/delete_finetune"].post.servers[0].url);
    const del = operation(parts, "/v1/delete_finetune", "post");
    expect(del).toMatchObject({
      operationId: "delete_finetune_v1_delete_finetune_post",
      apiKeyHeader: "x-key",
      query: {},
      body: { required: true, schema: { $ref: "#/components/schemas/DeleteFinetuneInputs" } },
      responses: {
        "200": { $ref: "#/components/schemas/DeleteFinetuneResponse" },
        "422": { $ref: "#/components/schemas/HTTPValidationError" },
      },
    });
    expect(del.examples["200"].deleted_finetune_id).toBe("my-finetune");
    expect(operation(parts, "/v1/finetune_details", "get").query).toEqual({
      finetune_id: { required: true, schema: { type: "string" } },
    });
    expect(operation(parts, "/v1/my_finetunes", "get").body).toBeNull();
    expect(Object.keys(operation(parts, "/v1/my_finetunes", "get").responses)).not.toContain("422");
  });

  it("keeps the client's part (default server, 2xx schemas and their components) apart from the fake's", () => {
    const parts = parse(renderContract(effective(), "openapi.json"));
    expect(parts.responses["/v1/delete_finetune"].post).toEqual({
      "200": { $ref: "#/components/schemas/DeleteFinetuneResponse" },
    });
    expect(parts.errorResponses["/v1/delete_finetune"].post).toMatchObject({
      "422": { $ref: "#/components/schemas/HTTPValidationError" },
    });
    expect(Object.keys(parts.responseSchemas)).toEqual(
      expect.arrayContaining(["DeleteFinetuneResponse", "FinetuneDetailResponse", "MyFinetunesResponse"]),
    );
    // What only requests and error answers use stays out of the client's part.
    for (const name of ["DeleteFinetuneInputs", "HTTPValidationError", "ValidationError"]) {
      expect(parts.schemas, name).toHaveProperty(name);
      expect(parts.responseSchemas, name).not.toHaveProperty(name);
    }
    expect(Object.keys(parts.responseSchemas)).not.toContain("BflErrorDetail");
    expect(parts.schemas).toHaveProperty("BflErrorDetail");
    for (const [name, schema] of Object.entries(parts.responseSchemas)) expect(parts.schemas[name]).toEqual(schema);
  });

  it("resolves levels and $refs: servers, security, parameters, bodies, responses, examples", () => {
    const parts = parse(renderContract(synthetic(), "s.json", ITEMS));
    const get = operation(parts, "/items", "get");
    expect(parts.defaultServer).toBe("https://path.example");
    expect(get.apiKeyHeader).toBe("x-key");
    // The operation's parameter overrides the path's of the same name; headers are not query.
    expect(get.query).toEqual({ limit: { required: true, schema: { type: "integer" } } });
    expect(get.responses).toEqual({ "200": { $ref: "#/components/schemas/Item" }, "404": { type: "object" } });
    expect(get.examples).toEqual({ "200": { id: "a" }, "404": { gone: true } });
    const post = operation(parts, "/items", "post");
    expect(post).toMatchObject({ operationId: null, apiKeyHeader: null, examples: {} });
    expect(post.body).toEqual({ required: true, schema: { type: "object" } });
    expect(post.responses).toEqual({ "201": { $ref: "#/components/schemas/Item" } });
    expect(parts.schemas).toEqual({
      Item: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    });
    expect(parts.responses["/items"].get).toEqual({ "200": { $ref: "#/components/schemas/Item" } });
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
    expect(Object.keys(parts.responseSchemas)).toEqual(["Item", "Note"]);
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
        any: { anyOf: [{ type: "string" }] },
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
