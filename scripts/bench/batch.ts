/**
 * Batch throughput: N deletes with concurrency C against a server that waits D ms before each
 * answer, so the best possible rate is C / D. Through the built CLI (ids on stdin, `--json`), and
 * for reference through the CLI's pool in this process, with the facade and with raw `fetch`: at
 * this latency each call's CPU time on the one client thread is what keeps a batch below ideal.
 */
import { spawn } from "node:child_process";
import { forEachLimited } from "../../src/cli/pool.js";
import { createBflClient } from "../../src/index.js";
import { childEnv } from "./cold-start.js";
import { type BenchServer, DELETE_PATH } from "./server.js";

/** How the batch is sent: the built CLI, or the CLI's pool in this process. */
export type BatchVia = "cli" | "facade, in-process" | "fetch, in-process";

export interface BatchOptions {
  server: BenchServer;
  via: BatchVia;
  /** The built CLI; needed for `via: "cli"`. */
  cliPath: string | undefined;
  ids: number;
  concurrency: number;
  delayMs: number;
}

export interface BatchRun {
  via: BatchVia;
  deleted: number;
  maxInFlight: number;
  /** First request's arrival to last answer, as the server saw it. */
  serverWindowMs: number;
  /** From spawning the CLI (or starting the pool) to its end; includes CLI start-up. */
  wallMs: number;
  /** deleted ÷ serverWindow, as a fraction of concurrency ÷ delay. */
  ofIdeal: number;
  /** deleted ÷ wall time, as a fraction of the same ideal. */
  wallOfIdeal: number;
}

function runCli(cliPath: string, url: string, ids: string[], concurrency: number): Promise<number> {
  const args = [cliPath, "delete", "-", "--concurrency", String(concurrency), "--yes", "--json", "--base-url", url];
  const child = spawn(process.execPath, args, {
    env: childEnv({ BFL_API_KEY: "bench-key", NO_COLOR: "1" }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  child.stdin.end(`${ids.join("\n")}\n`);
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`CLI exited ${signal ?? code}: ${stderr.trim().slice(0, 500)}`));
      const lines = stdout.split("\n").filter(Boolean);
      resolve(lines.filter((line) => (JSON.parse(line) as { ok?: unknown }).ok === true).length);
    });
  });
}

function deleter(via: BatchVia, url: string): (id: string) => Promise<unknown> {
  if (via === "facade, in-process") {
    const client = createBflClient({ apiKey: "bench-key", baseUrl: url });
    return (id) => client.deleteFinetune(id);
  }
  return async (id) => {
    const response = await fetch(`${url}${DELETE_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-key": "bench-key" },
      body: JSON.stringify({ finetune_id: id }),
    });
    if (!response.ok) throw new Error(`fetch: HTTP ${response.status}`);
    return response.json();
  };
}

async function runInProcess(via: BatchVia, url: string, ids: string[], concurrency: number): Promise<number> {
  const send = deleter(via, url);
  let deleted = 0;
  await forEachLimited(ids, concurrency, async (id) => {
    await send(id);
    deleted++;
  });
  return deleted;
}

/** One batch of `options.ids` deletes; the server's counters are reset first. */
export async function measureBatch(options: BatchOptions): Promise<BatchRun> {
  const { server, via, cliPath, concurrency, delayMs } = options;
  const ids = Array.from({ length: options.ids }, (_, i) => `bench-finetune-${i + 1}`);
  server.reset();
  const started = performance.now();
  if (via === "cli" && cliPath === undefined) throw new Error("no built CLI to run the batch through");
  const deleted =
    via === "cli"
      ? await runCli(cliPath as string, server.url, ids, concurrency)
      : await runInProcess(via, server.url, ids, concurrency);
  const wallMs = performance.now() - started;
  const stats = await server.stats();
  if (deleted !== ids.length || stats.requests !== ids.length) {
    throw new Error(`batch deleted ${deleted} of ${ids.length} ids in ${stats.requests} requests`);
  }
  const idealPerSec = concurrency / (delayMs / 1000);
  const serverWindowMs = (stats.lastFinishMs ?? 0) - (stats.firstArrivalMs ?? 0);
  return {
    via,
    deleted,
    maxInFlight: stats.maxInFlight,
    serverWindowMs,
    wallMs,
    ofIdeal: deleted / (serverWindowMs / 1000) / idealPerSec,
    wallOfIdeal: deleted / (wallMs / 1000) / idealPerSec,
  };
}
