/**
 * `spec:pull`, run as a maintainer runs it, against a local server: what it writes, what it
 * reports, and that every refusal leaves the snapshot and source.json byte-identical.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { runScript } from "../helpers/run.js";
import { addedOptional, brokenRef, current, renamed, SNAPSHOT, upstream, withoutDelete } from "./fixtures/variants.js";

let server: Server;
let base: string;
/** Every folder a test makes lives in here, removed at the end. */
const scratch = mkdtempSync(path.join(tmpdir(), "bfl-spec-pull-"));

const send =
  (body: string, type = "application/json") =>
  (res: ServerResponse) =>
    res.writeHead(200, { "content-type": type }).end(body);

/** Headers and the start of a body, then nothing more: the body never completes. */
const stall = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"openapi": "3.1.0", ');
};

const routes: Record<string, (res: ServerResponse) => void> = {
  "/current.json": send(JSON.stringify(current())),
  "/upstream.json": send(JSON.stringify(upstream())),
  "/renamed.json": send(JSON.stringify(renamed())),
  "/added.json": send(JSON.stringify(addedOptional())),
  "/no-delete.json": send(JSON.stringify(withoutDelete())),
  "/broken-ref.json": send(JSON.stringify(brokenRef())),
  "/spec.yaml": send(toYaml(addedOptional()), "application/yaml"),
  // YAML without a hint (no extension, generic type): recognised because it does not start with "{".
  "/openapi": send(toYaml(addedOptional()), "text/plain"),
  "/invalid.json": send('{"openapi": "3.1.0", "paths": {'),
  "/swagger.json": send(JSON.stringify({ swagger: "2.0", info: { title: "x", version: "1" }, paths: {} })),
  "/big.json": send(JSON.stringify({ ...current(), "x-padding": "x".repeat(50_000) })),
  "/big-chunked.json": (res) => {
    // No content-length: only counting the bytes as they arrive can stop this one.
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    for (let i = 0; i < 50; i++) res.write(" ".repeat(1000));
    res.end("{}");
  },
  "/500": (res) => res.writeHead(500).end("oops"),
  "/hang": () => {},
  "/stall": stall,
  "/reset-mid-body": (res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100000" });
    res.write('{"openapi": "3.1.0", "paths": {');
    setTimeout(() => res.socket?.destroy(), 50);
  },
};

beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url ?? ""] ?? ((r) => r.writeHead(404).end("not found")))(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A snapshot folder holding the committed snapshot and a provenance file, as openapi/ would. */
function snapshotDir(): string {
  const dir = mkdtempSync(path.join(scratch, "pull-"));
  cpSync(SNAPSHOT, path.join(dir, "openapi.json"));
  writeFileSync(path.join(dir, "source.json"), '{"source": "before"}\n');
  return dir;
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const hashes = (dir: string) => ["openapi.json", "source.json"].map((f) => sha256(path.join(dir, f))).join(" ");

async function pull(args: string[], outDir = snapshotDir()) {
  const before = hashes(outDir);
  const run = await runScript("scripts/pull-spec.ts", ["--out-dir", outDir, ...args]);
  const read = (file: string) => JSON.parse(readFileSync(path.join(outDir, file), "utf8"));
  return { ...run, outDir, unchanged: hashes(outDir) === before, snapshot: read("openapi.json"), read };
}

describe.concurrent("pulling", () => {
  it("the current document: no change reported, provenance recorded", async () => {
    const run = await pull(["--from", `${base}/current.json`]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No changes for this client.");
    expect(readFileSync(path.join(run.outDir, "openapi.json"), "utf8")).toBe(`${JSON.stringify(current(), null, 2)}\n`);
    const source = run.read("source.json");
    const served = JSON.stringify(current());
    expect(source).toEqual({
      source: `${base}/current.json`,
      sha256: createHash("sha256").update(served).digest("hex"),
      bytes: Buffer.byteLength(served),
      fetchedAt: expect.any(String),
      openapi: "3.1.0",
      infoVersion: current().info.version,
      paths: null,
    });
    expect(Date.now() - Date.parse(source.fetchedAt)).toBeLessThan(10 * 60_000);
    expect(readFileSync(path.join(run.outDir, "source.json"), "utf8")).toMatch(/^{\n {2}"source": .*}\n$/s);
  });

  it("--paths pins the whole upstream down to the finetune path and what it references", async () => {
    const run = await pull(["--from", `${base}/upstream.json`, "--paths", "/v1/delete_finetune"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The server moved from the document to the operation, the security likewise: same calls.
    expect(run.stdout).toContain("No changes for this client.");
    const doc = run.snapshot;
    expect(Object.keys(doc.paths)).toEqual(["/v1/delete_finetune"]);
    expect(Object.keys(doc.components.schemas)).toEqual([
      "DeleteFinetuneInputs",
      "DeleteFinetuneResponse",
      "HTTPValidationError",
      "ValidationError",
    ]);
    expect(doc.components.securitySchemes).toEqual({ APIKeyHeader: { type: "apiKey", in: "header", name: "x-key" } });
    expect(doc.servers).toEqual([{ url: "https://api.bfl.ai", description: "BFL API" }]);
    expect(doc.paths["/v1/delete_finetune"].post.servers).toEqual([
      { url: "https://api.us1.bfl.ai", description: "BFL Finetune API" },
    ]);
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(["Utility"]);
    expect(run.read("source.json")).toMatchObject({ infoVersion: "1.9.0", paths: ["/v1/delete_finetune"] });

    // The result generates: openapi-typescript validates it, and the contract keeps the us1 server.
    const generated = mkdtempSync(path.join(scratch, "gen-"));
    const gen = await runScript("scripts/generate.ts", [
      "--input",
      path.join(run.outDir, "openapi.json"),
      "--out-dir",
      generated,
    ]);
    expect(gen.stderr).toBe("");
    expect(gen.code).toBe(0);
    expect(readFileSync(path.join(generated, "schema.d.ts"), "utf8")).toContain('"/v1/delete_finetune": {');
    expect(readFileSync(path.join(generated, "contract.ts"), "utf8")).toContain('"https://api.us1.bfl.ai"');
  });

  it("a renamed finetune_id is reported breaking; --fail-on-breaking refuses it, and so does the facade check", async () => {
    const [strict, plain] = await Promise.all([
      pull(["--from", `${base}/renamed.json`, "--fail-on-breaking"]),
      pull(["--from", `${base}/renamed.json`]),
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^Breaking \(\d+\):$/m);
    expect(strict.stdout).toMatch(/^ {2}- POST \/v1\/delete_finetune: .*`id`/m);
    expect(strict.stderr).toMatch(/^spec:pull: \d+ breaking change\(s\); nothing written \(--fail-on-breaking\)\n$/);
    expect(strict.unchanged).toBe(true);
    // Without the flag it is still refused: the client could not call it.
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^Breaking \(\d+\):$/m);
    expect(plain.stderr).toMatch(/no longer takes a JSON body with a string finetune_id\n$/);
    expect(plain.unchanged).toBe(true);
  });

  it.each([
    ["JSON", "/added.json"],
    ["YAML", "/spec.yaml"],
    ["YAML without extension or YAML type", "/openapi"],
  ])("an added optional response field is non-breaking (%s)", async (_name, route) => {
    const run = await pull(["--from", `${base}${route}`, "--fail-on-breaking"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Non-breaking \(1\):\n {2}- POST \/v1\/delete_finetune: .*`credits_refunded`/m);
    expect(run.stdout).not.toContain("Breaking (");
    expect(run.snapshot).toEqual(addedOptional());
  });

  it("--dry-run reports and writes nothing", async () => {
    const run = await pull(["--from", `${base}/added.json`, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("credits_refunded");
    expect(run.stdout).toContain("Dry run: nothing written.");
    expect(run.unchanged).toBe(true);
  });

  it("a first pull into an empty folder writes both files", async () => {
    const dir = mkdtempSync(path.join(scratch, "empty-"));
    const run = await runScript("scripts/pull-spec.ts", ["--out-dir", dir, "--from", `${base}/current.json`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(no snapshot yet: everything is new)");
    expect(JSON.parse(readFileSync(path.join(dir, "openapi.json"), "utf8"))).toEqual(current());
    expect(JSON.parse(readFileSync(path.join(dir, "source.json"), "utf8")).source).toBe(`${base}/current.json`);
  });

  it("a write that fails halfway puts the snapshot back", async () => {
    // source.json is a non-empty folder, so renaming onto it fails after openapi.json was replaced.
    const dir = snapshotDir();
    const snapshotHash = sha256(path.join(dir, "openapi.json"));
    const blocker = path.join(dir, "source.json");
    rmSync(blocker);
    mkdirSync(blocker);
    writeFileSync(path.join(blocker, "keep"), "");
    const run = await runScript("scripts/pull-spec.ts", ["--out-dir", dir, "--from", `${base}/added.json`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^spec:pull: cannot write .*source\.json.*; nothing changed\n$/);
    expect(sha256(path.join(dir, "openapi.json"))).toBe(snapshotHash);
    expect(readdirSync(dir).sort()).toEqual(["openapi.json", "source.json"]);
  });
});

describe.concurrent("refusals: one line, exit 1, snapshot and source.json byte-identical", () => {
  it.each([
    ["404", ["/missing.json"], /answered 404 Not Found$/],
    ["500", ["/500"], /answered 500 Internal Server Error$/],
    ["invalid JSON", ["/invalid.json"], /is not valid JSON: /],
    ["JSON that is not OpenAPI 3.x", ["/swagger.json"], /is not an OpenAPI 3\.x document \(found swagger: 2\.0\)$/],
    [
      "a document failing validation",
      ["/broken-ref.json"],
      /fails OpenAPI validation: Can.t resolve \$ref at #\/components\/schemas\/DeleteFinetuneResponse/,
    ],
    ["an OpenAPI document without the delete operation", ["/no-delete.json"], /lacks POST \/v1\/delete_finetune/],
    ["--paths naming a path it lacks", ["/upstream.json", "--paths", "/v1/nope"], /does not have: \/v1\/nope$/],
    ["a body over the cap (declared)", ["/big.json", "--max-bytes", "20000"], /larger than the 20000-byte cap/],
    [
      "a body over the cap (streamed)",
      ["/big-chunked.json", "--max-bytes", "20000"],
      /larger than the 20000-byte cap$/,
    ],
    ["a server that never answers", ["/hang", "--timeout-ms", "300"], /did not answer in full within 300 ms$/],
    ["a body that stops coming", ["/stall", "--timeout-ms", "300"], /did not answer in full within 300 ms$/],
    [
      "a connection reset mid-body",
      ["/reset-mid-body"],
      /download of .* broke off after \d+ bytes: other side closed$/,
    ],
  ])("%s", async (_name, [route, ...rest], message) => {
    const run = await pull(["--from", `${base}${route}`, ...(rest as string[])]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spec:pull: /);
    expect(lines[0]).toMatch(message);
    expect(run.stdout).not.toContain("Wrote");
    expect(run.unchanged).toBe(true);
  });

  it("bad flags exit 2 and write nothing", async () => {
    const [notANumber, unknown] = await Promise.all([
      pull(["--from", `${base}/current.json`, "--max-bytes", "lots"]),
      pull(["--from", `${base}/current.json`, "--bogus"]),
    ]);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toBe('spec:pull: --max-bytes must be a positive whole number, got "lots"\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^spec:pull: Unknown option '--bogus'/);
    expect(notANumber.unchanged && unknown.unchanged).toBe(true);
  });
});
