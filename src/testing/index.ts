/**
 * `bfl-finetune/testing`: test doubles of the BFL Finetune API for your own tests.
 * - {@link createFakeBfl}: an in-process, stateful fake with failures on demand; runs wherever the
 *   client runs (no child process, nothing from `node:` until you call `listen()`).
 * - {@link startMockServer}: Prism serving the exact spec, for spec-level contract tests (Node
 *   and `@stoplight/prism-cli` needed, checked when it is called).
 */
export { specPath } from "../spec-path.js";
export { createFakeBfl, type FakeBfl, type FakeBflOptions, type FakeFinetune } from "./fake.js";
export type { HttpAnswer } from "./fake-answers.js";
export type { FakeFetch } from "./fake-fetch.js";
export type { FakeRequest } from "./fake-handler.js";
export type { FakeServer } from "./fake-listen.js";
export type { Behaviour, ScenarioOptions, ScenarioTarget } from "./fake-scenarios.js";
export type { FakeTask, TaskFate } from "./fake-tasks.js";
export { type MockServerOptions, startMockServer } from "./mock-server.js";
export { type PrismServer, startPrism } from "./prism.js";
