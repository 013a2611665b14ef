/**
 * A user's own tests, as the README shows them: code that wraps the client, tested against the
 * fake. Only the public API is imported. test/testing/fake-runtimes.test.ts runs this same file
 * under Bun too (`bun test` maps `vitest` imports to its own runner).
 */
import { describe, expect, it } from "vitest";
import { type BflClient, BflNotFoundError, BflServerError, createBflClient } from "../../src/index.js";
import { createFakeBfl } from "../../src/testing/index.js";

/** The user's code under test: deletes a finetune, and says so when it was already gone. */
async function removeFinetune(bfl: BflClient, id: string): Promise<"deleted" | "already gone"> {
  try {
    await bfl.deleteFinetune(id);
    return "deleted";
  } catch (error) {
    if (error instanceof BflNotFoundError) return "already gone";
    throw error;
  }
}

function setup(finetunes: string[]) {
  const fake = createFakeBfl({ finetunes });
  const bfl = createBflClient({ apiKey: "test-key", fetch: fake.fetch, backoff: { initialDelayMs: 1 } });
  return { fake, bfl };
}

describe("removeFinetune (user code) against the fake", () => {
  it("already deleted: a 404 reads as already gone", async () => {
    const { bfl } = setup([]);
    expect(await removeFinetune(bfl, "old")).toBe("already gone");
  });

  it("rate limited then succeeding: retried after Retry-After", async () => {
    const { fake, bfl } = setup(["a"]);
    fake.scenario("a", { status: 429, headers: { "retry-after": "0" } });
    expect(await removeFinetune(bfl, "a")).toBe("deleted");
    expect(fake.requests.map((r) => r.outcome)).toEqual([429, 200]);
  });

  it("ambiguous delete: deleted, connection dropped, the retry's 404 reads as already gone", async () => {
    const { fake, bfl } = setup(["a", "b"]);
    fake.scenario("a", "ambiguous");
    expect(await removeFinetune(bfl, "a")).toBe("already gone");
    expect(fake.finetunes).toEqual(["b"]);
  });

  it("server error: surfaces once retries are spent, nothing deleted", async () => {
    const { fake, bfl } = setup(["a"]);
    fake.scenario("deleteFinetune", { status: 500 }, { times: Number.POSITIVE_INFINITY });
    await expect(removeFinetune(bfl, "a")).rejects.toBeInstanceOf(BflServerError);
    expect(fake.finetunes).toEqual(["a"]);
  });
});
