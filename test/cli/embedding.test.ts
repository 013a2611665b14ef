/** `run()` embedded in another program sees only the environment it is given, never process.env. */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CliIo, run } from "../../src/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { json, okBody, startFaultServer, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();
const saved = { ...process.env };

afterEach(() => {
  for (const name of ["BFL_API_KEY", "BFL_BASE_URL", "BFL_LOG"]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function io(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk;
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk;
  });
  const cliIo: CliIo = { stdin: new PassThrough(), stdout, stderr, env };
  return { cliIo, out: () => out, err: () => err };
}

describe("run() with io.env", () => {
  it("takes the key and base URL from io.env, and BFL_LOG from io.env only", async () => {
    const elsewhere = await startFaultServer();
    elsewhere.reply(json(200, okBody()));
    process.env.BFL_API_KEY = "key-from-process-env";
    process.env.BFL_BASE_URL = elsewhere.url;
    process.env.BFL_LOG = "debug";
    server.reply(json(200, okBody()));
    const embedded = io({ BFL_API_KEY: TEST_KEY, BFL_BASE_URL: server.url });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const code = await run(["delete", "ft-1"], embedded.cliIo);
    const logCalls = [...logged.mock.calls];
    logged.mockRestore();
    // The default logger writes with console.error: nothing, since BFL_LOG is only in process.env.
    expect(logCalls).toEqual([]);
    await elsewhere.close();
    expect(code).toBe(0);
    expect(server.requests.map((r) => r.headers["x-key"])).toEqual([TEST_KEY]);
    expect(elsewhere.requests).toHaveLength(0);
    expect(embedded.err()).toBe("Summary: 1 deleted, 0 already-gone, 0 failed, 0 unknown, 0 not-attempted\n");
  });

  it("without BFL_API_KEY in io.env it is a configuration error, even when process.env has one", async () => {
    process.env.BFL_API_KEY = "key-from-process-env";
    server.reply(json(200, okBody()));
    const embedded = io({});
    const code = await run(["delete", "ft-1", "--base-url", server.url], embedded.cliIo);
    expect(code).toBe(2);
    expect(embedded.err()).toMatch(/^bfl-finetune: No BFL API key/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("an input that fails mid-batch", () => {
  it("deletes what was read, says why it stopped, exits 1 (not 2: deletes happened)", async () => {
    server.reply(json(200, okBody()));
    const embedded = io({ BFL_API_KEY: TEST_KEY });
    const stdin = embedded.cliIo.stdin as PassThrough;
    stdin.write("ft-1\nft-2\n");
    setTimeout(() => stdin.destroy(Object.assign(new Error("read failed"), { code: "EIO" })), 100);
    const code = await run(["delete", "-", "--yes", "--json", "--base-url", server.url], embedded.cliIo);
    expect(server.requests.map((r) => JSON.parse(r.body).finetune_id)).toEqual(["ft-1", "ft-2"]);
    expect(embedded.out().trim().split("\n")).toHaveLength(2);
    expect(embedded.err()).toBe(
      "Stopped reading the ids: 2 deleted, 0 already-gone, 0 failed, 0 unknown, 0 not-attempted\nbfl-finetune: read failed\n",
    );
    expect(code).toBe(1);
  });
});
