/**
 * createFakeBfl(): state, request checks, requests log, and every scenario, through the real
 * client over fake.fetch (no port) and over listen() (a real loopback server).
 */
import { describe, expect, it } from "vitest";
import {
  BflAbortError,
  type BflClientOptions,
  BflConflictError,
  BflConnectionError,
  BflInsufficientCreditsError,
  BflNotFoundError,
  BflPermissionDeniedError,
  BflRateLimitError,
  BflResponseValidationError,
  BflServerError,
  BflTimeoutError,
  createBflClient,
} from "../../src/index.js";
import { createFakeBfl, type FakeBfl } from "../../src/testing/index.js";
import { rejectionOf, TEST_KEY } from "../helpers/client.js";

const ORIGIN = "https://api.us1.bfl.ai";

function clientOf(fake: FakeBfl, options: BflClientOptions = {}) {
  return createBflClient({ apiKey: TEST_KEY, fetch: fake.fetch, maxRetries: 0, ...options });
}

/** A plain call through fake.fetch, for what the client does not send (or does not cover yet). */
async function call(fake: FakeBfl, method: string, path: string, init: { body?: string; key?: string | null } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.key !== null) headers["x-key"] = init.key ?? TEST_KEY;
  const response = await fake.fetch(`${ORIGIN}${path}`, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const list = (fake: FakeBfl) => call(fake, "GET", "/v1/my_finetunes");
const details = (fake: FakeBfl, id: string) =>
  call(fake, "GET", `/v1/finetune_details?finetune_id=${encodeURIComponent(id)}`);

describe("state", () => {
  it("a delete removes the id; a second delete answers 404 Finetune not found", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b"] });
    const bfl = clientOf(fake);
    await expect(bfl.deleteFinetune("a")).resolves.toMatchObject({ status: "success", deleted_finetune_id: "a" });
    expect(fake.finetunes).toEqual(["b"]);
    const second = await rejectionOf(bfl.deleteFinetune("a"));
    expect(second).toBeInstanceOf(BflNotFoundError);
    expect(second).toMatchObject({ status: 404, body: { detail: "Finetune not found" } });
  });

  it("list and details reflect the deletes", async () => {
    const fake = createFakeBfl({ finetunes: ["a", { id: "b", details: { trigger_word: "XYZ" } }] });
    expect(await list(fake)).toEqual({ status: 200, body: { finetunes: ["a", "b"] } });
    expect(await details(fake, "b")).toEqual({ status: 200, body: { finetune_details: { trigger_word: "XYZ" } } });
    const a = await details(fake, "a");
    expect(a.status).toBe(200);
    expect(a.body.finetune_details).toMatchObject({ finetune_id: "a" });
    await clientOf(fake).deleteFinetune("a");
    expect(await list(fake)).toEqual({ status: 200, body: { finetunes: ["b"] } });
    expect(await details(fake, "a")).toEqual({ status: 404, body: { detail: "Finetune not found" } });
  });

  it("the client's listFinetunes and getFinetuneDetails see the same state", async () => {
    const fake = createFakeBfl({ finetunes: ["a", { id: "b", details: { trigger_word: "XYZ" } }] });
    const bfl = clientOf(fake);
    await expect(bfl.listFinetunes()).resolves.toEqual({ finetunes: ["a", "b"] });
    await expect(bfl.getFinetuneDetails("b")).resolves.toEqual({ finetune_details: { trigger_word: "XYZ" } });
    await bfl.deleteFinetune("b");
    await expect(bfl.listFinetunes()).resolves.toEqual({ finetunes: ["a"] });
    expect(await rejectionOf(bfl.getFinetuneDetails("b"))).toBeInstanceOf(BflNotFoundError);
  });

  it("each fake has its own state", async () => {
    const one = createFakeBfl({ finetunes: ["a"] });
    const two = createFakeBfl({ finetunes: ["a"] });
    await clientOf(one).deleteFinetune("a");
    expect([one.finetunes, two.finetunes]).toEqual([[], ["a"]]);
  });

  it("refuses bad options up front", () => {
    expect(() => createFakeBfl({ finetunes: [""] })).toThrow(TypeError);
    expect(() => createFakeBfl({ finetunes: [{ id: 4 } as never] })).toThrow(/non-empty id/);
    expect(() => createFakeBfl({ apiKey: "" })).toThrow(TypeError);
  });
});

describe("fake.requests", () => {
  it("records method, path, operation, body and outcome, never the key", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    await clientOf(fake).deleteFinetune("a");
    await details(fake, "a");
    // The user's code put the key where it should not be: still redacted.
    await call(fake, "POST", "/v1/delete_finetune", { body: JSON.stringify({ finetune_id: TEST_KEY }) });
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/v1/delete_finetune",
        operation: "deleteFinetune",
        body: { finetune_id: "a" },
        outcome: 200,
      }),
      expect.objectContaining({
        method: "GET",
        path: "/v1/finetune_details?finetune_id=a",
        body: undefined,
        outcome: 404,
      }),
      expect.objectContaining({ body: { finetune_id: "[redacted]" }, outcome: 404 }),
    ]);
    expect(fake.requests[0]?.headers).toMatchObject({ "x-key": "[redacted]", "content-type": "application/json" });
    expect(JSON.stringify(fake.requests)).not.toContain(TEST_KEY);
  });
});

describe("the contract", () => {
  it("a body without finetune_id gets the spec's 422 HTTPValidationError", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    const { response, error } = await clientOf(fake).raw.POST("/v1/delete_finetune", { body: {} as never });
    expect(response.status).toBe(422);
    expect(error).toEqual({
      detail: [{ loc: ["body", "finetune_id"], msg: "Field required", type: "missing", input: {} }],
    });
  });

  it("a non-string finetune_id gets 422 through the client's typed error", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    const bfl = clientOf(fake);
    const { error } = await bfl.raw.POST("/v1/delete_finetune", { body: { finetune_id: 42 as never } });
    expect(error).toEqual({
      detail: [{ loc: ["body", "finetune_id"], msg: "Input should be a valid string", type: "string_type", input: 42 }],
    });
    expect(fake.finetunes).toEqual(["a"]);
  });

  it("a body that is not JSON, or missing, gets 422; so does details without finetune_id", async () => {
    const fake = createFakeBfl();
    expect(await call(fake, "POST", "/v1/delete_finetune", { body: "{" })).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["body", 0], type: "json_invalid" }] },
    });
    expect(await call(fake, "POST", "/v1/delete_finetune")).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["body"], type: "missing" }] },
    });
    expect(await call(fake, "GET", "/v1/finetune_details")).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["query", "finetune_id"], msg: "Field required", type: "missing" }] },
    });
  });

  it("a body sent as text/plain is not read as JSON (FastAPI): 422, nothing deleted", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    const text = JSON.stringify({ finetune_id: "a" });
    const response = await fake.fetch(`${ORIGIN}/v1/delete_finetune`, {
      method: "POST",
      headers: { "x-key": TEST_KEY, "content-type": "text/plain" },
      body: text,
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      detail: [
        {
          loc: ["body"],
          msg: "Input should be a valid dictionary or object to extract fields from",
          type: "model_attributes_type",
          input: text,
        },
      ],
    });
    expect(fake.finetunes).toEqual(["a"]);
    expect(fake.requests[0]).toMatchObject({ body: text, outcome: 422 });
  });

  it("a body without a content type, or with a +json one, is read as JSON (FastAPI)", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b"] });
    const send = (body: BodyInit, headers: Record<string, string>) =>
      fake.fetch(`${ORIGIN}/v1/delete_finetune`, { method: "POST", headers: { "x-key": TEST_KEY, ...headers }, body });
    // A Blob without a type sends no content-type at all.
    expect((await send(new Blob([JSON.stringify({ finetune_id: "a" })]), {})).status).toBe(200);
    const vendor = { "content-type": "application/vnd.api+json; charset=utf-8" };
    expect((await send(JSON.stringify({ finetune_id: "b" }), vendor)).status).toBe(200);
    expect(fake.finetunes).toEqual([]);
  });

  it("a repeated query parameter resolves to its last value (Starlette)", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    expect(await call(fake, "GET", "/v1/finetune_details?finetune_id=gone&finetune_id=a")).toMatchObject({
      status: 200,
      body: { finetune_details: { finetune_id: "a" } },
    });
    expect((await call(fake, "GET", "/v1/finetune_details?finetune_id=a&finetune_id=gone")).status).toBe(404);
  });

  it("without x-key: 403 with a detail, nothing deleted", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    const body = JSON.stringify({ finetune_id: "a" });
    expect(await call(fake, "POST", "/v1/delete_finetune", { body, key: null })).toEqual({
      status: 403,
      body: { detail: "Not authenticated - Invalid Authentication" },
    });
    expect(fake.finetunes).toEqual(["a"]);
  });

  it("with apiKey set, another key gets 403 (BflPermissionDeniedError)", async () => {
    const fake = createFakeBfl({ finetunes: ["a"], apiKey: "the-right-key" });
    expect(await rejectionOf(clientOf(fake).deleteFinetune("a"))).toBeInstanceOf(BflPermissionDeniedError);
    await expect(clientOf(fake, { apiKey: "the-right-key" }).deleteFinetune("a")).resolves.toBeDefined();
  });

  it("an unknown path gets 404 Not Found, a wrong method 405, both recorded", async () => {
    const fake = createFakeBfl();
    expect(await call(fake, "GET", "/v1/nope")).toEqual({ status: 404, body: { detail: "Not Found" } });
    expect(await call(fake, "GET", "/v1/delete_finetune")).toEqual({
      status: 405,
      body: { detail: "Method Not Allowed" },
    });
    expect(fake.requests.map((r) => [r.operation, r.outcome])).toEqual([
      [null, 404],
      [null, 405],
    ]);
  });
});

describe("scenarios: HTTP answers", () => {
  it.each([
    [402, BflInsufficientCreditsError],
    [403, BflPermissionDeniedError],
    [404, BflNotFoundError],
    [409, BflConflictError],
    [429, BflRateLimitError],
    [500, BflServerError],
    [502, BflServerError],
    [503, BflServerError],
    [504, BflServerError],
  ])("%i reaches the client as its typed error, state unchanged", async (status, type) => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", { status });
    // No 429 wait allowed: the rate limit reaches the caller at once.
    const error = await rejectionOf(clientOf(fake, { rateLimit: { maxTotalWaitMs: 0 } }).deleteFinetune("a"));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, body: { detail: expect.any(String) } });
    expect(fake.finetunes).toEqual(["a"]);
  });

  it("sends the given body and headers; 429 with Retry-After is waited for, then the call succeeds", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("deleteFinetune", { status: 429, body: { detail: "slow down" }, headers: { "retry-after": "0" } });
    await expect(clientOf(fake, { maxRetries: 1 }).deleteFinetune("a")).resolves.toMatchObject({ status: "success" });
    expect(fake.requests.map((r) => r.outcome)).toEqual([429, 200]);
    fake.scenario("deleteFinetune", { status: 500, body: "plain text", headers: { "x-should-retry": "false" } });
    const error = await rejectionOf(clientOf(fake).deleteFinetune("a"));
    expect(error).toMatchObject({ status: 500, body: "plain text" });
  });

  it("times: N applies to the next N matching calls only, in the order added", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b"] });
    fake.scenario("listFinetunes", { status: 503 }, { times: 2 });
    fake.scenario("/v1/my_finetunes", { status: 502 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await list(fake)).status);
    expect(statuses).toEqual([503, 503, 502, 200]);
  });

  it("an id scenario touches that id only, for every operation about it", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b"] });
    fake.scenario("a", { status: 500 }, { times: 2 });
    expect((await details(fake, "b")).status).toBe(200);
    expect((await details(fake, "a")).status).toBe(500);
    expect((await list(fake)).status).toBe(200);
    expect(await rejectionOf(clientOf(fake).deleteFinetune("a"))).toBeInstanceOf(BflServerError);
    expect(fake.finetunes).toEqual(["a", "b"]);
  });

  it("{ id } targets an id even when it is named like an operation", async () => {
    const fake = createFakeBfl({ finetunes: ["deleteFinetune", "b"] });
    fake.scenario({ id: "deleteFinetune" }, { status: 409 });
    await expect(clientOf(fake).deleteFinetune("b")).resolves.toBeDefined();
    expect(await rejectionOf(clientOf(fake).deleteFinetune("deleteFinetune"))).toBeInstanceOf(BflConflictError);
  });

  it("requests are checked before any scenario", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("deleteFinetune", "timeout");
    expect((await call(fake, "POST", "/v1/delete_finetune", { body: "{}" })).status).toBe(422);
    expect((await call(fake, "POST", "/v1/delete_finetune", { body: '{"finetune_id":"a"}', key: null })).status).toBe(
      403,
    );
  });

  it("refuses bad scenarios up front", () => {
    const fake = createFakeBfl();
    expect(() => fake.scenario("a", { status: 99 })).toThrow(TypeError);
    expect(() => fake.scenario("a", "explode" as never)).toThrow(/behaviour must be/);
    expect(() => fake.scenario("a", "reset", { times: 0 })).toThrow(/times/);
    expect(() => fake.scenario("", "reset")).toThrow(/target/);
    expect(() => fake.scenario({ operation: "nope" }, "reset")).toThrow(/target/);
  });

  it("refuses an answer it could not send up front (else: a false connection error, or a hung listen())", () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    expect(() => fake.scenario("a", { status: 429, headers: { "retry after": "1" } })).toThrow(/scenario: headers/);
    expect(() => fake.scenario("a", { status: 429, headers: { "retry-after": "1\r\nx: y" } })).toThrow(
      /scenario: headers/,
    );
    expect(() => fake.scenario("a", { status: 500, body: { n: 1n } })).toThrow(/scenario: body/);
    expect(fake.finetunes).toEqual(["a"]);
  });
});

describe("scenarios without an answer, through fake.fetch", () => {
  it("timeout: never answers; the client's timeout ends the attempt, nothing deleted", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", "timeout");
    const error = await rejectionOf(clientOf(fake, { timeoutMs: 30 }).deleteFinetune("a"));
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect(fake.finetunes).toEqual(["a"]);
    expect(fake.requests.map((r) => r.outcome)).toEqual(["timeout"]);
  });

  it("timeout: the caller's signal ends it with BflAbortError", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", "timeout");
    const controller = new AbortController();
    const pending = rejectionOf(clientOf(fake).deleteFinetune("a", { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error("user gave up")), 10);
    expect(await pending).toBeInstanceOf(BflAbortError);
  });

  it("reset: fetch rejects like Node's (TypeError fetch failed, cause ECONNRESET); nothing deleted", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", "reset", { times: 2 });
    const raw = await rejectionOf(call(fake, "POST", "/v1/delete_finetune", { body: '{"finetune_id":"a"}' }));
    expect(raw).toBeInstanceOf(TypeError);
    expect(raw).toMatchObject({ message: "fetch failed", cause: { code: "ECONNRESET" } });
    const error = await rejectionOf(clientOf(fake).deleteFinetune("a"));
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.message).toContain("ECONNRESET");
    expect(fake.finetunes).toEqual(["a"]);
  });

  it("ambiguous: the delete happens, then the connection drops; a retry sees 404", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", "ambiguous");
    expect(await rejectionOf(clientOf(fake).deleteFinetune("a"))).toBeInstanceOf(BflConnectionError);
    expect(fake.finetunes).toEqual([]);
    expect(fake.requests.map((r) => r.outcome)).toEqual(["reset"]);
    expect(await rejectionOf(clientOf(fake).deleteFinetune("a"))).toBeInstanceOf(BflNotFoundError);
  });

  it("ambiguous, retried by the client: the 404 carries the facts that make it 'already gone'", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", "ambiguous");
    const error = await rejectionOf(
      clientOf(fake, { maxRetries: 1, backoff: { initialDelayMs: 1 } }).deleteFinetune("a"),
    );
    expect(error).toBeInstanceOf(BflNotFoundError);
    expect(error).toMatchObject({ attempts: 2, afterAmbiguousAttempt: true, sentWithoutAnswer: true });
    expect(fake.requests.map((r) => r.outcome)).toEqual(["reset", 404]);
  });

  it("invalid-body: the delete happens and the 200 breaks the spec (BflResponseValidationError)", async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario("a", "invalid-body");
    const error = await rejectionOf(clientOf(fake).deleteFinetune("a"));
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error).toMatchObject({ status: 200, issues: [{ path: "status", message: "required field is missing" }] });
    expect(fake.finetunes).toEqual([]);
    fake.scenario("gone", "invalid-body");
    const unknown = await rejectionOf(clientOf(fake).deleteFinetune("gone"));
    expect(unknown).toMatchObject({ status: 200, issues: [{ path: "", message: "body is not JSON" }] });
  });
});

describe("listen()", () => {
  it("serves the same fake on 127.0.0.1 to a client built from a URL, until close()", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b"] });
    const server = await fake.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const bfl = createBflClient({ apiKey: TEST_KEY, baseUrl: server.url, maxRetries: 0 });
      await expect(bfl.deleteFinetune("a")).resolves.toMatchObject({ deleted_finetune_id: "a" });
      expect(await rejectionOf(bfl.deleteFinetune("a"))).toBeInstanceOf(BflNotFoundError);
      const invalid = await bfl.raw.POST("/v1/delete_finetune", { body: {} as never });
      expect(invalid.response.status).toBe(422);
      expect(fake.finetunes).toEqual(["b"]);
      expect(fake.requests[0]).toMatchObject({ path: "/v1/delete_finetune", headers: { "x-key": "[redacted]" } });
    } finally {
      await server.close();
    }
    const refused = await rejectionOf(
      createBflClient({ apiKey: TEST_KEY, baseUrl: server.url, maxRetries: 0 }).deleteFinetune("b"),
    );
    expect(refused).toBeInstanceOf(BflConnectionError);
    await expect(server.close()).resolves.toBeUndefined();
  });

  it("reset drops the socket (ECONNRESET), ambiguous deletes first, timeout never answers and close() still ends", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b", "c"] });
    const server = await fake.listen();
    const bfl = createBflClient({ apiKey: TEST_KEY, baseUrl: server.url, maxRetries: 0, timeoutMs: 200 });
    fake.scenario("a", "reset");
    fake.scenario("b", "ambiguous");
    fake.scenario("c", "timeout");
    try {
      const reset = await rejectionOf(bfl.deleteFinetune("a"));
      expect(reset).toBeInstanceOf(BflConnectionError);
      expect(reset).not.toBeInstanceOf(BflTimeoutError);
      expect(await rejectionOf(bfl.deleteFinetune("b"))).toBeInstanceOf(BflConnectionError);
      expect(await rejectionOf(bfl.deleteFinetune("c"))).toBeInstanceOf(BflTimeoutError);
      expect(fake.finetunes).toEqual(["a", "c"]);
      // A request left hanging: close() must not wait for it.
      fake.scenario("c", "timeout");
      const hanging = fetch(`${server.url}/v1/delete_finetune`, {
        method: "POST",
        headers: { "x-key": TEST_KEY, "content-type": "application/json" },
        body: '{"finetune_id":"c"}',
      }).catch((e: unknown) => e);
      while (fake.requests.length < 4) await new Promise((r) => setTimeout(r, 5));
      await server.close();
      expect(await hanging).toBeInstanceOf(TypeError);
    } finally {
      await server.close();
    }
  });
});
