/** Runs the built CLI (dist/cli.js) as a child process, as users run it. */
import { existsSync } from "node:fs";
import path from "node:path";
import { type Run, runNode } from "./run.js";

export const CLI = path.resolve("dist/cli.js");

export function runCli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return runNode([CLI, ...args], options);
}
