/**
 * `npm run spec:pull`: pulls the upstream OpenAPI document into the pinned snapshot, safely.
 * Everything is checked before anything is written, and the write is atomic: on any failure
 * openapi/openapi.json and openapi/source.json stay byte-for-byte as they were.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { prettyJson, replaceFiles } from "./lib/atomic-write.ts";
import { prunePaths } from "./lib/prune.ts";
import { assertFacadeNeeds, assertOpenApi3, assertValid, type OpenApiDoc } from "./lib/spec-checks.ts";
import { diffSpecs, formatReport } from "./lib/spec-diff.ts";
import { DEFAULT_LIMITS, type FetchedSpec, fetchSpec, parseSpec, SpecError } from "./lib/spec-source.ts";

export const DEFAULT_SOURCE = "https://api.bfl.ai/openapi.json";

const HELP = `Usage: npm run spec:pull -- [--from URL|FILE] [--paths P1,P2] [--dry-run] [options]

Pulls an OpenAPI 3.x document (JSON; YAML when the source is .yaml/.yml, served as YAML, or does
not start with "{"), checks it, prints what changed for this client, and replaces
openapi/openapi.json atomically, recording provenance in openapi/source.json.
Then run \`npm run generate\` (or use \`npm run regen\`, which does both and type-checks).

Options:
  --from URL|FILE        Source (default ${DEFAULT_SOURCE})
  --paths P1,P2          Keep only these paths and what they reference (e.g. /v1/delete_finetune)
  --dry-run              Check and report; write nothing
  --fail-on-breaking     Exit 1, writing nothing, when the report has a breaking change
  --timeout-ms N         Time allowed for the download (default 30000)
  --max-bytes N          Size cap of the download (default 20971520, 20 MiB)
  --out-dir DIR          Snapshot folder (default openapi)
  -h, --help             Show this help

Exit codes: 0 written (or dry run), 1 refused (nothing written), 2 bad usage or a write error.`;

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  // A plain Error, not a SpecError: a bad flag is a usage problem (exit 2).
  if (!/^\d+$/.test(value) || n <= 0) throw new Error(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

export interface PullOptions {
  from: string;
  paths: string[] | undefined;
  dryRun: boolean;
  failOnBreaking: boolean;
  timeoutMs: number;
  maxBytes: number;
  outDir: string;
}

export function parsePullArgs(argv: string[]): PullOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      from: { type: "string", default: DEFAULT_SOURCE },
      paths: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      "fail-on-breaking": { type: "boolean", default: false },
      "timeout-ms": { type: "string", default: String(DEFAULT_LIMITS.timeoutMs) },
      "max-bytes": { type: "string", default: String(DEFAULT_LIMITS.maxBytes) },
      "out-dir": { type: "string", default: "openapi" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const paths = values.paths
    ?.split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    from: values.from,
    paths: paths && paths.length > 0 ? paths : undefined,
    dryRun: values["dry-run"],
    failOnBreaking: values["fail-on-breaking"],
    timeoutMs: positiveInt("--timeout-ms", values["timeout-ms"]),
    maxBytes: positiveInt("--max-bytes", values["max-bytes"]),
    outDir: values["out-dir"],
  };
}

/** The snapshot now in `outDir`, or undefined when there is none (a first pull). */
async function readSnapshot(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new SpecError(`the current ${file} is not valid JSON; restore it (git checkout) before pulling`);
  }
}

/** What openapi/source.json records about a pull. */
function provenance(options: PullOptions, fetched: FetchedSpec, doc: OpenApiDoc) {
  const info = (doc.info ?? {}) as { version?: unknown };
  return {
    source: options.from,
    sha256: fetched.sha256,
    bytes: fetched.bytes.length,
    fetchedAt: new Date().toISOString(),
    openapi: doc.openapi,
    infoVersion: info.version ?? null,
    paths: options.paths ?? null,
  };
}

/** Runs a pull; resolves to the exit code. Prints the change report on stdout. */
export async function pullSpec(options: PullOptions): Promise<number> {
  const fetched = await fetchSpec(options.from, options);
  const parsed = parseSpec(fetched, options.from);
  assertOpenApi3(parsed, options.from);
  const doc = options.paths ? prunePaths(parsed, options.paths) : parsed;
  await assertValid(doc, options.from);

  const snapshot = path.join(options.outDir, "openapi.json");
  const previous = await readSnapshot(snapshot);
  const report = previous === undefined ? undefined : diffSpecs(previous, doc);
  console.log(`Changes from ${snapshot} to ${options.from}:`);
  console.log(report ? formatReport(report) : "(no snapshot yet: everything is new)");
  if (options.failOnBreaking && report && report.breaking.length > 0) {
    console.error(`spec:pull: ${report.breaking.length} breaking change(s); nothing written (--fail-on-breaking)`);
    return 1;
  }
  // After the report, so a change that breaks the client is both explained and refused.
  assertFacadeNeeds(doc, options.from);
  if (options.dryRun) {
    console.log("Dry run: nothing written.");
    return 0;
  }
  const source = path.join(options.outDir, "source.json");
  await replaceFiles([
    { file: snapshot, text: prettyJson(doc) },
    { file: source, text: prettyJson(provenance(options, fetched, doc)) },
  ]).catch((error: Error) => {
    throw new Error(`cannot write ${options.outDir}: ${error.message}; nothing changed`);
  });
  console.log(`Wrote ${snapshot} and ${source}.`);
  return 0;
}

/** Exit code for an error: 1 for a refused document, 2 for a bad invocation. */
export function reportFailure(prefix: string, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${prefix}: ${message.split("\n")[0]}`);
  return error instanceof SpecError ? 1 : 2;
}

async function main(): Promise<number> {
  try {
    const options = parsePullArgs(process.argv.slice(2));
    if (options === "help") {
      console.log(HELP);
      return 0;
    }
    const code = await pullSpec(options);
    if (code === 0 && !options.dryRun)
      console.log("Next: npm run generate (npm run regen pulls, generates and type-checks).");
    return code;
  } catch (error) {
    return reportFailure("spec:pull", error);
  }
}

// Run only as a script, not when regen.ts imports this module.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
