/**
 * Per-call overhead: the same delete sent by raw `fetch`, `undici.request`, openapi-fetch used
 * directly and the facade (imported from src/ through tsx, the code the tests run), against the
 * loopback server. Rounds are interleaved (every client runs once per repeat, the order rotating)
 * so that a noisy neighbour slows all of them alike; ratios are taken within a repeat.
 */
import { isDeepStrictEqual } from "node:util";
import createClient from "openapi-fetch";
import { createBflClient } from "../../src/index.js";
import type { paths } from "../../src/types.js";
import { DELETE_PATH } from "./server.js";
import { median, percentile } from "./stats.js";

const API_KEY = "bench-key";
const FINETUNE_ID = "my-finetune";
const BODY = JSON.stringify({ finetune_id: FINETUNE_ID });
const JSON_HEADERS = { "content-type": "application/json", "x-key": API_KEY };
/** Bounds a round whatever its duration, so a broken timer cannot make it run away. */
const MAX_OPS_PER_ROUND = 500_000;

type Call = () => Promise<unknown>;

/** One way of sending the delete; `open` builds its client against the server. */
export interface Contender {
  name: string;
  open(url: string): Promise<{ call: Call; close(): Promise<void> }>;
}

export const FETCH = "fetch";
export const OPENAPI_FETCH = "openapi-fetch";
export const FACADE_VALIDATING = "facade (validation on)";

const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

/**
 * Importing the undici package installs its own Agent as the dispatcher of Node's built-in
 * `fetch`, unless `fetch` has already run once. Run it first, so that fetch, openapi-fetch and
 * the facade keep the dispatcher users get, and check that they did.
 */
async function importUndici(): Promise<typeof import("undici")> {
  await (await fetch("data:,")).arrayBuffer();
  const undici = await import("undici");
  if ((globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] instanceof undici.Agent) {
    throw new Error("the undici package took over the global fetch dispatcher");
  }
  return undici;
}

export const contenders: readonly Contender[] = [
  {
    name: FETCH,
    open: async (url) => ({
      call: async () => {
        const response = await fetch(`${url}${DELETE_PATH}`, { method: "POST", headers: JSON_HEADERS, body: BODY });
        if (!response.ok) throw new Error(`fetch: HTTP ${response.status}`);
        return response.json();
      },
      close: async () => {},
    }),
  },
  {
    name: "undici.request",
    open: async (url) => {
      const { Agent, request } = await importUndici();
      const agent = new Agent({ keepAliveTimeout: 120_000 });
      return {
        call: async () => {
          const { statusCode, body } = await request(`${url}${DELETE_PATH}`, {
            method: "POST",
            headers: JSON_HEADERS,
            body: BODY,
            dispatcher: agent,
          });
          if (statusCode !== 200) throw new Error(`undici.request: HTTP ${statusCode}`);
          return body.json();
        },
        close: () => agent.close(),
      };
    },
  },
  {
    name: OPENAPI_FETCH,
    open: async (url) => {
      const client = createClient<paths>({ baseUrl: url, headers: { "x-key": API_KEY } });
      return {
        call: async () => {
          const { data, error } = await client.POST(DELETE_PATH, { body: { finetune_id: FINETUNE_ID } });
          if (error !== undefined) throw new Error(`openapi-fetch: ${JSON.stringify(error)}`);
          return data;
        },
        close: async () => {},
      };
    },
  },
  ...[true, false].map(
    (validateResponses): Contender => ({
      name: validateResponses ? FACADE_VALIDATING : "facade (validation off)",
      open: async (url) => {
        const client = createBflClient({ apiKey: API_KEY, baseUrl: url, validateResponses });
        return { call: () => client.deleteFinetune(FINETUNE_ID), close: async () => {} };
      },
    }),
  ),
];

interface Round {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's CPU time (user + system) per call: the client's own cost, whatever the load. */
  cpuUsPerOp: number;
}

/** Runs `call` from `inFlight` workers until `durationMs` has passed, timing every call. */
async function runRound(call: Call, inFlight: number, durationMs: number): Promise<Round> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && latencies.length < MAX_OPS_PER_ROUND) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return {
    opsPerSec: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuUsPerOp: (user + system) / latencies.length,
  };
}

/** The medians of one client at one concurrency level, and its ratios to the two references. */
export interface OverheadResult {
  client: string;
  inFlight: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerOp: number;
  /** Median over repeats of (this client's ops/s ÷ openapi-fetch's ops/s in the same repeat). */
  vsOpenapiFetch: number;
  /** The same against raw `fetch`. */
  vsFetch: number;
  /** Median over repeats of (openapi-fetch's CPU per call ÷ this client's): like ops/s, higher is better. */
  cpuVsOpenapiFetch: number;
  rounds: Round[];
}

export interface OverheadOptions {
  url: string;
  inFlight: readonly number[];
  repeats: number;
  roundMs: number;
  /** The body every client must return: the spec's 200 example. */
  expected: unknown;
}

async function checkAnswers(opened: Map<string, { call: Call }>, expected: unknown): Promise<void> {
  for (const [name, { call }] of opened) {
    const answer = await call();
    if (!isDeepStrictEqual(answer, expected)) {
      throw new Error(`${name} returned ${JSON.stringify(answer)}, not the spec's example`);
    }
  }
}

function summarise(name: string, inFlight: number, rounds: Map<string, Round[]>): OverheadResult {
  const own = rounds.get(name) ?? [];
  const ratioTo = (reference: string) =>
    median(own.map((round, i) => round.opsPerSec / (rounds.get(reference)?.[i]?.opsPerSec ?? Number.NaN)));
  const cpuRatio = median(
    own.map((round, i) => (rounds.get(OPENAPI_FETCH)?.[i]?.cpuUsPerOp ?? Number.NaN) / round.cpuUsPerOp),
  );
  return {
    client: name,
    inFlight,
    opsPerSec: median(own.map((r) => r.opsPerSec)),
    p50Ms: median(own.map((r) => r.p50Ms)),
    p99Ms: median(own.map((r) => r.p99Ms)),
    cpuUsPerOp: median(own.map((r) => r.cpuUsPerOp)),
    vsOpenapiFetch: ratioTo(OPENAPI_FETCH),
    vsFetch: ratioTo(FETCH),
    cpuVsOpenapiFetch: cpuRatio,
    rounds: own,
  };
}

/** Measures every contender at every concurrency level: a warm-up round each, then the repeats. */
export async function measureOverhead(options: OverheadOptions): Promise<OverheadResult[]> {
  const opened = new Map<string, Awaited<ReturnType<Contender["open"]>>>();
  for (const c of contenders) opened.set(c.name, await c.open(options.url));
  const results: OverheadResult[] = [];
  try {
    await checkAnswers(opened, options.expected);
    for (const inFlight of options.inFlight) {
      const rounds = new Map<string, Round[]>(contenders.map((c) => [c.name, []]));
      // Long enough for the JIT to settle: without it the first repeat costs up to twice as much CPU.
      for (const { call } of opened.values()) await runRound(call, inFlight, Math.max(2 * options.roundMs, 500));
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const order = contenders.map((_, i) => contenders[(i + repeat) % contenders.length] as Contender);
        for (const { name } of order) {
          rounds.get(name)?.push(await runRound((opened.get(name) as { call: Call }).call, inFlight, options.roundMs));
        }
      }
      for (const { name } of contenders) results.push(summarise(name, inFlight, rounds));
    }
  } finally {
    await Promise.all([...opened.values()].map((o) => o.close()));
  }
  return results;
}
