/**
 * A real HTTP server on loopback whose answers each test scripts, for faults Prism cannot
 * produce: resets, hangs, stalled bodies, HTML error pages, arbitrary statuses and headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll } from "vitest";

/** What the server saw of one request. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Answers one request; `n` counts requests since the last `reply()`, from 1. */
export type Handler = (res: ServerResponse, n: number, req: RecordedRequest) => void;

export interface FaultServer {
  url: string;
  /** Requests received since the last `reply()`. */
  requests: RecordedRequest[];
  /** Sets how the next requests are answered and forgets earlier ones. */
  reply(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  let handler: Handler = (res) => json(200, {})(res);
  let requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      handler(res, requests.length, recorded);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    reply(next) {
      handler = next;
      requests = [];
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The spec's 200 body for `id`. */
export function okBody(id = "my-finetune"): Record<string, string> {
  return {
    status: "success",
    message: `Finetune ${id} deleted`,
    deleted_finetune_id: id,
    timestamp: "2026-11-29T12:00:00Z",
  };
}

/** Answers `status` with a JSON body. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): (res: ServerResponse) => void {
  return text(status, JSON.stringify(body), { "content-type": "application/json", ...headers });
}

/** Answers `status` with a raw body. */
export function text(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(status, { "content-length": Buffer.byteLength(body), ...headers });
    res.end(body);
  };
}

/** Closes the connection before any header is sent. */
export function reset(res: ServerResponse): void {
  res.socket?.destroy();
}

/** Never answers (the test's timeout or abort ends the request). */
export function hang(_res: ServerResponse): void {}

/** Sends headers and half a body, then nothing more. */
export function stallBody(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
  res.write('{"status":"succ');
}

/** One fault server for the whole test file: started before its tests, closed after them. */
export function useFaultServer(): FaultServer {
  let server: FaultServer | undefined;
  beforeAll(async () => {
    server = await startFaultServer();
  });
  afterAll(() => server?.close());
  const started = (): FaultServer => {
    if (!server) throw new Error("the fault server starts in beforeAll: use it inside tests");
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get requests() {
      return started().requests;
    },
    reply: (handler) => started().reply(handler),
    close: () => started().close(),
  };
}
