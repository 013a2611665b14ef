/** Each non-2xx status becomes the documented error class, with a readable one-line message. */
import { describe, expect, it } from "vitest";
import {
  BflApiError,
  BflAuthenticationError,
  BflBadRequestError,
  BflConflictError,
  BflError,
  BflInsufficientCreditsError,
  BflNotFoundError,
  BflPermissionDeniedError,
  BflRateLimitError,
  BflServerError,
  BflValidationError,
} from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { json, okBody, text, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

describe("2xx", () => {
  it("resolves to the typed body and sends the id as JSON with the key in x-key", async () => {
    server.reply(json(200, okBody("ft-1")));
    const result = await clientFor(server).deleteFinetune("ft-1");
    expect(result).toEqual(okBody("ft-1"));
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/delete_finetune");
    expect(JSON.parse(request?.body ?? "")).toEqual({ finetune_id: "ft-1" });
    expect(request?.headers["x-key"]).toBe("bfl-test-key-8d41c2e9f7");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["user-agent"]).toMatch(/^bfl-finetune\/\d+\.\d+\.\d+/);
  });

  it("sends any other string as is, spaces and unicode included", async () => {
    server.reply(json(200, okBody()));
    await clientFor(server).deleteFinetune(" ft/ü 1 ");
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({ finetune_id: " ft/ü 1 " });
  });
});

const rows = [
  { status: 400, type: BflBadRequestError, name: "BflBadRequestError" },
  { status: 401, type: BflAuthenticationError, name: "BflAuthenticationError" },
  { status: 402, type: BflInsufficientCreditsError, name: "BflInsufficientCreditsError" },
  { status: 403, type: BflPermissionDeniedError, name: "BflPermissionDeniedError" },
  { status: 404, type: BflNotFoundError, name: "BflNotFoundError" },
  { status: 418, type: BflApiError, name: "BflApiError" },
  { status: 451, type: BflApiError, name: "BflApiError" },
] as const;

describe("4xx that are not retried", () => {
  it.each(rows)("$status -> $name after one attempt", async ({ status, type, name }) => {
    server.reply(json(status, { detail: `server says ${status}` }, { "x-request-id": `req-${status}` }));
    const error = await rejectionOf(clientFor(server).deleteFinetune("ft"));
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(BflError);
    expect(error.constructor).toBe(type);
    expect(error.name).toBe(name);
    expect(String(error)).toMatch(new RegExp(`^${name}: ${status} `));
    const api = error as BflApiError;
    expect(api.status).toBe(status);
    expect(api.body).toEqual({ detail: `server says ${status}` });
    expect(api.requestId).toBe(`req-${status}`);
    expect(api.headers.get("x-request-id")).toBe(`req-${status}`);
    expect(api.attempts).toBe(1);
    expect(api.message).toContain(`server says ${status}`);
    expect(api.message).not.toContain("\n");
    expect(server.requests).toHaveLength(1);
  });

  it("401 and 403 say what to check, from the server's detail, naming BFL_API_KEY", async () => {
    server.reply(json(403, { detail: "Not authenticated - Invalid Authentication" }));
    const forbidden = await rejectionOf(clientFor(server).deleteFinetune("ft"));
    expect(forbidden).toBeInstanceOf(BflPermissionDeniedError);
    expect(forbidden.message).toContain("403 Forbidden: Not authenticated - Invalid Authentication");
    expect(forbidden.message).toContain("BFL_API_KEY");
    server.reply(text(401, ""));
    const unauthorized = await rejectionOf(clientFor(server).deleteFinetune("ft"));
    expect(unauthorized).toBeInstanceOf(BflAuthenticationError);
    expect(unauthorized.message).toMatch(/^401 Unauthorized: check that BFL_API_KEY/);
  });

  it("422 exposes the spec's detail, typed, and lists each loc: msg in the message", async () => {
    const detail = [
      { loc: ["body", "finetune_id"], msg: "Field required", type: "missing" },
      { loc: ["body", 0], msg: "Input should be a string", type: "string_type" },
    ];
    server.reply(json(422, { detail }));
    const error = await rejectionOf(clientFor(server).deleteFinetune("ft"));
    expect(error).toBeInstanceOf(BflValidationError);
    const validation = error as BflValidationError;
    expect(validation.detail).toEqual(detail);
    expect(validation.message).toBe(
      "422 Unprocessable Entity: body.finetune_id: Field required; body.0: Input should be a string",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("422 in another shape keeps the body and an empty detail", async () => {
    server.reply(json(422, { error: "nope" }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("ft"))) as BflValidationError;
    expect(error.detail).toEqual([]);
    expect(error.body).toEqual({ error: "nope" });
    expect(error.message).toBe("422 Unprocessable Entity");
  });
});

describe("bodies that are not JSON", () => {
  it("an HTML 502 page is kept as text, cut to 1 KiB", async () => {
    const page = `<html><body><h1>502 Bad Gateway</h1>${"x".repeat(5000)}</body></html>`;
    server.reply(text(502, page, { "content-type": "text/html" }));
    const error = (await rejectionOf(clientFor(server, { maxRetries: 0 }).deleteFinetune("ft"))) as BflServerError;
    expect(error).toBeInstanceOf(BflServerError);
    expect(error.status).toBe(502);
    expect(typeof error.body).toBe("string");
    expect(error.body).toMatch(/^<html><body><h1>502 Bad Gateway<\/h1>x+… \[\d+ more\]$/);
    expect((error.body as string).length).toBeLessThan(1100);
    expect(error.message).toBe("502 Bad Gateway");
  });

  it("an empty 500 body leaves body undefined", async () => {
    server.reply(text(500, ""));
    const error = (await rejectionOf(clientFor(server, { maxRetries: 0 }).deleteFinetune("ft"))) as BflServerError;
    expect(error).toBeInstanceOf(BflServerError);
    expect(error.body).toBeUndefined();
    expect(error.message).toBe("500 Internal Server Error");
  });
});

describe("retried statuses, when retries run out", () => {
  it.each([
    { status: 409, type: BflConflictError },
    { status: 503, type: BflServerError },
  ])("$status always -> $type.name after 1 + maxRetries attempts", async ({ status, type }) => {
    server.reply(json(status, { detail: "busy" }));
    const error = (await rejectionOf(clientFor(server, { maxRetries: 3 }).deleteFinetune("ft"))) as BflApiError;
    expect(error).toBeInstanceOf(type);
    expect(error.attempts).toBe(4);
    expect(server.requests).toHaveLength(4);
  });

  it("429 always: waits are not counted against maxRetries, but their total per call is bounded", async () => {
    server.reply(json(429, { detail: "busy" }, { "retry-after-ms": "30" }));
    const client = clientFor(server, { maxRetries: 1, rateLimit: { maxTotalWaitMs: 200 } });
    const error = (await rejectionOf(client.deleteFinetune("ft"))) as BflRateLimitError;
    expect(error).toBeInstanceOf(BflRateLimitError);
    // 30 ms a wait, 200 ms in all: more attempts than maxRetries allows, and the budget ends it.
    expect(error.attempts).toBeGreaterThan(2);
    expect(error.attempts).toBe(Math.floor(200 / 30) + 1);
    expect(server.requests).toHaveLength(error.attempts);
  });
});
