/**
 * `npm run regen` end to end, in throwaway copies of the project (it regenerates the project it
 * runs in, so never this one): pull and report, then generate, type-check, API report and
 * changeset in a staging copy, then one swap. Every document is an edit of the committed pull
 * made at test time, and every figure is read from the documents, so these tests follow the
 * upstream. The runs that reach the staging run regen as a child process in the copy; the ones
 * that stop at the pull call its `main` in this process, pointed at the copy's openapi/.
 */
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
import parseChangeset from "@changesets/parse";
import { afterAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { eachOperation } from "../../scripts/lib/openapi-operations.ts";
import { main as regenMain } from "../../scripts/regen.ts";
import { type Run, runMain, runScript, startNode } from "../helpers/run.js";
import { addedOperation, addedOptional, answerSchema, pulled } from "./fixtures/variants.js";

const TSX_LOADER = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;
const scratch = mkdtempSync(path.join(tmpdir(), "bfl-spec-regen-"));
// Removes the copies; their node_modules is a symlink, which rmSync removes without following.
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What regen reads and writes: sources, scripts, tests (type-checked), openapi/, generated files, reports. */
const PROJECT = ["src", "scripts", "test", "generated", "openapi", "etc", ".changeset"];
const PROJECT_FILES = ["package.json", "tsconfig.json", "tsconfig.api.json", "vitest.config.ts", "tsup.config.ts"];
/** The outputs a regen may change: before and after must be all old or all new. */
const OUTPUTS = ["openapi", "generated", "etc", ".changeset"];

function projectCopy(): string {
  const dir = mkdtempSync(path.join(scratch, "project-"));
  for (const entry of [...PROJECT, ...PROJECT_FILES]) cpSync(entry, path.join(dir, entry), { recursive: true });
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** A document to pull from, written next to the copies (as JSON, or as YAML). */
function documentFile(doc: unknown, format: "json" | "yaml" = "json"): string {
  const file = path.join(mkdtempSync(path.join(scratch, "doc-")), `openapi.${format}`);
  writeFileSync(file, format === "json" ? JSON.stringify(doc) : toYaml(doc));
  return file;
}

const regen = (cwd: string, args: string[]): Promise<Run> => runScript("scripts/regen.ts", args, { cwd });

/** regen in this process, on the copy's openapi/: for runs that stop at the pull. */
const regenPullOnly = (dir: string, args: string[]): Promise<Run> =>
  runMain(regenMain, ["--out-dir", path.join(dir, "openapi"), ...args]);

/** Every file of the outputs of `dir`, by relative name. */
function outputs(dir: string): Record<string, string> {
  return Object.fromEntries(
    OUTPUTS.flatMap((folder) =>
      existsSync(path.join(dir, folder))
        ? readdirSync(path.join(dir, folder)).map((f) => [
            `${folder}/${f}`,
            readFileSync(path.join(dir, folder, f), "utf8"),
          ])
        : [],
    ),
  );
}

/** The files of `after` that differ from `before` (added ones included). */
const changedFiles = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys(after)
    .filter((f) => before[f] !== after[f])
    .sort();

/** The regen changesets of `after` not in `before`: a landed regen leaves its own, pending release. */
const newChangesets = (before: Record<string, string>, after: Record<string, string>) =>
  Object.entries(after).filter(([f]) => /^\.changeset\/regen-.*\.md$/.test(f) && !(f in before));

/** The doc with `timestamp`, required in the delete answer and printed by the CLI, removed. */
function removedTimestamp() {
  const doc = pulled();
  const answer = answerSchema(doc, "/v1/delete_finetune", "post");
  delete answer.properties.timestamp;
  answer.required = answer.required.filter((name: string) => name !== "timestamp");
  return doc;
}

/** A covered operation's description, changed: annotations only. */
function changedDescription() {
  const doc = pulled();
  const op = doc.paths["/v1/finetune_details"].get;
  op.description = `${op.description ?? ""} (reworded upstream)`;
  return doc;
}

describe.concurrent("npm run regen", { timeout: 480_000 }, () => {
  it("an added optional response field and a new uncovered operation: minor changeset naming the field, types and API report show it", async () => {
    const dir = projectCopy();
    const before = outputs(dir);
    const doc = addedOperation(addedOptional());
    const run = await regen(dir, ["--from", documentFile(doc)]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The new operation is counted, not covered: it changes nothing for this client.
    expect(run.stdout).toContain(`Upstream has ${[...eachOperation(doc)].length} operations`);
    expect(run.stdout).toMatch(/^Non-breaking \(1\):\n {2}- POST \/v1\/delete_finetune: .*`field_added_by_test`/m);
    const after = outputs(dir);
    expect(changedFiles(before, after)).toEqual(
      expect.arrayContaining([
        "openapi/openapi.json",
        "generated/schema.d.ts",
        "generated/contract.ts",
        "etc/bfl-finetune.api.md",
      ]),
    );
    expect(after["generated/schema.d.ts"]).toContain("field_added_by_test?: number;");
    expect(after["etc/bfl-finetune.api.md"]).toMatch(/field_added_by_test\?: number;/);
    const [entry, ...others] = newChangesets(before, after);
    expect(others).toEqual([]);
    const changeset = parseChangeset(entry?.[1] ?? "");
    expect(changeset.releases).toEqual([{ name: "bfl-finetune", type: "minor" }]);
    expect(changeset.summary).toMatch(/field_added_by_test/);
    expect(changeset.summary).not.toContain("regen_test_new_operation");
  });

  it("a changed description in a covered operation, pulled as YAML: patch changeset, API report unchanged, the JSON pull replaced", async () => {
    const dir = projectCopy();
    const before = outputs(dir);
    const run = await regen(dir, ["--from", documentFile(changedDescription(), "yaml")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const after = outputs(dir);
    expect(after["etc/bfl-finetune.api.md"]).toBe(before["etc/bfl-finetune.api.md"]);
    const [entry, ...others] = newChangesets(before, after);
    expect(others).toEqual([]);
    const changeset = parseChangeset(entry?.[1] ?? "");
    expect(changeset.releases).toEqual([{ name: "bfl-finetune", type: "patch" }]);
    expect(changeset.summary).toMatch(/GET \/v1\/finetune_details: .*description/);
    // The pull changed format: the YAML document replaces the JSON one, none left stale.
    expect(Object.keys(before)).toContain("openapi/upstream.json");
    expect(Object.keys(after)).toContain("openapi/upstream.yaml");
    expect(Object.keys(after)).not.toContain("openapi/upstream.json");
  });

  it("a removed required response field is refused at the pull by default, named, nothing written", async () => {
    const dir = projectCopy();
    const before = outputs(dir);
    const run = await regenPullOnly(dir, ["--from", documentFile(removedTimestamp())]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("== generate");
    expect(run.stderr).toMatch(/^ {2}- POST \/v1\/delete_finetune: \[Removed\] property `timestamp`/m);
    expect(run.stderr).toMatch(/regen: pull refused; stopping, nothing written\n$/);
    expect(outputs(dir)).toEqual(before);
  });

  it("... accepted, it stops at the type-check naming the field the CLI reads, nothing written", async () => {
    const dir = projectCopy();
    const before = outputs(dir);
    const run = await regen(dir, ["--from", documentFile(removedTimestamp()), "--accept-breaking"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/src\/cli\/output\.ts.*error TS\d+:.*timestamp/s);
    expect(run.stderr).toMatch(/regen: typecheck failed; stopping, nothing written\n$/);
    expect(outputs(dir)).toEqual(before);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGKILL", null],
  ] as const)("interrupted by %s while staging: every output as before", async (signal, code) => {
    const dir = projectCopy();
    const before = outputs(dir);
    const script = path.join(dir, "scripts/regen.ts");
    const live = startNode(["--import", TSX_LOADER, script, "--from", documentFile(addedOptional())], { cwd: dir });
    await expect.poll(() => live.stdout(), { timeout: 120_000, interval: 100 }).toContain("== generate");
    live.child.kill(signal);
    const exited = await live.exited;
    expect(exited.code).toBe(code);
    if (signal === "SIGINT") expect(exited.stderr).toMatch(/regen: interrupted \(SIGINT\); nothing written\n$/);
    expect(outputs(dir)).toEqual(before);
  });

  it("api:report writes a report per entry; --check then passes, and fails naming a stale one", async () => {
    // A project of two one-line entries: the same script and API Extractor, in a few seconds.
    const dir = mkdtempSync(path.join(scratch, "api-"));
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    };
    write("package.json", JSON.stringify({ name: "bfl-finetune", version: "0.0.0", type: "module" }));
    write(
      "tsconfig.json",
      JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", skipLibCheck: true } }),
    );
    cpSync("tsconfig.api.json", path.join(dir, "tsconfig.api.json"));
    write("src/index.ts", "/** Adds. */\nexport const add = (a: number, b: number): number => a + b;\n");
    write("src/testing/index.ts", "/** A fake. */\nexport const fake = (): string => 'fake';\n");
    mkdirSync(path.join(dir, "generated"));
    mkdirSync(path.join(dir, "etc"));
    symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");

    const written = await runScript("scripts/api-report.ts", ["--project", dir]);
    expect(written.stderr).toBe("");
    expect(written.code).toBe(0);
    expect(readFileSync(path.join(dir, "etc/bfl-finetune.api.md"), "utf8")).toContain(
      "export const add: (a: number, b: number) => number;",
    );
    expect((await runScript("scripts/api-report.ts", ["--check", "--project", dir])).code).toBe(0);

    write("src/index.ts", "/** Adds. */\nexport const add = (a: number, b: number, c = 0): number => a + b + c;\n");
    const stale = await runScript("scripts/api-report.ts", ["--check", "--project", dir]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe("api:report: etc/bfl-finetune.api.md stale: run `npm run api:report`\n");
  });

  it("--all-paths --dry-run reports on the whole document and stops", { timeout: 60_000 }, async () => {
    const dir = projectCopy();
    const doc = addedOperation(pulled());
    const run = await regenPullOnly(dir, ["--from", documentFile(doc), "--all-paths", "--dry-run"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Non-breaking \(1\):\n {2}- \[Added\] operation GET \/v1\/regen_test_new_operation$/m);
    expect(run.stdout).toContain("Dry run: nothing written.");
    expect(run.stdout).not.toContain("== generate");
  });
});
