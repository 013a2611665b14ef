/**
 * `bfl-finetune list`: your finetune ids, one per line, ready for `grep` and `delete -`. The spec
 * leaves the list's items unspecified ("List all finetune_ids created by the user"), so a string
 * is taken as the id, an object with a string `finetune_id` (else `id`) gives that id, and any
 * other item is reported on stderr (and the exit code is 1) instead of printed as a false id.
 */
import { isObject } from "../utils/is-object.js";
import type { ApiOptions } from "./args.js";
import type { CliIo } from "./io.js";
import { createCliClient, keyIn, type Lib } from "./library.js";
import { CONTROL_CHARACTERS, lineWriter, redacted } from "./output.js";

/** The id an item of the list stands for, or why there is none. */
export function idOfListItem(item: unknown): { id: string } | { problem: string } {
  const candidate =
    typeof item === "string"
      ? item
      : isObject(item)
        ? [item.finetune_id, item.id].find((value) => typeof value === "string")
        : undefined;
  if (typeof candidate !== "string") return { problem: "not a string, nor an object with a string finetune_id or id" };
  // One id per line: an id that is blank, would split or shift a line, or holds a control
  // character (an escape code would reach the terminal) cannot be printed safely.
  if (candidate.trim() === "" || candidate !== candidate.trim() || candidate.search(CONTROL_CHARACTERS) !== -1) {
    return { problem: "an id that is blank, has surrounding whitespace or control characters, or spans lines" };
  }
  return { id: candidate };
}

/** A short, one-line picture of a value for an error message. */
const preview = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

export async function listCommand(io: CliIo, options: ApiOptions, lib: Lib): Promise<number> {
  const client = createCliClient(lib, io.env, options);
  const answer = redacted(await client.listFinetunes(), keyIn(io.env));
  const out = lineWriter(io.stdout);
  if (options.json) {
    out.write(`${JSON.stringify(answer)}\n`);
    await out.ready();
    return 0;
  }
  let skipped = 0;
  for (const [index, item] of answer.finetunes.entries()) {
    const read = idOfListItem(item);
    if ("id" in read) {
      await out.ready();
      if (out.closed) break;
      out.write(`${read.id}\n`);
    } else {
      skipped++;
      io.stderr.write(`bfl-finetune: list item ${index} skipped, ${read.problem}: ${preview(item)}\n`);
    }
  }
  await out.ready();
  return skipped > 0 ? 1 : 0;
}
