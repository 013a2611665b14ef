/**
 * Task answers a broken or hostile server may send, and what the client must still get right:
 * no key, no password out of a URL, a task id never lost.
 */
import { describe, expect, it } from "vitest";
import { BflResponseValidationError, BflTaskError, createBflClient } from "../../src/index.js";
import { mayCarryKey } from "../../src/key-scope.js";
import { REDACTED, TOO_DEEP } from "../../src/redact.js";
import { createFakeBfl } from "../../src/testing/index.js";
import { clientFor, rejectionOf, TEST_KEY } from "../helpers/client.js";
import { useFaultServer } from "../helpers/fault-server.js";

describe("a polling_url with credentials", () => {
  const url = "https://:hunter2@api.eu1.bfl.ai/v1/get_result?id=t-1";

  it("never carries the key, a password without a user name included", () => {
    expect(mayCarryKey(url, "https://api.bfl.ai")).toBe(false);
  });

  it("is not followed: the client polls its own get_result, and no message holds the password", async () => {
    const seen: string[] = [];
    const client = createBflClient({
      apiKey: TEST_KEY,
      baseUrl: "https://api.bfl.ai",
      // No BFL host runs locally: the client's own fetch option stands for the network.
      fetch: async (request) => {
        seen.push(request.url);
        const ready = { id: "t-1", status: "Ready", result: { sample: "https://delivery.example/s.jpeg" } };
        return new Response(JSON.stringify({ ...ready, details: null, progress: null }));
      },
    });
    const result = await client.waitForResult({ id: "t-1", polling_url: url }, { pollIntervalMs: 1 });
    expect(result.status).toBe("Ready");
    expect(seen).toEqual(["https://api.bfl.ai/v1/get_result?id=t-1"]);
  });
});

describe("a paid submit through client.raw", () => {
  it.each([
    ["sent, no answer", "ambiguous" as const],
    ["a 503", { status: 503 }],
  ])("is never sent twice unasked after %s (as submitFinetuned)", async (_, behaviour) => {
    const fake = createFakeBfl({ finetunes: ["ft"] });
    const server = await fake.listen();
    try {
      fake.scenario("submitFinetuned", behaviour);
      const client = createBflClient({ apiKey: TEST_KEY, baseUrl: server.url, backoff: { initialDelayMs: 1 } });
      const answer = await client.raw
        .POST("/v1/flux-pro-1.1-ultra-finetuned", { body: { finetune_id: "ft", prompt: "a cat" } })
        .catch((error: Error) => error);
      expect(fake.requests.filter((r) => r.operation === "submitFinetuned")).toHaveLength(1);
      expect(answer instanceof Error ? answer.name : answer.response.status).not.toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("an answer nested a hundred thousand levels deep", () => {
  const server = useFaultServer();
  const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const answer = (text: string) => (res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(text);
  };

  it("a 2xx delete that breaks the spec is still BflResponseValidationError, the deep part cut (no RangeError)", async () => {
    server.reply(answer(`{"status": ${deep(100_000)}, "message": "${TEST_KEY}"}`));
    const error = await rejectionOf(clientFor(server).deleteFinetune("ft-1"));
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect(error).toMatchObject({ status: 200, body: { message: REDACTED } });
    expect(JSON.stringify((error as BflResponseValidationError).body)).toContain(TOO_DEEP);
  });

  it("a task that ended in Error with such details is BflTaskError naming the task (no RangeError)", async () => {
    server.reply(answer(`{"id": "t-1", "status": "Error", "details": {"why": ${deep(100_000)}}}`));
    const error = await rejectionOf(clientFor(server).waitForResult({ id: "t-1" }, { pollIntervalMs: 1 }));
    expect(error).toBeInstanceOf(BflTaskError);
    expect(error).toMatchObject({ taskId: "t-1", taskStatus: "Error" });
    expect((error as Error).message).toContain(TOO_DEEP);
  });
});
