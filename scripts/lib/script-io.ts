/**
 * Where a script prints, one line at a time. A script's `main(argv, io)` prints only through it,
 * so a test can run the script in its own process and read what it printed, as a user would.
 */
import { pathToFileURL } from "node:url";

export interface ScriptIo {
  out(line: string): void;
  err(line: string): void;
}

/** The terminal: stdout and stderr of this process. */
export const consoleIo: ScriptIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Whether the module at `moduleUrl` is the script node was started with (not an import of it). */
export function isEntry(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}
