/**
 * The user-style test file (fake-user.test.ts) runs in this suite under Node, and here under Bun
 * (from the `bun` devDependency, test/helpers/runtimes.ts): the fake needs nothing from Node.
 * Every test the file declares must be reported as passed by Bun.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/run.js";
import { runtimeOrSkip } from "../helpers/runtimes.js";

const USER_TEST = "test/testing/fake-user.test.ts";
const bun = runtimeOrSkip("bun");

/** The names the file gives its tests, as Bun prints them after "describe > ". */
function declaredTests(): string[] {
  const source = readFileSync(USER_TEST, "utf8");
  return [...source.matchAll(/^\s+it\("([^"]+)"/gm)].map((match) => match[1] as string);
}

describe("the user-style fake test under Bun", () => {
  it.runIf(bun)("passes every test it declares", async () => {
    const run = await promisify(execFile)(bun as string, ["test", `./${USER_TEST}`], {
      env: cleanEnv({ NO_COLOR: "1" }),
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    // Bun's test runner reports on stderr.
    const report = `${run.stdout}\n${run.stderr}`;
    const names = declaredTests();
    expect(names.length).toBeGreaterThan(0);
    const passed = report.split("\n").filter((line) => line.startsWith("(pass) "));
    for (const name of names) expect(passed.some((line) => line.includes(` > ${name} [`))).toBe(true);
    expect(report).toMatch(new RegExp(`\\b${names.length} pass\\b`));
    expect(report).toMatch(/\b0 fail\b/);
  });
});
