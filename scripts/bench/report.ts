/** Turns the measurements into the targets' verdicts and one markdown table. */
import type { BatchRun } from "./batch.js";
import type { Bundles } from "./bundle.js";
import type { ColdStart } from "./cold-start.js";
import { FACADE_VALIDATING, type OverheadResult } from "./overhead.js";
import type { TestSuiteTime } from "./test-suite.js";

export interface Measurements {
  overhead: OverheadResult[];
  bundle: Bundles;
  /** `null` when there is no built CLI. */
  coldStart: ColdStart | null;
  /** The CLI first when built, then the in-process references. */
  batch: (BatchRun & { runs: number; ids: number; concurrency: number; delayMs: number })[];
  /** `null` when skipped. */
  testSuite: TestSuiteTime | null;
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  /** Whether `value` must stay at or below `limit` (else at or above). */
  atMost: boolean;
  pass: boolean;
}

export const LIMITS = {
  facadeVsOpenapiFetch: 0.9,
  bundleMinBytes: 12_000,
  bundleGzipBytes: 5_000,
  coldStartRatio: 1.5,
  batchOfIdeal: 0.9,
};

function target(name: string, value: number, limit: number, atMost: boolean): Target {
  return { name, value, limit, atMost, pass: atMost ? value <= limit : value >= limit };
}

/** Every target that this run could measure. */
export function targets(m: Measurements): Target[] {
  const list = m.overhead
    .filter((r) => r.client === FACADE_VALIDATING)
    .map((r) =>
      target(
        `facade ÷ openapi-fetch ops/s, ${r.inFlight} in flight`,
        r.vsOpenapiFetch,
        LIMITS.facadeVsOpenapiFetch,
        false,
      ),
    );
  list.push(target("bundle min bytes", m.bundle.facade.minBytes, LIMITS.bundleMinBytes, true));
  list.push(target("bundle gzip bytes", m.bundle.facade.gzipBytes, LIMITS.bundleGzipBytes, true));
  if (m.coldStart) list.push(target("CLI cold start ÷ node -e", m.coldStart.ratio, LIMITS.coldStartRatio, true));
  const batch = m.batch.find((b) => b.via === "cli") ?? m.batch.find((b) => b.via === "facade, in-process");
  if (batch) list.push(target(`batch rate ÷ ideal (${batch.via})`, batch.ofIdeal, LIMITS.batchOfIdeal, false));
  return list;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(2));
const x = (n: number) => `${n.toFixed(2)}×`;
const verdict = (t: Target | undefined) => (t ? `${t.pass ? "PASS" : "MISS"}` : "");
/** The verdict with the exact ratio, which the table's two decimals could round onto the limit. */
const verdictOf = (t: Target | undefined) => (t ? `${verdict(t)} (${t.value.toFixed(3)})` : "");
const find = (list: Target[], prefix: string) => list.find((t) => t.name.startsWith(prefix));

function overheadRows(m: Measurements, list: Target[]): string[][] {
  return m.overhead.map((r) => {
    const verdictCell = `≥ ${LIMITS.facadeVsOpenapiFetch}× openapi-fetch: ${verdictOf(find(list, `facade ÷ openapi-fetch ops/s, ${r.inFlight} `))}`;
    return [
      `per call, ${r.inFlight} in flight`,
      r.client,
      `${int(r.opsPerSec)} ops/s · p50 ${ms(r.p50Ms)} ms · p99 ${ms(r.p99Ms)} ms · CPU ${int(r.cpuUsPerOp)} µs/call`,
      `${x(r.vsOpenapiFetch)} (CPU ${x(r.cpuVsOpenapiFetch)}) · ${x(r.vsFetch)} fetch`,
      r.client === FACADE_VALIDATING ? verdictCell : "",
    ];
  });
}

function bundleRows(m: Measurements, list: Target[]): string[][] {
  const { facade, openapiFetch, facadeOwn } = m.bundle;
  return [
    [
      "bundle (esbuild, minified, gzip -9)",
      facade.name,
      `${int(facade.minBytes)} B min · ${int(facade.gzipBytes)} B gzip`,
      `${x(facade.minBytes / openapiFetch.minBytes)} · ${x(facade.gzipBytes / openapiFetch.gzipBytes)} gzip`,
      `≤ 12 kB min: ${verdict(find(list, "bundle min"))} · ≤ 5 kB gzip: ${verdict(find(list, "bundle gzip"))}`,
    ],
    ["", openapiFetch.name, `${int(openapiFetch.minBytes)} B min · ${int(openapiFetch.gzipBytes)} B gzip`, "1.00×", ""],
    [
      "",
      facadeOwn.name,
      `${int(facadeOwn.minBytes)} B min · ${int(facadeOwn.gzipBytes)} B gzip`,
      `${x(facadeOwn.minBytes / openapiFetch.minBytes)} · ${x(facadeOwn.gzipBytes / openapiFetch.gzipBytes)} gzip`,
      "",
    ],
  ];
}

function coldStartRow(m: Measurements, list: Target[]): string[] {
  const c = m.coldStart;
  return [
    "CLI cold start",
    '`bfl-finetune --version` vs `node -e ""`',
    c ? `${ms(c.cliMs)} ms vs ${ms(c.nodeMs)} ms (medians of ${c.runs})` : "n/a (no CLI build)",
    c ? x(c.ratio) : "n/a",
    c ? `≤ ${LIMITS.coldStartRatio}×: ${verdict(find(list, "CLI cold start"))}` : "",
  ];
}

function batchRows(m: Measurements, list: Target[]): string[][] {
  const judged = find(list, "batch");
  return m.batch.map((b, i) => [
    i === 0 ? `batch: ${b.ids} deletes, concurrency ${b.concurrency}, +${b.delayMs} ms/request` : "",
    b.via === "cli" ? "via the CLI (`delete - --json --yes`)" : `the CLI's pool, ${b.via}`,
    `${int(b.deleted / (b.serverWindowMs / 1000))}/s over the server's ${int(b.serverWindowMs)} ms · ${b.maxInFlight} in flight · wall ${int(b.wallMs)} ms`,
    `${b.ofIdeal.toFixed(2)} of ideal ${int(b.concurrency / (b.delayMs / 1000))}/s (wall: ${b.wallOfIdeal.toFixed(2)})`,
    judged?.name.includes(b.via) ? `≥ ${LIMITS.batchOfIdeal}: ${verdictOf(judged)}` : "",
  ]);
}

function suiteRows(m: Measurements): string[][] {
  const t = m.testSuite;
  if (!t) return [["test suite", "skipped (--skip-test-suite)", "", "", ""]];
  return [
    [
      "test suite",
      "Prism ready (`startMockServer()`)",
      `${int(t.prismReadyMs)} ms (median of ${t.prismStarts})`,
      "",
      "",
    ],
    [
      "",
      "`npx vitest run` (Prism started once)",
      `${(t.suiteMs / 1000).toFixed(1)} s · exit ${t.suiteExitCode} · ${t.suiteSummary}`,
      `Prism start = ${((100 * t.prismReadyMs) / t.suiteMs).toFixed(0)} % of it`,
      "",
    ],
  ];
}

/** The table: one row per client and concurrency, bundle, CLI, batch and test-suite figures. */
export function markdownTable(m: Measurements, list: Target[]): string {
  const rows = [
    [
      "Benchmark",
      "Case",
      "Result (medians)",
      "Ratio (median of per-repeat ratios; to openapi-fetch unless named)",
      "Target",
    ],
    ...overheadRows(m, list),
    ...bundleRows(m, list),
    coldStartRow(m, list),
    ...batchRows(m, list),
    ...suiteRows(m),
  ].map((cells) => cells.map((c) => c.replaceAll("|", "\\|")));
  // Padded the way Markdown formatters (Biome) lay tables out, so a pasted table stays as is.
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((cells) => cells[i]?.length ?? 0))) ?? [];
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
