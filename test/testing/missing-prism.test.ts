/**
 * Where Prism is missing, or cannot run on this Node, the testing module still imports and its
 * fake works; startMockServer() fails with what to install. The module is compiled as it ships
 * into a temporary folder outside this repo, so that none of its node_modules can be found from
 * there; nothing is uninstalled.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const INSTALL = "npm install --save-dev @stoplight/prism-cli@5.14.2";
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bfl-no-prism-"));
  // Two apps, each with its own copy, so the tests do not depend on each other's order.
  await build({
    entryPoints: { "bare/dist/testing": "src/testing/index.ts", "old-prism/dist/testing": "src/testing/index.ts" },
    bundle: true,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
  });
  const prism = path.join(dir, "old-prism", "node_modules", "@stoplight", "prism-cli");
  mkdirSync(prism, { recursive: true });
  writeFileSync(
    path.join(prism, "package.json"),
    JSON.stringify({ name: "@stoplight/prism-cli", version: "9.9.9", engines: { node: ">=99.0.0" } }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Imports the compiled module in a fresh Node whose home and NODE_PATH hold no packages either,
 * deletes a finetune through the fake, then calls startMockServer().
 */
async function importTesting(app: "bare" | "old-prism"): Promise<{ code: number; stdout: string; stderr: string }> {
  const url = pathToFileURL(path.join(dir, app, "dist", "testing.mjs")).href;
  const script = `const { createFakeBfl, startMockServer } = await import(${JSON.stringify(url)});
const fake = createFakeBfl({ finetunes: ["a"] });
const res = await fake.fetch("https://api.us1.bfl.ai/v1/delete_finetune", {
  method: "POST", headers: { "x-key": "k", "content-type": "application/json" }, body: '{"finetune_id":"a"}',
});
console.log(res.status, JSON.stringify(fake.finetunes));
try { await startMockServer(); } catch (e) { console.error(e.message); process.exitCode = 3; }`;
  return promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NODE_PATH: "" },
  }).then(
    (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("bfl-finetune/testing without a usable Prism", () => {
  it("without @stoplight/prism-cli: the fake works, startMockServer() names the command that installs it", async () => {
    const run = await importTesting("bare");
    expect(run.stdout).toBe("200 []\n");
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`bfl-finetune/testing needs Prism for startMockServer(): run \`${INSTALL}\`\n`);
  });

  it("with a Prism that needs a newer Node: the fake works, startMockServer() fails naming both versions", async () => {
    const run = await importTesting("old-prism");
    expect(run.stdout).toBe("200 []\n");
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `bfl-finetune/testing: @stoplight/prism-cli 9.9.9 needs Node >=99.0.0 (this is ${process.versions.node}): run \`${INSTALL}\`\n`,
    );
  });
});
