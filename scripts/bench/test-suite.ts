/**
 * Test-suite time: how long Prism takes to listen (through the same `startMockServer()` the
 * suite's global setup uses, once per run), and the whole `npx vitest run`.
 */
import { spawn } from "node:child_process";
import { startMockServer } from "../../src/testing/index.js";
import { childEnv } from "./cold-start.js";
import { median } from "./stats.js";

export interface TestSuiteTime {
  /** Median time from calling `startMockServer()` to its resolution. */
  prismReadyMs: number;
  prismStarts: number;
  suiteMs: number;
  suiteExitCode: number | null;
  /** Vitest's own "Tests" summary line, e.g. "120 passed (120)". */
  suiteSummary: string;
}

async function timePrismStart(): Promise<number> {
  const started = performance.now();
  const prism = await startMockServer();
  const ms = performance.now() - started;
  await prism.close();
  return ms;
}

function runSuite(cwd: string): Promise<{ ms: number; code: number | null; summary: string }> {
  const started = performance.now();
  const child = spawn("npx", ["vitest", "run"], { cwd, env: childEnv({ NO_COLOR: "1" }), stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  // The suite itself bounds every test; this only stops a hung run from hanging the bench.
  const killer = setTimeout(() => child.kill("SIGKILL"), 15 * 60_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(killer);
      const summary = /^\s*Tests\s+(.+)$/m.exec(output)?.[1]?.trim() ?? "no summary";
      resolve({ ms: performance.now() - started, code, summary });
    });
  });
}

/** Starts Prism `prismStarts` times, one after the other, then runs the suite once. */
export async function measureTestSuite(cwd: string, prismStarts: number): Promise<TestSuiteTime> {
  const starts: number[] = [];
  for (let i = 0; i < prismStarts; i++) starts.push(await timePrismStart());
  const suite = await runSuite(cwd);
  return {
    prismReadyMs: median(starts),
    prismStarts,
    suiteMs: suite.ms,
    suiteExitCode: suite.code,
    suiteSummary: suite.summary,
  };
}
