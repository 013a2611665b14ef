import { readFile, rename, rm } from "node:fs/promises";
import { writeTemp } from "../../src/cli/write-file.js";

/** Pretty JSON (2 spaces, trailing newline) so snapshot diffs are reviewable. */
export const prettyJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Replaces several files together: every new content is written to a temp file first, then each is
 * renamed into place. If any step fails, the files already replaced get their old bytes back, temp
 * files are removed and the error is rethrown, so the set is either all new or all as before.
 */
export async function replaceFiles(files: { file: string; text: string | Buffer }[]): Promise<void> {
  const temps: string[] = [];
  const replaced: { file: string; before: Buffer | undefined }[] = [];
  try {
    for (const { file, text } of files) temps.push(await writeTemp(file, text));
    for (const [i, { file }] of files.entries()) {
      const before = await readFile(file).catch(() => undefined);
      await rename(temps[i] as string, file);
      replaced.push({ file, before });
    }
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    for (const { file, before } of replaced.reverse()) {
      if (before === undefined) await rm(file, { force: true });
      else await rename(await writeTemp(file, before), file);
    }
    throw error;
  }
}
