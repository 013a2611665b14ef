/**
 * Each scenario of the fake, through the real client, ends in the delete outcome a user would
 * expect (classifyDelete from the package): the fake's failures carry the same call facts as a
 * real network's, so code built on those outcomes can be tested against it.
 */
import { describe, expect, it } from "vitest";
import {
  type BflClientOptions,
  classifyDelete,
  createBflClient,
  type DeleteOutcome,
  deletedOutcome,
} from "../../src/index.js";
import { type Behaviour, createFakeBfl } from "../../src/testing/index.js";

async function outcomeOf(
  behaviour: Behaviour | undefined,
  options: BflClientOptions = {},
): Promise<{ outcome: DeleteOutcome["outcome"]; left: string[] }> {
  const fake = createFakeBfl({ finetunes: ["a"] });
  if (behaviour) fake.scenario("a", behaviour);
  const bfl = createBflClient({
    apiKey: "test-key",
    fetch: fake.fetch,
    maxRetries: 0,
    timeoutMs: 50,
    backoff: { initialDelayMs: 1 },
    rateLimit: { maxTotalWaitMs: 0 },
    ...options,
  });
  const result = await bfl.deleteFinetune("a").then(deletedOutcome, (error: unknown) => classifyDelete(error));
  return { outcome: result.outcome, left: fake.finetunes };
}

describe("delete outcomes against the fake", () => {
  it.each([
    ["no scenario", "deleted", undefined, {}, []],
    ["invalid-body", "deleted", "invalid-body", {}, []],
    ["ambiguous, retried", "already-gone", "ambiguous", { maxRetries: 1 }, []],
    ["ambiguous, not retried", "unknown", "ambiguous", {}, []],
    ["reset", "unknown", "reset", {}, ["a"]],
    ["timeout", "unknown", "timeout", {}, ["a"]],
    ["404", "failed", { status: 404 }, {}, ["a"]],
    ["500", "failed", { status: 500 }, {}, ["a"]],
    ["429", "failed", { status: 429 }, {}, ["a"]],
    ["reset, then retried", "deleted", "reset", { maxRetries: 1 }, []],
  ] as const)("%s: %s", async (_, outcome, behaviour, options, left) => {
    expect(await outcomeOf(behaviour as Behaviour | undefined, options)).toEqual({ outcome, left });
  });
});
