/**
 * `bfl-finetune`: list, show, delete and generate with finetunes from a shell or a CI job.
 * Exit codes: 0 success (every id deleted or already gone), 1 something failed or is unknown,
 * 2 usage or configuration error (nothing sent), 130 interrupted (143 after SIGTERM).
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HELP, parseCli } from "./cli/args.js";
import { deleteCommand } from "./cli/delete.js";
import type { CliIo } from "./cli/io.js";
import type { Lib } from "./cli/library.js";
import { listCommand } from "./cli/list.js";
import { printable } from "./cli/output.js";
import { showCommand } from "./cli/show.js";
import { isUsageError } from "./cli/usage-error.js";
import { oneLine } from "./utils/one-line.js";
import { VERSION } from "./version.js";

export type { CliIo } from "./cli/io.js";

const defaultIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

// Loaded only when a command calls the API, so `--help` and `--version` start without the client.
// Kept external by the build: the CLI uses dist/index.js rather than a bundled second copy.
const loadLib = (): Promise<Lib> => import("./index.js");

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function run(argv: string[], io: CliIo = defaultIo): Promise<number> {
  try {
    const options = parseCli(argv);
    switch (options.command) {
      case "help":
        io.stdout.write(`${HELP}\n`);
        return 0;
      case "version":
        io.stdout.write(`${VERSION}\n`);
        return 0;
      case "delete":
        return await deleteCommand(io, options, loadLib);
      case "list":
        return await listCommand(io, options, await loadLib());
      case "show":
        return await showCommand(io, options, await loadLib());
      case "generate": {
        // Its own chunk: the spec's request schemas it checks a body against load only for generate.
        const { generateCommand } = await import("./cli/generate.js");
        return await generateCommand(io, options, await loadLib());
      }
    }
  } catch (error) {
    const err = error as Error;
    // Bad flags and bad configuration (no key, insecure URL) are the caller's to fix: exit 2.
    // One line, as everywhere in the CLI: line breaks become a space, other control characters
    // (a server's escape codes) are shown as \uXXXX.
    if (isUsageError(err) || err?.name === "BflConfigurationError") {
      io.stderr.write(`bfl-finetune: ${printable(oneLine(err.message))}\n`);
      return 2;
    }
    // A failed list or show call: one line, no stack trace.
    if (err instanceof Error && err.name.startsWith("Bfl")) {
      io.stderr.write(`bfl-finetune: ${printable(oneLine(err.message))}\n`);
      return 1;
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

/** Exits once what was written to stdout and stderr has been handed to the OS. */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

if (isMain()) {
  // A reader that went away (`--help | head -0`, a closed stderr) is not the CLI's failure: without
  // a listener its EPIPE is an uncaught exception with a stack trace and exit 1. Commands that
  // must react to it (delete, list) watch the stream themselves.
  const ignore = () => {};
  process.stdout.on("error", ignore);
  process.stderr.on("error", ignore);
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // After Ctrl+C or SIGTERM the report is out: end now, even if a timer somewhere (a
      // rate-limit wait abandoned by an aborted call, the rest of an input never closed) would
      // keep the event loop alive.
      if (code === 130 || code === 143) exitAfterFlush(code);
    },
    (error: unknown) => {
      process.stderr.write(`bfl-finetune: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
