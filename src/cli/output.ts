/** What the CLI prints: one result line per id, and a progress line on a terminal. */
import type { DeleteFinetuneResponse } from "../types.js";

/** The outcome of deleting one id; also the `--json` line. */
export interface Outcome {
  id: string;
  ok: boolean;
  /** HTTP status of the last answer; `null` when none came (connection error, timeout, abort). */
  status: number | null;
  result?: DeleteFinetuneResponse;
  error?: { name: string; message: string };
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Reporter {
  report(outcome: Outcome): void;
  /** Clears the progress line; call once at the end. */
  finish(): void;
}

/** `my-finetune: success, Finetune my-finetune deleted (2026-11-29T12:00:00Z)` */
function describe({ id, result }: Outcome): string {
  return result ? `${id}: ${result.status}, ${result.message} (${result.timestamp})` : id;
}

const paint = (on: boolean, code: number, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Prints outcomes as JSON lines or readable lines, with progress on stderr when it is a terminal. */
export function createReporter(streams: Streams, options: { json: boolean; total: number; color: boolean }): Reporter {
  const { stdout, stderr } = streams;
  const progress = stderr.isTTY === true && options.total > 1;
  const started = Date.now();
  let done = 0;
  let failed = 0;

  const clearProgress = () => {
    if (progress) stderr.write("\r\x1b[K");
  };
  const drawProgress = () => {
    if (!progress) return;
    const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
    stderr.write(`\r\x1b[K${done}/${options.total} done, ${failed} failed, ${rate.toFixed(1)}/s`);
  };

  return {
    report(outcome) {
      done++;
      if (!outcome.ok) failed++;
      clearProgress();
      if (options.json) stdout.write(`${JSON.stringify(outcome)}\n`);
      else if (outcome.ok)
        stdout.write(`${paint(options.color && stdout.isTTY === true, 32, "deleted")} ${describe(outcome)}\n`);
      else
        stderr.write(
          `${paint(options.color && stderr.isTTY === true, 31, "failed")} ${outcome.id}: ${outcome.error?.message}\n`,
        );
      drawProgress();
    },
    finish: clearProgress,
  };
}
