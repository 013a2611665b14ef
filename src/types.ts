/**
 * Request and response types, derived from the generated `paths` and `components` so that a
 * regenerated spec flows straight into the facade's signatures.
 */
import type { components, paths } from "../generated/schema.js";

export type { components, paths };

/** The operation behind `deleteFinetune`. */
export type DeleteFinetuneOperation = paths["/v1/delete_finetune"]["post"];

/** Body of `POST /v1/delete_finetune`. */
export type DeleteFinetuneInputs = DeleteFinetuneOperation["requestBody"]["content"]["application/json"];

/** The 200 answer of `POST /v1/delete_finetune`. */
export type DeleteFinetuneResponse = DeleteFinetuneOperation["responses"][200]["content"]["application/json"];

/** The 422 answer of `POST /v1/delete_finetune`. */
export type HTTPValidationError = DeleteFinetuneOperation["responses"][422]["content"]["application/json"];

/** One entry of a 422 answer's `detail`. */
export type ValidationError = NonNullable<HTTPValidationError["detail"]>[number];
