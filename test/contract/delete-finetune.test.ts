/** Contract tests: the facade and the raw client against Prism serving the same snapshot. */
import { describe, expect, expectTypeOf, inject, it } from "vitest";
import { schemas } from "../../generated/contract.js";
import {
  BflValidationError,
  createBflClient,
  type DeleteFinetuneResponse,
  type ValidationError,
} from "../../src/index.js";

const baseUrl = inject("prismUrl");
const client = createBflClient({ apiKey: "test-key", baseUrl, maxRetries: 0 });

describe("deleteFinetune against Prism", () => {
  it("returns a body with every field the spec requires, typed", async () => {
    const result = await client.deleteFinetune("my-finetune");
    expectTypeOf(result).toEqualTypeOf<DeleteFinetuneResponse>();
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

  it("surfaces a 422 through the facade as BflValidationError with a typed detail", async () => {
    const error = await client.deleteFinetune("my-finetune", { headers: { Prefer: "code=422" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BflValidationError);
    expect(error.status).toBe(422);
    expect(error.detail.length).toBeGreaterThan(0);
    expect(error.detail[0].loc).toEqual(expect.any(Array));
    expectTypeOf<BflValidationError["detail"]>().toEqualTypeOf<ValidationError[]>();
  });

  it("honours Prefer: code=422 on the raw client", async () => {
    const { error, response } = await client.raw.POST("/v1/delete_finetune", {
      body: { finetune_id: "my-finetune" },
      headers: { Prefer: "code=422" },
    });
    expect(response.status).toBe(422);
    expect(error?.detail?.[0]?.msg).toEqual(expect.any(String));
  });

  it("accepts the extra properties Prism's dynamic mode adds", async () => {
    const result = await client.deleteFinetune("my-finetune", { headers: { Prefer: "dynamic=true" } });
    expect(Object.keys(result)).toEqual(expect.arrayContaining([...schemas.DeleteFinetuneResponse.required]));
  });
});

describe("types derived from the spec", () => {
  it("rejects what the spec does not allow at compile time", () => {
    // These lines are checked by `npm run typecheck`; at run time they only need to not be called.
    const neverCalled = () => {
      // @ts-expect-error: finetuneId is a string
      void client.deleteFinetune(123);
      void client.deleteFinetune("x").then((r) => {
        // @ts-expect-error: not a field of DeleteFinetuneResponse
        return r.not_in_spec;
      });
    };
    expectTypeOf(client.deleteFinetune).parameter(0).toEqualTypeOf<string>();
    expectTypeOf<DeleteFinetuneResponse>().toHaveProperty("timestamp").toEqualTypeOf<string>();
    expect(neverCalled).toBeTypeOf("function");
  });
});
