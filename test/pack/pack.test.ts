/**
 * The packed tarball, installed into a project outside the repo, as users get it: ESM import,
 * CommonJS require, TypeScript under node16 and bundler resolution, the testing subpath, the
 * shipped spec and the bin. Needs dist/ (npm test builds it first).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FaultServer, json, startFaultServer } from "../helpers/fault-server.js";

const repo = path.resolve(".");
let project: string;
let server: FaultServer;
/** What importing bfl-finetune/testing printed before Prism was installed. */
let withoutPrism: string;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs node in the consumer project; async, so that this process's fault server can answer it. */
async function node(args: string[], env: Record<string, string> = {}): Promise<string> {
  const run = await promisify(execFile)(process.execPath, args, { cwd: project, env: { ...process.env, ...env } });
  return run.stdout;
}

beforeAll(async () => {
  if (!existsSync(path.join(repo, "dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  server = await startFaultServer();
  server.reply(json(404, { detail: "Finetune not found" }));
  project = mkdtempSync(path.join(tmpdir(), "bfl-pack-"));
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", project], repo));
  const tarball = path.join(project, packed[0].filename);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  npm(["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
  withoutPrism = await node(["--input-type=module", "-e", 'await import("bfl-finetune/testing")']).catch(
    (error: { stderr: string }) => error.stderr,
  );
  // Prism is an optional peer: link the repo's copy rather than download it again.
  mkdirSync(path.join(project, "node_modules/@stoplight"), { recursive: true });
  symlinkSync(
    path.join(repo, "node_modules/@stoplight/prism-cli"),
    path.join(project, "node_modules/@stoplight/prism-cli"),
  );
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** The same scenario in both module systems: success on Prism, a typed error from a failing server. */
const scenario = (load: string) => `
${load}
const prism = createBflClient({ apiKey: "k", baseUrl: process.env.PRISM_URL, maxRetries: 0 });
const failing = createBflClient({ apiKey: "k", baseUrl: process.env.FAULT_URL, maxRetries: 0 });
const result = await prism.deleteFinetune("my-finetune");
const error = await failing.deleteFinetune("gone").catch((e) => e);
console.log(JSON.stringify({
  deleted: result.deleted_finetune_id,
  notFound: error instanceof BflNotFoundError,
  isApiError: error instanceof BflApiError,
  status: error.status,
  specExists: existsSync(specPath),
}));
`;

describe("the packed package", () => {
  const env = () => ({ PRISM_URL: inject("prismUrl"), FAULT_URL: server.url });
  const expected = { deleted: "my-finetune", notFound: true, isApiError: true, status: 404, specExists: true };

  it("works from ESM (import)", async () => {
    const file = path.join(project, "esm.mjs");
    writeFileSync(
      file,
      scenario(`import { existsSync } from "node:fs";
import { BflApiError, BflNotFoundError, createBflClient } from "bfl-finetune";
import { specPath } from "bfl-finetune/testing";`),
    );
    expect(JSON.parse(await node([file], env()))).toEqual(expected);
  });

  it("works from CommonJS (require)", async () => {
    const file = path.join(project, "cjs.cjs");
    writeFileSync(
      file,
      `(async () => {${scenario(`const { existsSync } = require("node:fs");
const { BflApiError, BflNotFoundError, createBflClient } = require("bfl-finetune");
const { specPath } = require("bfl-finetune/testing");`)}})();`,
    );
    expect(JSON.parse(await node([file], env()))).toEqual(expected);
  });

  it("without Prism installed, bfl-finetune/testing fails to import with what to install", () => {
    expect(withoutPrism).toContain(
      "bfl-finetune/testing needs Prism: run `npm install --save-dev @stoplight/prism-cli@5.14.2`",
    );
  });

  it("ships the exact spec snapshot as bfl-finetune/openapi.json", async () => {
    const resolved = (await node(["-p", 'require.resolve("bfl-finetune/openapi.json")'])).trim();
    expect(readFileSync(resolved, "utf8")).toBe(readFileSync(path.join(repo, "openapi/openapi.json"), "utf8"));
  });

  it("starts and stops Prism through bfl-finetune/testing", async () => {
    const file = path.join(project, "mock.mjs");
    writeFileSync(
      file,
      `import { startMockServer } from "bfl-finetune/testing";
const mock = await startMockServer();
const res = await fetch(mock.url + "/v1/delete_finetune", {
  method: "POST", headers: { "x-key": "k", "content-type": "application/json" }, body: '{"finetune_id":"a"}',
});
await mock.close();
let alive = true;
try { process.kill(mock.pid, 0); } catch { alive = false; }
console.log(JSON.stringify({ status: res.status, alive }));`,
    );
    expect(JSON.parse(await node([file]))).toEqual({ status: 200, alive: false });
  });

  it.each(["node16", "bundler"])("type-checks a consumer under moduleResolution %s", async (resolution) => {
    writeFileSync(path.join(project, "consumer.ts"), readFileSync(path.join(repo, "test/pack/consumer.ts")));
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        module: resolution === "node16" ? "node16" : "esnext",
        moduleResolution: resolution,
        target: "es2022",
        types: [],
      },
      files: ["consumer.ts"],
    };
    writeFileSync(path.join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
    const tsc = path.join(repo, "node_modules/typescript/bin/tsc");
    await expect(node([tsc, "-p", `tsconfig.${resolution}.json`])).resolves.toBe("");
  });

  it("installs the bfl-finetune bin", () => {
    const bin = path.join(project, "node_modules/.bin/bfl-finetune");
    const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
    expect(version).toBe(JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version);
  });
});
