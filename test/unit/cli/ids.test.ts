/** Id lists (src/cli/ids.ts): lines, comments, duplicates, huge inputs. No server, no process. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openIdFile, parseIdLine, readIds } from "../../../src/cli/ids.js";
import { isUsageError } from "../../../src/cli/usage-error.js";

async function all(source: AsyncIterable<string>): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of source) ids.push(id);
  return ids;
}

describe("id lists", () => {
  it("skips blank lines and # comments, trims, keeps inner text", () => {
    expect(["", "   ", "# x", "  #y", " ft-1 ", "ft 2", "ft-3\r"].map(parseIdLine)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      "ft-1",
      "ft 2",
      "ft-3",
    ]);
  });

  it("reads arguments, then the file, then stdin, each id once", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "bfl-ids-")), "ids.txt");
    writeFileSync(file, "b\r\nc\n# no\n\na\n");
    const ids = readIds({
      ids: ["a", "b"],
      file: { name: file, stream: await openIdFile(file) },
      stdin: Readable.from(["d\nc\n", "e"]),
    });
    expect(await all(ids)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("a missing file is a usage error naming it; so is a directory, at the first read", async () => {
    const missing = await openIdFile("/nonexistent/ids.txt").catch((error: unknown) => error);
    expect(isUsageError(missing)).toBe(true);
    expect((missing as Error).message).toBe("cannot read --from-file /nonexistent/ids.txt: ENOENT");
    const dir = mkdtempSync(path.join(tmpdir(), "bfl-ids-"));
    const reading = all(readIds({ ids: [], file: { name: dir, stream: await openIdFile(dir) }, stdin: undefined }));
    await expect(reading).rejects.toThrow(`cannot read --from-file ${dir}: EISDIR`);
  });

  it("streams 1,000,000 ids in small chunks without a call-stack or memory blow-up", async () => {
    const n = 1_000_000;
    const chunks = (function* () {
      for (let i = 0; i < n; i += 10_000) {
        let text = "";
        for (let j = i; j < i + 10_000; j++) text += `ft-${j}\n`;
        yield text;
      }
    })();
    let count = 0;
    let last = "";
    for await (const id of readIds({ ids: [], file: undefined, stdin: Readable.from(chunks) })) {
      count++;
      last = id;
    }
    expect([count, last]).toEqual([n, `ft-${n - 1}`]);
  });
});
