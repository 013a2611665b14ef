/**
 * Starts one Prism mock of openapi/openapi.json for the whole run (it takes about 2 s) through
 * the same helper users get from `bfl-finetune/testing`, and hands its URL to the tests.
 */
import type { TestProject } from "vitest/node";
import { startMockServer } from "../../src/testing/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prism = await startMockServer();
  project.provide("prismUrl", prism.url);
  return () => prism.close();
}
