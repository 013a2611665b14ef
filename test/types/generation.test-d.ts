/**
 * Type tests for generating with a finetune: the models come from `paths` (every `-finetuned`
 * submit), the body type follows the model, and the answers are the spec's. Assignability, not
 * exact equality: a new optional field upstream must not break these.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  type BflClient,
  createBflClient,
  type FinetunedInput,
  type FinetunedModel,
  type ReadyResult,
  type ResultResponse,
  type SubmitResponse,
} from "../../src/index.js";

const client: BflClient = createBflClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1" });

describe("FinetunedModel", () => {
  it("holds the spec's finetuned submits and nothing else", () => {
    expectTypeOf<"flux-pro-1.1-ultra-finetuned">().toExtend<FinetunedModel>();
    expectTypeOf<"flux-pro-1.0-fill-finetuned">().toExtend<FinetunedModel>();
    expectTypeOf<"flux-dev">().not.toExtend<FinetunedModel>();
    expectTypeOf<"get_result">().not.toExtend<FinetunedModel>();
  });
});

describe("submitFinetuned", () => {
  it("takes the ultra body for the ultra model: finetune_id required, defaults optional", () => {
    expectTypeOf({ finetune_id: "f", prompt: "p" }).toExtend<FinetunedInput<"flux-pro-1.1-ultra-finetuned">>();
    expectTypeOf({ prompt: "p" }).not.toExtend<FinetunedInput<"flux-pro-1.1-ultra-finetuned">>();
    void client.submitFinetuned("flux-pro-1.1-ultra-finetuned", { finetune_id: "f", aspect_ratio: "1:1" });
    // @ts-expect-error: the ultra model takes no mask
    void client.submitFinetuned("flux-pro-1.1-ultra-finetuned", { finetune_id: "f", mask: "m" });
    // @ts-expect-error: finetune_id is required
    void client.submitFinetuned("flux-pro-1.1-ultra-finetuned", { prompt: "p" });
  });

  it("takes the fill body for the fill model: image required", () => {
    void client.submitFinetuned("flux-pro-1.0-fill-finetuned", { finetune_id: "f", image: "b64", mask: "m" });
    // @ts-expect-error: the fill model needs an image
    void client.submitFinetuned("flux-pro-1.0-fill-finetuned", { finetune_id: "f" });
    // @ts-expect-error: not a finetuned model
    void client.submitFinetuned("flux-dev", { finetune_id: "f" });
  });

  it("resolves to the spec's submit answer, which waitForResult takes", () => {
    expectTypeOf(client.submitFinetuned<"flux-pro-1.1-ultra-finetuned">).returns.resolves.toExtend<SubmitResponse>();
    expectTypeOf<SubmitResponse>().toExtend<{ id: string }>();
    expectTypeOf<SubmitResponse>().toExtend<Parameters<BflClient["waitForResult"]>[0]>();
  });
});

describe("waitForResult and generateWithFinetune", () => {
  it("resolve to a Ready result whose sample is a string", () => {
    expectTypeOf(client.waitForResult).returns.resolves.toExtend<ResultResponse>();
    expectTypeOf<ReadyResult["result"]["sample"]>().toEqualTypeOf<string>();
    expectTypeOf(client.generateWithFinetune<"flux-pro-1.0-fill-finetuned">).returns.resolves.toExtend<ReadyResult>();
  });

  it("getResult's status is the spec's list", () => {
    expectTypeOf<ResultResponse["status"]>().toExtend<string>();
    expectTypeOf<"Ready">().toExtend<ResultResponse["status"]>();
    expectTypeOf<"Done">().not.toExtend<ResultResponse["status"]>();
  });

  it("getCredits resolves to a balance in credits", () => {
    expectTypeOf(client.getCredits).returns.resolves.toExtend<{ credits: number }>();
  });
});
