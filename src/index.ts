/**
 * bfl-finetune: a typed client for the Black Forest Labs Finetune API.
 *
 * ```ts
 * import { createBflClient } from "bfl-finetune";
 * const bfl = createBflClient(); // reads BFL_API_KEY
 * const result = await bfl.deleteFinetune("my-finetune");
 * ```
 */
export {
  type BflClient,
  type BflClientOptions,
  createBflClient,
  type GenerateOptions,
  type RequestOptions,
} from "./client.js";
export { type Env, REGIONS, type Region, SPEC_SERVER_URL } from "./config.js";
export {
  type ApiErrorInit,
  BflAbortError,
  BflApiError,
  BflAuthenticationError,
  BflBadRequestError,
  BflConfigurationError,
  BflConflictError,
  BflConnectionError,
  BflError,
  type BflErrorOptions,
  BflInsufficientCreditsError,
  BflModerationError,
  BflNotFoundError,
  BflPermissionDeniedError,
  BflRateLimitError,
  BflResponseValidationError,
  BflServerError,
  BflTaskError,
  BflTaskNotFoundError,
  BflTimeoutError,
  BflValidationError,
  type CallFacts,
  type ResponseIssue,
  type TaskErrorInit,
  type TaskFacts,
} from "./errors.js";
export type { LogEvent, Logger, LogLevel } from "./logger.js";
export {
  type ClassifyOptions,
  classifyDelete,
  DELETE_OUTCOMES,
  type DeleteOutcome,
  type DeleteOutcomeName,
  deletedOutcome,
  isGone,
  notAttemptedOutcome,
} from "./outcome.js";
export type { BackoffOptions } from "./retry.js";
export {
  type CreditsResponse,
  type FinetunedInput,
  type FinetunedModel,
  type ReadyResult,
  type ResultResponse,
  type SubmitResponse,
  submitMayHaveCreated,
  type TaskRef,
  type WaitOptions,
} from "./tasks.js";
export type {
  components,
  DeleteFinetuneInputs,
  DeleteFinetuneResponse,
  FinetuneDetailResponse,
  HTTPValidationError,
  MyFinetunesResponse,
  paths,
  SuccessBody,
  ValidationError,
} from "./types.js";
export { VERSION } from "./version.js";
