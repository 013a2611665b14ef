import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** Writes through a temp file in the same folder and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Pretty JSON (2 spaces, trailing newline) so snapshot diffs are reviewable. */
export const prettyJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
