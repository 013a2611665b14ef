/**
 * The measurements of `npm run bench`. Two ways of doing the same thing are always measured in
 * one run, in interleaved rounds (the order rotating), and compared by the median of per-round
 * ratios: the machine is shared, and a noisy neighbour then slows both sides alike.
 */
import { spawn, spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build } from "esbuild";
import { type BenchServer, type ServerOptions, startServer } from "./server.js";

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Makes the call of one side of a comparison; runs before each round, outside its time. */
export type Prepare = () => () => Promise<unknown>;

/** Medians of calls per second of each side, and of the per-round ratios (second ÷ first). */
export interface Comparison {
  opsPerSec: [number, number];
  ratio: number;
}

async function round(call: () => Promise<unknown>, inFlight: number, ms: number): Promise<number> {
  let calls = 0;
  const started = performance.now();
  const worker = async () => {
    for (; performance.now() < started + ms; calls++) await call();
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return calls / ((performance.now() - started) / 1000);
}

/** Calls per second of two sides in alternating rounds, after a warm-up round each. */
export async function compare(
  sides: [Prepare, Prepare],
  options: { inFlight: number; repeats: number; roundMs: number },
): Promise<Comparison> {
  const rates: [number[], number[]] = [[], []];
  for (const prepare of sides) await round(prepare(), options.inFlight, 500);
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    for (const i of repeat % 2 ? [1, 0] : [0, 1]) {
      rates[i]?.push(await round((sides[i] as Prepare)(), options.inFlight, options.roundMs));
    }
  }
  const ratio = median(rates[1].map((rate, i) => rate / (rates[0][i] as number)));
  return { opsPerSec: [median(rates[0]), median(rates[1])], ratio };
}

/**
 * The minified ESM bundle of `contents` (openapi-fetch inlined), as a browser or edge build would
 * make it. `minify` as esbuild takes it: all of it for the bench; a test may keep the identifiers.
 */
export async function bundle(
  contents: string,
  root: string,
  minify: Pick<BuildOptions, "minify" | "minifySyntax" | "minifyWhitespace"> = { minify: true },
): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    ...minify,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.contents ?? new Uint8Array();
}

/** Minified and gzip -9 bytes of an ESM bundle of `contents` (openapi-fetch inlined). */
export async function bundleSize(contents: string, root: string): Promise<{ min: number; gzip: number }> {
  const code = await bundle(contents, root);
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

/** What the main entry's client is measured by: `createBflClient` alone, as an app importing it gets it. */
const CLIENT_ENTRY = `export { createBflClient } from "./src/index.ts";`;
/** ky's default export: a whole HTTP client (retries, timeouts, hooks), the size to stay under. */
const KY_ENTRY = `export { default } from "ky";`;

/** Bundle sizes of the main entry's client and of ky, made by the same {@link bundleSize} in one run. */
export async function clientVsKy(root: string): Promise<Record<"client" | "ky", { min: number; gzip: number }>> {
  return { client: await bundleSize(CLIENT_ENTRY, root), ky: await bundleSize(KY_ENTRY, root) };
}

/** The environment children get: no loader of ours in NODE_OPTIONS, no debug log. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, BFL_LOG: _log, ...env } = process.env;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Median ms of `node ARGS` over `runs` spawns, alternating with `node -e ""`; also its ratio. */
export function coldStart(args: string[], runs: number): { ms: number; nodeMs: number; ratio: number } {
  const time = (argv: string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, argv, { env: childEnv(), timeout: 30_000 });
    if (result.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
    return performance.now() - started;
  };
  const [own, node]: [number[], number[]] = [[], []];
  time(args);
  time(["-e", ""]);
  for (let i = 0; i < runs; i++) {
    own.push(time(args));
    node.push(time(["-e", ""]));
  }
  return { ms: median(own), nodeMs: median(node), ratio: median(own) / median(node) };
}

export interface Batch {
  ids: number;
  /** From the first request's arrival to the last answer, as the server saw it. */
  windowMs: number;
  requests: number;
  rateLimited: number;
  /** Ids the CLI did not report `deleted`, or that the server never deleted. */
  notDeleted: number;
}

/** Sends 200 ids through `bfl-finetune delete - --yes --json --concurrency 8` to one server per run. */
async function cliBatch(cli: string, server: BenchServer): Promise<Batch> {
  const ids = Array.from({ length: 200 }, (_, i) => `bench-${i}`);
  const args = [cli, "delete", "-", "--yes", "--json", "--concurrency", "8", "--base-url", server.url];
  const child = spawn(process.execPath, args, { env: childEnv({ BFL_API_KEY: "bench-key" }) });
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.resume();
  child.stdin.end(ids.join("\n"));
  await new Promise((resolve) => child.once("close", resolve));
  // One JSON line per id; builds from before `outcome` existed say only `ok`.
  const lines = stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const reported = new Set(lines.filter((l) => (l.outcome ?? (l.ok && "deleted")) === "deleted").map((l) => l.id));
  const { counts } = server;
  return {
    ids: ids.length,
    windowMs: counts.lastAnswerMs - counts.firstArrivalMs,
    requests: counts.requests,
    rateLimited: counts.rateLimited,
    notDeleted: ids.filter((id) => !reported.has(id) || !counts.deleted.has(id)).length,
  };
}

/** `runs` batches, each against a fresh in-process server with `options`; the one of median time. */
export async function batchOn(cli: string, options: ServerOptions, runs: number): Promise<Batch> {
  const batches: Batch[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startServer(options);
    batches.push(await cliBatch(cli, server).finally(() => server.close()));
  }
  return batches.sort((a, b) => a.windowMs - b.windowMs)[batches.length >> 1] as Batch;
}

/** Median ms from calling `start` to its first answer, over `runs` starts, stopped each time. */
export async function timeToFirstAnswer(
  start: () => Promise<{ call(): Promise<unknown>; close(): Promise<void> }>,
  runs: number,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const running = await start();
    await running.call();
    times.push(performance.now() - started);
    await running.close();
  }
  return median(times);
}
