/**
 * FLUX.2 [klein] finetuned generation (BFL's public beta, declared by the overlay) through the
 * facade against a local BFL-like server, and finetune ids of the form `org-id/lora-name` (a LoRA
 * another organization shares) through every method that sends one: each reaches the server
 * exactly as given, in a JSON body or, decoded, in the query.
 */
import { describe, expect, it } from "vitest";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { json, type RecordedRequest, useFaultServer } from "../helpers/fault-server.js";
import { effectiveSpec } from "../helpers/spec-calls.js";

const server = useFaultServer();
const SHARED = "org-5f2c9a1e/studio-portraits_v2";
const SAMPLE = "https://delivery-eu1.bfl.ai/results/t-1/sample.jpeg?sig=abc";

/** The klein finetuned models, as the effective spec marks them (x-bfl-beta), not a copied list. */
const KLEIN = Object.entries(effectiveSpec().paths as Record<string, { post?: Record<string, unknown> }>)
  .filter(([path, item]) => path.startsWith("/v1/flux-2-klein") && item.post?.["x-bfl-beta"] === true)
  .map(([path]) => path.slice("/v1/".length) as "flux-2-klein-9b-finetuned");

/** Answers a submit with a task on this server, each poll with Ready, anything else with `other`. */
function serveTask(other: unknown = {}) {
  server.reply((res, _n, req) => {
    if (req.method === "POST" && req.url.endsWith("-finetuned")) {
      return json(200, { id: "t-1", polling_url: `${server.url}/v1/get_result?id=t-1` })(res);
    }
    if (req.url.startsWith("/v1/get_result")) {
      return json(200, { id: "t-1", status: "Ready", result: { sample: SAMPLE }, details: null })(res);
    }
    json(200, other)(res);
  });
}

const bodyOf = (req: RecordedRequest | undefined) => JSON.parse(req?.body ?? "null");
const queryOf = (req: RecordedRequest | undefined, name: string) =>
  new URL(req?.url ?? "/", server.url).searchParams.getAll(name);

describe("FLUX.2 [klein] finetuned generation (beta)", () => {
  it("the spec has the six klein -finetuned models", () => {
    expect(KLEIN).toHaveLength(6);
  });

  it.each(KLEIN)("generateWithFinetune(%s) submits to its path, polls, resolves Ready", async (model) => {
    serveTask();
    const body = { prompt: "a portrait of TOK", finetune_id: "my-lora", finetune_strength: 0.8 };
    const result = await clientFor(server).generateWithFinetune(model, body, { pollIntervalMs: 5 });
    expect(result).toMatchObject({ status: "Ready", result: { sample: SAMPLE } });
    const [submit, poll] = server.requests;
    expect(submit).toMatchObject({ method: "POST", url: `/v1/${model}` });
    expect(bodyOf(submit)).toEqual(body);
    expect(poll?.url).toBe("/v1/get_result?id=t-1");
    expect(server.requests.every((r) => r.headers["x-key"] === TEST_KEY)).toBe(true);
  });

  it("refuses a klein body without finetune_id before sending anything", async () => {
    serveTask();
    const untyped = clientFor(server) as unknown as { submitFinetuned(m: string, b: unknown): Promise<unknown> };
    await expect(untyped.submitFinetuned("flux-2-klein-4b-finetuned", { prompt: "p" })).rejects.toBeInstanceOf(
      TypeError,
    );
    expect(server.requests).toEqual([]);
  });
});

describe("a finetune id of the form org-id/lora-name", () => {
  it("is sent as given by submitFinetuned (klein and ultra) and generateWithFinetune", async () => {
    serveTask();
    const client = clientFor(server);
    await client.submitFinetuned("flux-2-klein-9b-finetuned", { prompt: "p", finetune_id: SHARED });
    await client.submitFinetuned("flux-pro-1.1-ultra-finetuned", { prompt: "p", finetune_id: SHARED });
    await client.generateWithFinetune("flux-2-klein-4b-finetuned", { prompt: "p", finetune_id: SHARED });
    const submits = server.requests.filter((r) => r.method === "POST");
    expect(submits.map((r) => bodyOf(r).finetune_id)).toEqual([SHARED, SHARED, SHARED]);
  });

  it("is deleted by that id: the JSON body holds it unchanged", async () => {
    server.reply(
      json(200, {
        status: "success",
        message: `Finetune ${SHARED} deleted successfully`,
        deleted_finetune_id: SHARED,
        timestamp: "2026-12-06T12:00:00Z",
      }),
    );
    await expect(clientFor(server).deleteFinetune(SHARED)).resolves.toMatchObject({ deleted_finetune_id: SHARED });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe("/v1/delete_finetune");
    expect(bodyOf(server.requests[0])).toEqual({ finetune_id: SHARED });
  });

  it("is looked up by that id: the query decodes to it, once, with the path untouched", async () => {
    server.reply(json(200, { finetune_details: { finetune_id: SHARED } }));
    await clientFor(server).getFinetuneDetails(SHARED);
    const [req] = server.requests;
    expect(new URL(req?.url ?? "/", server.url).pathname).toBe("/v1/finetune_details");
    expect(queryOf(req, "finetune_id")).toEqual([SHARED]);
  });
});
