/**
 * Where a script prints, one line at a time. A script's `main(argv, io)` prints only through it,
 * so a test can run the script in its own process and read what it printed, as a user would.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isUsageError } from "../../src/cli/usage-error.js";

export interface ScriptIo {
  out(line: string): void;
  err(line: string): void;
}

/** The terminal: stdout and stderr of this process. */
export const consoleIo: ScriptIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Whether the module at `moduleUrl` is the script node was started with (not an import of it). */
export function isEntry(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}

/**
 * Ends the process with what `main` resolves to; a thrown error prints `name: message` and exits
 * 2 when it is a usage mistake, else 1.
 */
export function exitWith(name: string, main: Promise<number>): void {
  main.then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      consoleIo.err(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = isUsageError(error) ? 2 : 1;
    },
  );
}

/**
 * The project's own TypeScript compiler on `args`, in `cwd`, with this node (never npx: it may
 * pick another TypeScript); its exit status and everything it printed.
 */
export function runTsc(cwd: string, args: string[]): { status: number; output: string } {
  const tsc = createRequire(path.join(cwd, "package.json")).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, ...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
}
