import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library: ESM and CommonJS, each with its own declarations (.d.ts / .d.cts).
    entry: { index: "src/index.ts", testing: "src/testing/index.ts" },
    format: ["esm", "cjs"],
    target: "node20",
    dts: true,
    // No source maps: the output is not minified, so a stack trace already points at readable
    // code, and maps with the sources embedded would be most of the tarball.
    sourcemap: false,
    // Gives the CommonJS build of the testing entry an import.meta.url to find the shipped spec with.
    shims: true,
    // Keep `node:` in the testing entry's lazy imports: Deno resolves `node:http`, not `http`.
    removeNodeProtocol: false,
  },
  {
    // The CLI: one ESM file with a shebang. It loads the client with `import("./index.js")`; kept
    // external, that resolves to the library's dist/index.js above instead of bundling a second
    // copy of the client (and its error classes) into the CLI.
    entry: { cli: "src/cli.ts" },
    banner: { js: "#!/usr/bin/env node" },
    format: ["esm"],
    target: "node20",
    sourcemap: false,
    external: ["./index.js"],
  },
]);
