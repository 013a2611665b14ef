/**
 * `npm run bench`: what this client costs next to what it is built on or stands in for, each
 * figure measured side by side in one run and given as a ratio (the machines are shared and
 * noisy). Loopback only. Prints one markdown table; `--json FILE` also writes every figure.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import createClient from "openapi-fetch";
import { UsageError } from "../src/cli/usage-error.js";
import type { paths } from "../src/types.js";
import { type Batch, batchOn, bundleSize, clientVsKy, coldStart, compare, timeToFirstAnswer } from "./bench/measure.js";
import { benchSection, loadNow, withBenchSection } from "./bench/readme.js";
import { DELETE_PATH, forkServer, RESULT_PATH, startServer } from "./bench/server.js";
import { exitWith } from "./lib/script-io.js";

const HELP = `Usage: npm run bench -- [--json FILE] [--repeats N] [--runs N] [--strict] [--no-readme]

Measures side by side, against loopback node:http servers, what users get from dist/ (npm run
bench builds it first): per call, the facade (validation on) vs openapi-fetch, 1 and 16 in flight;
one generate round trip (submit, 3 polls) through generateWithFinetune vs openapi-fetch;
bundle size of createBflClient vs ky; CLI cold start vs node -e ""; 200 ids through the CLI
(--concurrency 8, 50 ms per answer) vs ideal, then against a server that answers 429 whenever 2
are in flight, with Retry-After: 2 and without, vs the best possible; createFakeBfl() vs Prism's
startMockServer() (time to first answer) and vs a loopback node:http server (client calls/s);
the size of the tarball npm pack makes. Writes the table, with the date, machine and load, into
README.md between its bench markers.

  --json FILE   Also write every figure, target and the table as JSON to FILE
  --repeats N   Interleaved rounds per comparison (default 15)
  --runs N      Plain batches and Prism starts; the median is reported (default 3)
  --strict      Exit 1 when a target is missed
  --no-readme   Print the table without writing it into README.md
  -h, --help    Show this help`;

const KEY = "bench-key";
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
type Lib = typeof import("../src/index.js");
/** What the bench uses of `bfl-finetune/testing`; `createFakeBfl` is missing from older builds. */
interface Testing {
  startMockServer(): Promise<{ url: string; close(): Promise<void> }>;
  createFakeBfl?(options: { finetunes: string[] }): { fetch(request: Request): Promise<Response> };
}

interface Target {
  name: string;
  value: number;
  limit: number;
  atMost: boolean;
  pass: boolean;
}
const atLeast = (name: string, value: number, limit: number): Target => ({
  name,
  value,
  limit,
  atMost: false,
  pass: value >= limit,
});
const atMost = (name: string, value: number, limit: number): Target => ({
  name,
  value,
  limit,
  atMost: true,
  pass: value <= limit,
});

/** One table row: what is compared, its two sides, their ratio, the targets, and the raw figures. */
interface Row {
  figure: string;
  sides: string;
  ratio: string;
  targets: Target[];
  raw: unknown;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const x = (n: number) => `${n.toFixed(2)}×`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function perCallRows(lib: Lib, repeats: number): Promise<Row[]> {
  const server = await forkServer();
  const raw = createClient<paths>({ baseUrl: server.url, headers: { "x-key": KEY } });
  const facade = lib.createBflClient({ apiKey: KEY, baseUrl: server.url });
  const viaRaw = async () => (await raw.POST(DELETE_PATH, { body: { finetune_id: "my-finetune" } })).data;
  const viaFacade = () => facade.deleteFinetune("my-finetune");
  try {
    if (!isDeepStrictEqual(await viaRaw(), await viaFacade())) throw new Error("the two clients answered differently");
    const rows: Row[] = [];
    for (const inFlight of [1, 16]) {
      const c = await compare([() => viaRaw, () => viaFacade], { inFlight, repeats, roundMs: 200 });
      rows.push({
        figure: `per call, ${inFlight} in flight: facade (validation on) vs openapi-fetch`,
        sides: `${int(c.opsPerSec[1])} vs ${int(c.opsPerSec[0])} calls/s`,
        ratio: x(c.ratio),
        targets: [atLeast(`facade ÷ openapi-fetch calls/s, ${inFlight} in flight`, c.ratio, 0.9)],
        raw: { inFlight, ...c },
      });
    }
    return rows;
  } finally {
    await server.close();
  }
}

const MODEL = "flux-pro-1.1-ultra-finetuned";
/** The pause before each poll, both sides: the client's own schedule from a 1 ms first interval. */
const POLL_PAUSES_MS = [1, 1.5, 2.25];

/**
 * One generate round trip (submit, then get_result until Ready on the third poll) through the
 * facade vs the same calls through openapi-fetch, with the same pauses; the facade validates each answer.
 */
async function generateRow(lib: Lib, repeats: number): Promise<Row> {
  const server = await forkServer({ pollsUntilReady: POLL_PAUSES_MS.length });
  const raw = createClient<paths>({ baseUrl: server.url, headers: { "x-key": KEY } });
  const facade = lib.createBflClient({ apiKey: KEY, baseUrl: server.url });
  const body = { finetune_id: "my-finetune", prompt: "a photo of TOK" };
  const viaFacade = async () => (await facade.generateWithFinetune(MODEL, body, { pollIntervalMs: 1 })).status;
  const viaRaw = async () => {
    const { data: task } = await raw.POST(`/v1/${MODEL}`, { body });
    const id = (task as { id: string }).id;
    for (const pause of POLL_PAUSES_MS) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const { data } = await raw.GET(RESULT_PATH, { params: { query: { id } } });
      if (data?.status !== "Pending") return data?.status;
    }
    throw new Error("raw: the task was not Ready after the expected polls");
  };
  try {
    const [a, b] = [await viaRaw(), await viaFacade()];
    if (a !== "Ready" || b !== "Ready") throw new Error(`a generate round trip ended ${a} (raw), ${b} (facade)`);
    const c = await compare([() => viaRaw, () => viaFacade], { inFlight: 1, repeats, roundMs: 200 });
    return {
      figure: `generate round trip (submit + ${POLL_PAUSES_MS.length} polls): generateWithFinetune vs openapi-fetch`,
      sides: `${int(c.opsPerSec[1])} vs ${int(c.opsPerSec[0])} round trips/s`,
      ratio: x(c.ratio),
      targets: [atLeast("generateWithFinetune ÷ openapi-fetch round trips/s", c.ratio, 0.9)],
      raw: c,
    };
  } finally {
    await server.close();
  }
}

async function bundleRow(): Promise<Row> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const { client, ky } = await clientVsKy(root);
  const openapiFetch = await bundleSize(`export { default } from "openapi-fetch";`, root);
  return {
    figure: "bundle (esbuild min, gzip -9): createBflClient (openapi-fetch inlined) vs ky",
    sides: `${int(client.min)} B (${int(client.gzip)} gzip) vs ${int(ky.min)} B (${int(ky.gzip)} gzip)`,
    ratio: `${x(client.min / ky.min)} (${x(client.gzip / ky.gzip)} gzip)`,
    targets: [
      atMost("bundle min ÷ ky's", client.min / ky.min, 1),
      atMost("bundle gzip ÷ ky's", client.gzip / ky.gzip, 1),
    ],
    raw: { client, ky, openapiFetch },
  };
}

/** What `npm pack` would ship (dist/ is built already; --ignore-scripts keeps prepack quiet). */
function tarballRow(): Row {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
  const [pack] = JSON.parse(out) as { size: number; unpackedSize: number; entryCount: number }[];
  if (!pack) throw new Error("npm pack --dry-run --json listed no package");
  return {
    figure: "tarball (npm pack): packed vs unpacked",
    sides: `${int(pack.size)} B vs ${int(pack.unpackedSize)} B · ${pack.entryCount} files`,
    ratio: "",
    targets: [],
    raw: pack,
  };
}

function coldStartRow(): Row {
  const cold = coldStart([dist("cli.js"), "--version"], 15);
  return {
    figure: 'CLI cold start: `bfl-finetune --version` vs `node -e ""`',
    sides: `${cold.ms.toFixed(0)} vs ${cold.nodeMs.toFixed(0)} ms`,
    ratio: x(cold.ratio),
    targets: [atMost("CLI cold start ÷ node", cold.ratio, 1.5)],
    raw: cold,
  };
}

async function batchRows(runs: number): Promise<Row[]> {
  // 200 ids, 8 at a time, 50 ms each: at best 1.25 s. Two at a time: 5 s, +2 s for one Retry-After: 2.
  const plain = await batchOn(dist("cli.js"), { delayMs: 50 }, runs);
  const rows: Row[] = [
    {
      figure: "batch: 200 ids through the CLI, --concurrency 8, 50 ms per answer",
      sides: `${seconds(plain.windowMs)} vs ideal 1.25 s · ${plain.notDeleted} not deleted`,
      // Written as the target is: the rate reached, as a share of the ideal (1 = ideal).
      ratio: `${x(1250 / plain.windowMs)} of ideal`,
      targets: [
        atLeast("batch rate ÷ ideal", 1250 / plain.windowMs, 0.9),
        atMost("batch: not deleted", plain.notDeleted, 0),
      ],
      raw: plain,
    },
  ];
  for (const retryAfter of ["2", undefined]) {
    const name = `rate-limited batch (429 when 2 in flight), ${retryAfter ? "Retry-After: 2" : "no Retry-After"}`;
    const best = retryAfter ? 7000 : 5000;
    const b: Batch = await batchOn(dist("cli.js"), { delayMs: 50, maxInFlight: 2, retryAfter }, 1);
    const share = b.rateLimited / b.requests;
    rows.push({
      figure: name,
      sides: `${seconds(b.windowMs)} vs best ${seconds(best)} · ${b.rateLimited} of ${b.requests} requests 429 (${(100 * share).toFixed(1)} %) · ${b.notDeleted} not deleted`,
      ratio: x(b.windowMs / best),
      targets: [
        atMost(`${name}: time ÷ best`, b.windowMs / best, 1.25),
        atMost(`${name}: 429 share`, share, 0.1),
        atMost(`${name}: not deleted`, b.notDeleted, 0),
      ],
      raw: { ...b, bestMs: best },
    });
  }
  return rows;
}

async function fakeRows(lib: Lib, testing: Testing, runs: number, repeats: number): Promise<Row[]> {
  const { createFakeBfl } = testing;
  if (!createFakeBfl)
    return [{ figure: "fake", sides: "n/a: no createFakeBfl() in this build", ratio: "", targets: [], raw: null }];
  const fakeClient = (finetunes: string[]) =>
    lib.createBflClient({ apiKey: KEY, fetch: createFakeBfl({ finetunes }).fetch });
  const prismMs = await timeToFirstAnswer(async () => {
    const mock = await testing.startMockServer();
    const client = lib.createBflClient({ apiKey: KEY, baseUrl: mock.url });
    return { call: () => client.deleteFinetune("my-finetune"), close: () => mock.close() };
  }, runs);
  const fakeMs = await timeToFirstAnswer(async () => {
    const client = fakeClient(["my-finetune"]);
    return { call: () => client.deleteFinetune("my-finetune"), close: async () => {} };
  }, 5 * runs);
  // Every round deletes fresh ids from a fresh fake (outside its time); the server answers any id.
  const ids = Array.from({ length: 20_000 }, (_, i) => `ft-${i}`);
  const server = await startServer();
  const http = lib.createBflClient({ apiKey: KEY, baseUrl: server.url });
  const fresh = () => {
    const client = fakeClient(ids);
    let i = 0;
    return () => client.deleteFinetune(ids[i++] as string);
  };
  let n = 0;
  const c = await compare([() => () => http.deleteFinetune(`ft-${n++}`), fresh], {
    inFlight: 1,
    repeats,
    roundMs: 200,
  });
  await server.close();
  return [
    {
      figure: "fake: time to first answer, createFakeBfl() vs startMockServer() (Prism)",
      sides: `${fakeMs.toFixed(2)} vs ${int(prismMs)} ms`,
      ratio: `${int(prismMs / fakeMs)}× faster`,
      targets: [atLeast("fake ready: times faster than Prism", prismMs / fakeMs, 100)],
      raw: { fakeMs, prismMs },
    },
    {
      figure: "fake: client calls/s, fake.fetch vs a loopback node:http server in the same process",
      sides: `${int(c.opsPerSec[1])} vs ${int(c.opsPerSec[0])} calls/s`,
      ratio: x(c.ratio),
      targets: [atLeast("fake.fetch ÷ loopback calls/s", c.ratio, 1)],
      raw: c,
    },
  ];
}

/** A markdown table, padded as Biome lays tables out, so a pasted table stays as it is. */
function table(rows: Row[]): string {
  const verdicts = (r: Row) =>
    r.targets.map((t) => `${t.atMost ? "≤" : "≥"} ${t.limit}: ${t.pass ? "PASS" : "MISS"} (${+t.value.toFixed(3)})`);
  const cells = [["Figure", "Side by side (medians)", "Ratio", "Targets"]];
  for (const r of rows) cells.push([r.figure, r.sides, r.ratio, verdicts(r).join(" · ")]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) => `| ${c.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(cells[0] ?? []), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

function whole(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || +value < 1 || +value > 99)
    throw new UsageError(`--${name} must be a whole number from 1 to 99`);
  return +value;
}

async function main(argv: string[]): Promise<number> {
  const options = { json: { type: "string" }, repeats: { type: "string" }, runs: { type: "string" } } as const;
  const flags = {
    strict: { type: "boolean" },
    "no-readme": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  } as const;
  const { values } = parseArgs({ args: argv, options: { ...options, ...flags } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const repeats = whole(values.repeats, "repeats", 15);
  const runs = whole(values.runs, "runs", 3);
  if (!existsSync(dist("cli.js"))) throw new Error("dist/ is missing: run `npm run build` (npm run bench does)");
  const lib: Lib = await import(dist("index.js"));
  const testing: Testing = await import(dist("testing.js"));
  const step = (what: string) => process.stderr.write(`bench: ${what}\n`);
  const loadAtStart = loadNow();
  const readme = fileURLToPath(new URL("../README.md", import.meta.url));
  // Checked before a minute of measuring rather than after it.
  if (!values["no-readme"]) withBenchSection(readFileSync(readme, "utf8"), "");
  step("per call");
  const rows = await perCallRows(lib, repeats);
  step("generate round trip");
  rows.push(await generateRow(lib, repeats));
  step("bundle, tarball, cold start");
  rows.push(await bundleRow(), tarballRow(), coldStartRow());
  step("batches through the CLI (about 20 s)");
  rows.push(...(await batchRows(runs)));
  step("fake vs Prism and vs loopback");
  rows.push(...(await fakeRows(lib, testing, runs, repeats)));
  const targets = rows.flatMap((r) => r.targets);
  const met = targets.filter((t) => t.pass).length;
  const text = table(rows);
  console.log(`${text}\n\nTargets met: ${met} of ${targets.length}.`);
  const machine = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
  };
  const date = new Date();
  if (!values["no-readme"]) {
    const facts = { date, ...machine, load: [loadAtStart, loadNow()] as [number, number] };
    writeFileSync(
      readme,
      withBenchSection(readFileSync(readme, "utf8"), benchSection(facts, text, met, targets.length)),
    );
    step("table written into README.md");
  }
  if (values.json) {
    const report = { date: date.toISOString(), machine, repeats, runs, rows, targets, table: text };
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  return values.strict && met < targets.length ? 1 : 0;
}

exitWith("bench", main(process.argv.slice(2)));
