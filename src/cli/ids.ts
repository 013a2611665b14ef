/** Where the ids to delete come from: arguments, a file, stdin. */
import { readFile } from "node:fs/promises";
import { UsageError } from "./args.js";

/** One id per line; blank lines and `#` comments are skipped. */
export function parseIdLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Gathers ids from every source in order, duplicates removed (first one wins). */
export async function collectIds(
  sources: { ids: string[]; fromFile: string | undefined; readStdin: boolean },
  stdin: NodeJS.ReadableStream,
): Promise<string[]> {
  const ids = [...sources.ids];
  if (sources.fromFile !== undefined) {
    const text = await readFile(sources.fromFile, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read --from-file ${sources.fromFile}: ${error.code ?? error.message}`);
    });
    ids.push(...parseIdLines(text));
  }
  if (sources.readStdin) ids.push(...parseIdLines(await readStream(stdin)));
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new UsageError("no ids to delete: the input held only blank lines and comments");
  return unique;
}
