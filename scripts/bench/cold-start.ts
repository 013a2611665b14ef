/**
 * CLI cold start: `bfl-finetune --version` from the built CLI against `node -e ""`, spawned
 * alternately so that both see the same machine load; the ratio is of the two medians.
 */
import { spawnSync } from "node:child_process";
import { median } from "./stats.js";

export interface ColdStart {
  cliMs: number;
  nodeMs: number;
  /** cliMs ÷ nodeMs. */
  ratio: number;
  runs: number;
}

/** The environment children get: without NODE_OPTIONS, so no loader of ours rides along. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _dropped, ...env } = process.env;
  return { ...env, ...extra };
}

function timeSpawn(args: string[], expectOutput: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env: childEnv(), encoding: "utf8", timeout: 30_000 });
  const ms = performance.now() - started;
  if (result.status !== 0 || result.stdout.trim() !== expectOutput) {
    throw new Error(`node ${args.join(" ")} exited ${result.status} with ${JSON.stringify(result.stdout.trim())}`);
  }
  return ms;
}

/** Spawns each command `runs` times (after one discarded warm-up each, to fill the OS file cache). */
export function measureColdStart(cliPath: string, version: string, runs: number): ColdStart {
  const cli = () => timeSpawn([cliPath, "--version"], version);
  const node = () => timeSpawn(["-e", ""], "");
  cli();
  node();
  const cliMs: number[] = [];
  const nodeMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always follows the other's cache effects.
    if (i % 2 === 0) {
      cliMs.push(cli());
      nodeMs.push(node());
    } else {
      nodeMs.push(node());
      cliMs.push(cli());
    }
  }
  return { cliMs: median(cliMs), nodeMs: median(nodeMs), ratio: median(cliMs) / median(nodeMs), runs };
}
