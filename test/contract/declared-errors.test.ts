/**
 * The error answers the overlay declares (403, 404, 429, 402, each a `{ detail }` with an
 * example), over every operation of the effective spec: Prism serves each one on `Prefer: code=N`
 * with its example, the body conforms to the declared schema, and the facade turns it into the
 * error class for its status with the server's detail in the message.
 */
import { describe, expect, inject, it } from "vitest";
import { errorResponses, requests } from "../../generated/contract.js";
import {
  BflInsufficientCreditsError,
  BflNotFoundError,
  BflPermissionDeniedError,
  BflRateLimitError,
  createBflClient,
} from "../../src/index.js";
import { validate } from "../../src/validate.js";
import { SAMPLE_ID, specCalls, urlOf } from "../helpers/spec-calls.js";

const baseUrl = inject("prismUrl");
const calls = specCalls();
type Table<T> = Record<string, Record<string, T>>;
const keyHeader = (path: string, method: string) =>
  (requests as unknown as Table<{ apiKeyHeader: string | null }>)[path]?.[method.toLowerCase()]?.apiKeyHeader ?? null;
const errorSchema = (path: string, method: string, status: number) =>
  (errorResponses as unknown as Table<Record<string, object>>)[path]?.[method.toLowerCase()]?.[status];

describe("the overlay's error answers, served by Prism", () => {
  it("are declared on every operation: 429 everywhere, 403 wherever a key is taken", () => {
    for (const call of calls) {
      const statuses = call.errors.map((e) => e.status);
      expect(statuses, `${call.method} ${call.path}`).toContain(429);
      if (keyHeader(call.path, call.method) !== null) expect(statuses, `${call.method} ${call.path}`).toContain(403);
      for (const error of call.errors)
        expect(error.example, `${call.method} ${call.path} ${error.status}`).toBeDefined();
    }
  });

  const cases = calls.flatMap((call) => call.errors.map((error) => ({ ...call, ...error })));
  it.concurrent.each(cases)("$method $path: Prefer code=$status serves the example, which conforms", async (c) => {
    const header = keyHeader(c.path, c.method);
    const response = await fetch(urlOf(baseUrl, c), {
      method: c.method,
      headers: {
        prefer: `code=${c.status}`,
        ...(header ? { [header]: "test-key" } : {}),
        ...(c.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
    });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(c.status);
    const body = await response.json();
    expect(body).toEqual(c.example);
    expect(validate(errorSchema(c.path, c.method, c.status) ?? {}, body)).toEqual([]);
    expect(body).toEqual({ detail: expect.any(String) });
    // The overlay declares Retry-After on a 429 (with an example, so the mock sends one).
    if (c.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(0);
  });
});

describe("the facade maps each declared error to its class", () => {
  // A client per call: a 429 holds every call of its client (the rate-limit gate); no retries,
  // and no wait for a 429 (which is otherwise waited out, not counted as a try).
  const client = () =>
    createBflClient({ apiKey: "test-key", baseUrl, maxRetries: 0, rateLimit: { maxTotalWaitMs: 0 } });
  type Options = { headers: Record<string, string> };
  const facade: Record<string, ((o: Options) => Promise<unknown>) | undefined> = {
    "POST /v1/delete_finetune": (o: Options) => client().deleteFinetune(SAMPLE_ID, o),
    "GET /v1/my_finetunes": (o: Options) => client().listFinetunes(o),
    "GET /v1/finetune_details": (o: Options) => client().getFinetuneDetails(SAMPLE_ID, o),
  };
  const classes = {
    402: BflInsufficientCreditsError,
    403: BflPermissionDeniedError,
    404: BflNotFoundError,
    429: BflRateLimitError,
  } as const;
  const cases = calls.flatMap((call) => {
    const method = facade[`${call.method} ${call.path}`];
    return method ? call.errors.map((error) => ({ name: `${call.method} ${call.path}`, method, ...error })) : [];
  });

  it("covers the facade's operations", () => expect(new Set(cases.map((c) => c.name)).size).toBe(3));

  it.concurrent.each(cases)("$name, $status", async ({ method, status, example }) => {
    const error = await method({ headers: { Prefer: `code=${status}` } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(classes[status as keyof typeof classes]);
    expect(error).toMatchObject({ status, body: example });
    expect((error as Error).message).toContain((example as { detail: string }).detail);
  });
});
