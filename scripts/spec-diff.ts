/** `npm run spec:diff -- OLD NEW`: the change report between two OpenAPI documents. */
import { parseArgs } from "node:util";
import { diffSpecs, formatReport } from "./lib/spec-diff.ts";
import { fetchSpec, parseSpec, SpecError } from "./lib/spec-source.ts";

const HELP = `Usage: npm run spec:diff -- OLD NEW [--fail-on-breaking] [--json]

Prints what changed between two OpenAPI documents (files or URLs), grouped as breaking and
non-breaking for a client of the API.

Options:
  --fail-on-breaking   Exit 1 when any breaking change is found
  --json               Print the report as JSON
  -h, --help           Show this help`;

async function load(from: string): Promise<unknown> {
  return parseSpec(await fetchSpec(from, { timeoutMs: 30_000, maxBytes: 20 * 1024 * 1024 }), from);
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
  if (positionals.length !== 2) throw new Error("expected two documents: OLD NEW");
  const [before, after] = await Promise.all(positionals.map(load));
  const report = diffSpecs(before, after);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return values["fail-on-breaking"] && report.breaking.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`spec:diff: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof SpecError ? 1 : 2;
  },
);
