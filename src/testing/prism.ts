/**
 * Runs Prism as a child process of this Node on 127.0.0.1, for mock and proxy modes alike, and
 * makes sure it never outlives the process that started it. Node's modules are loaded on demand,
 * so that importing `bfl-finetune/testing` stays free of them.
 */
import type { ChildProcess } from "node:child_process";
import { prismEntry } from "./prism-entry.js";

/** A running Prism process. */
export interface PrismServer {
  /** Base URL to pass as `baseUrl`, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** Prism's process id. */
  pid: number;
  /** Stops Prism and resolves once its process has exited. Safe to call twice. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const LISTENING = /Prism is listening on (http:\/\/\S+)/;

/**
 * Preloaded into Prism: its stdin is a pipe from this process, which the kernel closes when this
 * process ends in any way, `kill -9` included. End of input therefore means "the parent is gone".
 */
const WATCHDOG = `data:text/javascript,${encodeURIComponent(
  'process.stdin.on("end", () => process.exit(0)).on("error", () => process.exit(0)).resume();',
)}`;

/** Ends `child` when this process ends: on exit, and on SIGINT/SIGTERM before re-raising them. */
function tieToProcess(child: ChildProcess): () => void {
  const onExit = () => child.kill("SIGKILL");
  const onSignal = (signal: NodeJS.Signals) => {
    child.kill("SIGKILL");
    untie();
    // Nobody else handles the signal: keep its default meaning and end this process too.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const untie = () => {
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  process.once("exit", onExit);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return untie;
}

/** Why Prism did not start, in one line when the reason is known. */
function startFailure(reason: string, output: string, port: number): string {
  if (/EADDRINUSE/.test(output)) return `Prism did not start: port ${port} on ${HOST} is already in use (EADDRINUSE)`;
  return `Prism did not start: ${reason}\n${output.slice(-2000)}`;
}

/**
 * Starts `prism <args>` with this Node (never through npx or a shell, so that killing it kills
 * Prism) on 127.0.0.1 and resolves once it listens, e.g.
 * `startPrism(["proxy", specPath, "https://api.us1.bfl.ai"])`.
 *
 * @param args - Prism's command and its arguments; host, port, log level and a single process are added.
 * @param options - `port` (default 0, a free one) and `startTimeoutMs` (default 30000).
 * @throws {Error} when Prism is not installed or cannot run on this Node (see prism-entry.ts).
 */
export async function startPrism(
  args: string[],
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<PrismServer> {
  const entry = await prismEntry();
  const { spawn } = await import("node:child_process");
  const port = options.port ?? 0;
  // Prism forks a worker when NODE_ENV=production, and a worker outlives a killed parent: one process only.
  const flags = ["-h", HOST, "-p", String(port), "-v", "info", "--multiprocess=false"];
  const child = spawn(process.execPath, ["--import", WATCHDOG, entry, ...args, ...flags], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  // The pipe is only there to be closed by the kernel; nothing is ever written to it.
  child.stdin?.on("error", () => {});
  const untie = tieToProcess(child);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    // A process that never spawned emits "error" and no "exit".
    child.once("error", () => resolve());
  });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
    untie();
  };
  return waitUntilListening(child, close, port, options.startTimeoutMs ?? 30_000);
}

function waitUntilListening(
  child: ChildProcess,
  close: () => Promise<void>,
  port: number,
  startTimeoutMs: number,
): Promise<PrismServer> {
  let output = "";
  let started = false;
  return new Promise<PrismServer>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      void close();
      reject(new Error(startFailure(reason, output, port)));
    };
    const timer = setTimeout(() => fail(`not listening after ${startTimeoutMs} ms`), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      started = true;
      // From here on the output (a few lines per request) is read and dropped, not kept.
      child.stdout?.off("data", onData);
      child.stdout?.resume();
      output = "";
      resolve({ url: match[1], pid: child.pid as number, close });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      if (!started) output += chunk.toString();
    });
    child.once("error", (error) => fail(error.message));
    child.once("exit", (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
  });
}
