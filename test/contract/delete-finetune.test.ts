/** Contract tests: the facade and the raw client against Prism serving the same snapshot. */
import { describe, expect, inject, it } from "vitest";
import { schemas } from "../../generated/contract.js";
import { BflValidationError, createBflClient } from "../../src/index.js";

const baseUrl = inject("prismUrl");
const client = createBflClient({ apiKey: "test-key", baseUrl, maxRetries: 0 });

describe("deleteFinetune against Prism", () => {
  // The types of these results are checked in test/types/client.test-d.ts.
  it("returns a body with every field the spec requires", async () => {
    const result = await client.deleteFinetune("my-finetune");
    for (const field of schemas.DeleteFinetuneResponse.required) {
      expect(typeof result[field], field).toBe("string");
    }
    expect(result.deleted_finetune_id).toBe("my-finetune");
  });

  it("gets Prism's 401 for a request without x-key (which the client itself never sends)", async () => {
    const response = await fetch(`${inject("prismUrl")}/v1/delete_finetune`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ finetune_id: "my-finetune" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 401 });
  });

  it("gets 422 with sl-violations for an invalid body sent raw", async () => {
    const { response } = await client.raw.POST("/v1/delete_finetune", {
      // @ts-expect-error: the body the spec requires has finetune_id
      body: { finetune: "my-finetune" },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain("finetune_id");
  });

  it("surfaces a 422 through the facade as BflValidationError with its detail", async () => {
    const error = await client.deleteFinetune("my-finetune", { headers: { Prefer: "code=422" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BflValidationError);
    expect(error.status).toBe(422);
    expect(error.detail.length).toBeGreaterThan(0);
    expect(error.detail[0].loc).toEqual(expect.any(Array));
  });

  it("honours Prefer: code=422 on the raw client", async () => {
    const { error, response } = await client.raw.POST("/v1/delete_finetune", {
      body: { finetune_id: "my-finetune" },
      headers: { Prefer: "code=422" },
    });
    expect(response.status).toBe(422);
    // `error` is any declared error body: a 422's `detail` is FastAPI's list, the others' a string.
    const detail = Array.isArray(error?.detail) ? error.detail : [];
    expect(detail[0]?.msg).toEqual(expect.any(String));
  });

  it("accepts the extra properties Prism's dynamic mode adds", async () => {
    // Dynamic bodies are random: ask until one carries a property the spec does not name (a few
    // calls, usually one); how many it takes depends on how many optional fields BFL declares.
    const declared = Object.keys(schemas.DeleteFinetuneResponse.properties);
    const extras: string[] = [];
    for (let i = 0; i < 30 && extras.length === 0; i++) {
      const result = await client.deleteFinetune("my-finetune", { headers: { Prefer: "dynamic=true" } });
      expect(Object.keys(result)).toEqual(expect.arrayContaining([...schemas.DeleteFinetuneResponse.required]));
      extras.push(...Object.keys(result).filter((key) => !declared.includes(key)));
    }
    expect(extras.length).toBeGreaterThan(0);
  });
});
