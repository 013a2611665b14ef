/** Runs the built CLI (dist/cli.js) as a child process, as users run it. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const CLI = path.resolve("dist/cli.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any BFL_* variable of the machine, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("BFL_") && k !== "NO_COLOR"),
  );
  return { ...base, ...env };
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(options.env), stdio: "pipe" });
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
