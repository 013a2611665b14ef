/** `generate:check` fails, in one line, when generated/ is stale against the snapshot. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const tsx = path.resolve("node_modules/tsx/dist/cli.mjs");

/** The parts of the snapshot these tests edit. */
interface Spec {
  servers: { url: string }[];
  components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
}

/** Runs the check against a copy of the snapshot changed by `edit`, with the committed generated/. */
function checkWith(edit: (spec: Spec) => void) {
  const spec = JSON.parse(readFileSync("openapi/openapi.json", "utf8"));
  edit(spec);
  const input = path.join(mkdtempSync(path.join(tmpdir(), "bfl-gen-")), "openapi.json");
  writeFileSync(input, `${JSON.stringify(spec, null, 2)}\n`);
  return spawnSync(process.execPath, [tsx, "scripts/generate.ts", "--check", "--input", input], { encoding: "utf8" });
}

describe("generate --check", () => {
  it("passes on the committed snapshot", () => {
    const result = checkWith(() => {});
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("fails when a description changed (schema.d.ts is stale)", () => {
    const result = checkWith((spec) => {
      const status = spec.components.schemas.DeleteFinetuneResponse?.properties.status;
      if (status) status.description = "Edited by hand";
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^generate: generated\/schema\.d\.ts is stale against .*: run `npm run generate`$/),
    ]);
  });

  it("fails when only the server changed (contract.ts is stale)", () => {
    const result = checkWith((spec) => {
      spec.servers = [{ url: "https://api.eu1.bfl.ai" }];
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^generate: generated\/contract\.ts is stale against .*: run `npm run generate`\n$/);
  });

  it("explains a bad flag and exits non-zero", () => {
    const result = spawnSync(process.execPath, [tsx, "scripts/generate.ts", "--nope"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--nope");
  });
});
