/**
 * Four projects, chosen by what a test file needs, so that a run starts only what its files use:
 * - unit: pure modules and the client against in-process servers; no Prism, no child process.
 * - integration: scripts and the built CLI run as child processes, against local servers.
 * - prism: the files that use the shared Prism mock (`inject("prismUrl")`) or start Prism.
 * - types: the type tests (`*.test-d.ts`), checked by tsc; `expectTypeOf` does nothing at run time.
 * Only the prism project has Prism's global setup, so `npx vitest run test/client` never starts it.
 * `npm test` runs all four; most of the time goes to waiting on child processes, so files run on
 * more workers than this 2-core machine has cores.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The build's TypeScript. Not the `tsc` on the PATH: the pack test's older and newer compilers
 * (devDependencies `typescript-5.4`, `typescript-7`) declare the same bin, and npm links
 * whichever it meets first.
 */
const tsc = fileURLToPath(new URL("node_modules/typescript/bin/tsc", import.meta.url));

/** Pure modules, and code run in this process against in-process servers or the fake. */
export const unit = [
  "test/client/**/*.test.ts",
  "test/cli/embedding.test.ts",
  "test/generate/{contract,validate}.test.ts",
  "test/spec/checks.test.ts",
  "test/testing/{fake,fake-contract,fake-outcomes,fake-user,spec-path}.test.ts",
  "test/unit/**/*.test.ts",
];
/** Prism: the shared mock (`inject("prismUrl")`), or Prism started by the code under test. */
const prism = [
  "test/contract/**/*.test.ts",
  "test/testing/mock-server.test.ts",
  "test/drift/**/*.test.ts",
  "test/pack/**/*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 4,
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      { extends: true, test: { name: "integration", include: ["test/**/*.test.ts"], exclude: [...unit, ...prism] } },
      { extends: true, test: { name: "prism", include: prism, globalSetup: ["test/setup/prism.ts"] } },
      // Type tests: tsc checks them (also in `npm run typecheck`); nothing in them runs.
      {
        extends: true,
        test: {
          name: "types",
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            checker: tsc,
            include: ["test/**/*.test-d.ts"],
            tsconfig: "test/types/tsconfig.json",
          },
        },
      },
    ],
  },
});
