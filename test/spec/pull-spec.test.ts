/**
 * `spec:pull` against a local server: what it writes, what it reports, and that every refusal
 * leaves the snapshot and source.json byte-identical.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { runScript } from "../helpers/run.js";
import { addedOptional, current, renamed, upstream, withoutDelete } from "./documents.js";

let server: Server;
let base: string;

const routes: Record<string, (res: import("node:http").ServerResponse) => void> = {
  "/current.json": send(JSON.stringify(current())),
  "/upstream.json": send(JSON.stringify(upstream())),
  "/renamed.json": send(JSON.stringify(renamed())),
  "/added.json": send(JSON.stringify(addedOptional())),
  "/no-delete.json": send(JSON.stringify(withoutDelete())),
  "/spec.yaml": send(toYaml(addedOptional()), "application/yaml"),
  "/invalid.json": send('{"openapi": "3.1.0", "paths": {'),
  "/not-openapi.json": send(JSON.stringify({ swagger: "2.0", paths: {} })),
  "/broken-ref.json": send(JSON.stringify(brokenRef())),
  "/big.json": send(JSON.stringify({ ...current(), padding: "x".repeat(50_000) })),
  "/500": (res) => res.writeHead(500).end("oops"),
  "/hang": () => {},
  "/reset-mid-body": (res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100000" });
    res.write('{"openapi": "3.1.0", "paths": {');
    setTimeout(() => res.socket?.destroy(), 50);
  },
};

function send(body: string, type = "application/json") {
  return (res: import("node:http").ServerResponse) => res.writeHead(200, { "content-type": type }).end(body);
}

function brokenRef() {
  const doc = current();
  doc.components.schemas.DeleteFinetuneResponse.properties.status = { $ref: "#/components/schemas/Nope" };
  return doc;
}

beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url ?? ""] ?? ((r) => r.writeHead(404).end("not found")))(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** A snapshot folder holding the current snapshot and a provenance file. */
function snapshotDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bfl-pull-"));
  cpSync("openapi/openapi.json", path.join(dir, "openapi.json"));
  writeFileSync(path.join(dir, "source.json"), '{"source": "before"}\n');
  return dir;
}

const hashOf = (dir: string) =>
  ["openapi.json", "source.json"].map((f) =>
    createHash("sha256")
      .update(readFileSync(path.join(dir, f)))
      .digest("hex"),
  );

async function pull(args: string[]) {
  const outDir = snapshotDir();
  const before = hashOf(outDir);
  const run = await runScript("scripts/pull-spec.ts", ["--out-dir", outDir, ...args]);
  const snapshot = JSON.parse(readFileSync(path.join(outDir, "openapi.json"), "utf8"));
  return { ...run, outDir, unchanged: JSON.stringify(hashOf(outDir)) === JSON.stringify(before), snapshot };
}

describe("pulling", () => {
  it("the current document: no change reported, provenance recorded", async () => {
    const run = await pull(["--from", `${base}/current.json`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No changes for this client.");
    expect(run.snapshot).toEqual(current());
    const text = readFileSync(path.join(run.outDir, "openapi.json"), "utf8");
    expect(text).toBe(`${JSON.stringify(current(), null, 2)}\n`);
    const source = JSON.parse(readFileSync(path.join(run.outDir, "source.json"), "utf8"));
    const served = createHash("sha256").update(JSON.stringify(current())).digest("hex");
    expect(source).toMatchObject({
      source: `${base}/current.json`,
      sha256: served,
      openapi: "3.1.0",
      infoVersion: "0.0.1",
      paths: null,
    });
    expect(Date.parse(source.fetchedAt)).not.toBeNaN();
  });

  it("--paths pins the full upstream down to the finetune path and what it references", async () => {
    const run = await pull(["--from", `${base}/upstream.json`, "--paths", "/v1/delete_finetune"]);
    expect(run.code).toBe(0);
    expect(Object.keys(run.snapshot.paths)).toEqual(["/v1/delete_finetune"]);
    expect(Object.keys(run.snapshot.components.schemas).sort()).toEqual([
      "DeleteFinetuneInputs",
      "DeleteFinetuneResponse",
      "HTTPValidationError",
      "ValidationError",
    ]);
    expect(Object.keys(run.snapshot.components.securitySchemes)).toEqual(["APIKeyHeader"]);
    expect(run.snapshot.paths["/v1/delete_finetune"].post.servers).toEqual([
      { url: "https://api.us1.bfl.ai", description: "BFL Finetune API" },
    ]);
    expect(run.snapshot.tags).toEqual([{ name: "Utility" }]);
    expect(JSON.parse(readFileSync(path.join(run.outDir, "source.json"), "utf8")).paths).toEqual([
      "/v1/delete_finetune",
    ]);
    // The result generates: openapi-typescript's validation and our contract both accept it.
    const generated = mkdtempSync(path.join(tmpdir(), "bfl-gen-"));
    const gen = await runScript("scripts/generate.ts", [
      "--input",
      path.join(run.outDir, "openapi.json"),
      "--out-dir",
      generated,
    ]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toContain("wrote");
    expect(readFileSync(path.join(generated, "contract.ts"), "utf8")).toContain('"https://api.us1.bfl.ai"');
  });

  it("a renamed finetune_id is reported breaking and refused", async () => {
    const run = await pull(["--from", `${base}/renamed.json`, "--fail-on-breaking"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Breaking \(\d+\):/);
    expect(run.stdout).toContain("`id`");
    expect(run.stderr).toContain("breaking change(s); nothing written");
    expect(run.unchanged).toBe(true);
    // Without --fail-on-breaking it is still refused: the client could not call it.
    const plain = await pull(["--from", `${base}/renamed.json`]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("no longer takes a JSON body with finetune_id");
    expect(plain.unchanged).toBe(true);
  });

  it("an added optional response field is non-breaking, from YAML too", async () => {
    for (const route of ["/added.json", "/spec.yaml"]) {
      const run = await pull(["--from", `${base}${route}`, "--fail-on-breaking"]);
      expect(run.code, route).toBe(0);
      expect(run.stdout).toMatch(/Non-breaking \(\d+\):\n.*credits_refunded/);
      expect(run.stdout).not.toContain("Breaking (");
      expect(run.snapshot).toEqual(addedOptional());
    }
  });

  it("--dry-run reports and writes nothing", async () => {
    const run = await pull(["--from", `${base}/added.json`, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Dry run: nothing written.");
    expect(run.unchanged).toBe(true);
  });
});

describe.concurrent("refusals leave the snapshot byte-identical", () => {
  it.each([
    ["404", ["--from", "/missing.json"], /answered 404 Not Found$/],
    ["500", ["--from", "/500"], /answered 500 Internal Server Error$/],
    ["invalid JSON", ["--from", "/invalid.json"], /is not valid JSON/],
    ["not OpenAPI 3.x", ["--from", "/not-openapi.json"], /is not an OpenAPI 3\.x document/],
    ["a broken $ref", ["--from", "/broken-ref.json"], /fails OpenAPI validation/],
    ["no delete operation", ["--from", "/no-delete.json"], /lacks POST \/v1\/delete_finetune/],
    ["a body over the cap", ["--from", "/big.json", "--max-bytes", "20000"], /larger than the 20000-byte cap/],
    ["a server that never answers", ["--from", "/hang", "--timeout-ms", "300"], /did not answer within 300 ms/],
    ["a reset mid-body", ["--from", "/reset-mid-body"], /^spec:pull: /],
    [
      "an unknown --paths entry",
      ["--from", "/upstream.json", "--paths", "/v1/nope"],
      /--paths names paths the document does not have/,
    ],
  ])("%s", async (_name, [flag, route, ...rest], message) => {
    const run = await pull([flag as string, `${base}${route}`, ...rest]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spec:pull: /);
    expect(lines[0]).toMatch(message);
    expect(run.unchanged).toBe(true);
  });

  it("a bad flag exits 2", async () => {
    const run = await pull(["--from", `${base}/current.json`, "--max-bytes", "lots"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--max-bytes must be a positive whole number");
    const unknown = await pull(["--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.unchanged).toBe(true);
  });
});

describe("spec:diff", () => {
  it("reports between two files, and --fail-on-breaking exits 1 on a breaking change", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bfl-diff-"));
    writeFileSync(path.join(dir, "old.json"), JSON.stringify(current()));
    writeFileSync(path.join(dir, "new.json"), JSON.stringify(renamed()));
    const diff = (args: string[]) => runScript("scripts/spec-diff.ts", args);
    const plain = await diff([path.join(dir, "old.json"), path.join(dir, "new.json")]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Breaking \(\d+\):/);
    const strict = await diff([path.join(dir, "old.json"), path.join(dir, "new.json"), "--fail-on-breaking", "--json"]);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).breaking.length).toBeGreaterThan(0);
  });
});
