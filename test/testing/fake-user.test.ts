/**
 * A user's own tests, as the README shows them: code that wraps the client, tested against the
 * fake. Only the public API is imported. test/testing/fake-runtimes.test.ts runs this same file
 * under Bun too (`bun test` maps `vitest` imports to its own runner).
 */
import { describe, expect, it } from "vitest";
import {
  type BflClient,
  BflModerationError,
  BflNotFoundError,
  BflServerError,
  createBflClient,
} from "../../src/index.js";
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

/**
 * The user's code under test: a finetune's whole life, one image then the delete; "moderated"
 * when the image is refused. `download` is the fetch for the sample (no key: not BFL's API).
 */
async function imageThenDelete(
  bfl: BflClient,
  download: (url: string) => Promise<Response>,
  id: string,
  prompt: string,
): Promise<Uint8Array | "moderated"> {
  try {
    const model = "flux-pro-1.1-ultra-finetuned";
    const ready = await bfl.generateWithFinetune(model, { finetune_id: id, prompt }, { pollIntervalMs: 1 });
    const image = await download(ready.result.sample);
    if (!image.ok) throw new Error(`the sample could not be downloaded: ${image.status}`);
    return new Uint8Array(await image.arrayBuffer());
  } catch (error) {
    if (error instanceof BflModerationError) return "moderated";
    throw error;
  } finally {
    await removeFinetune(bfl, id);
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

describe("imageThenDelete (user code) against the fake", () => {
  it("generate then delete: the image comes back, fetched without the key, and the finetune is gone", async () => {
    const { fake, bfl } = setup(["mine", "other"]);
    const image = await imageThenDelete(bfl, (url) => fake.fetch(url), "mine", "a cat");
    expect(image).toBeInstanceOf(Uint8Array);
    expect([...(image as Uint8Array).subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(fake.finetunes).toEqual(["other"]);
    expect(fake.tasks).toEqual([expect.objectContaining({ finetuneId: "mine", status: "Ready" })]);
    const sample = fake.requests.find((r) => r.operation === "sample");
    expect(sample?.headers["x-key"]).toBeUndefined();
  });

  it("a moderated image reads as moderated, and the finetune is still deleted", async () => {
    const { fake, bfl } = setup(["mine"]);
    fake.scenario("mine", "moderated");
    expect(await imageThenDelete(bfl, (url) => fake.fetch(url), "mine", "a cat")).toBe("moderated");
    expect(fake.finetunes).toEqual([]);
  });

  it("a poll answered 503 is retried; the paid task is submitted once", async () => {
    const { fake, bfl } = setup(["mine"]);
    fake.scenario("getResult", { status: 503 });
    expect(await imageThenDelete(bfl, (url) => fake.fetch(url), "mine", "a cat")).toBeInstanceOf(Uint8Array);
    expect(fake.tasks).toHaveLength(1);
    expect(fake.requests.filter((r) => r.operation === "getResult").map((r) => r.outcome)).toContain(503);
  });
});
