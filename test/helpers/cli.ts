/** Runs the built CLI (dist/cli.js) as a child process, as users run it. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { cleanEnv, type Run, runNode } from "./run.js";

export const CLI = path.resolve("dist/cli.js");

function built(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return CLI;
}

export function runCli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return runNode([built(), ...args], options);
}

/** A running CLI the test can signal or cut off; `exited` resolves with what it printed. */
export interface LiveCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<Run & { signal: NodeJS.Signals | null }>;
}

/** Starts the CLI without waiting for it; stdin is left open unless `input` is given. */
export function startCli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): LiveCli {
  const child = spawn(process.execPath, [built(), ...args], { env: cleanEnv(options.env), stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  // A write to a child that has already exited fails with EPIPE; the test looks at the exit instead.
  child.stdin.on("error", () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  const exited = new Promise<Run & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
