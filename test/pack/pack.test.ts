/**
 * The packed tarball, installed into a project outside the repo, as users get it: ESM import,
 * CommonJS require, TypeScript under node16 and bundler resolution, the testing subpath, the
 * shipped spec and the bin. Needs dist/ (npm test builds it first).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeBfl } from "../../src/testing/index.js";
import { type FaultServer, json, startFaultServer } from "../helpers/fault-server.js";

const repo = path.resolve(".");
let project: string;
let server: FaultServer;
/** The in-process fake, listening: where the packed client's deletes succeed. */
let fake: { url: string; close(): Promise<void> };
/** Paths inside the tarball, as `npm pack --json` lists them. */
let packedFiles: string[];
/** What the fake and startMockServer() from bfl-finetune/testing printed before Prism was installed. */
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
  fake = await createFakeBfl({ finetunes: ["esm-ft", "cjs-ft", "bin-ft"] }).listen();
  project = mkdtempSync(path.join(tmpdir(), "bfl-pack-"));
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", project], repo));
  const tarball = path.join(project, packed[0].filename);
  packedFiles = packed[0].files.map((file: { path: string }) => file.path).sort();
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  npm(["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
  withoutPrism = await node([
    "--input-type=module",
    "-e",
    `import { createBflClient } from "bfl-finetune";
import { createFakeBfl, startMockServer } from "bfl-finetune/testing";
const fake = createFakeBfl({ finetunes: ["a", "b"] });
await createBflClient({ apiKey: "k", fetch: fake.fetch }).deleteFinetune("a");
console.log(JSON.stringify(fake.finetunes));
await startMockServer();`,
  ]).catch((error: { stdout: string; stderr: string }) => error.stdout + error.stderr);
  // Prism is an optional peer: link the repo's copy rather than download it again.
  mkdirSync(path.join(project, "node_modules/@stoplight"), { recursive: true });
  symlinkSync(
    path.join(repo, "node_modules/@stoplight/prism-cli"),
    path.join(project, "node_modules/@stoplight/prism-cli"),
  );
  // The project has no "type": under node16, consumer.ts is CommonJS (.d.cts) and consumer.mts ESM (.d.ts).
  const consumer = readFileSync(path.join(repo, "test/pack/consumer.ts"));
  writeFileSync(path.join(project, "consumer.ts"), consumer);
  writeFileSync(path.join(project, "consumer.mts"), consumer);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** The same scenario in both module systems: success on the fake, a typed error from a failing server. */
const scenario = (load: string) => `
${load}
const working = createBflClient({ apiKey: "k", baseUrl: process.env.FAKE_URL, maxRetries: 0 });
const failing = createBflClient({ apiKey: "k", baseUrl: process.env.FAULT_URL, maxRetries: 0 });
const result = await working.deleteFinetune(process.env.ID);
const error = await failing.deleteFinetune("gone").catch((e) => e);
console.log(JSON.stringify({
  deleted: result.deleted_finetune_id,
  notFound: error instanceof BflNotFoundError,
  isApiError: error instanceof BflApiError,
  status: error.status,
  specExists: existsSync(specPath),
}));
`;

// Concurrent: each test only reads the installed project or writes files of its own.
describe.concurrent("the packed package", { timeout: 120_000 }, () => {
  const env = (id: string) => ({ FAKE_URL: fake.url, FAULT_URL: server.url, ID: id });
  const expected = (id: string) => ({ deleted: id, notFound: true, isApiError: true, status: 404, specExists: true });

  it("works from ESM (import)", async () => {
    const file = path.join(project, "esm.mjs");
    writeFileSync(
      file,
      scenario(`import { existsSync } from "node:fs";
import { BflApiError, BflNotFoundError, createBflClient } from "bfl-finetune";
import { specPath } from "bfl-finetune/testing";`),
    );
    expect(JSON.parse(await node([file], env("esm-ft")))).toEqual(expected("esm-ft"));
  });

  it("works from CommonJS (require)", async () => {
    const file = path.join(project, "cjs.cjs");
    writeFileSync(
      file,
      `(async () => {${scenario(`const { existsSync } = require("node:fs");
const { BflApiError, BflNotFoundError, createBflClient } = require("bfl-finetune");
const { specPath } = require("bfl-finetune/testing");`)}})();`,
    );
    expect(JSON.parse(await node([file], env("cjs-ft")))).toEqual(expected("cjs-ft"));
  });

  it("without Prism installed, the fake works and startMockServer() says what to install", () => {
    expect(withoutPrism).toMatch(/^\["b"\]\n/);
    expect(withoutPrism).toContain(
      "bfl-finetune/testing needs Prism for startMockServer(): run `npm install --save-dev @stoplight/prism-cli@5.14.2`",
    );
  });

  it("holds only dist/, the spec, the README, the licence and package.json", () => {
    expect(packedFiles.filter((file) => !file.startsWith("dist/"))).toEqual([
      "LICENSE",
      "README.md",
      "openapi/openapi.json",
      "package.json",
    ]);
    for (const entry of ["cli.js", "index.js", "index.cjs", "index.d.ts", "index.d.cts", "testing.js", "testing.cjs"]) {
      expect(packedFiles).toContain(`dist/${entry}`);
    }
    expect(packedFiles).toContain("dist/index.js.map");
  });

  it("ships the exact spec snapshot as bfl-finetune/openapi.json, from CJS and ESM", async () => {
    const snapshot = readFileSync(path.join(repo, "openapi/openapi.json"));
    const resolved = (await node(["-p", 'require.resolve("bfl-finetune/openapi.json")'])).trim();
    expect(readFileSync(resolved).equals(snapshot)).toBe(true);
    const imported = await node([
      "--input-type=module",
      "-e",
      `import spec from "bfl-finetune/openapi.json" with { type: "json" };
console.log(JSON.stringify({ url: import.meta.resolve("bfl-finetune/openapi.json"), spec }));`,
    ]);
    const { url, spec } = JSON.parse(imported);
    expect(url).toBe(pathToFileURL(resolved).href);
    expect(spec).toEqual(JSON.parse(snapshot.toString()));
  });

  it("an error from either module system is an instanceof the other's class (cross-realm brand)", async () => {
    const out = await node(
      [
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module";
import * as esm from "bfl-finetune";
const cjs = createRequire(import.meta.url)("bfl-finetune");
const failing = (m) => m.createBflClient({ apiKey: "k", baseUrl: process.env.FAULT_URL, maxRetries: 0 });
const fromEsm = await failing(esm).deleteFinetune("gone").catch((e) => e);
const fromCjs = await failing(cjs).deleteFinetune("gone").catch((e) => e);
const classes = ["BflNotFoundError", "BflApiError", "BflError"];
console.log(JSON.stringify({
  twoCopies: esm.BflNotFoundError !== cjs.BflNotFoundError,
  esmErrorIsCjs: classes.filter((c) => fromEsm instanceof cjs[c]),
  cjsErrorIsEsm: classes.filter((c) => fromCjs instanceof esm[c]),
  notOtherClasses: [fromEsm instanceof cjs.BflServerError, fromCjs instanceof esm.BflServerError, {} instanceof esm.BflError],
  names: [fromEsm.name, fromCjs.name],
}));`,
      ],
      { FAULT_URL: server.url },
    );
    expect(JSON.parse(out)).toEqual({
      twoCopies: true,
      esmErrorIsCjs: ["BflNotFoundError", "BflApiError", "BflError"],
      cjsErrorIsEsm: ["BflNotFoundError", "BflApiError", "BflError"],
      notOtherClasses: [false, false, false],
      names: ["BflNotFoundError", "BflNotFoundError"],
    });
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

  it.each(["node16", "bundler"])(
    "type-checks a consumer under moduleResolution %s",
    async (resolution) => {
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
        files: resolution === "node16" ? ["consumer.ts", "consumer.mts"] : ["consumer.ts"],
      };
      writeFileSync(path.join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
      const tsc = path.join(repo, "node_modules/typescript/bin/tsc");
      // tsc exits non-zero (and node() rejects) on any type error; --listFiles shows which
      // declarations each resolution picked.
      const listed = (await node([tsc, "-p", `tsconfig.${resolution}.json`, "--listFiles"])).split("\n");
      const declarations = listed
        .filter((file) => file.includes("node_modules/bfl-finetune/dist/"))
        .map((file) => path.basename(file))
        .sort();
      expect(declarations).toEqual(
        resolution === "node16"
          ? ["index.d.cts", "index.d.ts", "testing.d.cts", "testing.d.ts"]
          : ["index.d.ts", "testing.d.ts"],
      );
    },
    120_000,
  );

  it("installs the bfl-finetune bin", async () => {
    const bin = path.join(project, "node_modules/.bin/bfl-finetune");
    const version = (await promisify(execFile)(bin, ["--version"], { encoding: "utf8" })).stdout.trim();
    expect(version).toBe(JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version);
  });

  it("the installed bin deletes through the fake and exits 1 on a failing server", async () => {
    const bin = path.join(project, "node_modules/.bin/bfl-finetune");
    const run = (id: string, url: string) =>
      promisify(execFile)(bin, ["delete", id, "--json", "--max-retries", "0", "--base-url", url], {
        env: { ...process.env, BFL_API_KEY: "k" },
      }).then(
        (done) => ({ code: 0, line: JSON.parse(done.stdout) }),
        (failed: { code: number; stdout: string }) => ({ code: failed.code, line: JSON.parse(failed.stdout) }),
      );
    expect(await run("bin-ft", fake.url)).toMatchObject({
      code: 0,
      line: { id: "bin-ft", ok: true, status: 200 },
    });
    expect(await run("my-finetune", server.url)).toMatchObject({
      code: 1,
      line: { id: "my-finetune", ok: false, status: 404, error: { name: "BflNotFoundError" } },
    });
  });
});
