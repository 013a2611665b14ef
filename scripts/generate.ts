/**
 * `npm run generate`: openapi/ -> the effective spec -> generated/.
 *   1. openapi/<pulled file> (checked against source.json's sha256), cut to the covered operations,
 *      with openapi/overlay.yaml applied -> openapi/openapi.json
 *   2. openapi/openapi.json -> generated/schema.d.ts (openapi-typescript)
 *   3. openapi/openapi.json -> generated/contract.ts (what the facade needs at run time)
 * `--check` builds all three in memory and exits 1, in one line, when any committed one is stale.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { prettyJson } from "./lib/atomic-write.ts";
import { renderContract } from "./lib/contract.ts";
import { consoleIo, isEntry, type ScriptIo } from "./lib/script-io.ts";
import { EFFECTIVE_FILE, effectiveSpecOf } from "./lib/spec-files.ts";

const HELP = `Usage: npm run generate [-- --check] [--openapi-dir DIR] [--out-dir DIR]

Builds openapi/openapi.json (the pulled document cut to the covered operations, overlay applied),
then generated/schema.d.ts (openapi-typescript) and generated/contract.ts from it.

Options:
  --check             Write nothing; exit 1 if any of the three files is stale
  --openapi-dir DIR   Folder with source.json, the pulled document and overlay.yaml (default: openapi)
  --out-dir DIR       Folder for schema.d.ts and contract.ts (default: generated)
  -h, --help          Show this help`;

const root = path.resolve(import.meta.dirname, "..");
const rel = (file: string) => path.relative(root, file) || file;

/** Prints the one-line failure; the exit code is 1. */
function fail(io: ScriptIo, message: string): number {
  io.err(`generate: ${message.split("\n")[0]}`);
  return 1;
}

async function renderAll(openapiDir: string, outDir: string): Promise<Map<string, string>> {
  const spec = await effectiveSpecOf(openapiDir);
  // Loaded here, not at the top: --help and a bad flag answer without its start-up time.
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import("openapi-typescript");
  // defaultNonNullable off: a request field with a server-side default (finetune_strength,
  // aspect_ratio, ...) stays optional for the caller, as the spec's `required` says.
  // biome-ignore lint/suspicious/noExplicitAny: openapi-typescript takes its own OpenAPI3 type
  const types = `${COMMENT_HEADER}${astToString(await openapiTS(spec as any, { defaultNonNullable: false }))}`;
  return new Map([
    [path.join(openapiDir, EFFECTIVE_FILE), prettyJson(spec)],
    [path.join(outDir, "schema.d.ts"), types],
    [path.join(outDir, "contract.ts"), renderContract(spec, `${path.basename(openapiDir)}/${EFFECTIVE_FILE}`)],
  ]);
}

function parseGenerateArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      check: { type: "boolean", default: false },
      "openapi-dir": { type: "string", default: "openapi" },
      "out-dir": { type: "string", default: "generated" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  }).values;
}

async function run(values: ReturnType<typeof parseGenerateArgs>, io: ScriptIo): Promise<number> {
  const openapiDir = path.resolve(values["openapi-dir"]);
  const files = await renderAll(openapiDir, path.resolve(values["out-dir"]));
  if (values.check) {
    const stale: string[] = [];
    for (const [file, text] of files)
      if ((await readFile(file, "utf8").catch(() => "")) !== text) stale.push(rel(file));
    if (stale.length > 0) {
      return fail(
        io,
        `${stale.join(", ")} ${stale.length > 1 ? "are" : "is"} stale against ${rel(openapiDir)}: run \`npm run generate\``,
      );
    }
    io.out("generate: openapi/openapi.json and generated/ are up to date");
    return 0;
  }
  for (const [file, text] of files) await writeFile(file, text);
  io.out(`generate: wrote ${[...files.keys()].map(rel).join(", ")}`);
  return 0;
}

/** `generate ARGV`: prints through `io`, resolves to the exit code (1 on any failure). */
export async function main(argv: string[], io: ScriptIo = consoleIo): Promise<number> {
  let values: ReturnType<typeof parseGenerateArgs>;
  try {
    values = parseGenerateArgs(argv);
  } catch (error) {
    return fail(io, `${(error as Error).message} (see --help)`);
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  return run(values, io).catch((error: unknown) => fail(io, error instanceof Error ? error.message : String(error)));
}

// Run only as a script, not when regen.ts or a test imports this module.
if (isEntry(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
