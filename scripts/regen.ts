/**
 * `npm run regen -- [spec:pull options]`: pull, report, generate, type-check, in that order,
 * stopping at the first failure, so a spec change that breaks the facade fails at type-check.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { main as generate } from "./generate.ts";
import { consoleIo, isEntry, type ScriptIo } from "./lib/script-io.ts";
import { parsePullArgs, pullSpec, reportFailure } from "./pull-spec.ts";

const HELP = `Usage: npm run regen -- [--from URL|FILE] [--origin github:OWNER/REPO/PATH@COMMIT] [--fail-on-breaking] [...]

Runs, in order, stopping at the first failure:
  1. spec:pull (fetch, check, print the change report, store the document as pulled)
  2. npm run generate (effective spec = pulled document cut to the covered operations + overlay;
     then generated/; an overlay action that matches nothing fails here)
  3. npm run typecheck (a spec change that breaks the facade fails here)
Takes every option of \`npm run spec:pull -- --help\`; with --dry-run it stops after the report.`;

/**
 * `npm run typecheck` (tsc --noEmit) of the project in the current folder, run with this node:
 * no npm and no shell in between. Resolves to tsc's exit status.
 */
function typecheck(io: ScriptIo): number {
  const tsc = createRequire(path.resolve("package.json")).resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "--noEmit"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.stdout.trimEnd()) io.out(result.stdout.trimEnd());
  if (result.stderr.trimEnd()) io.err(result.stderr.trimEnd());
  return result.status ?? 1;
}

/** One step after the pull; prints its heading, and why regen stops when it fails. */
async function step(name: string, run: () => number | Promise<number>, io: ScriptIo): Promise<number> {
  io.out(`\n== ${name}`);
  const code = await run();
  if (code !== 0) io.err(`regen: ${name} failed; stopping`);
  return code;
}

/** `regen ARGV` in the current folder: prints through `io`, resolves to the exit code. */
export async function main(argv: string[], io: ScriptIo = consoleIo): Promise<number> {
  return regen(argv, io).catch((error: unknown) => reportFailure("regen", error, io));
}

async function regen(argv: string[], io: ScriptIo): Promise<number> {
  const options = parsePullArgs(argv);
  if (options === "help") {
    io.out(HELP);
    return 0;
  }
  io.out("== pull and report");
  const code = await pullSpec(options, io);
  if (code !== 0) {
    io.err("regen: pull failed; stopping");
    return code;
  }
  if (options.dryRun) return 0;
  const generated = await step("generate", () => generate(["--openapi-dir", options.outDir], io), io);
  if (generated !== 0) return generated;
  const checked = await step("typecheck", () => typecheck(io), io);
  if (checked !== 0) return checked;
  io.out("\nregen: done. Review `git diff openapi generated` and commit.");
  return 0;
}

if (isEntry(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
