/** What a user of `bfl-finetune/testing` does in their own tests: start, call, close, nothing left. */
import { afterEach, describe, expect, it } from "vitest";
import { createBflClient } from "../../src/index.js";
import { type PrismServer, startMockServer } from "../../src/testing.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let mock: PrismServer | undefined;
afterEach(async () => {
  await mock?.close();
});

describe("startMockServer", () => {
  it("serves the spec to the facade and leaves no process behind after close()", async () => {
    mock = await startMockServer();
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alive(mock.pid)).toBe(true);
    const bfl = createBflClient({ apiKey: "test", baseUrl: mock.url, maxRetries: 0 });
    await expect(bfl.deleteFinetune("my-finetune")).resolves.toMatchObject({ deleted_finetune_id: "my-finetune" });
    await mock.close();
    expect(alive(mock.pid)).toBe(false);
    await expect(mock.close()).resolves.toBeUndefined();
  });

  it("dynamic: true generates bodies from the schema instead of the example", async () => {
    mock = await startMockServer({ dynamic: true });
    const bfl = createBflClient({ apiKey: "test", baseUrl: mock.url, maxRetries: 0 });
    const results = await Promise.all([1, 2, 3].map(() => bfl.deleteFinetune("my-finetune")));
    const stamps = new Set(results.map((r) => r.timestamp));
    expect(stamps.has("2026-11-29T12:00:00Z") && stamps.size === 1).toBe(false);
  });

  it("fails clearly when the port is taken", async () => {
    mock = await startMockServer();
    const port = Number(new URL(mock.url).port);
    await expect(startMockServer({ port, startTimeoutMs: 10_000 })).rejects.toThrow(/Prism did not start/);
  });
});
