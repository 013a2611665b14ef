/**
 * Bundle size: what a browser or edge bundle pays for the facade. Both entries are bundled and
 * minified by esbuild with openapi-fetch inlined; gzip is node:zlib at level 9, as size tools use.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface BundleSize {
  name: string;
  minBytes: number;
  gzipBytes: number;
  /** Minified bytes each input file contributes, largest first. */
  inputs: Record<string, number>;
}

const ROOT = new URL("../../", import.meta.url).pathname;

async function measure(name: string, contents: string, external: string[] = []): Promise<BundleSize> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, sourcefile: "bench-entry.ts", loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    // openapi-fetch declares only an "import" condition and "main"; neutral needs the field named.
    mainFields: ["module", "main"],
    target: "es2022",
    external,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {})
    .map(([file, { bytesInOutput }]) => [file, bytesInOutput] as const)
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    name,
    minBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    inputs: Object.fromEntries(inputs),
  };
}

export interface Bundles {
  /** The facade's ESM entry (src/index.ts, every export kept) with openapi-fetch inlined. */
  facade: BundleSize;
  /** openapi-fetch as the facade uses it: its default export, `createClient`. */
  openapiFetch: BundleSize;
  /** The facade's own code: the same entry with openapi-fetch left out. */
  facadeOwn: BundleSize;
}

export async function measureBundles(): Promise<Bundles> {
  const facadeEntry = `export * from "./src/index.ts";`;
  const [facade, openapiFetch, facadeOwn] = await Promise.all([
    measure("facade + openapi-fetch", facadeEntry),
    measure("openapi-fetch alone", `export { default } from "openapi-fetch";`),
    measure("facade's own code (openapi-fetch external)", facadeEntry, ["openapi-fetch"]),
  ]);
  return { facade, openapiFetch, facadeOwn };
}
