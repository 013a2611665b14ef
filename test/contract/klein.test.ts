/**
 * The FLUX.2 [klein] finetuned operations the overlay declares (BFL's public beta), against Prism
 * serving the effective spec: each is derived from the base klein request by reference, marked
 * beta, answers the overlay's task, refuses a body without finetune_id, and runs the whole
 * generation flow through the facade.
 */
import { describe, expect, inject, it } from "vitest";
import { createBflClient, type KleinFinetunedModel } from "../../src/index.js";
import { effectiveSpec } from "../helpers/spec-calls.js";

const baseUrl = inject("prismUrl");
const client = createBflClient({ apiKey: "test-key", baseUrl, maxRetries: 0 });
// biome-ignore lint/suspicious/noExplicitAny: the spec is read freely
const spec: any = effectiveSpec();
const KLEIN = Object.keys(spec.paths).filter((path) => /^\/v1\/flux-2-klein-.*-finetuned$/.test(path));
const BODY = { prompt: "a portrait of TOK", finetune_id: "org-5f2c9a1e/studio-portraits_v2", finetune_strength: 1 };

describe("the klein finetuned operations in the effective spec", () => {
  it("are the six bases' -finetuned POSTs, each marked beta", () => {
    expect(KLEIN.map((path) => path.slice(4)).sort()).toEqual(
      [
        "flux-2-klein-4b",
        "flux-2-klein-9b",
        "flux-2-klein-9b-kv",
        "flux-2-klein-9b-kv-bf16",
        "flux-2-klein-base-4b",
        "flux-2-klein-base-9b",
      ]
        .map((base) => `${base}-finetuned`)
        .sort(),
    );
    for (const path of KLEIN) {
      expect(spec.paths[path].post["x-bfl-beta"], path).toBe(true);
      expect(spec.paths[path].post.description, path).toMatch(/beta/i);
    }
  });

  it("take the base klein request by reference, plus finetune_id (required) and finetune_strength", () => {
    for (const path of KLEIN) {
      const ref = spec.paths[path].post.requestBody.content["application/json"].schema.$ref;
      const name = ref.split("/").pop();
      const [base, extra] = spec.components.schemas[name].allOf;
      expect(base, path).toEqual({ $ref: "#/components/schemas/Flux2KleinInputs" });
      expect(extra.required, path).toEqual(["finetune_id"]);
      expect(Object.keys(extra.properties), path).toEqual(["finetune_id", "finetune_strength"]);
    }
  });
});

describe.each(KLEIN)("POST %s against Prism", (path) => {
  it("answers the overlay's task for a shared LoRA's id", async () => {
    const { data, response } = await client.raw.POST(path as "/v1/flux-2-klein-4b-finetuned", { body: BODY });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ id: expect.any(String), polling_url: expect.any(String) });
  });

  it("refuses a body without finetune_id with 422 and sl-violations", async () => {
    const { finetune_id: _, ...rest } = BODY;
    const { response } = await client.raw.POST(path as "/v1/flux-2-klein-4b-finetuned", { body: rest as never });
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain("finetune_id");
  });
});

describe("the whole flow against Prism", () => {
  it("generateWithFinetune(flux-2-klein-9b-finetuned) resolves Ready, polling the mock's own get_result", async () => {
    const model: KleinFinetunedModel = "flux-2-klein-9b-finetuned";
    const ready = await client.generateWithFinetune(model, BODY, { pollIntervalMs: 1 });
    expect(ready).toMatchObject({ status: "Ready", result: { sample: expect.any(String) } });
  });
});
