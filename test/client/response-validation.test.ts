/** 2xx bodies are checked against the response schema generated from the snapshot. */
import { describe, expect, it } from "vitest";
import { BflResponseValidationError } from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { json, okBody, text, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

describe("2xx bodies", () => {
  it("invalid JSON -> BflResponseValidationError with the text, not retried", async () => {
    server.reply(text(200, "<html>oops</html>", { "content-type": "text/html" }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflResponseValidationError;
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error.status).toBe(200);
    expect(error.body).toBe("<html>oops</html>");
    expect(error.issues).toEqual([{ path: "", message: "body is not JSON" }]);
    expect(error.message).toBe(
      "The server accepted the request (200), but its response does not match the API spec: body is not JSON",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("an empty 200 is not a valid answer", async () => {
    server.reply(text(200, ""));
    const error = await rejectionOf(clientFor(server).deleteFinetune("x"));
    expect(error).toBeInstanceOf(BflResponseValidationError);
  });

  it("a missing timestamp is named", async () => {
    const { timestamp: _, ...body } = okBody();
    server.reply(json(200, body));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflResponseValidationError;
    expect(error.issues).toEqual([{ path: "timestamp", message: "required field is missing" }]);
    expect(error.message).toBe(
      "The server accepted the request (200), but its response does not match the API spec: timestamp: required field is missing",
    );
    expect(error.body).toEqual(body);
  });

  it("a field of the wrong type is named", async () => {
    server.reply(json(200, { ...okBody(), status: 1 }));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflResponseValidationError;
    expect(error.issues).toEqual([{ path: "status", message: "expected string, got number" }]);
  });

  it("a body that is not an object is refused", async () => {
    server.reply(json(200, ["not", "an", "object"]));
    const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflResponseValidationError;
    expect(error.issues).toEqual([{ path: "", message: "expected object, got array" }]);
  });

  it("extra fields are accepted and kept", async () => {
    server.reply(json(200, { ...okBody(), credits_refunded: 3 }));
    await expect(clientFor(server).deleteFinetune("x")).resolves.toEqual({ ...okBody(), credits_refunded: 3 });
  });

  it("validateResponses: false returns any JSON as is", async () => {
    server.reply(json(200, { status: "success" }));
    await expect(clientFor(server, { validateResponses: false }).deleteFinetune("x")).resolves.toEqual({
      status: "success",
    });
  });
});
