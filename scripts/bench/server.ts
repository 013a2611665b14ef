/**
 * The loopback server every client is measured against: node:http with keep-alive, answering
 * `POST /v1/delete_finetune` with the spec's own 200 example after an optional delay.
 *
 * It runs in a child process: a server sharing the client's event loop would bill its own
 * parsing and serialising to whichever client is being measured, and on a 2-core machine the
 * child gets the other core. The parent talks to it over the fork IPC channel.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";

export const DELETE_PATH = "/v1/delete_finetune";
const CHILD_FLAG = "--bench-server-child";
const SPEC = fileURLToPath(new URL("../../openapi/openapi.json", import.meta.url));

/** What the server saw since the last reset. Times are the child's `performance.now()` ms. */
export interface ServerStats {
  requests: number;
  maxInFlight: number;
  /** When the first request of the window arrived, or `null` without requests. */
  firstArrivalMs: number | null;
  /** When the last response of the window was finished, or `null` without requests. */
  lastFinishMs: number | null;
}

type ToChild = { type: "reset" } | { type: "stats" };
type FromChild = { type: "listening"; port: number } | { type: "stats"; stats: ServerStats };

/** The spec's example body of the 200 answer of `POST /v1/delete_finetune`, read from the snapshot. */
export function successExample(specPath = SPEC): unknown {
  const spec = JSON.parse(readFileSync(specPath, "utf8"));
  const media = spec.paths?.[DELETE_PATH]?.post?.responses?.["200"]?.content?.["application/json"];
  if (media?.example !== undefined) return media.example;
  const first = Object.values(media?.examples ?? {})[0] as { value?: unknown } | undefined;
  if (first?.value === undefined) throw new Error(`${specPath} has no 200 example for POST ${DELETE_PATH}`);
  return first.value;
}

function serve(delayMs: number): void {
  const body = Buffer.from(JSON.stringify(successExample()));
  const headers = { "content-type": "application/json", "content-length": String(body.length) };
  let stats: ServerStats = { requests: 0, maxInFlight: 0, firstArrivalMs: null, lastFinishMs: null };
  let inFlight = 0;

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const arrived = performance.now();
    stats.firstArrivalMs ??= arrived;
    stats.requests++;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
    const answer = () => {
      inFlight--;
      stats.lastFinishMs = performance.now();
      if (req.method === "POST" && req.url === DELETE_PATH) res.writeHead(200, headers).end(body);
      else res.writeHead(404, { "content-length": "0" }).end();
    };
    req.resume();
    req.once("end", () => (delayMs > 0 ? setTimeout(answer, delayMs) : answer()));
  });
  // Idle sockets between rounds must stay open, or reconnects would be billed to the next client.
  server.keepAliveTimeout = 120_000;

  process.on("message", (message: ToChild) => {
    if (message.type === "reset") stats = { requests: 0, maxInFlight: 0, firstArrivalMs: null, lastFinishMs: null };
    if (message.type === "stats") process.send?.({ type: "stats", stats } satisfies FromChild);
  });
  // The parent is gone (finished or killed): nothing left to serve.
  process.once("disconnect", () => process.exit(0));
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    process.send?.({ type: "listening", port } satisfies FromChild);
  });
}

/** A running server child process. */
export interface BenchServer {
  url: string;
  /** Forgets what was counted so far. */
  reset(): void;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

function nextMessage<T extends FromChild["type"]>(child: ChildProcess, type: T): Promise<FromChild & { type: T }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as FromChild & { type: T });
    };
    const onExit = (code: number | null) => reject(new Error(`bench server exited (code ${code})`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Forks the server with `delayMs` added before each answer and resolves once it listens. */
export async function startBenchServer(delayMs = 0): Promise<BenchServer> {
  // Keep the loader flags (tsx) but not profiling ones: only the client side is profiled.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--cpu-prof"));
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, String(delayMs)], { execArgv, stdio: "inherit" });
  const { port } = await nextMessage(child, "listening");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    reset: () => child.send({ type: "reset" } satisfies ToChild),
    async stats() {
      const reply = nextMessage(child, "stats");
      child.send({ type: "stats" } satisfies ToChild);
      return (await reply).stats;
    },
    async close() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

if (process.argv[2] === CHILD_FLAG) serve(Number(process.argv[3] ?? 0));
