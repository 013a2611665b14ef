/** Runs the built CLI (dist/cli.js) as a child process, as users run it. */
import { existsSync } from "node:fs";
import path from "node:path";
import { type LiveNode, type NodeOptions, type Run, runNode, startNode } from "./run.js";

export const CLI = path.resolve("dist/cli.js");

function built(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return CLI;
}

export function runCli(args: string[], options: NodeOptions = {}): Promise<Run> {
  return runNode([built(), ...args], options);
}

/** A running CLI the test can signal or cut off. */
export type LiveCli = LiveNode;

/** Starts the CLI without waiting for it; stdin is left open unless `input` is given. */
export function startCli(args: string[], options: NodeOptions = {}): LiveCli {
  return startNode([built(), ...args], options);
}
