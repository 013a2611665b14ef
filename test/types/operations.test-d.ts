/**
 * Type tests: the shapes `paths` gives list and details, as the Prism contract tests expect them
 * at run time (the facade's use of them: client.test-d.ts). Checked by tsc, never run.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { paths } from "../../src/types.js";

type List = paths["/v1/my_finetunes"]["get"];
type Details = paths["/v1/finetune_details"]["get"];

describe("GET /v1/my_finetunes", () => {
  it("answers finetunes, an array of unspecified items", () => {
    expectTypeOf<List["responses"][200]["content"]["application/json"]>().toEqualTypeOf<{ finetunes: unknown[] }>();
  });
});

describe("GET /v1/finetune_details", () => {
  it("takes a required finetune_id query and answers finetune_details, a record", () => {
    expectTypeOf<Details["parameters"]["query"]>().toEqualTypeOf<{ finetune_id: string }>();
    expectTypeOf<Details["responses"][200]["content"]["application/json"]>().toEqualTypeOf<{
      finetune_details: { [key: string]: unknown };
    }>();
  });
});
