/**
 * Generates everything in generated/ from the pinned snapshot in openapi/:
 * - generated/schema.d.ts: path and schema types, by openapi-typescript's own CLI;
 * - generated/contract.ts: the runtime facts the facade needs from the spec (default server,
 *   2xx response schemas), so they cannot drift from the types.
 *
 * `--check` regenerates in memory and exits 1 when a committed file is stale.
 */
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { renderContract } from "./lib/contract.ts";

const HELP = `Usage: tsx scripts/generate.ts [--check] [--input FILE] [--out-dir DIR]

Generates generated/schema.d.ts (openapi-typescript) and generated/contract.ts from the snapshot.

Options:
  --check          Do not write; exit 1 if generated/ differs from a fresh generation
  --input FILE     OpenAPI document (default: openapi/openapi.json)
  --out-dir DIR    Output folder (default: generated)
  -h, --help       Show this help`;

const root = path.resolve(import.meta.dirname, "..");

function fail(message: string): never {
  console.error(`generate: ${message}`);
  process.exit(1);
}

function runOpenapiTypescript(input: string, output: string, check: boolean): void {
  const require = createRequire(import.meta.url);
  const cli = path.join(path.dirname(require.resolve("openapi-typescript/package.json")), "bin/cli.js");
  const args = [cli, input, "--output", output, ...(check ? ["--check"] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  if (result.status === 0) return;
  const detail = `${result.stderr}${result.stdout}`.trim().split("\n").filter(Boolean).at(-1) ?? "";
  if (check) {
    fail(`${path.relative(root, output)} is stale against ${path.relative(root, input)}: run \`npm run generate\``);
  }
  fail(`openapi-typescript failed on ${path.relative(root, input)}: ${detail}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      input: { type: "string", default: "openapi/openapi.json" },
      "out-dir": { type: "string", default: "generated" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const input = path.resolve(root, values.input);
  const outDir = path.resolve(root, values["out-dir"]);
  const contractFile = path.join(outDir, "contract.ts");

  let spec: unknown;
  try {
    spec = JSON.parse(await readFile(input, "utf8"));
  } catch (error) {
    fail(`cannot read ${values.input}: ${(error as Error).message}`);
  }
  runOpenapiTypescript(input, path.join(outDir, "schema.d.ts"), values.check);

  const contract = renderContract(spec, path.basename(input));
  if (values.check) {
    const current = await readFile(contractFile, "utf8").catch(() => "");
    if (current !== contract) {
      fail(`${path.relative(root, contractFile)} is stale against ${values.input}: run \`npm run generate\``);
    }
    console.log("generate: generated/ is up to date");
    return;
  }
  await writeFile(contractFile, contract);
  console.log(`generate: wrote ${path.relative(root, outDir)}/schema.d.ts and contract.ts`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
