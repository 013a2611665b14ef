/**
 * Mutation testing of the core modules against the fast tests (`npm run test:mutation`; not in CI,
 * it takes minutes). Score per file = killed + timed out over mutants some test covers.
 * Run one file while working: `npm run test:mutation -- --mutate src/redact.ts`.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "stryker.vitest.config.ts" },
  mutate: [
    "src/outcome.ts",
    "src/redact.ts",
    "src/retry.ts",
    "src/rate-limit.ts",
    "src/call-facts.ts",
    "src/validate.ts",
    "src/transport.ts",
    // The task polling of finetuned generation, and where the key (and a poll) may go.
    "src/tasks.ts",
    "src/key-scope.ts",
  ],
  coverageAnalysis: "perTest",
  // A mutant of a module-level constant (the never-connected codes, the defaults) runs the whole
  // project each, minutes apiece on 2 shared cores; such constants have tests of their own.
  ignoreStatic: true,
  concurrency: 2,
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  thresholds: { high: 90, low: 80, break: 90 },
  tempDirName: ".stryker-tmp",
};
