/**
 * bfl-finetune: a typed client for the Black Forest Labs Finetune API.
 *
 * ```ts
 * import { createBflClient } from "bfl-finetune";
 * const bfl = createBflClient(); // reads BFL_API_KEY
 * const result = await bfl.deleteFinetune("my-finetune");
 * ```
 */
export { type BflClient, type BflClientOptions, createBflClient, type RequestOptions } from "./client.js";
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
  BflNotFoundError,
  BflPermissionDeniedError,
  BflRateLimitError,
  BflResponseValidationError,
  BflServerError,
  BflTimeoutError,
  BflValidationError,
  type CallFacts,
  type ResponseIssue,
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
