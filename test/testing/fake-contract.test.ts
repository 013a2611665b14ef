/**
 * The fake cannot drift from the spec: for every operation of generated/contract.ts it has a
 * behaviour, and every answer it makes on its own (success, 404, 403, 422) conforms to the
 * response schema the spec declares for that status (src/validate.ts), or, for a status the
 * spec does not declare, has BFL's `{ detail: string }` shape. "invalid-body" breaks the schema.
 */
import { describe, expect, it } from "vitest";
import { OPERATIONS, type OperationSpec } from "../../src/testing/fake-contract.js";
import { behaviourOf } from "../../src/testing/fake-operations.js";
import { isFinetunedSubmit } from "../../src/testing/fake-tasks.js";
import { createFakeBfl, type FakeBfl } from "../../src/testing/index.js";
import { validate } from "../../src/validate.js";
import { validBody } from "../helpers/spec-requests.js";

/** A valid request for each operation about finetune `id`; an operation missing here fails the test. */
const VALID: Record<string, (id: string) => { query: string; body?: unknown }> = {
  "/v1/delete_finetune": (id) => ({ query: "", body: { finetune_id: id } }),
  "/v1/my_finetunes": () => ({ query: "" }),
  "/v1/finetune_details": (id) => ({ query: `?finetune_id=${id}` }),
  "/v1/get_result": (id) => ({ query: `?id=${id}` }),
  "/v1/credits": () => ({ query: "" }),
  // Every finetuned generation, whatever models the spec holds: a body built from its schema.
  ...Object.fromEntries(
    OPERATIONS.filter((op) => isFinetunedSubmit(op.method, op.path)).map((op) => [
      op.path,
      (id: string) => ({ query: "", body: validBody(op, id) }),
    ]),
  ),
};

async function send(fake: FakeBfl, op: OperationSpec, request: { query: string; body?: unknown }, key = "k") {
  const response = await fake.fetch(`https://api.us1.bfl.ai${op.path}${request.query}`, {
    method: op.method,
    headers: { "x-key": key, "content-type": "application/json" },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Issues of `body` against the spec's schema for `status`; a status the spec omits must be `{ detail: string }`. */
function conformance(op: OperationSpec, status: number, body: unknown): unknown[] {
  const schema = op.responses[String(status)];
  if (schema) return validate(schema, body);
  const detail = (body as { detail?: unknown } | null)?.detail;
  return typeof detail === "string" ? [] : [{ path: "detail", message: "expected a string detail" }];
}

describe.each(OPERATIONS.map((op) => [`${op.method} ${op.path}`, op] as const))("%s", (_, op) => {
  it("has a behaviour in the fake and a valid request in this test", () => {
    expect(behaviourOf(op.method, op.path)).toBeDefined();
    expect(VALID[op.path]).toBeDefined();
  });

  it("answers a valid request with a 2xx the spec's schema accepts", async () => {
    const fake = createFakeBfl({ finetunes: ["a", "b"] });
    const answer = await send(fake, op, VALID[op.path]?.("a") ?? { query: "" });
    expect(answer.status).toBe(200);
    expect(op.responses["200"]).toBeDefined();
    expect(conformance(op, 200, answer.body)).toEqual([]);
  });

  it("answers an unknown finetune, and a missing key, in the spec's shape", async () => {
    const fake = createFakeBfl();
    const unknown = await send(fake, op, VALID[op.path]?.("gone") ?? { query: "" });
    expect(conformance(op, unknown.status, unknown.body)).toEqual([]);
    if (op.apiKeyHeader !== null) {
      const unauthenticated = await send(fake, op, VALID[op.path]?.("gone") ?? { query: "" }, "");
      expect(unauthenticated.status).toBe(403);
      expect(conformance(op, 403, unauthenticated.body)).toEqual([]);
    }
  });

  // Only operations with a body or a required query parameter have a request to break.
  const hasInput = op.body !== null || Object.values(op.query).some((q) => q.required);
  if (hasInput)
    it("answers a request that breaks the request schema with the spec's 422", async () => {
      const fake = createFakeBfl({ finetunes: ["a"] });
      const broken = op.body === null ? { query: "" } : { query: "", body: { finetune_id: 42 } };
      const answer = await send(fake, op, broken);
      expect(answer.status).toBe(422);
      expect(op.responses["422"]).toBeDefined();
      expect(conformance(op, 422, answer.body)).toEqual([]);
      expect((answer.body as { detail: unknown[] }).detail.length).toBeGreaterThan(0);
    });

  const failures = Object.keys(op.responses).filter((status) => /^[45]/.test(status));
  it.each(failures)(
    "answers a scenario of its declared %s, without a body, in that status's schema",
    async (status) => {
      const fake = createFakeBfl({ finetunes: ["a"] });
      fake.scenario(op.path, { status: Number(status) });
      const answer = await send(fake, op, VALID[op.path]?.("a") ?? { query: "" });
      expect(answer.status).toBe(Number(status));
      expect(conformance(op, Number(status), answer.body)).toEqual([]);
    },
  );

  it('answers "invalid-body" with a 200 the spec\'s schema refuses', async () => {
    const fake = createFakeBfl({ finetunes: ["a"] });
    fake.scenario(op.path, "invalid-body");
    const answer = await send(fake, op, VALID[op.path]?.("a") ?? { query: "" });
    expect(answer.status).toBe(200);
    expect(conformance(op, 200, answer.body)).not.toEqual([]);
  });
});
