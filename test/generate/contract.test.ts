/** scripts/lib/contract.ts on its own: the shape of generated/contract.ts and its keyword policy. */
import { describe, expect, it } from "vitest";
import { renderContract } from "../../scripts/lib/contract.ts";
import { SCHEMA_KEYWORDS } from "../../src/schema.js";
import { effective } from "../spec/fixtures/variants.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

/** The two constants of a rendered contract, read back as values. */
function parse(text: string): { operations: Doc; schemas: Doc } {
  const constant = (name: string) => {
    const match = new RegExp(`export const ${name} = (.*?) as const;`, "s").exec(text);
    return JSON.parse(match?.[1] ?? "null");
  };
  return { operations: constant("operations"), schemas: constant("schemas") };
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
  it("renders BFL's three operations with what the facade reads", () => {
    const { operations } = parse(renderContract(effective(), "openapi.json"));
    expect(Object.keys(operations).sort()).toEqual(["/v1/delete_finetune", "/v1/finetune_details", "/v1/my_finetunes"]);
    const del = operations["/v1/delete_finetune"].post;
    expect(del).toMatchObject({
      operationId: "delete_finetune_v1_delete_finetune_post",
      servers: ["https://api.us1.bfl.ai"],
      apiKeyHeader: "x-key",
      query: {},
      body: { required: true, schema: { $ref: "#/components/schemas/DeleteFinetuneInputs" } },
      responses: {
        "200": { $ref: "#/components/schemas/DeleteFinetuneResponse" },
        "422": { $ref: "#/components/schemas/HTTPValidationError" },
      },
    });
    expect(del.examples["200"].deleted_finetune_id).toBe("my-finetune");
    expect(operations["/v1/finetune_details"].get.query).toEqual({
      finetune_id: { required: true, schema: { type: "string" } },
    });
    expect(operations["/v1/my_finetunes"].get.body).toBeNull();
    expect(Object.keys(operations["/v1/my_finetunes"].get.responses)).toEqual(["200"]);
  });

  it("resolves levels and $refs: servers, security, parameters, bodies, responses, examples", () => {
    const { operations, schemas } = parse(renderContract(synthetic(), "s.json"));
    const get = operations["/items"].get;
    expect(get.servers).toEqual(["https://path.example"]);
    expect(get.apiKeyHeader).toBe("x-key");
    // The operation's parameter overrides the path's of the same name; headers are not query.
    expect(get.query).toEqual({ limit: { required: true, schema: { type: "integer" } } });
    expect(get.responses).toEqual({ "200": { $ref: "#/components/schemas/Item" }, "404": { type: "object" } });
    expect(get.examples).toEqual({ "200": { id: "a" }, "404": { gone: true } });
    const post = operations["/items"].post;
    expect(post).toMatchObject({ operationId: null, apiKeyHeader: null, examples: {} });
    expect(post.body).toEqual({ required: true, schema: { type: "object" } });
    expect(post.responses).toEqual({ "201": { $ref: "#/components/schemas/Item" } });
    expect(schemas).toEqual({ Item: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } });
  });

  it("keeps every keyword the validator checks", () => {
    const doc = synthetic();
    doc.components.schemas.Item = {
      type: "object",
      properties: { id: { enum: ["a"] }, v: { const: 1 }, any: { anyOf: [{ type: "string" }] } },
      required: ["id"],
      additionalProperties: { type: "string" },
      allOf: [{ type: "object" }],
    };
    doc.components.schemas.List = { type: "array", items: { $ref: "#/components/schemas/Item" } };
    doc.paths["/items"].get.responses["200"] = json({ $ref: "#/components/schemas/List" });
    const { schemas } = parse(renderContract(doc, "s.json"));
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
  ])("refuses %s", (_name, edit, message) => {
    const doc = synthetic();
    edit(doc);
    expect(() => renderContract(doc, "s.json")).toThrow(message);
  });
});
