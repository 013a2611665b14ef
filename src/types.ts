/**
 * Request and response types, derived from the generated `paths` and `components` so that a
 * regenerated spec flows straight into the facade's signatures.
 */
import type { components, paths } from "../generated/schema.js";

export type { components, paths };

/** The JSON body of an operation's 200 answer. */
export type SuccessBody<Operation> = Operation extends {
  responses: { 200: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

/** Body of `POST /v1/delete_finetune`. */
export type DeleteFinetuneInputs = components["schemas"]["DeleteFinetuneInputs"];

/** The 200 answer of `POST /v1/delete_finetune`. */
export type DeleteFinetuneResponse = SuccessBody<paths["/v1/delete_finetune"]["post"]>;

/** The 200 answer of `GET /v1/my_finetunes`. */
export type MyFinetunesResponse = SuccessBody<paths["/v1/my_finetunes"]["get"]>;

/** The 200 answer of `GET /v1/finetune_details`. */
export type FinetuneDetailResponse = SuccessBody<paths["/v1/finetune_details"]["get"]>;

/** The 422 answer of the operations that validate their input. */
export type HTTPValidationError = components["schemas"]["HTTPValidationError"];

/** One entry of a 422 answer's `detail`. */
export type ValidationError = components["schemas"]["ValidationError"];
