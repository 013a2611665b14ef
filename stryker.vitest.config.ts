/**
 * The vitest config Stryker runs (stryker.config.mjs): the `unit` project of vitest.config.ts
 * alone, with its shared settings. Stryker's vitest runner has no project option, and the other
 * projects start child processes and Prism, too slow to run once per mutant.
 */
import { defineConfig } from "vitest/config";
import base, { unit } from "./vitest.config.js";

const { projects: _all, ...shared } = base.test ?? {};

export default defineConfig({ test: { ...shared, include: unit } });
