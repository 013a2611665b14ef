/**
 * Type tests for the FLUX.2 [klein] finetuned models (BFL's public beta, from the overlay): they
 * are finetuned models with no code of their own, and their body is the base klein request plus
 * finetune_id (required) and finetune_strength.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  type BflClient,
  createBflClient,
  type FinetunedInput,
  type FinetunedModel,
  type KleinFinetunedModel,
  type ReadyResult,
} from "../../src/index.js";

const client: BflClient = createBflClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1" });

describe("KleinFinetunedModel", () => {
  it("holds the six klein bases' -finetuned models, each a FinetunedModel", () => {
    expectTypeOf<
      | "flux-2-klein-4b-finetuned"
      | "flux-2-klein-9b-finetuned"
      | "flux-2-klein-9b-kv-finetuned"
      | "flux-2-klein-9b-kv-bf16-finetuned"
      | "flux-2-klein-base-4b-finetuned"
      | "flux-2-klein-base-9b-finetuned"
    >().toEqualTypeOf<KleinFinetunedModel>();
    expectTypeOf<KleinFinetunedModel>().toExtend<FinetunedModel>();
    expectTypeOf<"flux-pro-1.1-ultra-finetuned">().not.toExtend<KleinFinetunedModel>();
  });
});

describe("a klein body", () => {
  it("is the base klein request plus finetune_id (required) and finetune_strength", () => {
    type Body = FinetunedInput<"flux-2-klein-9b-finetuned">;
    expectTypeOf({ prompt: "p", finetune_id: "org-1/lora" }).toExtend<Body>();
    expectTypeOf({ prompt: "p", finetune_id: "f", finetune_strength: 1.5, seed: 42, width: 1024 }).toExtend<Body>();
    expectTypeOf({ prompt: "p" }).not.toExtend<Body>();
    expectTypeOf({ finetune_id: "f" }).not.toExtend<Body>();
    // @ts-expect-error: the klein request takes no mask
    void client.submitFinetuned("flux-2-klein-4b-finetuned", { prompt: "p", finetune_id: "f", mask: "m" });
  });

  it("goes through generateWithFinetune to a Ready result", () => {
    expectTypeOf(
      client.generateWithFinetune("flux-2-klein-9b-finetuned", { prompt: "p", finetune_id: "f" }),
    ).resolves.toExtend<ReadyResult>();
  });
});
