/**
 * The packed tarball, installed into a project outside the repo, as users get it: ESM import,
 * CommonJS require, TypeScript under node16 and bundler resolution on the TypeScript versions the
 * README promises, the testing subpath, the shipped spec and the bin. Packed from a copy of the
 * source tree without dist/, as in a fresh clone: npm's `prepack` must build it.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeBfl } from "../../src/testing/index.js";
import { type FaultServer, json, startFaultServer } from "../helpers/fault-server.js";

const repo = path.resolve(".");
/** A copy of the source tree as a clone has it: tracked and new files, nothing ignored (no dist/). */
let clone: string;
/** Whether the copy had a dist/ before packing (it must not). */
let cloneHadDist: boolean;
let project: string;
let server: FaultServer;
/** The in-process fake, listening: where the packed client's deletes succeed. */
let fake: { url: string; close(): Promise<void> };
/** Paths inside the tarball (without tar's `package/` prefix). */
let packedFiles: string[];
/** What the fake and startMockServer() from bfl-finetune/testing printed before Prism was installed. */
let withoutPrism: string;

function npm(args: string[], cwd: string): string {
  // CI runs `npm test --ignore-scripts` (dist/ is built once before): npm hands that setting to
  // child npm processes as npm_config_ignore_scripts, which would skip the prepack under test.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_config_ignore_scripts$/i.test(name)),
  );
  return execFileSync("npm", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs node in the consumer project; async, so that this process's fault server can answer it. */
async function node(args: string[], env: Record<string, string> = {}): Promise<string> {
  const run = await promisify(execFile)(process.execPath, args, { cwd: project, env: { ...process.env, ...env } });
  return run.stdout;
}

/** Copies what `git` would check out (plus new files not ignored) into a fresh directory. */
function cloneSources(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bfl-clone-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repo,
    encoding: "utf8",
  });
  for (const file of files.split("\0").filter(Boolean)) {
    // A file deleted but not yet staged is still listed; a clone would not have it either.
    if (existsSync(path.join(repo, file))) cpSync(path.join(repo, file), path.join(dir, file));
  }
  // `npm ci` would install the same tree; linking it saves the download.
  symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

beforeAll(async () => {
  clone = cloneSources();
  cloneHadDist = existsSync(path.join(clone, "dist"));
  server = await startFaultServer();
  server.reply(json(404, { detail: "Finetune not found" }));
  fake = await createFakeBfl({ finetunes: ["esm-ft", "cjs-ft", "bin-ft"] }).listen();
  project = mkdtempSync(path.join(tmpdir(), "bfl-pack-"));
  // Not --json: prepack's build prints on the same stdout. The tarball is the only .tgz there.
  npm(["pack", "--pack-destination", project], clone);
  const tarball = path.join(project, readdirSync(project).find((file) => file.endsWith(".tgz")) ?? "no tarball");
  packedFiles = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((file) => file.replace(/^package\//, ""))
    .sort();
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
  // Prism is an optional peer: link the repo's copy rather than download it again. The same for
  // @types/node, which the type-check's `types: ["node"]` needs.
  for (const dependency of ["@stoplight/prism-cli", "@types/node"]) {
    mkdirSync(path.dirname(path.join(project, "node_modules", dependency)), { recursive: true });
    symlinkSync(path.join(repo, "node_modules", dependency), path.join(project, "node_modules", dependency));
  }
  // The project has no "type": under node16, consumer.ts is CommonJS (.d.cts) and consumer.mts ESM (.d.ts).
  const consumer = readFileSync(path.join(repo, "test/pack/consumer.ts"));
  writeFileSync(path.join(project, "consumer.ts"), consumer);
  writeFileSync(path.join(project, "consumer.mts"), consumer);
}, 300_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
  if (project) rmSync(project, { recursive: true, force: true });
  if (clone) rmSync(clone, { recursive: true, force: true });
});

/** The TypeScript compilers the consumer is checked with: aliased devDependencies of this repo. */
function typeCheckCases() {
  const compilers = [
    { role: "the minimum the README states", dependency: minimumTypeScript().dependency },
    { role: "the newest 5.x, which builds this package", dependency: "typescript" },
    { role: "the latest major, the native compiler", dependency: "typescript-7" },
  ];
  return compilers.flatMap(({ role, dependency }) => {
    const installed = JSON.parse(readFileSync(path.join(repo, "node_modules", dependency, "package.json"), "utf8"));
    const { stated } = minimumTypeScript();
    if (dependency !== "typescript-7" && dependency !== "typescript" && !installed.version.startsWith(`${stated}.`)) {
      throw new Error(`${dependency} is ${installed.version}, not the ${stated}.x the README states`);
    }
    const tsc = path.join(repo, "node_modules", dependency, "bin/tsc");
    return ["node16", "bundler"].map((resolution) => ({ role, tsc, version: installed.version as string, resolution }));
  });
}

/**
 * The minimum TypeScript: the README's "TypeScript X.Y or newer", checked with the oldest X.Y
 * release, installed as the devDependency `typescript-X.Y`.
 */
function minimumTypeScript(): { stated: string; dependency: string } {
  const readme = readFileSync(path.join(repo, "README.md"), "utf8");
  const stated = /TypeScript (\d+\.\d+) or newer/.exec(readme)?.[1];
  if (!stated) throw new Error('README.md does not state "TypeScript X.Y or newer"');
  return { stated, dependency: `typescript-${stated}` };
}

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

  it("is built by prepack from a tree without dist/, and holds only dist/, the spec, the README, the licence and package.json", () => {
    expect(cloneHadDist).toBe(false);
    expect(packedFiles.filter((file) => !file.startsWith("dist/"))).toEqual([
      "LICENSE",
      "README.md",
      "openapi/openapi.json",
      "package.json",
    ]);
    for (const entry of ["cli.js", "index.js", "index.cjs", "index.d.ts", "index.d.cts", "testing.js", "testing.cjs"]) {
      expect(packedFiles).toContain(`dist/${entry}`);
    }
    // No source maps: they would point at sources the package does not ship.
    expect(packedFiles.filter((file) => file.endsWith(".map"))).toEqual([]);
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

describe.concurrent("the packed package's declarations", () => {
  // The oldest TypeScript the README promises, the newest 5.x and npm's latest major, each under
  // node16 (consumer.ts as CommonJS, consumer.mts as ESM) and bundler resolution, with a Node-only
  // lib and the declarations themselves checked. All cases run at once, after the tests above,
  // so that the compilers do not slow down Prism's start there.
  it.each(typeCheckCases())(
    "type-checks a consumer on TypeScript $version ($role) under moduleResolution $resolution",
    async ({ tsc, version, resolution }) => {
      const config = {
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          module: resolution === "node16" ? "node16" : "esnext",
          moduleResolution: resolution,
          target: "es2022",
          lib: ["ES2022"],
          types: ["node"],
        },
        files: resolution === "node16" ? ["consumer.ts", "consumer.mts"] : ["consumer.ts"],
      };
      const name = `tsconfig.${version}.${resolution}.json`;
      writeFileSync(path.join(project, name), JSON.stringify(config));
      expect((await node([tsc, "--version"])).trim()).toBe(`Version ${version}`);
      // tsc exits non-zero (and node() rejects with its report) on any type error, including an
      // unused @ts-expect-error, so a type that widened to `any` fails too; --listFiles shows
      // which declarations each resolution picked.
      const listed = (await node([tsc, "-p", name, "--listFiles"])).split("\n");
      const declarations = listed
        .filter((file) => file.includes("node_modules/bfl-finetune/dist/"))
        .map((file) => path.basename(file.trim()))
        .sort();
      expect(declarations).toEqual(
        resolution === "node16"
          ? ["index.d.cts", "index.d.ts", "testing.d.cts", "testing.d.ts"]
          : ["index.d.ts", "testing.d.ts"],
      );
    },
    // About 15 s each on an idle 2-core machine; far more when it is shared.
    300_000,
  );
});
