/**
 * Contract tests for GET /v1/finetune_details against Prism serving the effective spec: the
 * required finetune_id query parameter, the overlay's 200 and 422 examples, and the generated
 * response schemas.
 */
import { describe, expect, inject, it } from "vitest";
import { errorResponses, examples, requests, responses } from "../../generated/contract.js";
import { createBflClient } from "../../src/index.js";
import { validate } from "../../src/validate.js";

const client = createBflClient({ apiKey: "test-key", baseUrl: inject("prismUrl"), maxRetries: 0 });
const contract = {
  ...requests["/v1/finetune_details"].get,
  responses: { ...responses["/v1/finetune_details"].get, ...errorResponses["/v1/finetune_details"].get },
  examples: examples["/v1/finetune_details"].get,
};

describe("GET /v1/finetune_details against Prism", () => {
  it("answers the overlay's example for a finetune_id, conforming to the generated schema", async () => {
    const { data, response } = await client.raw.GET("/v1/finetune_details", {
      params: { query: { finetune_id: "my-finetune" } },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual(contract.examples[200]);
    expect(data?.finetune_details).toMatchObject({ finetune_id: "my-finetune" });
    expect(validate(contract.responses[200], data)).toEqual([]);
  });

  // The query and the answer are typed from paths: test/types/operations.test-d.ts.
  it("declares the required finetune_id query in the contract", () => {
    expect(contract.query).toEqual({ finetune_id: { required: true, schema: { type: "string" } } });
  });

  it("gets 422 with sl-violations when finetune_id is missing", async () => {
    const { response } = await client.raw.GET("/v1/finetune_details", {
      // @ts-expect-error: the spec requires finetune_id
      params: { query: {} },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain("finetune_id");
  });

  it("honours Prefer: code=422 with the overlay's validation error, which conforms", async () => {
    const { error, response } = await client.raw.GET("/v1/finetune_details", {
      params: { query: { finetune_id: "my-finetune" } },
      headers: { Prefer: "code=422" },
    });
    expect(response.status).toBe(422);
    expect(error).toEqual(contract.examples[422]);
    const detail = Array.isArray(error?.detail) ? error.detail : [];
    expect(detail[0]?.loc).toEqual(["query", "finetune_id"]);
    expect(validate(contract.responses[422], error)).toEqual([]);
  });

  it("finetune_details takes any properties, but must be an object", () => {
    const schema = contract.responses[200];
    expect(validate(schema, { finetune_details: { anything: [1], nested: { deep: true } } })).toEqual([]);
    expect(validate(schema, { finetune_details: "my-finetune" })).toEqual([
      { path: "finetune_details", message: "expected object, got string" },
    ]);
    expect(validate(schema, {})).toEqual([{ path: "finetune_details", message: "required field is missing" }]);
  });
});
