/**
 * The README's Usage, whole-life and fake examples, run as written: each block after a `<!-- tested: NAME -->`
 * marker is copied into a project outside the repo that has `bfl-finetune` installed (linked to
 * this repo: its package.json exports, so dist/ built by `npm test`), and run there against the
 * fake. An API change that breaks an example fails here. Other fragments may stay fragments.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeBfl } from "../../src/testing/index.js";
import { runNode, runScript } from "../helpers/run.js";

const repo = path.resolve(".");
let project: string;

/** The code block right after `<!-- tested: NAME … -->` in README.md. */
function testedBlock(readme: string, name: string): string {
  const marker = new RegExp(`<!-- tested: ${name}\\b[^>]*-->\\n`).exec(readme);
  if (!marker) throw new Error(`README.md has no <!-- tested: ${name} --> marker`);
  const block = /^```\w*\n([\s\S]*?)\n```/.exec(readme.slice(marker.index + marker[0].length));
  if (!block?.[1]) throw new Error(`README.md has no code block right after <!-- tested: ${name} -->`);
  return block[1];
}

const readme = readFileSync("README.md", "utf8");

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), "bfl-readme-"));
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "readme-user", type: "module" }));
  mkdirSync(path.join(project, "node_modules"));
  symlinkSync(repo, path.join(project, "node_modules/bfl-finetune"));
  symlinkSync(path.join(repo, "node_modules/vitest"), path.join(project, "node_modules/vitest"));
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe.concurrent("the README's examples, as written", () => {
  it("Usage: lists, reads and deletes through createBflClient(), configured by BFL_API_KEY and BFL_BASE_URL", async () => {
    const fake = createFakeBfl({ finetunes: ["my-finetune", "other"] });
    const server = await fake.listen();
    try {
      writeFileSync(path.join(project, "usage.ts"), testedBlock(readme, "usage"));
      const run = await runScript("usage.ts", [], {
        cwd: project,
        env: { BFL_API_KEY: "any-key", BFL_BASE_URL: server.url },
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^success my-finetune \S+\n$/);
      expect(fake.finetunes).toEqual(["other"]);
      expect(fake.requests.map((r) => r.operation)).toEqual(["listFinetunes", "getFinetuneDetails", "deleteFinetune"]);
    } finally {
      await server.close();
    }
  });

  it("a finetune's whole life: generates with it, saves the image, then deletes it", async () => {
    const fake = createFakeBfl({ finetunes: ["my-finetune", "other"] });
    const server = await fake.listen();
    try {
      writeFileSync(path.join(project, "lifecycle.ts"), testedBlock(readme, "lifecycle"));
      const run = await runScript("lifecycle.ts", [], {
        cwd: project,
        env: { BFL_API_KEY: "any-key", BFL_BASE_URL: server.url },
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const operations = fake.requests.map((r) => r.operation);
      expect(operations[0]).toBe("submitFinetuned");
      expect(operations.at(-1)).toBe("deleteFinetune");
      expect(operations.slice(1, -2).every((op) => op === "getResult")).toBe(true);
      expect(operations.at(-2)).toBe("sample");
      const download = fake.requests.find((r) => r.operation === "sample");
      expect(download, "the image was downloaded").toBeDefined();
      expect(download?.headers, "no key sent to the delivery host").not.toHaveProperty("x-key");
      expect(fake.tasks.map((t) => t.status)).toEqual(["Ready"]);
      expect(fake.finetunes).toEqual(["other"]);
      const image = readFileSync(path.join(project, "beach.jpeg"));
      expect([...image.subarray(0, 2)]).toEqual([0xff, 0xd8]); // a JPEG, as the fake serves it
    } finally {
      await server.close();
    }
  });

  it("the fake: a user's own tests pass under vitest, with their removeFinetune", async () => {
    const dir = path.join(project, "fake");
    mkdirSync(path.join(dir, "src"), { recursive: true });
    mkdirSync(path.join(dir, "test"));
    // The user's module the example imports ("deleted" | "already gone", throws otherwise).
    writeFileSync(
      path.join(dir, "src/cleanup.ts"),
      `import { BflNotFoundError, type BflClient } from "bfl-finetune";
export async function removeFinetune(bfl: BflClient, id: string): Promise<"deleted" | "already gone"> {
  try {
    await bfl.deleteFinetune(id);
    return "deleted";
  } catch (error) {
    if (error instanceof BflNotFoundError) return "already gone";
    throw error;
  }
}
`,
    );
    const example = testedBlock(readme, "fake");
    writeFileSync(path.join(dir, "test/cleanup.test.ts"), example);
    const report = path.join(dir, "report.json");
    const vitest = path.join(repo, "node_modules/vitest/vitest.mjs");
    const run = await runNode([vitest, "run", "--root", dir, "--reporter=json", `--outputFile=${report}`], {
      cwd: dir,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(report, "utf8"));
    const declared = [...example.matchAll(/^\s*it\(/gm)].length;
    expect(declared).toBeGreaterThan(0);
    expect({ passed: result.numPassedTests, failed: result.numFailedTests }).toEqual({ passed: declared, failed: 0 });
  });
});
