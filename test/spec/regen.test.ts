/**
 * `npm run regen` end to end, in a throwaway copy of the project (it regenerates and type-checks
 * the folder it runs in, so never in this one): pull, report, generate, type-check, in order,
 * stopping at the first failure.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Run, runScript } from "../helpers/run.js";
import { FIXTURES } from "./fixtures/variants.js";

const scratch = mkdtempSync(path.join(tmpdir(), "bfl-spec-regen-"));
// Removes the copies; their node_modules is a symlink, which rmSync removes without following.
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What regen needs to run and type-check: sources, scripts, snapshot, generated files. */
function projectCopy(): string {
  const dir = mkdtempSync(path.join(scratch, "project-"));
  for (const entry of ["src", "scripts", "generated", "openapi", "package.json", "tsconfig.json"]) {
    cpSync(entry, path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

function regen(cwd: string, args: string[]): Promise<Run> {
  // Relative to the copy: it regenerates and type-checks the folder it runs in.
  return runScript("scripts/regen.ts", args, { cwd });
}

const upstream = path.join(FIXTURES, "upstream.json");
const next = path.join(FIXTURES, "upstream-next.json");
const paths = ["--paths", "/v1/delete_finetune"];

describe.concurrent("npm run regen", () => {
  it("pulls, reports, generates and type-checks, pinned to the facade's path", { timeout: 180_000 }, async () => {
    const dir = projectCopy();
    const run = await regen(dir, ["--from", upstream]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const steps = ["== pull and report", "No changes for this client.", "== generate", "== typecheck", "regen: done."];
    const at = steps.map((s) => run.stdout.indexOf(s));
    expect(at.every((i) => i >= 0) && at.every((i, k) => k === 0 || i > (at[k - 1] as number))).toBe(true);
    const snapshot = JSON.parse(readFileSync(path.join(dir, "openapi/openapi.json"), "utf8"));
    expect(snapshot.info.version).toBe("1.9.0");
    expect(Object.keys(snapshot.paths)).toEqual(["/v1/delete_finetune"]);
    const source = JSON.parse(readFileSync(path.join(dir, "openapi/source.json"), "utf8"));
    expect(source).toMatchObject({ source: upstream, paths: ["/v1/delete_finetune"] });
    expect(readFileSync(path.join(dir, "generated/contract.ts"), "utf8")).toContain('"https://api.us1.bfl.ai"');
  });

  it("a spec change that breaks the facade fails at type-check", { timeout: 180_000 }, async () => {
    const dir = projectCopy();
    // upstream-next adds a required `confirm` to the delete body, which the facade does not send.
    const run = await regen(dir, ["--from", next, ...paths]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/^Breaking \(\d+\):\n(.*\n)*.*required status to `confirm`/m);
    expect(run.stdout).toContain("== generate");
    expect(run.stdout).toMatch(/src\/client\.ts.*error TS\d+:.*confirm/s);
    expect(run.stderr).toMatch(/regen: typecheck failed; stopping\n$/);
    expect(readFileSync(path.join(dir, "generated/schema.d.ts"), "utf8")).toContain("confirm: boolean");
  });

  it("--all-paths --dry-run reports on the whole document and stops", { timeout: 60_000 }, async () => {
    const dir = projectCopy();
    const run = await regen(dir, ["--from", upstream, "--all-paths", "--dry-run"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Non-breaking \(\d+\):\n(.*\n)* {2}- \[Added\] operation GET \/v1\/get_result$/m);
    expect(run.stdout).toContain("Dry run: nothing written.");
    expect(run.stdout).not.toContain("== generate");
  });

  it("stops at the pull, before generating, when the pull refuses", { timeout: 60_000 }, async () => {
    const dir = projectCopy();
    const before = readFileSync(path.join(dir, "generated/contract.ts"), "utf8");
    const run = await regen(dir, ["--from", next, ...paths, "--fail-on-breaking"]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("== generate");
    expect(run.stderr).toMatch(
      /breaking change\(s\); nothing written \(--fail-on-breaking\)\nregen: pull failed; stopping\n$/,
    );
    expect(readFileSync(path.join(dir, "generated/contract.ts"), "utf8")).toBe(before);
    expect(existsSync(path.join(dir, "openapi/source.json"))).toBe(false);
  });
});
