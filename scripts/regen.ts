/**
 * `npm run regen -- [spec:pull options]`: pull, report, generate, type-check, in that order,
 * stopping at the first failure, so a spec change that breaks the facade fails at type-check.
 */
import { spawnSync } from "node:child_process";
import { parsePullArgs, pullSpec, reportFailure } from "./pull-spec.ts";

const HELP = `Usage: npm run regen -- [--from URL|FILE] [--origin github:OWNER/REPO/PATH@COMMIT] [--fail-on-breaking] [...]

Runs, in order, stopping at the first failure:
  1. spec:pull (fetch, check, print the change report, store the document as pulled)
  2. npm run generate (effective spec = pulled document cut to the covered operations + overlay;
     then generated/; an overlay action that matches nothing fails here)
  3. npm run typecheck (a spec change that breaks the facade fails here)
Takes every option of \`npm run spec:pull -- --help\`; with --dry-run it stops after the report.`;

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
  const options = parsePullArgs(process.argv.slice(2));
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
  step("generate", ["--openapi-dir", options.outDir]);
  step("typecheck");
  console.log("\nregen: done. Review `git diff openapi generated` and commit.");
  return 0;
}

process.exitCode = await main().catch((error: unknown) => reportFailure("regen", error));
