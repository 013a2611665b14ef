/**
 * The loopback `node:http` server of the bench: `POST /v1/delete_finetune` answered with the
 * spec's 200 example (naming the id sent) after `delayMs`; a `POST /v1/<model>-finetuned` answered
 * with a task whose `GET /v1/get_result` is `Pending` until its `pollsUntilReady`-th poll, then
 * `Ready` (a generate round trip). With `maxInFlight`, a request that
 * arrives while that many are being served gets an immediate 429, with `Retry-After` when given.
 * `forkServer()` runs it in a child process, so that its own work is not billed to the client.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export const DELETE_PATH = "/v1/delete_finetune";
export const RESULT_PATH = "/v1/get_result";

export interface ServerOptions {
  delayMs?: number;
  maxInFlight?: number;
  retryAfter?: string | undefined;
  /** The get_result poll of a task that answers Ready (default 3). */
  pollsUntilReady?: number;
}

/** What the server saw; times are `performance.now()` of this process. */
export interface Counts {
  requests: number;
  rateLimited: number;
  deleted: Set<string>;
  firstArrivalMs: number;
  lastAnswerMs: number;
}

export interface BenchServer {
  url: string;
  counts: Counts;
  close(): Promise<void>;
}

/** The spec's example body of the 200 answer to a delete. */
export function successExample(): Record<string, unknown> {
  const spec = JSON.parse(readFileSync(new URL("../../openapi/openapi.json", import.meta.url), "utf8"));
  const media = spec.paths[DELETE_PATH].post.responses["200"].content["application/json"];
  return media.example ?? (Object.values(media.examples ?? {})[0] as { value: Record<string, unknown> }).value;
}

export async function startServer(options: ServerOptions = {}): Promise<BenchServer> {
  const example = successExample();
  const counts: Counts = { requests: 0, rateLimited: 0, deleted: new Set(), firstArrivalMs: 0, lastAnswerMs: 0 };
  let inFlight = 0;
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    counts.lastAnswerMs = performance.now();
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  };
  const tasks = generation(() => origin, options.pollsUntilReady ?? 3);
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    if (counts.requests++ === 0) counts.firstArrivalMs = performance.now();
    const task = tasks(req);
    if (task) {
      req.resume();
      return req.on("end", () => send(res, 200, task));
    }
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      if (options.maxInFlight !== undefined && inFlight >= options.maxInFlight) {
        counts.rateLimited++;
        const headers: Record<string, string> = options.retryAfter ? { "retry-after": options.retryAfter } : {};
        return send(res, 429, { detail: "Too many active tasks" }, headers);
      }
      inFlight++;
      const id = String(JSON.parse(text || "{}").finetune_id);
      const answer = () => {
        inFlight--;
        counts.deleted.add(id);
        send(res, 200, { ...example, deleted_finetune_id: id });
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  // Idle sockets between rounds stay open, or reconnects would be billed to the next client.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    counts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The answer to a generation call (a submit or a poll), `undefined` for any other request. */
function generation(origin: () => string, pollsUntilReady: number) {
  const polls = new Map<string, number>();
  let next = 0;
  return (req: http.IncomingMessage): Record<string, unknown> | undefined => {
    const url = new URL(req.url ?? "/", origin());
    if (req.method === "POST" && url.pathname.endsWith("-finetuned")) {
      const id = `task-${next++}`;
      polls.set(id, 0);
      return { id, polling_url: `${origin()}${RESULT_PATH}?id=${id}`, cost: 1 };
    }
    if (req.method !== "GET" || url.pathname !== RESULT_PATH) return undefined;
    const id = url.searchParams.get("id") ?? "";
    const count = (polls.get(id) ?? 0) + 1;
    polls.set(id, count);
    if (count < pollsUntilReady) return { id, status: "Pending", result: null, progress: count / pollsUntilReady };
    polls.delete(id);
    return { id, status: "Ready", result: { sample: `${origin()}/results/${id}/sample.jpeg` } };
  };
}

/** The same server in a child process (which gets the other core); its counts stay there. */
export async function forkServer(options: ServerOptions = {}): Promise<Omit<BenchServer, "counts">> {
  const child = fork(fileURLToPath(import.meta.url), ["--child", JSON.stringify(options)], { stdio: "inherit" });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve(String(message)));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    close: () => {
      child.disconnect();
      return exited;
    },
  };
}

if (process.argv[2] === "--child") {
  const server = await startServer(JSON.parse(process.argv[3] ?? "{}"));
  process.send?.(server.url);
  process.once("disconnect", () => process.exit(0));
}
