/**
 * The facade: `createBflClient()` and one short method per covered operation, over openapi-fetch.
 * Every request, `raw` included, goes through the transport (transport.ts: key, timeouts,
 * retries, the rate-limit gate); this file only says which operation to call and turns its
 * answer into a validated body or a {@link BflError}.
 */
import openapiFetch, { type Client } from "openapi-fetch";
import { responseSchemas, responses } from "../generated/contract.js";
import { CallRecord } from "./call-facts.js";
import { type BflClientOptions, callSettings, clientSettings, type RequestOptions } from "./config.js";
import { abortError, BflResponseValidationError, truncate } from "./errors.js";
import { RateLimitGate } from "./rate-limit.js";
import { redactText, redactValue } from "./redact.js";
import { createTransport, type Transport } from "./transport.js";
import type { paths, SuccessBody } from "./types.js";
import { HTTP_METHODS } from "./utils/http-methods.js";
import { type Schema, validate } from "./validate.js";
import { VERSION } from "./version.js";

export type { BflClientOptions, RequestOptions } from "./config.js";

/**
 * openapi-fetch's CommonJS build exports its factory as `exports.default`; our CommonJS build,
 * like Node itself, hands a default import the whole `exports` object. Unwrap it once here.
 */
const createClient: typeof openapiFetch =
  typeof openapiFetch === "function"
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

type Body<P extends keyof paths, M extends keyof paths[P]> = SuccessBody<paths[P][M]>;

/** A BFL Finetune API client. Holds no key in any inspectable property. */
export interface BflClient {
  /**
   * Deletes a finetune you created and resolves to the server's answer. On failure, the error's
   * `afterAmbiguousAttempt` and `sentWithoutAnswer` say whether it may be gone all the same.
   * @throws {TypeError} when `finetuneId` is not a non-blank string (nothing is sent).
   */
  deleteFinetune(finetuneId: string, options?: RequestOptions): Promise<Body<"/v1/delete_finetune", "post">>;
  /** Lists the finetunes you created (`finetunes`: items as the server sends them). */
  listFinetunes(options?: RequestOptions): Promise<Body<"/v1/my_finetunes", "get">>;
  /**
   * Training parameters and other metadata of one finetune.
   * @throws {TypeError} when `finetuneId` is not a non-blank string (nothing is sent).
   */
  getFinetuneDetails(finetuneId: string, options?: RequestOptions): Promise<Body<"/v1/finetune_details", "get">>;
  /** The openapi-fetch client (`{ data, error, response }`), over the same key, timeouts and retries. */
  readonly raw: Client<paths>;
  /** The origin (and path prefix) requests go to. */
  readonly baseUrl: string;
}

function checkedId(finetuneId: unknown): string {
  if (typeof finetuneId !== "string") {
    throw new TypeError(`finetuneId must be a string, got ${finetuneId === null ? "null" : typeof finetuneId}`);
  }
  if (finetuneId.trim() === "") throw new TypeError("finetuneId must not be empty or only whitespace");
  return finetuneId;
}

/**
 * `raw` with each call's `signal` handed to the transport out of band, as the facade does: inside
 * a Request, one signal shared by many calls gains a listener per call until each Request is
 * collected (a warning past 1,500 in flight). A call with its own `fetch` is left as it is.
 */
function signalOutOfBand(client: Client<paths>, transport: Transport): Client<paths> {
  const wrapped: Record<string, unknown> = { ...client };
  for (const method of HTTP_METHODS.map((m) => m.toUpperCase() as Uppercase<typeof m>)) {
    const send = client[method] as (url: unknown, init?: { signal?: AbortSignal | null; fetch?: unknown }) => unknown;
    wrapped[method] = (url: unknown, init?: { signal?: AbortSignal | null; fetch?: unknown }) => {
      if (!init?.signal || init.fetch !== undefined) return send(url, init);
      const { signal, ...rest } = init;
      return send(url, { ...rest, fetch: (request: Request) => transport(request, { signal }) });
    };
  }
  return wrapped as unknown as Client<paths>;
}

/**
 * Creates a client. Reads `BFL_API_KEY`, `BFL_BASE_URL` and `BFL_LOG` once, here, and only those
 * not given as options.
 * @throws {BflConfigurationError} for any unusable option (nothing is sent).
 */
export function createBflClient(options: BflClientOptions = {}): BflClient {
  const settings = clientSettings(options);
  const { apiKey, baseUrl, validateResponses } = settings;
  const gate = new RateLimitGate({ backoff: settings.policy, maxConcurrency: settings.maxConcurrency });
  const transport = createTransport({ ...settings, gate });
  const raw = signalOutOfBand(
    createClient<paths>({
      baseUrl,
      fetch: (request) => transport(request),
      headers: { "user-agent": `bfl-finetune/${VERSION}`, ...settings.headers },
    }),
    transport,
  );

  /**
   * Runs one operation through the transport and returns its validated 2xx body, or throws the
   * error for its last answer. `request` is the typed openapi-fetch call; `init` carries the
   * per-call transport and the facade's own parsing.
   */
  async function call<T>(
    path: keyof typeof responses,
    method: "get" | "post",
    options: RequestOptions,
    request: (init: {
      parseAs: "text";
      fetch: (request: Request) => Promise<Response>;
      headers?: Record<string, string>;
    }) => Promise<{ data?: string | undefined; response: Response }>,
  ): Promise<T> {
    const { headers: callHeaders, ...perCall } = callSettings(options);
    if (perCall.signal?.aborted) throw abortError(perCall.signal);
    const record = new CallRecord();
    const { data, response } = await request({
      parseAs: "text",
      // The caller's signal goes to the transport, not into a Request, where it would gain a listener per call.
      fetch: (req) => transport(req, perCall, record),
      ...(callHeaders ? { headers: callHeaders } : {}),
    });
    if (!response.ok) throw record.failure;
    const schema = (responses[path] as Record<string, Record<string, Schema>>)[method]?.[response.status];
    return parseBody(response.status, data ?? "", schema, record) as T;
  }

  function parseBody(status: number, text: string, schema: Schema | undefined, record: CallRecord): unknown {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const issues = [{ path: "", message: "body is not JSON" }];
      throw new BflResponseValidationError(status, truncate(redactText(text, apiKey)), issues, record.facts());
    }
    const issues = validateResponses && schema ? validate(schema, body, responseSchemas) : [];
    if (issues.length > 0) {
      throw new BflResponseValidationError(status, redactValue(body, apiKey), issues, record.facts());
    }
    return body;
  }

  return {
    deleteFinetune: async (finetuneId, options = {}) => {
      const finetune_id = checkedId(finetuneId);
      return call("/v1/delete_finetune", "post", options, (init) =>
        raw.POST("/v1/delete_finetune", { ...init, body: { finetune_id } }),
      );
    },
    listFinetunes: async (options = {}) =>
      call("/v1/my_finetunes", "get", options, (init) => raw.GET("/v1/my_finetunes", init)),
    getFinetuneDetails: async (finetuneId, options = {}) => {
      const finetune_id = checkedId(finetuneId);
      return call("/v1/finetune_details", "get", options, (init) =>
        raw.GET("/v1/finetune_details", { ...init, params: { query: { finetune_id } } }),
      );
    },
    raw,
    baseUrl,
  };
}
