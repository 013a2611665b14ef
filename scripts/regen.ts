import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main as apiReport, REPORT_DIR } from "./api-report.ts";
import { main as generate } from "./generate.ts";
import { replaceFiles } from "./lib/atomic-write.ts";
import { bumpFor, changesetText } from "./lib/release-bump.ts";
import { consoleIo, isEntry, runTsc, type ScriptIo } from "./lib/script-io.ts";
import {
  type CheckedPull,
  checkPull,
  type PullOptions,
  parsePullArgs,
  pulledFiles,
  removeStalePull,
  reportFailure,
} from "./pull-spec.ts";

const HELP = `Usage: npm run regen -- [--from URL|FILE] [--origin github:OWNER/REPO/PATH@COMMIT] [--accept-breaking] [...]

Runs, in order, stopping at the first failure with nothing written:
  1. spec:pull's checks and change report; a breaking change for this client stops here, naming
     each (go on with --accept-breaking: a major release)
  2. in a staging copy: npm run generate (openapi/openapi.json, generated/), npm run typecheck,
     npm run api:report (etc/*.api.md), and a changeset (.changeset/*.md) when the effective
     spec changed: major if breaking, minor for additions, patch for descriptions only
  3. every changed file replaces the project's together (Ctrl+C before this point: nothing written)
Takes every option of \`npm run spec:pull -- --help\`; with --dry-run it stops after the report.`;

/** What the staging copy holds: everything the type-check and the API report read, no node_modules. */
const STAGED = ["src", "scripts", "generated", "openapi", "test", REPORT_DIR, ".changeset"];
const STAGED_FILES = ["package.json", "tsconfig.json", "tsconfig.api.json", "vitest.config.ts", "tsup.config.ts"];
/** The outputs a regen may change, as folders of the project. */
const OUTPUTS = ["openapi", "generated", REPORT_DIR, ".changeset"];

/** `tsc --noEmit` in `cwd`, with this node; prints tsc's findings, resolves to its exit status. */
function typecheck(cwd: string, io: ScriptIo): number {
  const { status, output } = runTsc(cwd, ["--noEmit"]);
  // tsc names files relative to the staging copy, which are the project's names too.
  if (output.trimEnd()) io.out(output.trimEnd());
  return status;
}

function stageCopy(root: string): string {
  const stage = mkdtempSync(path.join(tmpdir(), "bfl-regen-stage-"));
  for (const entry of [...STAGED, ...STAGED_FILES]) {
    if (existsSync(path.join(root, entry)))
      cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
  }
  mkdirSync(path.join(stage, ".changeset"), { recursive: true });
  mkdirSync(path.join(stage, REPORT_DIR), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(stage, "node_modules"), "dir");
  return stage;
}

/** Files under the output folders of `dir`, relative, with their bytes. */
function outputFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const folder of OUTPUTS) {
    const at = path.join(dir, folder);
    if (!existsSync(at)) continue;
    for (const name of readdirSync(at, { recursive: true, encoding: "utf8" })) {
      const file = path.join(folder, name);
      if (!name.startsWith(".") && !name.includes(`${path.sep}.`) && !name.endsWith(".tmp")) {
        try {
          files.set(file, readFileSync(path.join(dir, file)));
        } catch {
          // a folder
        }
      }
    }
  }
  return files;
}

/** One step in the staging copy; prints its heading, and why regen stops when it fails. */
async function step(name: string, run: () => number | Promise<number>, io: ScriptIo): Promise<number> {
  io.out(`\n== ${name}`);
  const code = await run();
  if (code === 0) return 0;
  io.err(`regen: ${name} failed; stopping, nothing written`);
  return 1;
}

/** A changeset named by date and the pulled document's sha256, so that two regens never collide. */
function changesetName(checked: CheckedPull): string {
  return `regen-${new Date().toISOString().slice(0, 10)}-${checked.fetched.sha256.slice(0, 8)}.md`;
}

/** The staging pipeline: resolves to an exit code; the staged files are left in `stage`. */
async function buildStage(stage: string, options: PullOptions, checked: CheckedPull, io: ScriptIo): Promise<number> {
  const openapiDir = path.join(stage, "openapi");
  const staged = { ...options, outDir: openapiDir };
  for (const { file, text } of pulledFiles(staged, checked)) await writeFile(file, text);
  // The stage started as a copy of openapi/: a pull that changed format removes the old document
  // there, so that the swap removes it from the project too.
  await removeStalePull(staged, checked);
  const generated = await step(
    "generate",
    () => generate(["--openapi-dir", openapiDir, "--out-dir", path.join(stage, "generated")], io),
    io,
  );
  if (generated !== 0) return generated;
  const checkedTypes = await step("typecheck", () => typecheck(stage, io), io);
  if (checkedTypes !== 0) return checkedTypes;
  const reported = await step("api:report", () => apiReport(["--project", stage], io), io);
  if (reported !== 0) return reported;
  io.out("\n== changeset");
  if (!checked.changed) {
    io.out("The effective spec did not change: no changeset.");
    return 0;
  }
  const name = changesetName(checked);
  const source =
    options.origin && "commit" in options.origin
      ? `${options.origin.repository}/${options.origin.path}@${options.origin.commit.slice(0, 7)}`
      : options.from;
  await writeFile(path.join(stage, ".changeset", name), changesetText(checked.report, source));
  io.out(`.changeset/${name}: ${bumpFor(checked.report)}`);
  return 0;
}

/**
 * Replaces the project's changed outputs with the staged ones, all together (replaceFiles rolls
 * back on an error). SIGINT/SIGTERM are held off for the few renames, then honoured.
 */
async function swap(root: string, stage: string, io: ScriptIo): Promise<string[]> {
  const [now, staged] = [outputFiles(root), outputFiles(stage)];
  const changed = [...staged].filter(([file, bytes]) => !now.get(file)?.equals(bytes)).map(([file]) => file);
  const held: NodeJS.Signals[] = [];
  const hold = (signal: NodeJS.Signals) => held.push(signal);
  process.on("SIGINT", hold).on("SIGTERM", hold);
  try {
    await replaceFiles(changed.map((file) => ({ file: path.join(root, file), text: staged.get(file) as Buffer })));
    // A pull that changed format (JSON <-> YAML) leaves no stale copy behind.
    for (const file of now.keys()) {
      if (file.startsWith("openapi") && !staged.has(file)) rmSync(path.join(root, file), { force: true });
    }
  } finally {
    process.off("SIGINT", hold).off("SIGTERM", hold);
  }
  if (held.length > 0) io.err(`regen: ${held[0]} arrived during the swap; the swap was completed first`);
  return changed;
}

async function regen(argv: string[], io: ScriptIo): Promise<number> {
  const options = parsePullArgs(argv);
  if (options === "help") {
    io.out(HELP);
    return 0;
  }
  io.out("== pull and report");
  const checked = await checkPull(options, io);
  if (typeof checked === "number") {
    io.err("regen: pull refused; stopping, nothing written");
    return checked;
  }
  if (options.dryRun) {
    io.out("Dry run: nothing written.");
    return 0;
  }
  const root = path.resolve(options.outDir, "..");
  const stage = stageCopy(root);
  // Interrupted before the swap: only the staging copy is lost.
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(stage, { recursive: true, force: true });
    io.err(`regen: interrupted (${signal}); nothing written`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    const code = await buildStage(stage, options, checked, io);
    if (code !== 0) return code;
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    const changed = await swap(root, stage, io);
    io.out(`\nregen: done; ${changed.length === 0 ? "nothing changed" : `wrote ${changed.join(", ")}`}.`);
    if (changed.length > 0) io.out("Review `git diff`, run `npm test`, and commit.");
    return 0;
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    rmSync(stage, { recursive: true, force: true });
  }
}

/** `regen ARGV` in the project that holds --out-dir (default openapi/): prints through `io`, resolves to the exit code. */
export async function main(argv: string[], io: ScriptIo = consoleIo): Promise<number> {
  return regen(argv, io).catch((error: unknown) => reportFailure("regen", error, io));
}

if (isEntry(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
