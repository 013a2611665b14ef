/**
 * `bfl-finetune delete`: every id given ends in exactly one outcome (src/outcome.ts), printed as it
 * settles. Ctrl+C stops new deletes, aborts those in flight (unknown) and reports every id not
 * started as not-attempted; a closed stdout stops new deletes and lets those in flight finish.
 */
import type { DeleteOptions } from "./args.js";
import { type IdSources, openIdFile, readIds } from "./ids.js";
import { type CliIo, useColour } from "./io.js";
import { type CliClient, createCliClient, keyIn, type Lib } from "./library.js";
import { createReporter, lineWriter, redacted } from "./output.js";
import { runPool } from "./pool.js";
import { UsageError } from "./usage-error.js";

/** The first `n` items of `source` (fewer when it ends first). */
async function take<T>(source: AsyncIterator<T>, n: number): Promise<T[]> {
  const items: T[] = [];
  while (items.length < n) {
    const next = await source.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

/** `first`, then the rest of `source`; `exhausted()` tells whether it was read to the end. */
function chain<T>(first: T[], source: AsyncIterator<T>) {
  let exhausted = false;
  async function* all(): AsyncGenerator<T> {
    yield* first;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
    exhausted = true;
  }
  return { iterator: all(), exhausted: () => exhausted };
}

type Answer = "yes" | "no" | "interrupted";

/** Asks on the terminal; only loads readline when a question is actually asked. */
async function confirm(io: CliIo, question: string): Promise<Answer> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  let interrupted = false;
  const ctrlC = new AbortController();
  rl.once("SIGINT", () => {
    interrupted = true;
    ctrlC.abort();
  });
  try {
    return /^y(es)?$/i.test((await rl.question(question, { signal: ctrlC.signal })).trim()) ? "yes" : "no";
  } catch (error) {
    // Ctrl+C or end of input (Ctrl+D) at the prompt: readline closes and rejects the question.
    if ((error as Error)?.name === "AbortError") return interrupted ? "interrupted" : "no";
    throw error;
  } finally {
    rl.close();
  }
}

async function count(source: AsyncIterator<unknown>): Promise<number> {
  let n = 0;
  while (!(await source.next()).done) n++;
  return n;
}

/** The ids to delete, after the confirmation a batch needs; else the answer that was not yes. */
async function confirmedIds(io: CliIo, options: DeleteOptions, source: AsyncIterator<string>) {
  const first = await take(source, 2);
  if (first.length === 0) throw new UsageError("no ids to delete: the input held only blank lines and comments");
  const argsOnly = options.fromFile === undefined && !options.readStdin;
  const total = argsOnly ? new Set(options.ids).size : undefined;
  if (first.length === 1 || options.yes || options.dryRun) return { ...chain(first, source), total };
  if (!io.stdin.isTTY || !io.stderr.isTTY) {
    const n = first.length + (await count(source));
    throw new UsageError(`refusing to delete ${n} finetunes without --yes when not run from a terminal`);
  }
  // Someone is at the terminal: the list is theirs to read and count before they answer.
  const all = [...first, ...(await take(source, Number.POSITIVE_INFINITY))];
  const answer = await confirm(io, `Delete ${all.length} finetunes? This cannot be undone. [y/N] `);
  if (answer !== "yes") return answer;
  return { ...chain(all, source), total: all.length };
}

async function dryRun(io: CliIo, options: DeleteOptions, ids: AsyncIterable<string>): Promise<number> {
  const out = lineWriter(io.stdout);
  const key = keyIn(io.env);
  for await (const id of ids) {
    await out.ready();
    if (out.closed) break;
    const shown = redacted(id, key);
    out.write(options.json ? `${JSON.stringify({ id: shown, ok: true, dryRun: true })}\n` : `would delete ${shown}\n`);
  }
  return 0;
}

async function sources(io: CliIo, options: DeleteOptions): Promise<IdSources> {
  const file = options.fromFile === undefined ? undefined : await openIdFile(options.fromFile);
  return {
    ids: options.ids,
    file: file && options.fromFile !== undefined ? { name: options.fromFile, stream: file } : undefined,
    stdin: options.readStdin ? io.stdin : undefined,
  };
}

/** Exit codes after a signal, as a shell reports a process it ended: 128 + the signal's number. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

/**
 * Ctrl+C (or SIGTERM: `timeout`, `docker stop`, a cancelled CI job) marks the batch interrupted
 * and aborts every delete in flight, so the report is still printed. Each delete gets its own
 * controller rather than all sharing one signal, so no listeners pile up at high concurrency.
 * Once only: a second signal gets Node's default and ends the process at once, except while
 * the rest of the input is read to list it (see {@link whileReadingRest}).
 */
function watchCtrlC() {
  let signal: StopSignal | undefined;
  const inFlight = new Set<AbortController>();
  const onSignal = (name: StopSignal) => {
    signal = name;
    dispose();
    for (const controller of inFlight) controller.abort(new Error("interrupted"));
  };
  const onSigint = () => onSignal("SIGINT");
  const onSigterm = () => onSignal("SIGTERM");
  const dispose = () => {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  return {
    get interrupted() {
      return signal !== undefined;
    },
    get exitCode() {
      return signal === undefined ? undefined : SIGNAL_EXIT[signal];
    },
    async abortable<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const controller = new AbortController();
      inFlight.add(controller);
      try {
        return await call(controller.signal);
      } finally {
        inFlight.delete(controller);
      }
    },
    dispose,
  };
}

/**
 * Runs `read` until it ends or a second signal comes: after Ctrl+C the rest of the input is read
 * to list it, but a writer outside the Ctrl+C (a terminal, a FIFO, `tail -f`) may never end it.
 * Resolves to false when the second signal stopped the reading.
 */
async function whileReadingRest(read: (stopped: Promise<void>) => Promise<void>): Promise<boolean> {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let again = false;
  const onSignal = () => {
    again = true;
    stop();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await Promise.race([read(stopped), stopped]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return !again;
}

/** What the summary line starts with: why the batch ended. */
function summaryTitle(end: { interrupted: boolean; stdoutClosed: boolean; complete: boolean; inputError?: unknown }) {
  if (end.interrupted) return end.complete ? "Interrupted" : "Interrupted (the rest of the input was not read)";
  if (end.inputError) return "Stopped reading the ids";
  if (end.stdoutClosed && !end.complete) {
    return "stdout was closed, so no more deletes were started (the rest of the input was not read)";
  }
  return "Summary";
}

/** Runs `bfl-finetune delete`; `lib` is the loaded library (not needed for --dry-run). */
export async function deleteCommand(io: CliIo, options: DeleteOptions, loadLib: () => Promise<Lib>): Promise<number> {
  const from = await sources(io, options);
  const lib = options.dryRun ? undefined : await loadLib();
  // Configuration errors (no key, bad URL) come before any question or request.
  const client = lib && createCliClient(lib, io.env, options);
  const ids = await confirmedIds(io, options, readIds(from));
  if (ids === "no" || ids === "interrupted") {
    io.stderr.write("Nothing deleted.\n");
    return ids === "no" ? 2 : 130;
  }
  if (!lib || !client) return dryRun(io, options, ids.iterator);
  return deleteBatch({ io, options, lib, client, ids });
}

/** The ids to delete, read as the pool pulls them. */
interface IdStream {
  iterator: AsyncGenerator<string>;
  exhausted(): boolean;
  /** How many, when known up front (arguments only, or a list read for the prompt). */
  total: number | undefined;
}

/** Deletes every id with the pool, reports each outcome, and resolves to the exit code. */
async function deleteBatch(run: { io: CliIo; options: DeleteOptions; lib: Lib; client: CliClient; ids: IdStream }) {
  const { io, options, lib, client, ids } = run;
  const ctrlC = watchCtrlC();
  let stdoutClosed = false;
  const reporter = createReporter(io, {
    json: options.json,
    total: ids.total,
    color: useColour(io.env),
    key: keyIn(io.env),
    onStdoutClosed: () => {
      stdoutClosed = true;
    },
  });
  const notAttempted = (id: string) =>
    reporter.report({ id, ...lib.notAttemptedOutcome(ctrlC.interrupted ? undefined : "not sent: stdout was closed") });
  const deleteOne = async (id: string) => {
    const outcome = await ctrlC
      .abortable((signal) => client.deleteFinetune(id, { signal }))
      .then(lib.deletedOutcome, (error: unknown) =>
        lib.classifyDelete(error, { ignoreMissing: options.ignoreMissing }),
      );
    reporter.report({ id, ...outcome });
  };
  let inputError: { error: unknown } | undefined;
  try {
    const stopped = () => ctrlC.interrupted || stdoutClosed;
    await runPool(ids.iterator, deleteOne, {
      limit: options.concurrency,
      stopped,
      ready: reporter.ready,
      skipped: notAttempted,
    });
    if (ctrlC.interrupted && !stdoutClosed) {
      // Every id given is reported, so the rest of the input is read and listed as not sent.
      await whileReadingRest(async (stopped) => {
        let halt = false;
        void stopped.then(() => {
          halt = true;
        });
        for await (const id of ids.iterator) {
          await Promise.race([reporter.ready(), stopped]);
          if (halt) return;
          notAttempted(id);
        }
      });
    }
  } catch (error) {
    inputError = { error };
  } finally {
    ctrlC.dispose();
  }
  const complete = ids.exhausted() && inputError === undefined;
  reporter.finish(summaryTitle({ interrupted: ctrlC.interrupted, stdoutClosed, complete, inputError }));
  if (inputError) {
    // Deletes may have happened: exit 1 with the reason, not 2 ("nothing was sent").
    if (Object.values(reporter.counts).every((n) => n === 0)) throw inputError.error;
    io.stderr.write(`bfl-finetune: ${(inputError.error as Error).message}\n`);
    return 1;
  }
  if (ctrlC.exitCode !== undefined) return ctrlC.exitCode;
  const notGone = lib.DELETE_OUTCOMES.filter((name) => !lib.isGone(name) && reporter.counts[name] > 0);
  return complete && notGone.length === 0 ? 0 : 1;
}
