import { open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";

/** Pretty JSON (2 spaces, trailing newline) so snapshot diffs are reviewable. */
export const prettyJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const tempNameFor = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);

/** Writes and flushes a temp file next to `file` (same folder, so the rename cannot cross disks). */
async function writeTemp(file: string, data: string | Buffer): Promise<string> {
  const temp = tempNameFor(file);
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

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
