/**
 * Where the ids to delete come from: arguments, a file, stdin. Read line by line as they are
 * needed, so a list of a million ids never sits in memory as one text or one array; only the
 * set of ids already seen (to drop duplicates) grows with it.
 */
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { UsageError } from "./usage-error.js";

/** The id on one line of a list, or `undefined` for a blank line or a `#` comment. */
export function parseIdLine(line: string): string | undefined {
  const id = line.trim();
  return id === "" || id.startsWith("#") ? undefined : id;
}

/** Lines of a stream, one at a time (`\n` or `\r\n`), however long the stream is. */
function lines(stream: NodeJS.ReadableStream): AsyncIterable<string> {
  return createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
}

/** A file that cannot be read is the caller's to fix: a usage error naming the file and the code. */
export function unreadable(file: string, error: NodeJS.ErrnoException): UsageError {
  return new UsageError(`cannot read --from-file ${file}: ${error.code ?? error.message}`);
}

/** Opens the file first, so a missing one is a usage error before anything is sent. */
export async function openIdFile(file: string): Promise<NodeJS.ReadableStream> {
  const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    throw unreadable(file, error);
  });
  return handle.createReadStream({ encoding: "utf8" });
}

export interface IdSources {
  ids: string[];
  /** An opened `--from-file` (see {@link openIdFile}) and its name. */
  file: { name: string; stream: NodeJS.ReadableStream } | undefined;
  /** stdin when `-` was given. */
  stdin: NodeJS.ReadableStream | undefined;
}

/** Every id from every source in order, each once (the first one wins). */
export async function* readIds(sources: IdSources): AsyncGenerator<string> {
  const seen = new Set<string>();
  const fresh = (id: string | undefined): id is string => {
    if (id === undefined || seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  for (const id of sources.ids) if (fresh(id)) yield id;
  if (sources.file) {
    const { name, stream } = sources.file;
    try {
      for await (const line of lines(stream)) {
        const id = parseIdLine(line);
        if (fresh(id)) yield id;
      }
    } catch (error) {
      throw unreadable(name, error as NodeJS.ErrnoException);
    }
  }
  if (sources.stdin) {
    for await (const line of lines(sources.stdin)) {
      const id = parseIdLine(line);
      if (fresh(id)) yield id;
    }
  }
}
