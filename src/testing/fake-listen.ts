/**
 * The fake on a loopback port, for code that builds its own client from a URL or runs in another
 * process. `node:http` is loaded here, on demand, so that the rest of the fake needs no Node.
 * - "timeout": the request is never answered; the connection stays open until the client gives
 *   up or `close()` ends it.
 * - "reset": the socket is destroyed with a TCP reset (`ECONNRESET` for the client).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Outcome } from "./fake-answers.js";

/** A running fake server. */
export interface FakeServer {
  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  url: string;
  /** Stops listening, ends every open connection and resolves once closed. Safe to call twice. */
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  });
}

function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}

function send(res: ServerResponse, outcome: Outcome): void {
  if (outcome.kind === "reset") reset(res.socket as Socket);
  else if (outcome.kind === "answer") res.writeHead(outcome.status, outcome.headers).end(outcome.body);
}

/** Serves `handle` on a free port of 127.0.0.1. */
export async function listen(handle: (request: Request) => Promise<Outcome>): Promise<FakeServer> {
  const { createServer } = await import("node:http");
  let origin = "";
  const server = createServer((req, res) => {
    toRequest(req, origin)
      .then(handle)
      .then(
        (outcome) => send(res, outcome),
        () => res.writeHead(500, { "content-type": "application/json" }).end('{"detail":"fake failed"}'),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  origin = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { url: origin, close };
}
