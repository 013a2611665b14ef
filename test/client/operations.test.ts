/** list and details go through the same layer as delete: typed, validated, retried, keyed. */
import { describe, expect, it } from "vitest";
import {
  BflConnectionError,
  BflNotFoundError,
  BflResponseValidationError,
  type BflValidationError,
} from "../../src/index.js";
import { clientFor, rejectionOf, TEST_KEY } from "../helpers/client.js";
import { hang, json, reset, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

describe("listFinetunes", () => {
  it("GETs /v1/my_finetunes with the key and resolves to the typed body", async () => {
    server.reply(json(200, { finetunes: ["ft-1", "ft-2"] }));
    const result = await clientFor(server).listFinetunes();
    expect(result).toEqual({ finetunes: ["ft-1", "ft-2"] });
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/v1/my_finetunes" });
    expect(server.requests[0]?.headers["x-key"]).toBe(TEST_KEY);
  });

  it("items that are not strings pass as the server sent them (the spec leaves them open)", async () => {
    server.reply(json(200, { finetunes: ["a", { id: "b" }, 3] }));
    await expect(clientFor(server).listFinetunes()).resolves.toEqual({ finetunes: ["a", { id: "b" }, 3] });
  });

  it("a body without finetunes breaks the spec", async () => {
    server.reply(json(200, { items: [] }));
    const error = (await rejectionOf(clientFor(server).listFinetunes())) as BflResponseValidationError;
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error.issues).toEqual([{ path: "finetunes", message: "required field is missing" }]);
  });

  it("is retried on the same rules: 503, a reset, then 200", async () => {
    server.reply((res, n) => (n === 1 ? json(503, {})(res) : n === 2 ? reset(res) : json(200, { finetunes: [] })(res)));
    await expect(clientFor(server).listFinetunes()).resolves.toEqual({ finetunes: [] });
    expect(server.requests).toHaveLength(3);
  });
});

describe("getFinetuneDetails", () => {
  it("GETs /v1/finetune_details?finetune_id=ID and resolves to the typed body", async () => {
    const details = { finetune_details: { finetune_id: "ft 1", mode: "character", lora_rank: 32 } };
    server.reply(json(200, details));
    const result = await clientFor(server).getFinetuneDetails("ft 1");
    expect(result).toEqual(details);
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/v1/finetune_details?finetune_id=ft%201" });
  });

  it("404 and 422 are the documented errors; a timeout is retried then thrown", async () => {
    server.reply(json(404, { detail: "Finetune not found" }));
    expect(await rejectionOf(clientFor(server).getFinetuneDetails("gone"))).toBeInstanceOf(BflNotFoundError);
    server.reply(json(422, { detail: [{ loc: ["query", "finetune_id"], msg: "Field required", type: "missing" }] }));
    const invalid = (await rejectionOf(clientFor(server).getFinetuneDetails("x"))) as BflValidationError;
    expect(invalid.message).toContain("query.finetune_id: Field required");
    server.reply(hang);
    const timeout = await rejectionOf(clientFor(server, { timeoutMs: 50, maxRetries: 1 }).getFinetuneDetails("x"));
    expect(timeout).toBeInstanceOf(BflConnectionError);
    expect(server.requests).toHaveLength(2);
  });

  it("refuses a blank id before sending", async () => {
    server.reply(json(200, {}));
    await expect(clientFor(server).getFinetuneDetails(" ")).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("client.raw", () => {
  it("keeps openapi-fetch's { data, error, response } and gets the same retries and key", async () => {
    server.reply((res, n) => (n === 1 ? json(502, {})(res) : json(200, { finetunes: ["x"] })(res)));
    const { data, error, response } = await clientFor(server).raw.GET("/v1/my_finetunes");
    expect(data).toEqual({ finetunes: ["x"] });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(server.requests.map((r) => r.headers["x-key"])).toEqual([TEST_KEY, TEST_KEY]);
  });

  it("answers a final HTTP error as { error, response } after the same retries", async () => {
    server.reply(json(503, { detail: "down" }));
    const { data, error, response } = await clientFor(server, { maxRetries: 2 }).raw.POST("/v1/delete_finetune", {
      body: { finetune_id: "x" },
    });
    expect(data).toBeUndefined();
    expect(error).toEqual({ detail: "down" });
    expect(response.status).toBe(503);
    expect(server.requests).toHaveLength(3);
  });

  it("times out each attempt like the facade", async () => {
    server.reply(hang);
    const started = Date.now();
    const error = await rejectionOf(
      clientFor(server, { timeoutMs: 50, maxRetries: 0 }).raw.GET("/v1/finetune_details", {
        params: { query: { finetune_id: "x" } },
      }),
    );
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error.name).toBe("BflTimeoutError");
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
