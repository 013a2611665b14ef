/**
 * `npm run lint:spec [-- FILE]`: Redocly's recommended rules over the effective spec (or FILE),
 * with the @redocly/openapi-core pinned in the lockfile: the same engine `spec:pull` validates
 * with, and nothing fetched beyond `npm ci`.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatFinding, lintDocument } from "./lib/spec-checks.ts";
import { parseSpec, SpecError } from "./lib/spec-source.ts";

const HELP = `Usage: npm run lint:spec [-- FILE]

Lints FILE (default openapi/openapi.json, the effective spec) with Redocly's recommended rules.
Prints every finding; exits 1 when any is an error, 2 on bad usage or an unreadable file.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new Error(`expected at most one FILE, got ${positionals.length}`);
  const file = positionals[0] ?? "openapi/openapi.json";
  const bytes = await readFile(file);
  const findings = await lintDocument(parseSpec({ bytes, sha256: "", contentType: undefined }, file));
  for (const finding of findings) console.log(formatFinding(finding));
  const errors = findings.filter((f) => f.severity === "error").length;
  console.log(`lint:spec: ${file}: ${errors} error(s), ${findings.length - errors} warning(s)`);
  return errors > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`lint:spec: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exitCode = error instanceof SpecError ? 1 : 2;
  },
);
