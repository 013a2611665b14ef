/**
 * Under Deno with network permission only, the client works when given its key and URL: reading
 * BFL_* variables it does not need, or may not read, is never fatal.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { json, okBody, useFaultServer } from "../helpers/fault-server.js";
import { runtimeOrSkip } from "../helpers/runtimes.js";

const DENO = runtimeOrSkip("deno");
const server = useFaultServer();

function deno(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(path.join(tmpdir(), "bfl-deno-"));
  const env = { PATH: process.env.PATH ?? "", HOME: home, DENO_DIR: home, NO_COLOR: "1", BFL_LOG: "debug" };
  return new Promise((resolve) => {
    execFile(DENO as string, args, { env, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.runIf(DENO)("Deno, --allow-net=127.0.0.1 only", () => {
  it("creates a client and deletes; without a key says so instead of NotCapable", async () => {
    server.reply(json(200, okBody()));
    const run = await deno(["run", "--allow-net=127.0.0.1", "test/runtimes/deno-probe.mjs", server.url]);
    expect(run.stderr).toBe("");
    const out = JSON.parse(run.stdout);
    expect(out.error).toBeUndefined();
    expect(out.result).toEqual(okBody());
    expect(out.noKey).toMatch(/^BflConfigurationError: apiKey or BFL_API_KEY must be set/);
    expect(server.requests[0]?.headers["x-key"]).toBe("deno-test-key-0123456789");
  });
});
