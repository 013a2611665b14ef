/**
 * Writes a file whole or not at all: the bytes go to a temporary file beside it (same folder, so
 * the rename cannot cross disks), flushed, then renamed over the name asked for. On any failure
 * the temporary file is removed and nothing is left under either name.
 */
import { access, constants, open, rename, rm } from "node:fs/promises";
import path from "node:path";

/** Fails unless a file can be created at `file` (its folder exists and is writable). */
export async function checkWritable(file: string): Promise<void> {
  await access(path.dirname(path.resolve(file)), constants.W_OK);
}

export async function writeWhole(file: string, data: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
