/** `npm run spec:diff -- OLD NEW`: the change report between two OpenAPI documents. */
import { parseArgs } from "node:util";
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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      "fail-on-breaking": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new Error(`expected two documents, OLD and NEW; got ${positionals.length}`);
  const [before, after] = await Promise.all(positionals.map(load));
  const report = diffSpecs(before, after);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  if (values["fail-on-breaking"] && report.breaking.length > 0) {
    console.error(`spec:diff: ${report.breaking.length} breaking change(s) (--fail-on-breaking)`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`spec:diff: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exitCode = error instanceof SpecError ? 1 : 2;
  },
);
