/** Runs node scripts as child processes, as users run them (or a script's main in process), and collects what they print. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ScriptIo } from "../../scripts/lib/script-io.ts";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** tsx's loader, given to node itself: the `tsx` command would start a second node process per run. */
const TSX_LOADER = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;

/** The machine's environment without any BFL_* variable or NO_COLOR, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("BFL_") && k !== "NO_COLOR"),
  );
  return { ...base, ...env };
}

/** A running node process the test can signal or cut off; `exited` resolves with what it printed. */
export interface LiveNode {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<Run & { signal: NodeJS.Signals | null }>;
}

export interface NodeOptions {
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; stdin stays open when undefined. */
  input?: string;
  cwd?: string;
}

/** Starts `node ARGS` without waiting for it. */
export function startNode(args: string[], options: NodeOptions = {}): LiveNode {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: cleanEnv(options.env), stdio: "pipe" });
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

/** `node ARGS`, asynchronously, so servers in this process keep answering it. */
export async function runNode(args: string[], options: NodeOptions = {}): Promise<Run> {
  const { code, stdout, stderr } = await startNode(args, { ...options, input: options.input ?? "" }).exited;
  return { code, stdout, stderr };
}

/** `node --import tsx SCRIPT ARGS`: a TypeScript script of this repo (SCRIPT relative to `cwd`). */
export function runScript(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  return runNode(["--import", TSX_LOADER, script, ...args], options);
}

/**
 * A script's `main(argv, io)` run in this process: what it prints and its exit code, as
 * `runScript` would collect them, without starting node and loading the script's modules per run.
 */
export async function runMain(main: (argv: string[], io: ScriptIo) => Promise<number>, argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    out: (line) => {
      stdout += `${line}\n`;
    },
    err: (line) => {
      stderr += `${line}\n`;
    },
  });
  return { code, stdout, stderr };
}
