/**
 * `bfl-finetune`: delete finetunes from a shell or a CI job.
 * Exit codes: 0 all deleted, 1 at least one failed, 2 usage or configuration error.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CliOptions, HELP, parseCli, UsageError } from "./cli/args.js";
import { collectIds } from "./cli/ids.js";
import { createReporter, type Outcome, type Streams } from "./cli/output.js";
import { forEachLimited } from "./cli/pool.js";
import { VERSION } from "./version.js";

/** What the CLI reads and writes; tests and `npm start` pass their own. */
export interface CliIo extends Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

const defaultIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

/** Asks on the terminal; only loads readline when a question is actually asked. */
async function confirm(io: CliIo, question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Refuses a batch without --yes unless a person at a terminal says yes. */
async function mayDelete(io: CliIo, options: CliOptions, count: number): Promise<boolean> {
  if (count === 1 || options.yes || options.dryRun) return true;
  if (!io.stdin.isTTY || !io.stderr.isTTY) {
    throw new UsageError(`refusing to delete ${count} finetunes without --yes when not run from a terminal`);
  }
  return confirm(io, `Delete ${count} finetunes? This cannot be undone. [y/N] `);
}

async function deleteAll(io: CliIo, options: CliOptions, ids: string[]): Promise<number> {
  // Loaded only here, so `--help` and `--version` start without the client.
  const { BflApiError, createBflClient } = await import("./index.js");
  // The key and URL come from `io.env`, which is process.env except when `run()` is embedded.
  const apiKey = io.env.BFL_API_KEY;
  const baseUrl = options.baseUrl ?? io.env.BFL_BASE_URL;
  const client = createBflClient({
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  const color = io.env.NO_COLOR === undefined || io.env.NO_COLOR === "";
  const reporter = createReporter(io, { json: options.json, total: ids.length, color });
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  let failures = 0;
  try {
    await forEachLimited(ids, options.concurrency, async (id) => {
      if (interrupt.signal.aborted) return;
      let outcome: Outcome;
      try {
        const result = await client.deleteFinetune(id, { signal: interrupt.signal });
        outcome = { id, ok: true, status: 200, result };
      } catch (error) {
        const err = error as Error;
        const status = err instanceof BflApiError ? err.status : null;
        const message = err instanceof BflApiError ? err.message : `${err.name}: ${err.message}`;
        outcome = { id, ok: false, status, error: { name: err.name, message: oneLine(message) } };
      }
      if (!outcome.ok) failures++;
      reporter.report(outcome);
    });
  } finally {
    reporter.finish();
    process.off("SIGINT", onSigint);
  }
  if (interrupt.signal.aborted) return 130;
  return failures > 0 ? 1 : 0;
}

/** Failures print one line each, whatever a server put in its error text. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ").trim();

function dryRun(io: CliIo, options: CliOptions, ids: string[]): number {
  for (const id of ids) {
    io.stdout.write(options.json ? `${JSON.stringify({ id, ok: true, dryRun: true })}\n` : `would delete ${id}\n`);
  }
  return 0;
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function run(argv: string[], io: CliIo = defaultIo): Promise<number> {
  try {
    const options = parseCli(argv);
    if (options.command !== "delete") {
      io.stdout.write(`${options.command === "help" ? HELP : VERSION}\n`);
      return 0;
    }
    const ids = await collectIds(options, io.stdin);
    if (options.dryRun) return dryRun(io, options, ids);
    if (!(await mayDelete(io, options, ids.length))) {
      io.stderr.write("Nothing deleted.\n");
      return 2;
    }
    return await deleteAll(io, options, ids);
  } catch (error) {
    const err = error as Error;
    // Bad flags and bad configuration (no key, insecure URL) are the caller's to fix: exit 2.
    if (err instanceof UsageError || err.name === "BflConfigurationError") {
      io.stderr.write(`bfl-finetune: ${err.message}\n`);
      return 2;
    }
    throw error;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bfl-finetune: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
