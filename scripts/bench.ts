/**
 * `npm run bench`: what this client costs next to the tools it is built on, measured side by side
 * in one run (every figure is a ratio, because the machines are shared and noisy). Loopback only.
 * Prints one markdown table; `--json FILE` writes it with every raw figure.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type BatchRun, type BatchVia, measureBatch } from "./bench/batch.js";
import { measureBundles } from "./bench/bundle.js";
import { measureColdStart } from "./bench/cold-start.js";
import { measureOverhead } from "./bench/overhead.js";
import { type Measurements, markdownTable, targets } from "./bench/report.js";
import { startBenchServer, successExample } from "./bench/server.js";
import { median } from "./bench/stats.js";
import { measureTestSuite } from "./bench/test-suite.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const HELP = `Usage: npm run bench -- [options]      (or: npx tsx scripts/bench.ts [options])

Measures, side by side on a loopback server (in a child process): per-call overhead of fetch,
undici.request, openapi-fetch and the facade (src/, through tsx); the facade's bundle size; the
built CLI's cold start; batch throughput through the CLI; Prism start-up and the test suite.
\`npm run bench\` builds dist/ first so the CLI rows measure the current sources.

Options:
  --json FILE          Also write the results (raw figures and the table) as JSON to FILE
  --repeats N          Interleaved rounds per client and concurrency level (default 21)
  --round-ms N         Length of one round in ms (default 200)
  --cold-runs N        Spawns of each command for the cold-start row (default 15)
  --batch-runs N       Batches of 200 deletes; the median is reported (default 3)
  --prism-starts N     Prism start-ups to time (default 3)
  --skip-test-suite    Skip the Prism and \`npx vitest run\` rows (the slow part)
  --strict             Exit 1 when a target is missed
  -h, --help           Show this help`;

interface Options {
  json: string | undefined;
  repeats: number;
  roundMs: number;
  coldRuns: number;
  batchRuns: number;
  prismStarts: number;
  skipTestSuite: boolean;
  strict: boolean;
}

class UsageError extends Error {}

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function parseOptions(argv: string[]): Options | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "string" },
      repeats: { type: "string" },
      "round-ms": { type: "string" },
      "cold-runs": { type: "string" },
      "batch-runs": { type: "string" },
      "prism-starts": { type: "string" },
      "skip-test-suite": { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  return {
    json: values.json,
    repeats: whole("repeats", values.repeats, 21, 1, 99),
    roundMs: whole("round-ms", values["round-ms"], 200, 50, 10_000),
    coldRuns: whole("cold-runs", values["cold-runs"], 15, 1, 200),
    batchRuns: whole("batch-runs", values["batch-runs"], 3, 1, 20),
    prismStarts: whole("prism-starts", values["prism-starts"], 3, 1, 10),
    skipTestSuite: values["skip-test-suite"],
    strict: values.strict,
  };
}

const step = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** The built CLI named by package.json's `bin`, or `undefined` when it is not built. */
function builtCli(): { cliPath: string | undefined; version: string } {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.["bfl-finetune"];
  const cliPath = typeof bin === "string" ? path.join(ROOT, bin) : undefined;
  return { cliPath: cliPath && existsSync(cliPath) ? cliPath : undefined, version: String(pkg.version) };
}

/** Warns when the CLI was built before the last change to src/, as its rows would be stale. */
async function warnIfStale(cliPath: string): Promise<void> {
  const files = await readdir(path.join(ROOT, "src"), { recursive: true });
  const newest = Math.max(...files.map((f) => statSync(path.join(ROOT, "src", f)).mtimeMs));
  if (statSync(cliPath).mtimeMs < newest)
    step(`warning: ${path.relative(ROOT, cliPath)} is older than src/ (npm run build)`);
}

/** Every way of sending the batch, interleaved; per way, the run with the median rate. */
async function measureAllBatches(cliPath: string | undefined, runs: number): Promise<Measurements["batch"]> {
  const settings = { ids: 200, concurrency: 8, delayMs: 50 };
  const vias: BatchVia[] = ["facade, in-process", "fetch, in-process"];
  if (cliPath) vias.unshift("cli");
  const server = await startBenchServer(settings.delayMs);
  try {
    const all = new Map<BatchVia, BatchRun[]>(vias.map((via) => [via, []]));
    for (let i = 0; i < runs; i++) {
      for (const via of vias.map((_, j) => vias[(i + j) % vias.length] as BatchVia)) {
        all.get(via)?.push(await measureBatch({ server, via, cliPath, ...settings }));
      }
    }
    return vias.map((via) => {
      const list = all.get(via) ?? [];
      const mid = median(list.map((r) => r.ofIdeal));
      const chosen = list.reduce((a, b) => (Math.abs(b.ofIdeal - mid) < Math.abs(a.ofIdeal - mid) ? b : a));
      return { ...chosen, ofIdeal: mid, runs, ...settings };
    });
  } finally {
    await server.close();
  }
}

async function measureOverheadRows(options: Options): Promise<Measurements["overhead"]> {
  const server = await startBenchServer(0);
  try {
    return await measureOverhead({
      url: server.url,
      inFlight: [1, 16],
      repeats: options.repeats,
      roundMs: options.roundMs,
      expected: successExample(),
    });
  } finally {
    await server.close();
  }
}

async function main(options: Options): Promise<number> {
  // A debug logger from the environment would be billed to the facade alone.
  delete process.env.BFL_LOG;
  const { cliPath, version } = builtCli();
  if (cliPath) await warnIfStale(cliPath);
  else step("no built CLI (npm run build): its rows are n/a, the batch runs in-process");
  step(`per-call overhead: 5 clients × 2 levels × ${options.repeats} rounds of ${options.roundMs} ms`);
  const overhead = await measureOverheadRows(options);
  step("bundle size");
  const bundle = await measureBundles();
  step("CLI cold start");
  const coldStart = cliPath ? measureColdStart(cliPath, version, options.coldRuns) : null;
  step(`batch throughput (${options.batchRuns} × 200 deletes, each of ${cliPath ? 3 : 2} ways)`);
  const batch = await measureAllBatches(cliPath, options.batchRuns);
  let testSuite = null;
  if (!options.skipTestSuite) {
    step("Prism start-up and `npx vitest run` (slow; --skip-test-suite skips it)");
    testSuite = await measureTestSuite(ROOT, options.prismStarts);
  }
  const measurements: Measurements = { overhead, bundle, coldStart, batch, testSuite };
  const verdicts = targets(measurements);
  const table = markdownTable(measurements, verdicts);
  const met = verdicts.filter((t) => t.pass).length;
  process.stdout.write(`${table}\n\nTargets met: ${met} of ${verdicts.length}.\n`);
  if (options.json) {
    const machine = {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: availableParallelism(),
    };
    const report = { date: new Date().toISOString(), machine, options, ...measurements, targets: verdicts, table };
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    step(`wrote ${options.json}`);
  }
  return options.strict && met < verdicts.length ? 1 : 0;
}

try {
  const options = parseOptions(process.argv.slice(2));
  if (options === "help") process.stdout.write(`${HELP}\n`);
  else process.exitCode = await main(options);
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = usage ? 2 : 1;
}
