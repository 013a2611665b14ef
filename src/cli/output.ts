/**
 * What the delete command prints: one JSON line per id, or readable lines (deleted ids on stdout,
 * every other id on stderr), a summary line, and a progress line on a terminal. Writes wait for
 * the reader (backpressure) and stop quietly when stdout is closed (`| head -1`).
 */
import type { DeleteOutcome, DeleteOutcomeName } from "../outcome.js";
import { redactValue } from "../redact.js";

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** One id's outcome, as printed (`--json` prints exactly this object). */
export type IdOutcome = { id: string } & DeleteOutcome;

export type Counts = Record<DeleteOutcomeName, number>;

export interface Reporter {
  report(outcome: IdOutcome): void;
  /** Resolves when stdout has room again (at once when it has, or is closed). */
  ready(): Promise<void>;
  /** True once stdout is closed by its reader. */
  readonly closed: boolean;
  readonly counts: Counts;
  /** Clears the progress line and prints the summary; call once at the end. */
  finish(note?: string): void;
}

const paint = (on: boolean, code: number, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

const COLOURS: Record<DeleteOutcomeName, number> = {
  deleted: 32,
  "already-gone": 36,
  failed: 31,
  unknown: 33,
  "not-attempted": 90,
};

/** `my-finetune: success, Finetune my-finetune deleted (2026-11-29T12:00:00Z)` */
function describeDeleted({ id, result, warning }: IdOutcome): string {
  if (warning) return `${id}: warning: ${warning}`;
  return result ? `${id}: ${result.status}, ${result.message} (${result.timestamp})` : id;
}

function describeOther(outcome: IdOutcome): string {
  const said = outcome.error?.message;
  switch (outcome.outcome) {
    case "already-gone":
      return `${outcome.id}: ${said}`;
    case "unknown":
      return `${outcome.id}: may have been deleted, check it (bfl-finetune show ${outcome.id}): ${said}`;
    case "not-attempted":
      return outcome.id;
    default:
      return `${outcome.id}: ${said}`;
  }
}

/**
 * `value` with the key redacted in every string, for printing as JSON or text. Redacting values,
 * never the printed text: a key that is also a JSON token (`"`, `:`) would break the JSON.
 */
export const redacted = <T>(value: T, key: string): T => redactValue(value, key) as T;

/** Characters that break a line or drive a terminal: C0/C1 controls and the Unicode line separators. */
export const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/gu;

/**
 * Text for one line of a terminal or a `grep`: control characters (line breaks, escape codes)
 * from an id or a server's answer are shown escaped, as JSON would, so no id's line can be
 * split into a forged one or repaint the terminal.
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function summaryLine(counts: Counts): string {
  return Object.entries(counts)
    .map(([name, n]) => `${n} ${name}`)
    .join(", ");
}

/** Writes lines to a stream, waits for its reader, and goes quiet once the reader is gone. */
export interface LineWriter {
  write(line: string): void;
  /** Resolves when the stream has room again (at once when it has, or is closed). */
  ready(): Promise<void>;
  readonly closed: boolean;
}

export function lineWriter(stream: NodeJS.WritableStream, onClose?: () => void): LineWriter {
  let closed = false;
  let waiting: Promise<void> | undefined;
  // Without a listener a closed pipe's EPIPE becomes an uncaught exception with a stack trace.
  stream.on("error", () => {
    if (closed) return;
    closed = true;
    onClose?.();
  });
  return {
    write(line) {
      if (!closed && !stream.write(line)) waiting ??= drained(stream).finally(() => (waiting = undefined));
    },
    ready: () => (closed ? Promise.resolve() : (waiting ?? Promise.resolve())),
    get closed() {
      return closed;
    },
  };
}

export function createReporter(
  streams: Streams,
  options: { json: boolean; total: number | undefined; color: boolean; key: string; onStdoutClosed?: () => void },
): Reporter {
  const { stdout, stderr } = streams;
  const progress = stderr.isTTY === true && options.total !== 1;
  const started = Date.now();
  const counts: Counts = { deleted: 0, "already-gone": 0, failed: 0, unknown: 0, "not-attempted": 0 };
  let done = 0;
  const outWriter = lineWriter(stdout, options.onStdoutClosed);
  const errWriter = lineWriter(stderr);
  const out = outWriter.write;
  const err = errWriter.write;
  const clearProgress = () => {
    if (progress) err("\r\x1b[K");
  };
  const drawProgress = () => {
    if (!progress) return;
    const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
    const total = options.total === undefined ? "" : `/${options.total}`;
    const unknown = counts.unknown > 0 ? `, ${counts.unknown} unknown` : "";
    err(`\r\x1b[K${done}${total} done, ${counts.failed} failed${unknown}, ${rate.toFixed(1)}/s`);
  };
  const colour = (stream: Streams["stdout"], name: DeleteOutcomeName) =>
    paint(options.color && stream.isTTY === true, COLOURS[name], name);

  return {
    report(settled) {
      const outcome = redacted(settled, options.key);
      done++;
      counts[outcome.outcome]++;
      clearProgress();
      if (options.json) out(`${JSON.stringify(outcome)}\n`);
      else if (outcome.outcome === "deleted") {
        out(`${colour(stdout, "deleted")} ${printable(describeDeleted(outcome))}\n`);
      } else err(`${colour(stderr, outcome.outcome)} ${printable(describeOther(outcome))}\n`);
      drawProgress();
    },
    ready: outWriter.ready,
    get closed() {
      return outWriter.closed;
    },
    counts,
    finish(note) {
      clearProgress();
      err(`${note ?? "Summary"}: ${summaryLine(counts)}\n`);
    },
  };
}

/** Resolves on `drain`, or when the stream closes or fails (nothing more will drain then). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}
