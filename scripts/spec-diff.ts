/** `npm run spec:diff -- OLD NEW`: the change report between two OpenAPI documents. */
import { parseArgs } from "node:util";
import { consoleIo, isEntry, type ScriptIo } from "./lib/script-io.ts";
import { assertOpenApi3 } from "./lib/spec-checks.ts";
import { diffSpecs, formatReport } from "./lib/spec-diff.ts";
import { loadSpec, SpecError } from "./lib/spec-source.ts";

const HELP = `Usage: npm run spec:diff -- OLD NEW [--fail-on-breaking] [--json]

Prints what changed between two OpenAPI 3.x documents (files or URLs, JSON or YAML), grouped as
breaking and non-breaking for a client of the API.

Options:
  --fail-on-breaking   Exit 1 when any breaking change is found
  --json               Print the report as JSON ({ breaking, nonBreaking, other })
  -h, --help           Show this help

Exit codes: 0 reported, 1 breaking change with --fail-on-breaking or unreadable document, 2 bad usage.`;

async function load(from: string): Promise<unknown> {
  const doc = await loadSpec(from);
  assertOpenApi3(doc, from);
  return doc;
}

async function diff(argv: string[], io: ScriptIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "fail-on-breaking": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new Error(`expected two documents, OLD and NEW; got ${positionals.length}`);
  const [before, after] = await Promise.all(positionals.map(load));
  const report = diffSpecs(before, after);
  io.out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  if (values["fail-on-breaking"] && report.breaking.length > 0) {
    io.err(`spec:diff: ${report.breaking.length} breaking change(s) (--fail-on-breaking)`);
    return 1;
  }
  return 0;
}

/** `spec:diff ARGV`: prints through `io`, resolves to the exit code. */
export function main(argv: string[], io: ScriptIo = consoleIo): Promise<number> {
  return diff(argv, io).catch((error: unknown) => {
    io.err(`spec:diff: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return error instanceof SpecError ? 1 : 2;
  });
}

if (isEntry(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
