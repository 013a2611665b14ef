/**
 * `npm run spec:pull`: pulls BFL's OpenAPI document into openapi/, exactly as received, safely.
 * Everything is checked before anything is written, and the write is atomic: on any failure the
 * pulled copy and openapi/source.json stay byte-for-byte as they were. The effective spec and
 * generated/ are `npm run generate`'s job (regen runs both).
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { prettyJson, replaceFiles } from "./lib/atomic-write.ts";
import { COVERED_OPERATIONS, operationName, UPSTREAM_OPERATIONS } from "./lib/covered-operations.ts";
import { buildEffectiveSpec, cutTo, type Overlay } from "./lib/effective-spec.ts";
import { eachOperation } from "./lib/openapi-operations.ts";
import { overlayConflicts } from "./lib/overlay-conflicts.ts";
import { consoleIo, isEntry, type ScriptIo } from "./lib/script-io.ts";
import {
  assertFacadeNeeds,
  assertOpenApi3,
  assertValid,
  type Finding,
  formatFinding,
  type OpenApiDoc,
} from "./lib/spec-checks.ts";
import { type ChangeReport, diffSpecs, formatReport } from "./lib/spec-diff.ts";
import {
  EFFECTIVE_FILE,
  type Origin,
  OVERLAY_FILE,
  PULLED_JSON,
  PULLED_YAML,
  readOverlay,
  readOverlayIfAny,
  readPulled,
  readSourceRecord,
  SOURCE_FILE,
  type SourceRecord,
} from "./lib/spec-files.ts";
import {
  DEFAULT_LIMITS,
  type FetchedSpec,
  fetchSpec,
  formatOf,
  isUrl,
  parseSpec,
  SpecError,
} from "./lib/spec-source.ts";

type Doc = Record<string, unknown>;

const NO_OVERLAY: Overlay = { overlay: "1.0.0", info: { title: "none", version: "0" }, actions: [] };

export const DEFAULT_SOURCE = "https://api.bfl.ai/openapi.json";
/** How many lint findings the report prints; `npm run lint:spec -- FILE` lists them all. */
const MAX_FINDINGS = 10;

const HELP = `Usage: npm run spec:pull -- [--from URL|FILE] [--origin github:OWNER/REPO/PATH@COMMIT] [options]

Pulls an OpenAPI 3.x document (JSON; YAML when the source is .yaml/.yml, served as YAML, or does
not start with "{"), checks it, prints what changed for this client, and stores it in openapi/
exactly as received (upstream.json, or upstream.yaml), with where, when and its sha256 in
openapi/source.json. Then run \`npm run generate\` (or \`npm run regen\`, which pulls, generates and
type-checks).

Refused (exit 1, nothing written): a breaking change for this client (unless --accept-breaking),
not OpenAPI 3.x, structurally invalid, an external $ref, an overlay action that no longer applies, or a
covered operation (${COVERED_OPERATIONS.map(operationName).join(", ")}) without security
or without what the client sends or reads.
Reported, not refused: other lint findings, e.g. an operation the client does not call that
declares no security. The report compares the effective specs (overlay applied), so what the
overlay adds counts like what BFL changes.

Options:
  --from URL|FILE        Source (default ${DEFAULT_SOURCE})
  --origin github:OWNER/REPO/PATH@COMMIT
                         Where a local FILE was taken from, recorded in source.json. Without it, a
                         file with the bytes already recorded keeps the recorded origin.
  --all-paths            Report changes in every operation, not only the covered ones
  --dry-run              Check and report; write nothing
  --accept-breaking      Go on when the report has a breaking change for the covered operations
                         or an upstream change collides with an overlay action (refused by default:
                         exit 1, each named, nothing written)
  --fail-on-breaking     The default; accepted for older command lines, changes nothing
  --timeout-ms N         Time allowed for the download (default 30000)
  --max-bytes N          Size cap of the download (default 20971520, 20 MiB)
  --out-dir DIR          Folder of the pulled copy, source.json and overlay.yaml (default openapi)
  -h, --help             Show this help

Exit codes: 0 written (or dry run), 1 refused (nothing written), 2 bad usage or a write error.`;

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  // A plain Error, not a SpecError: a bad flag is a usage problem (exit 2).
  if (!/^\d+$/.test(value) || n <= 0) throw new Error(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

/** `github:OWNER/REPO/PATH@COMMIT` -> { repository, path, commit }. */
export function parseOrigin(value: string): Origin {
  const match = /^github:([\w.-]+\/[\w.-]+)\/(.+)@([0-9a-f]{7,40})$/i.exec(value);
  if (!match) throw new Error(`--origin must look like github:OWNER/REPO/PATH@COMMIT, got "${value}"`);
  const [, repository = "", file = "", commit = ""] = match;
  return { repository, path: file, commit };
}

export interface PullOptions {
  from: string;
  origin: Origin | undefined;
  allPaths: boolean;
  dryRun: boolean;
  acceptBreaking: boolean;
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
      origin: { type: "string" },
      "all-paths": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      "accept-breaking": { type: "boolean", default: false },
      "fail-on-breaking": { type: "boolean", default: false },
      "timeout-ms": { type: "string", default: String(DEFAULT_LIMITS.timeoutMs) },
      "max-bytes": { type: "string", default: String(DEFAULT_LIMITS.maxBytes) },
      "out-dir": { type: "string", default: "openapi" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  if (values.origin !== undefined && isUrl(values.from)) throw new Error("--origin is for a local --from FILE");
  return {
    from: values.from,
    origin: values.origin === undefined ? undefined : parseOrigin(values.origin),
    allPaths: values["all-paths"],
    dryRun: values["dry-run"],
    acceptBreaking: values["accept-breaking"],
    timeoutMs: positiveInt("--timeout-ms", values["timeout-ms"]),
    maxBytes: positiveInt("--max-bytes", values["max-bytes"]),
    outDir: values["out-dir"],
  };
}

interface Previous {
  record: SourceRecord;
  doc: Record<string, unknown>;
}

/** The pull now in `outDir`, or undefined when there is none (a first pull). */
async function readPrevious(outDir: string): Promise<Previous | undefined> {
  try {
    const record = await readSourceRecord(outDir);
    return { record, doc: await readPulled(outDir, record) };
  } catch (error) {
    const message = (error as Error).message;
    if (message.endsWith(`${SOURCE_FILE}: no such file`)) return undefined;
    throw new SpecError(`${message.split("\n")[0]}; restore ${outDir} (git checkout) before pulling`);
  }
}

/** Where this pull came from: --origin, else a URL, else the recorded origin if the bytes are the same. */
function originOf(
  options: Pick<PullOptions, "from" | "origin">,
  fetched: FetchedSpec,
  previous: Previous | undefined,
): Origin {
  if (options.origin) return options.origin;
  if (isUrl(options.from)) return { url: options.from };
  if (previous && previous.record.sha256 === fetched.sha256) return previous.record.origin;
  return { file: options.from };
}

function sourceRecord(file: string, origin: Origin, fetched: FetchedSpec, doc: OpenApiDoc): SourceRecord {
  const info = (doc.info ?? {}) as { version?: unknown };
  return {
    origin,
    file,
    sha256: fetched.sha256,
    bytes: fetched.bytes.length,
    pulledAt: new Date().toISOString(),
    openapi: doc.openapi,
    infoVersion: typeof info.version === "string" ? info.version : null,
  };
}

function printFindings(findings: Finding[], from: string, io: ScriptIo): void {
  if (findings.length === 0) return;
  io.out(`Lint findings, reported, not refused (${findings.length}):`);
  for (const finding of findings.slice(0, MAX_FINDINGS)) io.out(`  - ${formatFinding(finding)}`);
  if (findings.length > MAX_FINDINGS) {
    io.out(`  … and ${findings.length - MAX_FINDINGS} more (npm run lint:spec -- ${from} lists all)`);
  }
}

/** The effective spec users had before this pull: the committed openapi.json, else built from the previous pull. */
async function effectiveBefore(outDir: string, previous: Previous | undefined): Promise<Doc | undefined> {
  try {
    return JSON.parse(await readFile(path.join(outDir, EFFECTIVE_FILE), "utf8")) as Doc;
  } catch {
    if (!previous) return undefined;
    return buildEffectiveSpec(previous.doc, await readOverlay(outDir), OVERLAY_FILE).catch(() => undefined);
  }
}

/** A pull that passed every check: what regen goes on with. */
export interface CheckedPull {
  fetched: FetchedSpec;
  parsed: OpenApiDoc;
  previous: Previous | undefined;
  /** The new effective spec (cut, overlay applied). */
  effective: Doc;
  /** What changed for users: the effective spec before -> after, overlay additions included. */
  report: ChangeReport;
  /** Whether the effective spec changed at all (a changeset is due). */
  changed: boolean;
}

/**
 * Fetches and checks a document, prints the change report, and refuses (SpecError, or exit 1 for
 * breaking changes) before anything is written. Resolves to the checked pull, or to an exit code.
 */
export async function checkPull(options: PullOptions, io: ScriptIo): Promise<CheckedPull | number> {
  const fetched = await fetchSpec(options.from, options);
  const parsed = parseSpec(fetched, options.from);
  assertOpenApi3(parsed, options.from);
  const findings = await assertValid(parsed, options.from);

  const previous = await readPrevious(options.outDir);
  // A first pull into a folder without our overlay: nothing to apply yet, and the operations it
  // adds cannot be there.
  const ours = await readOverlayIfAny(options.outDir);
  const overlay = ours ?? NO_OVERLAY;
  const covered = ours ? COVERED_OPERATIONS : UPSTREAM_OPERATIONS;
  const built = await buildEffectiveSpec(parsed, overlay, path.join(options.outDir, OVERLAY_FILE), covered).then(
    (doc) => ({ doc }),
    (error: Error) => ({ error }),
  );
  const before = await effectiveBefore(options.outDir, previous);
  const [cutBefore, cutAfter] = await Promise.all([
    previous ? cutTo(previous.doc, COVERED_OPERATIONS) : undefined,
    cutTo(parsed, COVERED_OPERATIONS),
  ]);
  // The decision rests on the effective specs; when the new one cannot be built, on the cut documents.
  const report =
    before && "doc" in built
      ? diffSpecs(before, built.doc)
      : cutBefore
        ? diffSpecs(cutBefore, cutAfter)
        : { breaking: [], nonBreaking: [], other: [] };
  const conflicts = cutBefore ? overlayConflicts(cutBefore, cutAfter, overlay) : [];

  const scope = options.allPaths ? "every operation" : COVERED_OPERATIONS.map(operationName).join(", ");
  io.out(
    `Changes in ${scope}, from ${previous ? path.join(options.outDir, previous.record.file) : "nothing"} to ${options.from}:`,
  );
  if (!previous) io.out("(no previous pull: everything is new)");
  else io.out(formatReport(options.allPaths ? diffSpecs(previous.doc, parsed) : report));
  io.out(
    `Upstream has ${[...eachOperation(parsed)].length} operations; this client covers ${COVERED_OPERATIONS.length}.`,
  );
  printFindings(findings, options.from, io);
  for (const line of conflicts) io.out(`Overlay conflict: ${line}`);
  if ("error" in built) {
    // An overlay action that matches nothing is named on the report's Overlay line; a lost covered operation is not the overlay's.
    if (built.error.message.includes(OVERLAY_FILE)) io.out(`Overlay: ${built.error.message.split("\n")[0]}`);
    throw built.error;
  }
  io.out(`Overlay: all ${overlay.actions.length} actions of ${OVERLAY_FILE} apply.`);

  const stops = [...report.breaking, ...conflicts];
  if (stops.length > 0 && !options.acceptBreaking) {
    io.err(`spec:pull: refused, ${stops.length} breaking change(s) for this client; nothing written:`);
    for (const line of stops) io.err(`  - ${line}`);
    io.err("spec:pull: to go on anyway (a major release), run again with --accept-breaking");
    return 1;
  }
  // After the report, so a change that breaks the client is both explained and refused.
  assertFacadeNeeds(parsed, options.from);
  const changed = before === undefined || JSON.stringify(before) !== JSON.stringify(built.doc);
  return { fetched, parsed, previous, effective: built.doc, report, changed };
}

/** Runs a pull; resolves to the exit code. Prints the change report on stdout. */
export async function pullSpec(options: PullOptions, io: ScriptIo = consoleIo): Promise<number> {
  const checked = await checkPull(options, io);
  if (typeof checked === "number") return checked;
  if (options.dryRun) {
    io.out("Dry run: nothing written.");
    return 0;
  }
  const files = pulledFiles(options, checked);
  await replaceFiles(files).catch((error: Error) => {
    throw new Error(`cannot write ${options.outDir}: ${error.message}; nothing changed`);
  });
  await removeStalePull(options, checked);
  io.out(`Wrote ${files.map((f) => f.file).join(" and ")}.`);
  return 0;
}

/** The pulled document's file name in openapi/: its format's. */
const pulledName = (fetched: CheckedPull["fetched"], from: string): string =>
  formatOf(fetched, from) === "json" ? PULLED_JSON : PULLED_YAML;

/** The pulled document and source.json, to be written into `outDir` (by spec:pull, or staged by regen). */
export function pulledFiles(
  options: Pick<PullOptions, "from" | "origin" | "outDir">,
  { fetched, parsed, previous }: CheckedPull,
): { file: string; text: string | Buffer }[] {
  const file = pulledName(fetched, options.from);
  const record = sourceRecord(file, originOf(options, fetched, previous), fetched, parsed);
  return [
    { file: path.join(options.outDir, SOURCE_FILE), text: prettyJson(record) },
    { file: path.join(options.outDir, file), text: fetched.bytes },
  ];
}

/** A pull that changed format (JSON <-> YAML) leaves no stale copy behind. */
export async function removeStalePull(
  options: Pick<PullOptions, "from" | "outDir">,
  { fetched, previous }: CheckedPull,
): Promise<void> {
  const file = pulledName(fetched, options.from);
  if (previous && previous.record.file !== file) {
    await rm(path.join(options.outDir, previous.record.file), { force: true });
  }
}

/** Exit code for an error: 1 for a refused document, 2 for a bad invocation. */
export function reportFailure(prefix: string, error: unknown, io: ScriptIo = consoleIo): number {
  const message = error instanceof Error ? error.message : String(error);
  io.err(`${prefix}: ${message.split("\n")[0]}`);
  return error instanceof SpecError ? 1 : 2;
}

/** `spec:pull ARGV`: prints through `io`, resolves to the exit code. */
export async function main(argv: string[], io: ScriptIo = consoleIo): Promise<number> {
  try {
    const options = parsePullArgs(argv);
    if (options === "help") {
      io.out(HELP);
      return 0;
    }
    const code = await pullSpec(options, io);
    if (code === 0 && !options.dryRun)
      io.out("Next: npm run generate (npm run regen pulls, generates and type-checks).");
    return code;
  } catch (error) {
    return reportFailure("spec:pull", error, io);
  }
}

// Run only as a script, not when regen.ts or a test imports this module.
if (isEntry(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
