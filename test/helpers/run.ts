/** Runs node scripts as child processes, as users run them, and collects what they print. */
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

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

/** `node ARGS`, asynchronously, so servers in this process keep answering it. */
export function runNode(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<Run> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: cleanEnv(options.env), stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? "");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `node --import tsx SCRIPT ARGS`: a TypeScript script of this repo (SCRIPT relative to `cwd`). */
export function runScript(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  return runNode(["--import", TSX_LOADER, script, ...args], options);
}
