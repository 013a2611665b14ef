/**
 * Type tests: what the spec allows and forbids at compile time. Nothing here runs; `tsc` (npm run
 * typecheck) and vitest's typecheck mode (the `types` project of `npm test`) fail on any line that
 * does not hold, including an `@ts-expect-error` that no longer finds an error.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  type BflClient,
  type BflValidationError,
  createBflClient,
  type DeleteFinetuneResponse,
  type FinetuneDetailResponse,
  type MyFinetunesResponse,
  type paths,
  type ValidationError,
} from "../../src/index.js";

const client: BflClient = createBflClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1" });

describe("deleteFinetune", () => {
  it("takes a string id and resolves to the spec's DeleteFinetuneResponse", () => {
    expectTypeOf(client.deleteFinetune).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(client.deleteFinetune).returns.resolves.toEqualTypeOf<DeleteFinetuneResponse>();
    // @ts-expect-error: finetuneId is a string
    void client.deleteFinetune(123);
  });

  it("has the spec's fields and no others", () => {
    expectTypeOf<DeleteFinetuneResponse>().toHaveProperty("timestamp").toEqualTypeOf<string>();
    expectTypeOf<DeleteFinetuneResponse>().toHaveProperty("deleted_finetune_id").toEqualTypeOf<string>();
    // @ts-expect-error: not a field of DeleteFinetuneResponse
    expectTypeOf<DeleteFinetuneResponse>().toHaveProperty("not_in_spec");
  });

  it("a 422's detail is the spec's ValidationError list", () => {
    expectTypeOf<BflValidationError["detail"]>().toEqualTypeOf<ValidationError[]>();
  });
});

describe("listFinetunes and getFinetuneDetails", () => {
  // Exactness is the point here: the facade returns what `paths` says, whatever BFL's document says.
  it("resolve to the 200 bodies of their operations in paths", () => {
    type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
    expectTypeOf(client.listFinetunes).returns.resolves.toEqualTypeOf<MyFinetunesResponse>();
    expectTypeOf<MyFinetunesResponse>().toEqualTypeOf<Json<paths["/v1/my_finetunes"]["get"]["responses"][200]>>();
    expectTypeOf(client.getFinetuneDetails).returns.resolves.toEqualTypeOf<FinetuneDetailResponse>();
    expectTypeOf<FinetuneDetailResponse>().toEqualTypeOf<
      Json<paths["/v1/finetune_details"]["get"]["responses"][200]>
    >();
    expectTypeOf(client.getFinetuneDetails).parameter(0).toEqualTypeOf<string>();
  });

  it("list items are an array the CLI reads as unknown values", () => {
    expectTypeOf<MyFinetunesResponse["finetunes"]>().toExtend<readonly unknown[]>();
  });

  it("raw GET requires the details query the spec requires", () => {
    // @ts-expect-error: finetune_id is a required query parameter
    void client.raw.GET("/v1/finetune_details", { params: { query: {} } });
  });
});

describe("the raw client", () => {
  it("refuses a body the spec does not allow", () => {
    // @ts-expect-error: the body the spec requires has finetune_id
    void client.raw.POST("/v1/delete_finetune", { body: { finetune: "my-finetune" } });
    expectTypeOf(client.raw.POST).toBeFunction();
  });
});
