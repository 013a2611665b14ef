/**
 * Type tests: what the facade, the CLI and the Prism contract tests read from the shapes `paths`
 * gives list and details (the facade's use of them: client.test-d.ts). Checked by tsc, never run.
 * Each check is on a field that is read or a value that is passed (assignability), never exact
 * equality with today's generated type: an optional field BFL adds later keeps them true.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { paths } from "../../src/types.js";

type List = paths["/v1/my_finetunes"]["get"];
type Details = paths["/v1/finetune_details"]["get"];

describe("GET /v1/my_finetunes", () => {
  it("answers finetunes, an array the CLI reads item by item", () => {
    expectTypeOf<List["responses"][200]["content"]["application/json"]>()
      .toHaveProperty("finetunes")
      .toExtend<readonly unknown[]>();
  });
});

describe("GET /v1/finetune_details", () => {
  it("takes finetune_id, a string, as the facade passes it, and nothing else required", () => {
    expectTypeOf<Details["parameters"]["query"]>().toHaveProperty("finetune_id").toEqualTypeOf<string>();
    expectTypeOf<{ finetune_id: string }>().toExtend<Details["parameters"]["query"]>();
  });

  it("answers finetune_details, an object the CLI prints key by key", () => {
    expectTypeOf<Details["responses"][200]["content"]["application/json"]>()
      .toHaveProperty("finetune_details")
      .toExtend<{ [key: string]: unknown }>();
  });
});
