/**
 * Writes a file whole or not at all: the bytes go to a temporary file beside it (same folder, so
 * the rename cannot cross disks), flushed, then renamed over the name asked for. On any failure
 * the temporary file is removed and nothing is left under either name.
 */
import { access, constants, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Fails unless a file can be written at `file` (its folder exists and is writable, and `file` is
 * not a folder); with no `file`, unless the working folder is writable.
 */
export async function checkWritable(file: string | undefined): Promise<void> {
  await access(file === undefined ? "." : path.dirname(path.resolve(file)), constants.W_OK);
  if (file !== undefined && (await stat(file).catch(() => undefined))?.isDirectory()) {
    throw Object.assign(new Error("a folder"), { code: "EISDIR" });
  }
}

/**
 * Writes and flushes `data` to a new temporary file beside `file` (same folder, so a rename
 * cannot cross disks) and resolves to its name; on failure nothing of it is left.
 */
export async function writeTemp(file: string, data: string | Uint8Array): Promise<string> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function writeWhole(file: string, data: Uint8Array): Promise<void> {
  const temp = await writeTemp(file, data);
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
