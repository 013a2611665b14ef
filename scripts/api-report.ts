import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { consoleIo, isEntry, runTsc, type ScriptIo } from "./lib/script-io.ts";

const HELP = `Usage: npm run api:report [-- --check] [--project DIR]

Writes the public API report of each package entry with API Extractor:
  etc/bfl-finetune.api.md          "bfl-finetune"          (src/index.ts)
  etc/bfl-finetune-testing.api.md  "bfl-finetune/testing"  (src/testing/index.ts)
from the declarations tsc emits for src/ and generated/ (tsconfig.api.json).

Options:
  --check          Write nothing; exit 1 naming each report that is stale (CI)
  --project DIR    The project folder (default: the current folder)
  -h, --help       Show this help`;

export const REPORT_DIR = "etc";
/** Each entry: its declaration file (relative to the emitted tree) and its report's name. */
const ENTRIES = [
  { entry: "src/index.d.ts", report: "bfl-finetune.api.md" },
  { entry: "src/testing/index.d.ts", report: "bfl-finetune-testing.api.md" },
] as const;

/** tsc of the project's tsconfig.api.json into `outDir`, with this node; throws with tsc's output. */
function emitDeclarations(project: string, outDir: string): void {
  const run = runTsc(project, ["-p", "tsconfig.api.json", "--outDir", outDir]);
  if (run.status !== 0) throw new Error(`tsc could not emit the declarations:\n${run.output}`);
  // Hand-written .d.ts files (generated/schema.d.ts) are not emitted: the declarations import them.
  for (const file of readdirSync(path.join(project, "generated")).filter((f) => f.endsWith(".d.ts"))) {
    cpSync(path.join(project, "generated", file), path.join(outDir, "generated", file));
  }
}

/** API Extractor on one entry; resolves to the report's text. */
async function extract(project: string, dts: string, entry: string, reportDir: string, name: string) {
  const { Extractor, ExtractorConfig, ExtractorLogLevel } = await import("@microsoft/api-extractor");
  const none = ExtractorLogLevel.None;
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: project,
      mainEntryPointFilePath: path.join(dts, entry),
      compiler: { tsconfigFilePath: path.join(project, "tsconfig.api.json") },
      apiReport: { enabled: true, reportFolder: reportDir, reportTempFolder: reportDir, reportFileName: name },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: "lf",
      messages: {
        // The report holds the API only: findings would carry the temporary folder's paths.
        compilerMessageReporting: { default: { logLevel: none, addToApiReportFile: false } },
        extractorMessageReporting: { default: { logLevel: none, addToApiReportFile: false } },
        tsdocMessageReporting: { default: { logLevel: none, addToApiReportFile: false } },
      },
    },
    configObjectFullPath: path.join(project, "api-extractor.json"),
    packageJsonFullPath: path.join(project, "package.json"),
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    // Handled: nothing printed (e.g. "Analysis will use the bundled TypeScript version").
    messageCallback: (message) => {
      message.handled = true;
    },
  });
  if (!result.succeeded) throw new Error(`API Extractor failed on ${entry} (${result.errorCount} errors)`);
  return readFileSync(path.join(reportDir, name), "utf8");
}

/** The reports of `project`, built in a temporary folder: report file name -> text. */
async function renderApiReports(project: string): Promise<Map<string, string>> {
  const scratch = mkdtempSync(path.join(tmpdir(), "bfl-api-report-"));
  try {
    const dts = path.join(scratch, "dts");
    emitDeclarations(project, dts);
    const reports = new Map<string, string>();
    for (const { entry, report } of ENTRIES) {
      reports.set(report, await extract(project, dts, entry, path.join(scratch, "reports"), report));
    }
    return reports;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function run(argv: string[], io: ScriptIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      check: { type: "boolean", default: false },
      project: { type: "string", default: "." },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const project = path.resolve(values.project);
  const reports = await renderApiReports(project);
  const target = (name: string) => path.join(project, REPORT_DIR, name);
  if (values.check) {
    const stale = [...reports].filter(([name, text]) => readIfAny(target(name)) !== text).map(([name]) => name);
    if (stale.length > 0) {
      io.err(`api:report: ${stale.map((n) => `${REPORT_DIR}/${n}`).join(", ")} stale: run \`npm run api:report\``);
      return 1;
    }
    io.out(`api:report: ${REPORT_DIR}/*.api.md are up to date`);
    return 0;
  }
  for (const [name, text] of reports) writeFileSync(target(name), text);
  io.out(`api:report: wrote ${[...reports.keys()].map((n) => `${REPORT_DIR}/${n}`).join(", ")}`);
  return 0;
}

const readIfAny = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

/** `api-report ARGV`: prints through `io`, resolves to the exit code (2 for a bad flag, 1 otherwise). */
export async function main(argv: string[], io: ScriptIo = consoleIo): Promise<number> {
  return run(argv, io).catch((error: unknown) => {
    io.err(`api:report: ${error instanceof Error ? error.message : String(error)}`);
    return (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
  });
}

if (isEntry(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
