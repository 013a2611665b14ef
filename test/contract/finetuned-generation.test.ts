/**
 * Contract tests for generating with a finetune against Prism serving the effective spec: the two
 * finetuned submits, GET /v1/get_result and GET /v1/credits answer the overlay's examples, which
 * conform to the generated schemas, and Prism refuses what the spec refuses.
 */
import { describe, expect, inject, it } from "vitest";
import { errorResponses, examples, requests, responses } from "../../generated/contract.js";
import { createBflClient } from "../../src/index.js";
import { validate } from "../../src/validate.js";

const client = createBflClient({ apiKey: "test-key", baseUrl: inject("prismUrl"), maxRetries: 0 });

// biome-ignore lint/suspicious/noExplicitAny: the tables are read by path and method
type Table = Record<string, Record<string, any>>;
/** One operation's parts of the generated contract, joined. */
function contractOf(path: string, method: "get" | "post") {
  const of = (table: Table) => table[path]?.[method];
  return {
    ...of(requests as Table),
    responses: { ...of(responses as Table), ...of(errorResponses as Table) },
    examples: of(examples as Table),
  };
}

const SUBMITS = [
  {
    path: "/v1/flux-pro-1.1-ultra-finetuned",
    body: { finetune_id: "my-finetune", prompt: "a portrait of TOK" },
    missing: "finetune_id",
  },
  { path: "/v1/flux-pro-1.0-fill-finetuned", body: { finetune_id: "my-finetune", image: "aGk=" }, missing: "image" },
] as const;

describe.each(SUBMITS)("POST $path against Prism", ({ path, body, missing }) => {
  const contract = contractOf(path, "post");

  it("answers the overlay's task (id and polling_url), which conforms to the generated schema", async () => {
    const { data, response } = await client.raw.POST(path, { body });
    expect(response.status).toBe(200);
    expect(data).toEqual(contract.examples[200]);
    expect(data).toMatchObject({ id: expect.any(String), polling_url: expect.stringMatching(/^https:\/\//) });
    expect(new URL(String((data as { polling_url: string }).polling_url)).searchParams.get("id")).toBe(
      (data as { id: string }).id,
    );
    expect(validate(contract.responses[200], data)).toEqual([]);
  });

  it(`declares the key and a required JSON body with ${missing}`, () => {
    expect(contract.apiKeyHeader).toBe("x-key");
    expect(contract.body?.required).toBe(true);
  });

  it(`gets 422 with sl-violations when the body lacks ${missing}`, async () => {
    const { [missing]: _dropped, ...rest } = body as Record<string, string>;
    // biome-ignore lint/suspicious/noExplicitAny: the body is incomplete on purpose
    const { response } = await client.raw.POST(path, { body: rest as any });
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain(missing);
  });

  it("honours Prefer: code=422 with the overlay's validation error, which conforms", async () => {
    const { error, response } = await client.raw.POST(path, { body, headers: { Prefer: "code=422" } });
    expect(response.status).toBe(422);
    expect(error).toEqual(contract.examples[422]);
    expect(validate(contract.responses[422], error)).toEqual([]);
  });
});

describe("GET /v1/get_result against Prism", () => {
  const contract = contractOf("/v1/get_result", "get");

  it("answers the overlay's Ready task by default, with a sample URL, which conforms", async () => {
    const { data, response } = await client.raw.GET("/v1/get_result", { params: { query: { id: "any" } } });
    expect(response.status).toBe(200);
    expect(data).toEqual(contract.examples[200]);
    expect(data?.status).toBe("Ready");
    expect(new URL((data?.result as { sample: string } | undefined)?.sample ?? "").protocol).toBe("https:");
    expect(validate(contract.responses[200], data)).toEqual([]);
  });

  it.each(["pending", "moderated"])("serves the %s example on request, which conforms", async (name) => {
    const { data, response } = await client.raw.GET("/v1/get_result", {
      params: { query: { id: "any" } },
      headers: { Prefer: `example=${name}` },
    });
    expect(response.status).toBe(200);
    expect(data?.status).not.toBe("Ready");
    expect(validate(contract.responses[200], data)).toEqual([]);
  });

  it("declares the key (added by the overlay) and the required id query", () => {
    expect(contract.apiKeyHeader).toBe("x-key");
    expect(contract.query).toEqual({ id: { required: true, schema: { type: "string" } } });
  });

  it("refuses a status outside the spec's list", () => {
    expect(validate(contract.responses[200], { id: "a", status: "Done" })).toEqual([
      { path: "status", message: "not one of the allowed values" },
    ]);
  });

  it("gets 422 with sl-violations when id is missing", async () => {
    // @ts-expect-error: the spec requires id
    const { response } = await client.raw.GET("/v1/get_result", { params: { query: {} } });
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain("id");
  });
});

describe("GET /v1/credits against Prism", () => {
  const contract = contractOf("/v1/credits", "get");

  it("answers the overlay's balance, which conforms", async () => {
    const { data, response } = await client.raw.GET("/v1/credits");
    expect(response.status).toBe(200);
    expect(data).toEqual(contract.examples[200]);
    expect(typeof data?.credits).toBe("number");
    expect(validate(contract.responses[200], data)).toEqual([]);
    expect(validate(contract.responses[200], { credits: "12" })).toEqual([
      { path: "credits", message: "expected number, got string" },
    ]);
  });
});

describe("the whole flow against Prism", () => {
  it("generateWithFinetune resolves the overlay's Ready task, polling the mock's own get_result", async () => {
    const seen: string[] = [];
    const mock = createBflClient({
      apiKey: "test-key",
      baseUrl: inject("prismUrl"),
      fetch: (request) => {
        seen.push(`${request.method} ${new URL(request.url).origin}${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
    const ready = await mock.generateWithFinetune(
      "flux-pro-1.1-ultra-finetuned",
      { finetune_id: "my-finetune", prompt: "a portrait of TOK" },
      { pollIntervalMs: 1 },
    );
    expect(ready).toEqual(contractOf("/v1/get_result", "get").examples[200]);
    // The example's polling_url names BFL's host; a client aimed at the mock never goes there.
    expect(seen).toEqual([
      `POST ${inject("prismUrl")}/v1/flux-pro-1.1-ultra-finetuned`,
      `GET ${inject("prismUrl")}/v1/get_result`,
    ]);
  });
});
