/**
 * `npm run regen` end to end, in a throwaway copy of the project (it regenerates and type-checks
 * the folder it runs in, so never in this one): pull, report, generate, type-check, in order,
 * stopping at the first failure. The runs that reach generate run regen as a child process in the
 * copy; the two that stop at the pull call its `main` in this process, pointed at the copy's openapi/.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main as regenMain } from "../../scripts/regen.ts";
import { type Run, runMain, runScript } from "../helpers/run.js";
import { addedOptional, pulled } from "./fixtures/variants.js";

const scratch = mkdtempSync(path.join(tmpdir(), "bfl-spec-regen-"));
// Removes the copies; their node_modules is a symlink, which rmSync removes without following.
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What regen needs to run and type-check: sources, scripts, openapi/, generated files. */
function projectCopy(): string {
  const dir = mkdtempSync(path.join(scratch, "project-"));
  for (const entry of ["src", "scripts", "generated", "openapi", "package.json", "tsconfig.json"]) {
    cpSync(entry, path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** A document to pull from, written next to the copies. */
function documentFile(doc: unknown): string {
  const file = path.join(mkdtempSync(path.join(scratch, "doc-")), "openapi.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function regen(cwd: string, args: string[]): Promise<Run> {
  // Relative to the copy: it regenerates and type-checks the folder it runs in.
  return runScript("scripts/regen.ts", args, { cwd });
}

/** regen in this process, on the copy's openapi/: for runs that stop at the pull (nothing else is relative). */
function regenPullOnly(dir: string, args: string[]): Promise<Run> {
  return runMain(regenMain, ["--out-dir", path.join(dir, "openapi"), ...args]);
}

/** Every file under openapi/ and generated/ of `dir`, by relative name. */
function outputs(dir: string): Record<string, string> {
  return Object.fromEntries(
    ["openapi", "generated"].flatMap((folder) =>
      readdirSync(path.join(dir, folder)).map((f) => [
        `${folder}/${f}`,
        readFileSync(path.join(dir, folder, f), "utf8"),
      ]),
    ),
  );
}

/** The doc with `timestamp`, required in the delete answer and printed by the CLI, removed. */
function removedTimestamp() {
  const doc = pulled();
  const answer = doc.components.schemas.DeleteFinetuneResponse;
  delete answer.properties.timestamp;
  answer.required = answer.required.filter((name: string) => name !== "timestamp");
  return doc;
}

const inOrder = (text: string, steps: string[]) => {
  const at = steps.map((s) => text.indexOf(s));
  return at.every((i) => i >= 0) && at.every((i, k) => k === 0 || i > (at[k - 1] as number));
};

describe.concurrent("npm run regen", () => {
  it("from the committed pull: every step runs, and nothing changes but the pull time", {
    timeout: 180_000,
  }, async () => {
    const dir = projectCopy();
    const before = outputs(dir);
    const run = await regen(dir, ["--from", "openapi/upstream.json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const steps = ["== pull and report", "No changes for this client.", "== generate", "== typecheck", "regen: done."];
    expect(inOrder(run.stdout, steps), run.stdout).toBe(true);
    const after = outputs(dir);
    const pulledAt = /"pulledAt": "[^"]*"/;
    expect(after["openapi/source.json"]).not.toBe(before["openapi/source.json"]);
    expect(after["openapi/source.json"]?.replace(pulledAt, "")).toBe(
      before["openapi/source.json"]?.replace(pulledAt, ""),
    );
    expect({ ...after, "openapi/source.json": "" }).toEqual({ ...before, "openapi/source.json": "" });
  });

  it("a newer document with an added optional response field regenerates and type-checks", {
    timeout: 180_000,
  }, async () => {
    const dir = projectCopy();
    const run = await regen(dir, ["--from", documentFile(addedOptional()), "--fail-on-breaking"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Non-breaking \(1\):\n {2}- POST \/v1\/delete_finetune: .*`credits_refunded`/m);
    expect(readFileSync(path.join(dir, "generated/schema.d.ts"), "utf8")).toContain("credits_refunded?: number;");
    expect(readFileSync(path.join(dir, "generated/contract.ts"), "utf8")).toContain('"credits_refunded": {');
  });

  it("a removed required response field fails at type-check", { timeout: 180_000 }, async () => {
    const dir = projectCopy();
    const run = await regen(dir, ["--from", documentFile(removedTimestamp())]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/^Breaking \(\d+\):\n(.*\n)*.*\[Removed\] property `timestamp` in Response 200/m);
    expect(run.stdout).toContain("== generate");
    expect(run.stdout).toMatch(/src\/cli\/output\.ts.*error TS\d+:.*timestamp/s);
    expect(run.stderr).toMatch(/regen: typecheck failed; stopping\n$/);
  });

  it("... and with --fail-on-breaking, at the pull, before anything is written", { timeout: 60_000 }, async () => {
    const dir = projectCopy();
    const before = outputs(dir);
    const run = await regenPullOnly(dir, ["--from", documentFile(removedTimestamp()), "--fail-on-breaking"]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("== generate");
    expect(run.stderr).toMatch(
      /breaking change\(s\); nothing written \(--fail-on-breaking\)\nregen: pull failed; stopping\n$/,
    );
    expect(outputs(dir)).toEqual(before);
  });

  it("--all-paths --dry-run reports on the whole document and stops", { timeout: 60_000 }, async () => {
    const dir = projectCopy();
    const doc = pulled();
    delete doc.paths["/v1/flux-dev"];
    const run = await regenPullOnly(dir, ["--from", documentFile(doc), "--all-paths", "--dry-run"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Breaking \(1\):\n {2}- \[Removed\] operation POST \/v1\/flux-dev$/m);
    expect(run.stdout).toContain("Dry run: nothing written.");
    expect(run.stdout).not.toContain("== generate");
  });
});
