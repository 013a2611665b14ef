/**
 * `bfl-finetune/testing`: start a Prism mock of the exact spec this client was generated from,
 * for contract tests of code that calls `deleteFinetune`. Needs `@stoplight/prism-cli` installed
 * (an optional peer dependency): importing this module without it fails with a clear message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The OpenAPI snapshot shipped with the package, the one the client was generated from. */
export const specPath: string = fileURLToPath(new URL("../openapi/openapi.json", import.meta.url));

const PRISM_VERSION = "5.14.2";
const INSTALL = `npm install --save-dev @stoplight/prism-cli@${PRISM_VERSION}`;

interface PrismPackage {
  version?: string;
  engines?: { node?: string };
}

/** `>=A.B.C` ranges only, the form Prism uses; anything else is left to npm's own engine check. */
function nodeSatisfies(range: string | undefined): boolean {
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range?.trim() ?? "");
  if (!min) return true;
  const have = process.versions.node.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (have[i] ?? 0) - Number(min[i + 1]);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

function prismEntry(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve("@stoplight/prism-cli/package.json");
  } catch {
    throw new Error(`bfl-finetune/testing needs Prism: run \`${INSTALL}\``);
  }
  // Prism 5.15+ needs Node 24; on older Nodes it would fail later with an unrelated-looking error.
  const pkg = require(manifest) as PrismPackage;
  if (!nodeSatisfies(pkg.engines?.node)) {
    throw new Error(
      `bfl-finetune/testing: @stoplight/prism-cli ${pkg.version} needs Node ${pkg.engines?.node} (this is ${process.versions.node}): run \`${INSTALL}\``,
    );
  }
  return path.join(path.dirname(manifest), "dist/index.js");
}

const PRISM_ENTRY = prismEntry();

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /** Port to listen on; default 0, a free one. */
  port?: number;
  /** Generate bodies from the schemas instead of answering the spec's examples (default `false`). */
  dynamic?: boolean;
  /**
   * Answer with a 500 `application/problem+json` when a mocked response breaks the spec (e.g. an
   * example that does not match its schema) instead of sending it with an `sl-violations` header
   * (default `false`). Invalid requests get the spec's 422 or Prism's 401 either way.
   */
  errors?: boolean;
  /** OpenAPI document to serve; default the shipped snapshot. */
  spec?: string;
  /** How long to wait for Prism to listen (default 30000 ms). */
  startTimeoutMs?: number;
}

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

/**
 * Starts `prism <args>` with this Node (never through npx or a shell, so that killing it kills
 * Prism) on 127.0.0.1 and resolves once it listens. Used for mock and proxy modes alike, e.g.
 * `startPrism(["proxy", specPath, "https://api.us1.bfl.ai"])`.
 *
 * @param args - Prism's command and its arguments; host, port, log level and a single process are added.
 * @param options - `port` (default 0, a free one) and `startTimeoutMs` (default 30000).
 */
export function startPrism(
  args: string[],
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<PrismServer> {
  // Prism forks a worker when NODE_ENV=production, and a worker outlives a killed parent: one process only.
  const flags = ["-h", HOST, "-p", String(options.port ?? 0), "-v", "info", "--multiprocess=false"];
  const child = spawn(process.execPath, [PRISM_ENTRY, ...args, ...flags], { stdio: ["ignore", "pipe", "pipe"] });
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
  let output = "";
  let started = false;
  return new Promise<PrismServer>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      void close();
      reject(new Error(`Prism did not start: ${reason}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(
      () => fail(`not listening after ${options.startTimeoutMs ?? 30_000} ms`),
      options.startTimeoutMs ?? 30_000,
    );
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

/**
 * Starts a Prism mock of the shipped spec on a loopback port.
 *
 * ```ts
 * const mock = await startMockServer();
 * const bfl = createBflClient({ apiKey: "test", baseUrl: mock.url });
 * await bfl.deleteFinetune("my-finetune");
 * await mock.close();
 * ```
 */
export function startMockServer(options: MockServerOptions = {}): Promise<PrismServer> {
  const args = ["mock", options.spec ?? specPath];
  if (options.dynamic) args.push("--dynamic");
  if (options.errors) args.push("--errors");
  return startPrism(args, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
}
