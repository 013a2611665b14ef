/**
 * The GitHub workflows cannot run here; what can be checked is that they parse, run on the events
 * they promise, and call only package scripts that exist (a renamed script would break them silently).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const DIR = ".github/workflows";
// biome-ignore lint/suspicious/noExplicitAny: workflow documents are read freely
type Workflow = any;

const workflows = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => ({ file, doc: parse(readFileSync(path.join(DIR, file), "utf8")) as Workflow }));
const scripts: Record<string, string> = JSON.parse(readFileSync("package.json", "utf8")).scripts;

/** Every `run:` block of every job. */
const runs = (doc: Workflow): string[] =>
  Object.values(doc.jobs ?? {}).flatMap((job: Workflow) =>
    (job.steps ?? []).map((step: Workflow) => step.run).filter((r: unknown) => typeof r === "string"),
  );

/** The package scripts a shell text calls: `npm run X`, `npm test`, and those .ci/run calls. */
function scriptsCalled(text: string): string[] {
  const named = [...text.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1] as string);
  const test = /\bnpm test\b/.test(text) ? ["test"] : [];
  const ci = /\bbash \.ci\/run\b/.test(text) ? scriptsCalled(readFileSync(".ci/run", "utf8")) : [];
  return [...named, ...test, ...ci];
}

describe("the GitHub workflows", () => {
  it("exist and parse: CI on push and pull request, regen weekly and by hand", () => {
    const byName = Object.fromEntries(workflows.map(({ file, doc }) => [file, doc]));
    expect(Object.keys(byName["ci.yml"].on)).toEqual(expect.arrayContaining(["push", "pull_request"]));
    expect(runs(byName["ci.yml"]).join("\n")).toMatch(/^bash \.ci\/run$/m);
    const regen = byName["regen.yml"];
    expect(regen.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \d$/);
    expect(regen.on).toHaveProperty("workflow_dispatch");
  });

  it.each(workflows)("$file calls only package scripts that exist", ({ doc }) => {
    const called = runs(doc).flatMap(scriptsCalled);
    expect(called.length).toBeGreaterThan(0);
    for (const name of called) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
  });
});
