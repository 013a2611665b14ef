/** The README's outcomes and exit-code tables say what the code and `--help` do. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HELP } from "../../../src/cli/args.js";
import { DELETE_OUTCOMES, isGone } from "../../../src/outcome.js";

const readme = readFileSync("README.md", "utf8");
const section = readme.slice(readme.indexOf("<!-- outcome-table"));

/** `| \`deleted\` | true | yes | when… |` */
const outcomeRows = [...section.matchAll(/^\|\s*`([a-z-]+)`\s*\|\s*(true|false)\s*\|\s*(yes|no)\s*\|(.*)\|$/gm)].map(
  ([, name, ok, exit0]) => ({ name: name as string, ok: ok === "true", exit0: exit0 === "yes" }),
);
/** `| 130 | meaning |` */
const exitRows = [...section.matchAll(/^\|\s*(\d+)\s*\|\s*(.+)\|$/gm)].map(([, code]) => Number(code));

describe("README outcomes table", () => {
  it("lists every outcome of src/outcome.ts, in order", () => {
    expect(outcomeRows.map((row) => row.name)).toEqual([...DELETE_OUTCOMES]);
  });

  it.each(outcomeRows)("$name: ok $ok, exit 0 $exit0, as the code says", ({ name, ok, exit0 }) => {
    const outcome = name as (typeof DELETE_OUTCOMES)[number];
    expect(isGone(outcome)).toBe(ok);
    expect(exit0).toBe(ok);
  });

  it("the exit codes are 0, 1, 2, 130 and 143, and --help documents the same codes and outcomes", () => {
    expect(exitRows).toEqual([0, 1, 2, 130, 143]);
    const helpExits = HELP.slice(HELP.indexOf("Exit codes:"));
    for (const code of exitRows) expect(helpExits).toMatch(new RegExp(`^\\s+${code}\\s`, "m"));
    const helpOutcomes = HELP.slice(HELP.indexOf("Outcomes"), HELP.indexOf("Environment:"));
    expect([...helpOutcomes.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1])).toEqual([...DELETE_OUTCOMES]);
  });
});
