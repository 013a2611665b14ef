/**
 * The bench's latest table in README.md, between two markers that only `npm run bench` rewrites,
 * so that no figure that changes per run or per commit is copied into the README by hand.
 */
import { loadavg } from "node:os";

export const BENCH_START = "<!-- bench:start (written by `npm run bench`; edits here are overwritten) -->";
export const BENCH_END = "<!-- bench:end -->";

/** `readme` with everything between the markers replaced by `section`; throws when they are missing. */
export function withBenchSection(readme: string, section: string): string {
  const start = readme.indexOf(BENCH_START);
  const end = readme.indexOf(BENCH_END);
  if (start === -1 || end < start) {
    throw new Error(`README.md has no ${BENCH_START} … ${BENCH_END} pair to write the table between`);
  }
  return `${readme.slice(0, start + BENCH_START.length)}\n${section.trim()}\n${readme.slice(end)}`;
}

export interface RunFacts {
  date: Date;
  node: string;
  platform: string;
  cpus: number;
  /** 1-minute load averages when the run started and when it ended. */
  load: [number, number];
}

export const loadNow = (): number => loadavg()[0] ?? 0;

/** The section: when and where the figures were taken, the table, and how many targets were met. */
export function benchSection(facts: RunFacts, table: string, met: number, targets: number): string {
  const load = facts.load.map((n) => n.toFixed(1)).join(" → ");
  return [
    `Latest run: ${facts.date.toISOString().slice(0, 10)}, Node ${facts.node.replace(/^v/, "")}, ${facts.platform}, ${facts.cpus} CPUs, load average ${load} (1 min, start → end).`,
    "",
    table,
    "",
    `Targets met: ${met} of ${targets}.`,
  ].join("\n");
}
