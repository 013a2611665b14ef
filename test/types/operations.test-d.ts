/** Type tests: list and details are typed from the generated `paths` (checked by tsc, never run). */
import { describe, expectTypeOf, it } from "vitest";
import type { BflClient } from "../../src/index.js";
import type { paths } from "../../src/types.js";

type List = paths["/v1/my_finetunes"]["get"];
type Details = paths["/v1/finetune_details"]["get"];

describe("GET /v1/my_finetunes", () => {
  it("answers finetunes, an array of unspecified items", () => {
    expectTypeOf<List["responses"][200]["content"]["application/json"]>().toEqualTypeOf<{ finetunes: unknown[] }>();
    expectTypeOf<BflClient["listFinetunes"]>().returns.resolves.toEqualTypeOf<{ finetunes: unknown[] }>();
  });
});

describe("GET /v1/finetune_details", () => {
  it("takes a required finetune_id query and answers finetune_details, a record", () => {
    expectTypeOf<Details["parameters"]["query"]>().toEqualTypeOf<{ finetune_id: string }>();
    expectTypeOf<Details["responses"][200]["content"]["application/json"]>().toEqualTypeOf<{
      finetune_details: { [key: string]: unknown };
    }>();
    expectTypeOf<BflClient["getFinetuneDetails"]>().parameter(0).toEqualTypeOf<string>();
  });
});
