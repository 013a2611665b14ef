/**
 * The fake as an independent validator sees it: `listen()` behind Prism's validating proxy
 * (`prism proxy openapi/openapi.json <fake>`, errors off, so each violation comes back in the
 * `sl-violations` header), over every operation of the effective spec the fake serves, every failure the fake
 * makes on its own, and a scenario of every non-2xx status each operation declares. Any response
 * violation fails; request violations are the point of some exchanges and are ignored.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BEHAVIOURS } from "../../src/testing/fake-operations.js";
import { createFakeBfl, type FakeBfl } from "../../src/testing/index.js";
import { type PrismServer, startPrism } from "../../src/testing/prism.js";
import { SAMPLE_ID, type SpecCall, specCalls, urlOf } from "../helpers/spec-calls.js";

const KEY = "fake-conformance-key";
// Every operation the fake serves; test/testing/fake-contract.test.ts fails for one it does not.
const calls = specCalls().filter((call) => BEHAVIOURS[call.path] !== undefined);

interface Exchange {
  name: string;
  call: SpecCall;
  /** The id the call is about (each exchange has its own, so concurrent deletes do not meet). */
  id: string;
  headers?: Record<string, string>;
  /** The body as sent; default the call's JSON body. */
  raw?: string;
  /** Query string to send instead of the call's. */
  search?: string;
  /** The status the fake must answer, when the exchange is about one. */
  status?: number;
  /** Whether the finetune must still exist afterwards. */
  kept?: boolean;
}

/** `value` with every occurrence of the sample id replaced by `id`. */
function withId<T>(value: T, id: string): T {
  return JSON.parse(JSON.stringify(value ?? null).replaceAll(`"${SAMPLE_ID}"`, JSON.stringify(id))) ?? undefined;
}

const takesId = (call: SpecCall) => JSON.stringify([call.query, call.body]).includes(`"${SAMPLE_ID}"`);

/** What the fake does on its own, per operation. */
function ownAnswers(call: SpecCall, n: number): Exchange[] {
  const at = (what: string) => `${call.method} ${call.path}: ${what}`;
  const id = (what: string) => `conf-${n}-${what}`;
  const out: Exchange[] = [
    { name: at("normal"), call, id: id("ok"), status: 200 },
    { name: at("no key"), call, id: id("nokey"), headers: { "x-key": "" }, status: 403, kept: true },
    { name: at("wrong key"), call, id: id("badkey"), headers: { "x-key": "wrong" }, status: 403, kept: true },
  ];
  // An unknown finetune is a 404 where the spec declares one; get_result says a lost task in a 200's status.
  const unknown = call.failures.includes(404) ? 404 : 200;
  if (takesId(call)) out.push({ name: at("unknown id"), call, id: "conf-never-created", status: unknown });
  if (Object.keys(call.query).length > 0) {
    const [name] = Object.keys(call.query);
    const last = id("last");
    out.push(
      { name: at("query missing"), call, id: id("noquery"), search: "", status: 422, kept: true },
      // Starlette reads a repeated single-valued parameter's last value.
      {
        name: at("repeated query"),
        call,
        id: last,
        search: `?${name}=conf-never-created&${name}=${last}`,
        status: 200,
      },
    );
  }
  if (call.body !== undefined) {
    const text = JSON.stringify(withId(call.body, id("text")));
    out.push(
      { name: at("empty object"), call, id: id("empty"), raw: "{}", status: 422, kept: true },
      {
        name: at("text/plain body"),
        call,
        id: id("text"),
        raw: text,
        headers: { "content-type": "text/plain" },
        status: 422,
        kept: true,
      },
    );
  }
  return out;
}

let fake: FakeBfl;
let closeFake: () => Promise<void>;
let prism: PrismServer;

const own = calls.flatMap((call, n) => ownAnswers(call, n));
/** One scenario per declared non-2xx status, targeted at its exchange's id, or at the operation. */
const scenarios = calls.flatMap((call, n) =>
  call.failures.map((status, i) => ({
    name: `${call.method} ${call.path}: scenario ${status}`,
    call,
    id: `conf-${n}-scenario-${i}`,
    status,
    kept: true,
  })),
);

beforeAll(async () => {
  const ids = [...own, ...scenarios].map((e) => e.id).filter((id) => id !== "conf-never-created");
  fake = createFakeBfl({ finetunes: ids, apiKey: KEY });
  const server = await fake.listen();
  closeFake = server.close;
  prism = await startPrism(["proxy", path.resolve("openapi/openapi.json"), server.url, "--errors=false"]);
});

afterAll(async () => {
  await prism?.close();
  await closeFake?.();
});

async function exchange(e: Exchange): Promise<{ status: number; violations: unknown[] }> {
  const { call } = e;
  const body = e.raw ?? (call.body === undefined ? undefined : JSON.stringify(withId(call.body, e.id)));
  const url = urlOf(prism.url, { path: call.path, query: withId(call.query, e.id) });
  const response = await fetch(e.search === undefined ? url : `${url.split("?")[0]}${e.search}`, {
    method: call.method,
    headers: {
      "x-key": KEY,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...e.headers,
    },
    ...(body === undefined ? {} : { body }),
  });
  await response.arrayBuffer();
  const header = response.headers.get("sl-violations");
  const all = header ? (JSON.parse(header) as { location: string[] }[]) : [];
  return { status: response.status, violations: all.filter((v) => v.location[0] === "response") };
}

describe("the fake behind Prism's validating proxy", { timeout: 60_000 }, () => {
  it("covers every operation the fake serves", () => {
    expect(new Set(own.map((e) => `${e.call.method} ${e.call.path}`)).size).toBe(calls.length);
    expect(own.length).toBeGreaterThan(calls.length * 3);
  });

  it("answers each request the fake handles on its own without a response violation", async () => {
    // One batch, concurrent: a single Prism, requests in parallel.
    const results = await Promise.all(own.map(async (e) => ({ e, ...(await exchange(e)) })));
    for (const { e, status, violations } of results) {
      expect(violations, e.name).toEqual([]);
      if (e.status !== undefined) expect(status, e.name).toBe(e.status);
    }
    for (const e of own.filter((x) => x.kept)) expect(fake.finetunes, e.name).toContain(e.id);
    // Every answer is the fake's: Prism forwarded each request, whatever it thought of it.
    expect(fake.requests.map((r) => r.outcome).sort()).toEqual(results.map((r) => r.status).sort());
  });

  it("answers the default body of every declared status on demand without a response violation", async () => {
    // Added now, not before the first batch, which would take the ones aimed at an operation.
    for (const s of scenarios) {
      fake.scenario(takesId(s.call) ? { id: s.id } : { operation: s.call.path }, { status: s.status });
    }
    const results = await Promise.all(scenarios.map(async (e) => ({ e, ...(await exchange(e)) })));
    for (const { e, violations } of results) expect(violations, e.name).toEqual([]);
    // Scenarios aimed at an operation go to its calls in arrival order: compare the statuses as a whole.
    const sorted = (list: { status: number }[]) => list.map((x) => x.status).sort();
    expect(sorted(results)).toEqual(sorted(scenarios));
  });
});
