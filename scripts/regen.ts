/**
 * `npm run regen -- [spec:pull options]`: pull, report, generate, type-check, in that order,
 * stopping at the first failure, so a spec change that breaks the facade fails at type-check.
 */
import { spawnSync } from "node:child_process";
import { parsePullArgs, pullSpec, reportFailure } from "./pull-spec.ts";

function step(name: string, command: string, args: string[]): void {
  console.log(`\n== ${name}`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`regen: ${name} failed; stopping`);
    process.exit(result.status ?? 1);
  }
}

try {
  const options = parsePullArgs(process.argv.slice(2));
  if (options === "help") {
    console.log(
      "Usage: npm run regen -- [--from URL|FILE] [--paths P1,P2] [--fail-on-breaking]\nRuns spec:pull, generate and typecheck in order (see npm run spec:pull -- --help).",
    );
    process.exit(0);
  }
  console.log("== pull and report");
  const code = await pullSpec(options);
  if (code !== 0) process.exit(code);
  if (options.dryRun) process.exit(0);
  step("generate", "npm", ["run", "-s", "generate"]);
  step("typecheck", "npm", ["run", "-s", "typecheck"]);
  console.log("\nregen: done. Review `git diff openapi generated` and commit.");
} catch (error) {
  process.exit(reportFailure("regen", error));
}
