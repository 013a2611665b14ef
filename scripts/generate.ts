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

function fail(message: string): never {
  console.error(`generate: ${message.split("\n")[0]}`);
  process.exit(1);
}

async function renderAll(openapiDir: string, outDir: string): Promise<Map<string, string>> {
  const spec = await effectiveSpecOf(openapiDir);
  // Loaded here, not at the top: --help and a bad flag answer without its start-up time.
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import("openapi-typescript");
  // biome-ignore lint/suspicious/noExplicitAny: openapi-typescript takes its own OpenAPI3 type
  const types = `${COMMENT_HEADER}${astToString(await openapiTS(spec as any))}`;
  return new Map([
    [path.join(openapiDir, EFFECTIVE_FILE), prettyJson(spec)],
    [path.join(outDir, "schema.d.ts"), types],
    [path.join(outDir, "contract.ts"), renderContract(spec, `${path.basename(openapiDir)}/${EFFECTIVE_FILE}`)],
  ]);
}

async function main(): Promise<void> {
  let values: { check: boolean; "openapi-dir": string; "out-dir": string; help: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        check: { type: "boolean", default: false },
        "openapi-dir": { type: "string", default: "openapi" },
        "out-dir": { type: "string", default: "generated" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message} (see --help)`);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const openapiDir = path.resolve(values["openapi-dir"]);
  const files = await renderAll(openapiDir, path.resolve(values["out-dir"]));
  if (values.check) {
    const stale: string[] = [];
    for (const [file, text] of files)
      if ((await readFile(file, "utf8").catch(() => "")) !== text) stale.push(rel(file));
    if (stale.length > 0) {
      fail(
        `${stale.join(", ")} ${stale.length > 1 ? "are" : "is"} stale against ${rel(openapiDir)}: run \`npm run generate\``,
      );
    }
    console.log("generate: openapi/openapi.json and generated/ are up to date");
    return;
  }
  for (const [file, text] of files) await writeFile(file, text);
  console.log(`generate: wrote ${[...files.keys()].map(rel).join(", ")}`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
