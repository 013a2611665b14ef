/**
 * Edges of the transport's decisions that mutation testing showed no test pinned down: what an
 * abort says while a call still waits for a slot (nothing was sent), a server wait exactly at the
 * client's limit (honoured), and which calls count as a paid submit (a POST only).
 */
import { describe, expect, it } from "vitest";
import { BflAbortError, BflServerError } from "../../src/index.js";
import { clientFor, rejectionOf } from "../helpers/client.js";
import { hang, json, okBody, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

describe("the transport's edges", () => {
  it("a call aborted while it waits for a slot says nothing was sent", async () => {
    server.reply(hang);
    const client = clientFor(server, { maxConcurrency: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const holding = rejectionOf(client.deleteFinetune("held", { signal: first.signal }));
    await expect.poll(() => server.requests.length).toBe(1);
    const waiting = rejectionOf(client.deleteFinetune("queued", { signal: second.signal }));
    second.abort();
    const error = await waiting;
    expect(error).toBeInstanceOf(BflAbortError);
    // The queued delete never left: the CLI reports it as not attempted, not as "unknown".
    expect(error).toMatchObject({ sentWithoutAnswer: false, attempts: 0 });
    expect(server.requests.map((r) => r.body)).not.toContainEqual(expect.stringContaining("queued"));
    first.abort();
    expect(await holding).toMatchObject({ sentWithoutAnswer: true });
  });

  it("a server wait exactly at backoff.maxRetryAfterMs is honoured, not refused", async () => {
    server.reply((res, n) =>
      n === 1 ? json(429, { detail: "slow down" }, { "retry-after-ms": "40" })(res) : json(200, okBody())(res),
    );
    const client = clientFor(server, { backoff: { initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 40 } });
    await expect(client.deleteFinetune("my-finetune")).resolves.toMatchObject({ deleted_finetune_id: "my-finetune" });
    expect(server.requests).toHaveLength(2);
  });

  it("only a POST to a -finetuned path is a paid submit: a GET there is retried as usual", async () => {
    server.reply((res, n) => (n === 1 ? json(503, { detail: "busy" })(res) : json(200, { ok: true })(res)));
    const raw = clientFor(server).raw as unknown as {
      GET(path: string, init?: object): Promise<{ response: Response }>;
    };
    const { response } = await raw.GET("/v1/some-finetuned");
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(2);
  });

  it("and a POST there is sent once on a 503", async () => {
    server.reply(json(503, { detail: "busy" }));
    const error = await rejectionOf(
      clientFor(server).submitFinetuned("flux-pro-1.1-ultra-finetuned", { finetune_id: "f", prompt: "p" }),
    );
    expect(error).toBeInstanceOf(BflServerError);
    expect(server.requests).toHaveLength(1);
  });
});
