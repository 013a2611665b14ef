/** `npm run lint:spec`: the lockfile's Redocly over a document, errors fatal, warnings printed. */
import { describe, expect, it } from "vitest";
import { runScript } from "../helpers/run.js";

describe.concurrent("npm run lint:spec", { timeout: 60_000 }, () => {
  it("passes on the effective spec, printing its warnings", async () => {
    const run = await runScript("scripts/lint-spec.ts", []);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^warn [\w-]+: .* at #\S*$/m);
    expect(run.stdout).toMatch(/^lint:spec: openapi\/openapi\.json: 0 error\(s\), \d+ warning\(s\)\n$/m);
  });

  it("fails on BFL's whole document, naming the error", async () => {
    const run = await runScript("scripts/lint-spec.ts", ["openapi/upstream.json"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^error security-defined: .* at #\/paths\/~1v1~1get_result\/get$/m);
    expect(run.stdout).toMatch(/^lint:spec: openapi\/upstream\.json: 1 error\(s\), \d+ warning\(s\)\n$/m);
  });

  it("exits 2 on a file it cannot read", async () => {
    const run = await runScript("scripts/lint-spec.ts", ["openapi/nope.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^lint:spec: ENOENT: .*nope\.json'?\n$/);
  });
});
