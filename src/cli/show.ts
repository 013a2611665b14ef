/** `bfl-finetune show ID`: one finetune's details, as `key: value` lines or the server's JSON. */
import type { ShowOptions } from "./args.js";
import type { CliIo } from "./io.js";
import { createCliClient, keyIn, type Lib } from "./library.js";
import { lineWriter, printable, redacted } from "./output.js";

/**
 * `key: value`, a value that is not a string as JSON, so every detail stays on one line; other
 * control characters (escape codes) are shown escaped rather than sent to the terminal.
 */
export function detailLines(details: Record<string, unknown>): string[] {
  return Object.entries(details).map(([key, value]) =>
    printable(`${key}: ${typeof value === "string" ? value.replace(/[\r\n]+/g, " ") : JSON.stringify(value)}`),
  );
}

export async function showCommand(io: CliIo, options: ShowOptions, lib: Lib): Promise<number> {
  const client = createCliClient(lib, io.env, options);
  const answer = redacted(await client.getFinetuneDetails(options.id), keyIn(io.env));
  const out = lineWriter(io.stdout);
  const text = options.json ? JSON.stringify(answer) : detailLines(answer.finetune_details).join("\n");
  if (text !== "") out.write(`${text}\n`);
  await out.ready();
  return 0;
}
