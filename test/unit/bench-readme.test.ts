/** `npm run bench` writes its table between the README's markers, and nowhere else. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BENCH_END, BENCH_START, benchSection, withBenchSection } from "../../scripts/bench/readme.js";

const facts = {
  date: new Date("2026-12-06T20:00:00Z"),
  node: "v20.1.0",
  platform: "linux-x64",
  cpus: 2,
  load: [3.04, 5.5] as [number, number],
};

describe("the bench's README section", () => {
  it("replaces only what is between the markers, keeping them, and is stable when run again", () => {
    const readme = `# Title\n\nbefore\n${BENCH_START}\nold table\n${BENCH_END}\nafter\n`;
    const once = withBenchSection(readme, "new table");
    expect(once).toBe(`# Title\n\nbefore\n${BENCH_START}\nnew table\n${BENCH_END}\nafter\n`);
    expect(withBenchSection(once, "new table")).toBe(once);
  });

  it("refuses a README without the markers, or with them in the wrong order", () => {
    expect(() => withBenchSection("# no markers\n", "t")).toThrow(/no .*bench:start/);
    expect(() => withBenchSection(`${BENCH_END}\n${BENCH_START}\n`, "t")).toThrow(/bench:start/);
  });

  it("says when, where and under what load the figures were taken", () => {
    expect(benchSection(facts, "| a |", 3, 4)).toBe(
      "Latest run: 2026-12-06, Node 20.1.0, linux-x64, 2 CPUs, load average 3.0 → 5.5 (1 min, start → end).\n\n| a |\n\nTargets met: 3 of 4.",
    );
  });

  it("README.md has the markers, once each", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme.split(BENCH_START)).toHaveLength(2);
    expect(readme.split(BENCH_END)).toHaveLength(2);
  });
});
