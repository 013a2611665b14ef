/**
 * The client's bundle (the bench's esbuild call on src/index.ts) holds the client's part of
 * generated/contract.ts and none of the fake's: no request schemas, operationIds, error-only
 * components or examples. A reader of the contract that pulls one of those into the client
 * fails here, before the bench's bundle row grows. And `createBflClient`'s bundle stays within a
 * budget relative to ky's (a whole HTTP client), both bundled here by the bench's own function.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { examples, requests, responseSchemas, schemas } from "../../generated/contract.js";
import { bundle, clientVsKy } from "../../scripts/bench/measure.js";

const root = path.resolve(import.meta.dirname, "../..");
let code = "";
/** Whether the bundle holds `text`; a boolean, so a failure names the text, not 27 kB of bundle. */
const holds = (text: string): boolean => code.includes(text);

/** Every string leaf of a JSON value. */
const strings = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : typeof value === "object" && value !== null
      ? Object.values(value).flatMap(strings)
      : [];

/** Whether the bundle defines component `name` (a key of a schema map) or refers to it (`$ref`). */
function holdsComponent(name: string): boolean {
  const key = JSON.stringify(name);
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const defined = new RegExp(`(^|[^\\w$])(${escaped(name)}|${escaped(key)}):\\{`);
  return defined.test(code) || holds(`#/components/schemas/${name}"`);
}

beforeAll(async () => {
  code = new TextDecoder().decode(await bundle(`export * from "./src/index.ts";`, root));
});

describe("the client's bundle", () => {
  it("holds the 2xx response schemas it validates with", () => {
    for (const name of Object.keys(responseSchemas)) expect(holdsComponent(name), name).toBe(true);
  });

  it("leaves out the components only requests and error responses use", () => {
    const fakeOnly = Object.keys(schemas).filter((name) => !Object.hasOwn(responseSchemas, name));
    expect(fakeOnly.length).toBeGreaterThan(0);
    for (const name of fakeOnly) expect(holdsComponent(name), name).toBe(false);
  });

  it("leaves out the operationIds and the examples", () => {
    const ids = Object.values(requests).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    // Long example strings only: a short one ("body", "missing") may be a word of the client's own.
    const exampleText = strings(examples).filter((text) => text.length >= 12);
    expect(ids.length).toBeGreaterThan(0);
    expect(exampleText.length).toBeGreaterThan(0);
    for (const text of [...ids, ...exampleText]) expect(holds(text), text).toBe(false);
  });
});

/**
 * A ratchet, as ratios to ky's bundle on the same command: the goal (issue #20) is at most 1×,
 * which the generation work put out of reach without dropping features (see the README's
 * Performance section); until then, the main entry must not grow past where it stands.
 * Lower these as the bundle shrinks; never raise them without saying why in the commit.
 */
const BUDGET_VS_KY = { min: 1.35, gzip: 1.4 };

describe("createBflClient's bundle", () => {
  it("stays within its budget as a ratio to ky's, minified and gzipped", async () => {
    const { client, ky } = await clientVsKy(root);
    expect(ky.min).toBeGreaterThan(0);
    expect(client.min / ky.min, "minified ratio").toBeLessThanOrEqual(BUDGET_VS_KY.min);
    expect(client.gzip / ky.gzip, "gzip ratio").toBeLessThanOrEqual(BUDGET_VS_KY.gzip);
  });
});
