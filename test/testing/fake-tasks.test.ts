/**
 * The fake's generation flow over plain fetch (what any client sends): submit to every
 * `-finetuned` POST of the effective spec, poll `get_result` on the `polling_url` it hands out,
 * download the sample it serves, and each way a task or a call fails. Every JSON answer is
 * checked against the spec's schema for its status (or BFL's `{ detail: string }` for a status
 * the spec omits).
 */
import { describe, expect, it } from "vitest";
import { OPERATIONS, type OperationSpec } from "../../src/testing/fake-contract.js";
import { isFinetunedSubmit } from "../../src/testing/fake-tasks.js";
import { createFakeBfl, type FakeBfl } from "../../src/testing/index.js";
import { validate } from "../../src/validate.js";
import { TEST_KEY } from "../helpers/client.js";
import { validBody } from "../helpers/spec-requests.js";

const ORIGIN = "https://api.eu.bfl.ai";
const SUBMITS = OPERATIONS.filter((op) => isFinetunedSubmit(op.method, op.path));
const byPath = (path: string) => OPERATIONS.find((op) => op.path === path) as OperationSpec;

/** Issues of a JSON answer against the spec: the schema of its status, else `{ detail: string }`. */
function conformance(op: OperationSpec, status: number, body: unknown): unknown[] {
  const schema = op.responses[String(status)];
  if (schema) return validate(schema, body);
  return typeof (body as { detail?: unknown } | null)?.detail === "string" ? [] : ["not { detail: string }"];
}

/** One JSON call through fake.fetch, its answer checked against the spec before it is returned. */
async function call(fake: FakeBfl, op: OperationSpec, url: string, body?: unknown, key: string | null = TEST_KEY) {
  const response = await fake.fetch(url, {
    method: op.method,
    headers: { "content-type": "application/json", ...(key === null ? {} : { "x-key": key }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = { status: response.status, body: (await response.json()) as Record<string, unknown> };
  expect(conformance(op, answer.status, answer.body)).toEqual([]);
  return answer;
}

const submit = (fake: FakeBfl, op: OperationSpec, finetuneId = "ft", extra: Record<string, unknown> = {}) =>
  call(fake, op, `${ORIGIN}${op.path}`, validBody(op, finetuneId, extra));
const poll = (fake: FakeBfl, pollingUrl: string) => call(fake, byPath("/v1/get_result"), pollingUrl);

it("the spec has finetuned submits, get_result and credits for the fake to serve", () => {
  expect(SUBMITS.length).toBeGreaterThan(0);
  expect(byPath("/v1/get_result")).toBeDefined();
  expect(byPath("/v1/credits")).toBeDefined();
});

describe.each(SUBMITS.map((op) => [op.path, op] as const))("%s", (_, op) => {
  it("submit, Pending until the configured poll, then Ready with a sample served without a key", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 3 });
    const submitted = await submit(fake, op, "ft", { output_format: "png", prompt: "a cat" });
    expect(submitted.status).toBe(200);
    const { id, polling_url } = submitted.body as { id: string; polling_url: string };
    expect(new URL(polling_url).origin).toBe(ORIGIN);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await poll(fake, polling_url)).body.status);
    expect(statuses).toEqual(["Pending", "Pending", "Ready"]);
    const ready = await poll(fake, polling_url);
    const result = ready.body.result as { sample: string; prompt: unknown };
    expect(ready.body).toMatchObject({ id, status: "Ready" });
    expect(result.prompt).toBe("a cat");
    expect(new URL(result.sample).origin).toBe(ORIGIN);
    const image = await fake.fetch(result.sample);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect([...new Uint8Array(await image.arrayBuffer()).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(fake.tasks).toEqual([{ id, path: op.path, finetuneId: "ft", status: "Ready", polls: 4 }]);
    expect(fake.requests.at(-1)).toMatchObject({ operation: "sample", outcome: 200 });
    expect(fake.requests.at(-1)?.headers["x-key"]).toBeUndefined();
  });

  it("a finetune it does not hold: 404 Finetune not found, no task, no credit spent", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"] });
    const answer = await submit(fake, op, "someone-else/unknown");
    expect(answer).toEqual({ status: 404, body: { detail: "Finetune not found" } });
    expect([fake.tasks, fake.credits]).toEqual([[], 100]);
  });

  it("a body that breaks the schema: 422 naming the field; no key: 403; nothing created", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"] });
    const broken = await call(fake, op, `${ORIGIN}${op.path}`, { ...(validBody(op, "ft") as object), finetune_id: 7 });
    expect(broken.status).toBe(422);
    expect(broken.body.detail).toContainEqual(expect.objectContaining({ loc: ["body", "finetune_id"] }));
    const anonymous = await call(fake, op, `${ORIGIN}${op.path}`, validBody(op, "ft"), null);
    expect(anonymous.status).toBe(403);
    expect(fake.tasks).toEqual([]);
  });

  it("an org-id/lora-name finetune is a finetune like any other", async () => {
    const fake = createFakeBfl({ finetunes: ["acme/lora-1"], pollsUntilReady: 1 });
    const submitted = await submit(fake, op, "acme/lora-1");
    expect((await poll(fake, submitted.body.polling_url as string)).body.status).toBe("Ready");
  });
});

describe("tasks", () => {
  const op = SUBMITS[0] as OperationSpec;

  it.each([
    ["moderated", "Content Moderated"],
    ["request-moderated", "Request Moderated"],
    ["error", "Error"],
  ] as const)(
    "a %s scenario on the finetune: the task ends %s, with details, and has no sample",
    async (fate, status) => {
      const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 2 });
      fake.scenario("ft", fate);
      const { polling_url } = (await submit(fake, op)).body as { polling_url: string };
      expect((await poll(fake, polling_url)).body.status).toBe("Pending");
      const ended = await poll(fake, polling_url);
      expect(ended.body).toMatchObject({ status, result: null });
      expect(ended.body.details).toEqual(expect.any(Object));
      expect((await poll(fake, polling_url)).body.status).toBe(status);
    },
  );

  it("a not-found scenario: the task is lost, get_result answers Task not found", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    fake.scenario("submitFinetuned", "not-found");
    const { id, polling_url } = (await submit(fake, op)).body as { id: string; polling_url: string };
    expect((await poll(fake, polling_url)).body).toMatchObject({ id, status: "Task not found" });
    expect(fake.tasks).toEqual([]);
  });

  it("a task scenario on getResult ends the polled task at once; one on a task id, only that task", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 5 });
    const one = (await submit(fake, op)).body as { id: string; polling_url: string };
    const two = (await submit(fake, op)).body as { id: string; polling_url: string };
    fake.scenario(two.id, "error");
    fake.scenario("getResult", "moderated");
    expect((await poll(fake, one.polling_url)).body.status).toBe("Content Moderated");
    expect((await poll(fake, two.polling_url)).body.status).toBe("Error");
  });

  it("a task scenario on a finetune id waits for a submit: a delete or details call passes it by", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    fake.scenario("ft", "error");
    const details = await fake.fetch(`${ORIGIN}/v1/finetune_details?finetune_id=ft`, { headers: { "x-key": "k" } });
    expect(details.status).toBe(200);
    const { polling_url } = (await submit(fake, op)).body as { polling_url: string };
    expect((await poll(fake, polling_url)).body.status).toBe("Error");
  });

  it("an id never submitted: Task not found", async () => {
    const fake = createFakeBfl();
    expect((await poll(fake, `${ORIGIN}/v1/get_result?id=nope`)).body).toMatchObject({ status: "Task not found" });
  });

  it("a webhook_url: the webhook answer (id, status, webhook_url), and the task can still be polled", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    const answer = await submit(fake, op, "ft", { webhook_url: "https://example.com/hook" });
    expect(answer.body).toMatchObject({ status: "Pending", webhook_url: "https://example.com/hook" });
    const polled = await poll(fake, `${ORIGIN}/v1/get_result?id=${answer.body.id}`);
    expect(polled.body.status).toBe("Ready");
  });

  it("credits: each task costs taskCost; none left: 402, no task", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], credits: 3, taskCost: 2 });
    const credits = () => call(fake, byPath("/v1/credits"), `${ORIGIN}/v1/credits`);
    expect((await credits()).body).toEqual({ credits: 3 });
    expect((await submit(fake, op)).body.cost).toBe(2);
    expect((await credits()).body).toEqual({ credits: 1 });
    expect(await submit(fake, op)).toEqual({ status: 402, body: { detail: "Insufficient credits" } });
    expect(fake.tasks).toHaveLength(1);
  });

  it("refuses bad task options up front", () => {
    expect(() => createFakeBfl({ pollsUntilReady: 0 })).toThrow(/pollsUntilReady/);
    expect(() => createFakeBfl({ credits: -1 })).toThrow(/credits/);
    expect(() => createFakeBfl({ taskCost: 0.5 })).toThrow(/taskCost/);
    expect(() => createFakeBfl().scenario("ft", "moderatd" as never)).toThrow(/moderated/);
  });
});

describe("the sample", () => {
  const op = SUBMITS[0] as OperationSpec;

  async function readySample(fake: FakeBfl, format?: string) {
    const { polling_url } = (await submit(fake, op, "ft", format ? { output_format: format } : {})).body as {
      polling_url: string;
    };
    return ((await poll(fake, polling_url)).body.result as { sample: string }).sample;
  }

  it.each([
    ["jpeg", "image/jpeg", [0xff, 0xd8]],
    ["png", "image/png", [0x89, 0x50]],
    ["webp", "image/webp", [0x52, 0x49]],
  ])("%s: served as %s in the format asked for", async (format, type, magic) => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    const url = await readySample(fake, format);
    expect(url).toMatch(new RegExp(`\\.${format}$`));
    const image = await fake.fetch(url);
    expect(image.headers.get("content-type")).toBe(type);
    expect([...new Uint8Array(await image.arrayBuffer()).subarray(0, 2)]).toEqual(magic);
  });

  it("the default format is jpeg; a sample of a task not Ready, or unknown, is 404", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    const url = await readySample(fake);
    expect(url).toMatch(/\.jpeg$/);
    expect((await fake.fetch(url.replace(/\.jpeg$/, ".png"))).status).toBe(404);
    expect((await fake.fetch(`${ORIGIN}/results/nope/sample.jpeg`)).status).toBe(404);
  });

  it('scenarios on "sample": expired (403), reset, invalid-body (a cut image)', async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    const url = await readySample(fake);
    fake.scenario("sample", { status: 403, body: "AuthenticationFailed" });
    expect((await fake.fetch(url)).status).toBe(403);
    fake.scenario("sample", "reset");
    await expect(fake.fetch(url)).rejects.toThrow(TypeError);
    fake.scenario("sample", "invalid-body");
    expect((await (await fake.fetch(url)).arrayBuffer()).byteLength).toBeLessThan(10);
    expect((await fake.fetch(url)).status).toBe(200);
  });

  it("over listen(): polling_url and sample point at the server's own origin", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1 });
    const server = await fake.listen();
    try {
      const post = await fetch(`${server.url}${op.path}`, {
        method: "POST",
        headers: { "x-key": TEST_KEY, "content-type": "application/json" },
        body: JSON.stringify(validBody(op, "ft")),
      });
      const { polling_url } = (await post.json()) as { polling_url: string };
      expect(polling_url.startsWith(`${server.url}/`)).toBe(true);
      const polled = await fetch(polling_url, { headers: { "x-key": TEST_KEY } });
      const result = (await polled.json()) as { result: { sample: string } };
      expect(result.result.sample.startsWith(`${server.url}/`)).toBe(true);
      const image = await fetch(result.result.sample);
      expect([image.status, (await image.arrayBuffer()).byteLength > 100]).toEqual([200, true]);
    } finally {
      await server.close();
    }
  });
});

describe.each([
  ...SUBMITS.map((op) => [op.path, op, (fake: FakeBfl) => submit(fake, op)] as const),
  ["/v1/get_result", byPath("/v1/get_result"), (fake: FakeBfl) => poll(fake, `${ORIGIN}/v1/get_result?id=x`)] as const,
  [
    "/v1/credits",
    byPath("/v1/credits"),
    (fake: FakeBfl) => call(fake, byPath("/v1/credits"), `${ORIGIN}/v1/credits`),
  ] as const,
])("failures on demand, %s", (path, op, send) => {
  const fresh = () => createFakeBfl({ finetunes: ["ft"] });

  it("an HTTP answer instead, nothing applied", async () => {
    const fake = fresh();
    fake.scenario(path, { status: 503 });
    expect((await send(fake)).status).toBe(503);
    expect([fake.tasks, fake.credits]).toEqual([[], 100]);
  });

  it('"reset" rejects as a dropped connection; "timeout" never answers until aborted', async () => {
    const fake = fresh();
    fake.scenario(op.operationId, "reset");
    await expect(send(fake)).rejects.toMatchObject({ cause: { code: "ECONNRESET" } });
    fake.scenario(op.operationId, "timeout");
    const abort = new AbortController();
    const pending = fake.fetch(`${ORIGIN}${path}${op.query.id ? "?id=x" : ""}`, {
      method: op.method,
      headers: { "x-key": "k", "content-type": "application/json" },
      signal: abort.signal,
      ...(op.body ? { body: JSON.stringify(validBody(op, "ft")) } : {}),
    });
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(fake.tasks).toEqual([]);
  });

  it('"ambiguous": applied, then the connection drops', async () => {
    const fake = fresh();
    fake.scenario(path, "ambiguous");
    await expect(send(fake)).rejects.toMatchObject({ cause: { code: "ECONNRESET" } });
    expect(fake.tasks).toHaveLength(isFinetunedSubmit(op.method, op.path) ? 1 : 0);
  });

  it('"invalid-body": a 200 the schema refuses', async () => {
    const fake = fresh();
    fake.scenario(path, "invalid-body");
    const response = await fake.fetch(`${ORIGIN}${path}${op.query.id ? "?id=x" : ""}`, {
      method: op.method,
      headers: { "x-key": "k", "content-type": "application/json" },
      ...(op.body ? { body: JSON.stringify(validBody(op, "ft")) } : {}),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    })();
    expect(validate(op.responses["200"] ?? {}, body)).not.toEqual([]);
  });
});
