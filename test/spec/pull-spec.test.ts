/**
 * `spec:pull` against a local server: what it stores (the bytes as served, and where they came
 * from), what it reports, and that every refusal leaves the pulled copy and source.json
 * byte-identical. Most cases call the script's `main` in this process (same arguments, same
 * output, same exit code); a few run it as a maintainer does, as a child process, so the command
 * line itself stays covered: a write that fails, a bad flag, the README's report (a dry run).
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { main as generate } from "../../scripts/generate.ts";
import { COVERED_OPERATIONS, operationName } from "../../scripts/lib/covered-operations.ts";
import { eachOperation } from "../../scripts/lib/openapi-operations.ts";
import { readOverlay } from "../../scripts/lib/spec-files.ts";
import { main as pullSpec } from "../../scripts/pull-spec.ts";
import { runMain, runScript } from "../helpers/run.js";
import {
  addedOptional,
  brokenRef,
  keyHeaderRenamed,
  OPENAPI_DIR,
  PULLED,
  pulled,
  renamed,
  upstreamExamples,
  withoutDelete,
} from "./fixtures/variants.js";

let server: Server;
let base: string;
/** Every folder a test makes lives in here, removed at the end. */
const scratch = mkdtempSync(path.join(tmpdir(), "bfl-spec-pull-"));

const send =
  (body: string | Buffer, type = "application/json") =>
  (res: ServerResponse) =>
    res.writeHead(200, { "content-type": type }).end(body);

/** Headers and the start of a body, then nothing more: the body never completes. */
const stall = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"openapi": "3.1.0", ');
};

const withoutFluxDev = () => {
  const doc = pulled();
  delete doc.paths["/v1/flux-dev"];
  return doc;
};
const withoutDetails422 = () => {
  const doc = pulled();
  delete doc.paths["/v1/finetune_details"].get.responses["422"];
  return doc;
};

/** A new required field in the base klein request, which the overlay's klein -finetuned operations derive from. */
const kleinRequires = () => {
  const doc = pulled();
  const inputs = doc.components.schemas.Flux2KleinInputs;
  inputs.properties.style = { type: "string", title: "Style" };
  inputs.required = [...inputs.required, "style"];
  return doc;
};
/** BFL's document now carrying an operation the overlay adds. */
const kleinUpstream = () => {
  const doc = pulled();
  const item = structuredClone(doc.paths["/v1/flux-2-klein-4b"]);
  item.post.operationId = "generate_flux_2_klein_4b_finetuned_v1_flux_2_klein_4b_finetuned_post";
  doc.paths["/v1/flux-2-klein-4b-finetuned"] = item;
  return doc;
};

const routes: Record<string, (res: ServerResponse) => void> = {
  "/klein-requires.json": send(JSON.stringify(kleinRequires())),
  "/klein-upstream.json": send(JSON.stringify(kleinUpstream())),
  "/current.json": send(readFileSync(PULLED)),
  "/renamed.json": send(JSON.stringify(renamed())),
  "/added.json": send(JSON.stringify(addedOptional())),
  "/no-flux-dev.json": send(JSON.stringify(withoutFluxDev())),
  "/no-details-422.json": send(JSON.stringify(withoutDetails422())),
  "/no-delete.json": send(JSON.stringify(withoutDelete())),
  "/key-header.json": send(JSON.stringify(keyHeaderRenamed())),
  "/upstream-examples.json": send(JSON.stringify(upstreamExamples())),
  "/broken-ref.json": send(JSON.stringify(brokenRef())),
  "/spec.yaml": send(toYaml(addedOptional()), "application/yaml"),
  // YAML without a hint (no extension, generic type): recognised because it does not start with "{".
  "/openapi": send(toYaml(addedOptional()), "text/plain"),
  "/invalid.json": send('{"openapi": "3.1.0", "paths": {'),
  "/swagger.json": send(JSON.stringify({ swagger: "2.0", info: { title: "x", version: "1" }, paths: {} })),
  "/big.json": send(JSON.stringify({ ...pulled(), "x-padding": "x".repeat(50_000) })),
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
  server = createServer((req, res) => {
    // One request per connection: the pulls run in this process, concurrently, on one fetch
    // pool, and a route that resets its socket must not take another pull's reused one with it.
    res.setHeader("connection", "close");
    (routes[req.url ?? ""] ?? ((r: ServerResponse) => r.writeHead(404).end("not found")))(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of openapi/'s inputs: the pulled document, source.json and the overlay. */
function openapiDir(): string {
  const dir = mkdtempSync(path.join(scratch, "pull-"));
  for (const file of ["upstream.json", "source.json", "overlay.yaml"]) {
    cpSync(path.join(OPENAPI_DIR, file), path.join(dir, file));
  }
  return dir;
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
/** Every file of `dir` with its hash (folders by name only). */
const hashes = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .map((e) => `${e.name}:${e.isFile() ? sha256(readFileSync(path.join(dir, e.name))) : "folder"}`)
    .sort()
    .join(" ");

/** A pull into `outDir`, in this process; `how: "process"` runs the script as a child process. */
async function pull(args: string[], outDir = openapiDir(), how: "in-process" | "process" = "in-process") {
  const before = hashes(outDir);
  const argv = ["--out-dir", outDir, ...args];
  const run = await (how === "process" ? runScript("scripts/pull-spec.ts", argv) : runMain(pullSpec, argv));
  const read = (file: string) => JSON.parse(readFileSync(path.join(outDir, file), "utf8"));
  return { ...run, outDir, unchanged: hashes(outDir) === before, read };
}

describe.concurrent("pulling", { timeout: 120_000 }, () => {
  it("the current document from a URL: no change, bytes stored as served, provenance recorded", async () => {
    const run = await pull(["--from", `${base}/current.json`]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const covered = COVERED_OPERATIONS.map(operationName).join(", ");
    expect(run.stdout.startsWith(`Changes in ${covered}, from `)).toBe(true);
    expect(run.stdout).toMatch(/ to http:.*\nNo changes for this client\.\n/);
    // Counted from the documents, not today's figures: the upstream moves, the overlay grows.
    const operations = [...eachOperation(pulled())].length;
    expect(run.stdout).toContain(
      `Upstream has ${operations} operations; this client covers ${COVERED_OPERATIONS.length}.`,
    );
    const actions = (await readOverlay(OPENAPI_DIR)).actions.length;
    expect(run.stdout).toContain(`Overlay: all ${actions} actions of overlay.yaml apply.`);
    const served = readFileSync(PULLED);
    expect(readFileSync(path.join(run.outDir, "upstream.json")).equals(served)).toBe(true);
    const source = run.read("source.json");
    expect(source).toEqual({
      origin: { url: `${base}/current.json` },
      file: "upstream.json",
      sha256: sha256(served),
      bytes: served.length,
      pulledAt: expect.any(String),
      openapi: "3.1.0",
      infoVersion: "0.0.1",
    });
    expect(Date.now() - Date.parse(source.pulledAt)).toBeLessThan(10 * 60_000);
    expect(readFileSync(path.join(run.outDir, "source.json"), "utf8")).toMatch(/^{\n {2}"origin": .*}\n$/s);
  });

  it("lint findings outside the covered operations are reported, not refused", async () => {
    const run = await pull(["--from", `${base}/current.json`, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Lint findings, reported, not refused \(\d+\):$/m);
    expect(run.stdout).toMatch(/^ {2}- error security-defined: .* at #\/paths\/~1v1~1get_result\/get$/m);
  });

  it("a local file: the recorded origin stays for the same bytes, --origin names a GitHub one", async () => {
    const same = await pull(["--from", PULLED]);
    expect(same.code).toBe(0);
    const recorded = JSON.parse(readFileSync(path.join(OPENAPI_DIR, "source.json"), "utf8"));
    expect(same.read("source.json")).toEqual({ ...recorded, pulledAt: expect.any(String) });
    // Whatever the committed pull names (a regen may record a short commit): a GitHub origin.
    expect(same.read("source.json").origin).toEqual({
      repository: expect.stringMatching(/^[^/\s]+\/[^/\s]+$/),
      path: expect.stringMatching(/\.(json|ya?ml)$/),
      commit: expect.stringMatching(/^[0-9a-f]{7,40}$/),
    });

    const file = path.join(mkdtempSync(path.join(scratch, "file-")), "bfl.json");
    writeFileSync(file, JSON.stringify(addedOptional()));
    const [plain, named] = await Promise.all([
      pull(["--from", file]),
      pull(["--from", file, "--origin", "github:someone/fork/spec/openapi.json@0123abc"]),
    ]);
    expect(plain.read("source.json").origin).toEqual({ file });
    expect(named.read("source.json").origin).toEqual({
      repository: "someone/fork",
      path: "spec/openapi.json",
      commit: "0123abc",
    });
  });

  it("the report covers the client's operations; --all-paths covers every one", async () => {
    const [covered, all] = await Promise.all([
      pull(["--from", `${base}/no-flux-dev.json`, "--dry-run"]),
      pull(["--from", `${base}/no-flux-dev.json`, "--dry-run", "--all-paths"]),
    ]);
    expect(covered.stdout).toContain("No changes for this client.");
    expect(all.stdout).toMatch(/^Changes in every operation, from /m);
    expect(all.stdout).toMatch(/^Breaking \(1\):\n {2}- \[Removed\] operation POST \/v1\/flux-dev$/m);
  });

  it("a breaking change to a schema the overlay's operations derive from is reported under them", async () => {
    const run = await pull(["--from", `${base}/klein-requires.json`, "--fail-on-breaking"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ {2}- POST \/v1\/flux-2-klein-4b-finetuned: .*`style`/m);
    expect(run.unchanged).toBe(true);
  });

  it("an operation the overlay adds that upstream now documents is named, not merged", async () => {
    const run = await pull(["--from", `${base}/klein-upstream.json`, "--dry-run"]);
    expect(run.stdout).toMatch(
      /^Overlay: .*the pulled document now has POST \/v1\/flux-2-klein-4b-finetuned, which .*overlay\.yaml adds/m,
    );
  });

  it("a renamed finetune_id is refused as breaking by default, naming it; --accept-breaking goes on to the facade check", async () => {
    const [plain, alias, accepted] = await Promise.all([
      pull(["--from", `${base}/renamed.json`]),
      pull(["--from", `${base}/renamed.json`, "--fail-on-breaking"]),
      pull(["--from", `${base}/renamed.json`, "--accept-breaking"]),
    ]);
    for (const run of [plain, alias]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^Breaking \(\d+\):$/m);
      expect(run.stderr).toMatch(/^spec:pull: refused, \d+ breaking change\(s\) for this client; nothing written:\n/);
      expect(run.stderr).toMatch(/^ {2}- POST \/v1\/delete_finetune: .*`id`/m);
      expect(run.stderr).toMatch(/run again with --accept-breaking\n$/);
      expect(run.unchanged).toBe(true);
    }
    // Accepted, it is still refused: the client could not call it.
    expect(accepted.code).toBe(1);
    expect(accepted.stderr).toMatch(/no longer takes a JSON body with a string finetune_id\n$/);
    expect(accepted.unchanged).toBe(true);
  });

  it("a new key header name is breaking, named, refused by default and written with --accept-breaking", async () => {
    const [plain, accepted] = await Promise.all([
      pull(["--from", `${base}/key-header.json`]),
      pull(["--from", `${base}/key-header.json`, "--accept-breaking"]),
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      /^ {2}- security scheme \w+: apiKey in header `x-key` → apiKey in header `x-api-key`$/m,
    );
    expect(plain.unchanged).toBe(true);
    expect(accepted.stderr).toBe("");
    expect(accepted.code).toBe(0);
    expect(accepted.unchanged).toBe(false);
  });

  it("an upstream change under a node the overlay sets is an overlay conflict, named and refused", async () => {
    const run = await pull(["--from", `${base}/upstream-examples.json`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^Overlay conflict: overlay action #\d+ \(\$\.paths\['\/v1\/delete_finetune'\]\.post\.responses\['200'\]\.content\['application\/json'\]\): upstream changed `examples`, which the action sets$/m,
    );
    expect(run.stderr).toMatch(/^ {2}- overlay action #\d+ .*`examples`/m);
    expect(run.unchanged).toBe(true);
  });

  it.each([
    ["JSON", "/added.json", "upstream.json"],
    ["YAML", "/spec.yaml", "upstream.yaml"],
    ["YAML without extension or YAML type", "/openapi", "upstream.yaml"],
  ])("an added optional response field is non-breaking (%s), stored as served", async (_name, route, file) => {
    const run = await pull(["--from", `${base}${route}`, "--fail-on-breaking"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Non-breaking \(1\):\n {2}- POST \/v1\/delete_finetune: .*`field_added_by_test`/m);
    expect(run.stdout).not.toContain("Breaking (");
    const served = await (await fetch(`${base}${route}`)).arrayBuffer();
    expect(readFileSync(path.join(run.outDir, file)).equals(Buffer.from(served))).toBe(true);
    expect(run.read("source.json")).toMatchObject({ file, sha256: sha256(Buffer.from(served)) });
    // A pull that changed format leaves one pulled copy.
    expect(readdirSync(run.outDir).sort()).toEqual([file, "overlay.yaml", "source.json"].sort());

    // It generates: the effective spec and the contract carry the new field.
    const generated = mkdtempSync(path.join(scratch, "gen-"));
    const gen = await runMain(generate, ["--openapi-dir", run.outDir, "--out-dir", generated]);
    expect(gen.stderr).toBe("");
    expect(gen.code).toBe(0);
    expect(readFileSync(path.join(generated, "contract.ts"), "utf8")).toContain('"field_added_by_test": {');
    expect(readFileSync(path.join(generated, "schema.d.ts"), "utf8")).toContain("field_added_by_test?: number;");
  });

  it("an overlay action that no longer matches is named, and the pull refused", async () => {
    const run = await pull(["--from", `${base}/no-details-422.json`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^Overlay: .*overlay\.yaml: action #\d+ matches nothing in the pulled document: \$\.paths\['\/v1\/finetune_details'\]\.get\.responses\['422'\]/m,
    );
    expect(run.stderr).toMatch(
      /^spec:pull: .*overlay\.yaml: action #\d+ matches nothing in the pulled document: .*\n$/,
    );
    expect(run.unchanged).toBe(true);
  });

  it("--dry-run reports and writes nothing", async () => {
    const run = await pull(["--from", `${base}/added.json`, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("field_added_by_test");
    expect(run.stdout).toContain("Dry run: nothing written.");
    expect(run.unchanged).toBe(true);
  });

  it("a first pull into an empty folder writes the document and source.json", async () => {
    const dir = mkdtempSync(path.join(scratch, "empty-"));
    const run = await runMain(pullSpec, ["--out-dir", dir, "--from", `${base}/current.json`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(no previous pull: everything is new)");
    expect(readFileSync(path.join(dir, "upstream.json")).equals(readFileSync(PULLED))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, "source.json"), "utf8")).origin).toEqual({
      url: `${base}/current.json`,
    });
  });

  it("a write that fails halfway puts source.json back", async () => {
    // A YAML pull goes to upstream.yaml; a non-empty folder of that name makes its rename fail
    // after source.json was replaced.
    const dir = openapiDir();
    const blocker = path.join(dir, "upstream.yaml");
    mkdirSync(blocker);
    writeFileSync(path.join(blocker, "keep"), "");
    const before = hashes(dir);
    const run = await runScript("scripts/pull-spec.ts", ["--out-dir", dir, "--from", `${base}/spec.yaml`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^spec:pull: cannot write .*upstream\.yaml.*; nothing changed\n$/);
    expect(hashes(dir)).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(["overlay.yaml", "source.json", "upstream.json", "upstream.yaml"]);
  });
});

describe.concurrent("refusals: one line, exit 1, pulled copy and source.json byte-identical", {
  timeout: 60_000,
}, () => {
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
    ["a body over the cap (declared)", ["/big.json", "--max-bytes", "20000"], /larger than the 20000-byte cap/],
    [
      "a body over the cap (streamed)",
      ["/big-chunked.json", "--max-bytes", "20000"],
      /larger than the 20000-byte cap$/,
    ],
    ["a server that never answers", ["/hang", "--timeout-ms", "300"], /did not answer in full within 300 ms$/],
    ["a body that stops coming", ["/stall", "--timeout-ms", "300"], /did not answer in full within 300 ms$/],
    ["a connection reset mid-body", ["/reset-mid-body"], /download of .* broke off after \d+ bytes: \S.*$/],
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

  it("a pulled copy that no longer matches source.json: restore it first", async () => {
    const dir = openapiDir();
    writeFileSync(path.join(dir, "upstream.json"), "{}");
    const run = await pull(["--from", `${base}/current.json`], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^spec:pull: .*upstream\.json is not the document source\.json records .*restore/);
    expect(run.unchanged).toBe(true);
  });

  it("bad flags exit 2 and write nothing", async () => {
    const [notANumber, unknown, origin, originForUrl] = await Promise.all([
      pull(["--from", `${base}/current.json`, "--max-bytes", "lots"]),
      // As a child process: the command line's own answer to a bad flag.
      pull(["--from", `${base}/current.json`, "--bogus"], openapiDir(), "process"),
      pull(["--from", PULLED, "--origin", "tryAGI/BlackForestLabs"]),
      pull(["--from", `${base}/current.json`, "--origin", "github:a/b/c.json@0123abc"]),
    ]);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toBe('spec:pull: --max-bytes must be a positive whole number, got "lots"\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^spec:pull: Unknown option '--bogus'/);
    expect(origin.code).toBe(2);
    expect(origin.stderr).toBe(
      'spec:pull: --origin must look like github:OWNER/REPO/PATH@COMMIT, got "tryAGI/BlackForestLabs"\n',
    );
    expect(originForUrl.code).toBe(2);
    expect(originForUrl.stderr).toBe("spec:pull: --origin is for a local --from FILE\n");
    expect(notANumber.unchanged && unknown.unchanged && origin.unchanged && originForUrl.unchanged).toBe(true);
  });
});

describe("the README's example pull report", { timeout: 60_000 }, () => {
  it("is what a dry run on the committed pull prints", async () => {
    const section = readFileSync("README.md", "utf8").split("### 1. Pull, and read the report")[1] ?? "";
    const example = section.match(/```text\n([\s\S]*?)```/)?.[1];
    // --dry-run against openapi/ itself: reads the committed pull, writes nothing.
    const run = await runScript("scripts/pull-spec.ts", ["--from", "openapi/upstream.json", "--dry-run"]);
    expect(run.code).toBe(0);
    // The operation count and the lint findings are BFL's document's, which moves: compared by shape.
    const upstreamFacts = (text = "") =>
      text
        .replace(/^Upstream has \d+ operations/m, "Upstream has N operations")
        .replace(/^Lint findings, reported, not refused \(\d+\):\n( {2}- .*\n)+/m, "Lint findings\n");
    expect(upstreamFacts(example)).toBe(upstreamFacts(run.stdout));
  });
});
