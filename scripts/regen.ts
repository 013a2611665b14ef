/**
 * `npm run regen -- [spec:pull options]`: pull, report, generate, type-check, in that order,
 * stopping at the first failure, so a spec change that breaks the facade fails at type-check.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parsePullArgs, pullSpec, reportFailure } from "./pull-spec.ts";

/** The endpoint this client covers: what regen pins the upstream document down to by default. */
const FACADE_PATH = "/v1/delete_finetune";

const HELP = `Usage: npm run regen -- [--from URL|FILE] [--paths P1,P2 | --all-paths] [--fail-on-breaking] [...]

Runs, in order, stopping at the first failure:
  1. spec:pull (fetch, check, print the change report, replace the snapshot)
  2. npm run generate
  3. npm run typecheck (a spec change that breaks the facade fails here)
Keeps only ${FACADE_PATH} and what it references unless --paths or --all-paths says otherwise.
Takes every option of \`npm run spec:pull -- --help\`; with --dry-run it stops after the report.`;

/** spec:pull's arguments, pinned to the facade's path unless the caller chose the paths. */
function pullArgs(argv: string[]): string[] {
  const args = argv.filter((a) => a !== "--all-paths");
  const chosen = args.length < argv.length || args.some((a) => a === "--paths" || a.startsWith("--paths="));
  return chosen ? args : [...args, "--paths", FACADE_PATH];
}

/** Runs `npm run -s NAME -- ARGS`; exits with its status when it fails. */
function step(name: string, args: string[] = []): void {
  console.log(`\n== ${name}`);
  const result = spawnSync("npm", ["run", "-s", name, ...(args.length > 0 ? ["--", ...args] : [])], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`regen: ${name} failed; stopping`);
    process.exit(result.status ?? 1);
  }
}

async function main(): Promise<number> {
  const options = parsePullArgs(pullArgs(process.argv.slice(2)));
  if (options === "help") {
    console.log(HELP);
    return 0;
  }
  console.log("== pull and report");
  const code = await pullSpec(options);
  if (code !== 0) {
    console.error("regen: pull failed; stopping");
    return code;
  }
  if (options.dryRun) return 0;
  step("generate", ["--input", path.join(options.outDir, "openapi.json")]);
  step("typecheck");
  console.log("\nregen: done. Review `git diff openapi generated` and commit.");
  return 0;
}

process.exitCode = await main().catch((error: unknown) => reportFailure("regen", error));
