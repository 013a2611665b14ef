/**
 * Contract tests for GET /v1/my_finetunes against Prism serving the effective spec: what the mock
 * answers comes from the overlay's example, and it conforms to the generated contract.
 */
import { describe, expect, inject, it } from "vitest";
import { errorResponses, examples, requests, responses } from "../../generated/contract.js";
import { createBflClient } from "../../src/index.js";
import { validate } from "../../src/validate.js";

const client = createBflClient({ apiKey: "test-key", baseUrl: inject("prismUrl"), maxRetries: 0 });
const contract = {
  ...requests["/v1/my_finetunes"].get,
  responses: { ...responses["/v1/my_finetunes"].get, ...errorResponses["/v1/my_finetunes"].get },
  examples: examples["/v1/my_finetunes"].get,
};

describe("GET /v1/my_finetunes against Prism", () => {
  it("answers the overlay's example, which conforms to the generated response schema", async () => {
    const { data, response } = await client.raw.GET("/v1/my_finetunes");
    expect(response.status).toBe(200);
    expect(data).toEqual(contract.examples[200]);
    expect(data?.finetunes).toEqual(["my-finetune", "old-finetune"]);
    expect(validate(contract.responses[200], data)).toEqual([]);
  });

  // The answer is typed from paths (finetunes: unknown[]): test/types/operations.test-d.ts.
  it("declares no body and no query in the contract", () => {
    expect(contract.body).toBeNull();
    expect(contract.query).toEqual({});
  });

  it("dynamic mode answers any array, and the validator accepts non-string items", async () => {
    const { data, response } = await client.raw.GET("/v1/my_finetunes", { headers: { Prefer: "dynamic=true" } });
    expect(response.status).toBe(200);
    expect(Array.isArray(data?.finetunes)).toBe(true);
    expect(validate(contract.responses[200], data)).toEqual([]);
    expect(validate(contract.responses[200], { finetunes: [1, { id: "x" }, null] })).toEqual([]);
    expect(validate(contract.responses[200], { finetunes: "my-finetune" })).toEqual([
      { path: "finetunes", message: "expected array, got string" },
    ]);
  });

  it("gets Prism's 401 without the key header the spec's security names", async () => {
    expect(contract.apiKeyHeader).toBe("x-key");
    // The client always sends its key (raw included), so this request is made without it.
    const response = await fetch(`${inject("prismUrl")}/v1/my_finetunes`);
    expect(response.status).toBe(401);
  });

  it("declares no 422 (it takes no input), so Prism has none to give", async () => {
    expect(Object.keys(contract.responses)).not.toContain("422");
    const { response } = await client.raw.GET("/v1/my_finetunes", { headers: { Prefer: "code=422" } });
    expect(response.status).not.toBe(422);
  });
});
