/**
 * The built CLI with a closed stdout (`| head -1`) and with huge id lists, against a real local
 * server: no stack trace, no new deletes once nobody reads, no blow-up on a million ids.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { json, okBody, useFaultServer } from "../helpers/fault-server.js";

const env = { BFL_API_KEY: TEST_KEY };
const server = useFaultServer();
const idList = (n: number) => {
  let text = "";
  for (let i = 0; i < n; i++) text += `ft-${i}\n`;
  return text;
};

describe("a closed stdout", () => {
  it.each([["text"], ["--json"]])(
    "%s: stops starting deletes, ends quietly with the summary on stderr",
    async (mode) => {
      server.reply((res) => setTimeout(() => json(200, okBody())(res), 5));
      const args = ["delete", "-", "--yes", "--concurrency", "2", "--base-url", server.url];
      const cli = startCli(mode === "text" ? args : [...args, mode], { env, input: idList(2_000) });
      // What `| head -1` does: read one line, then close the pipe.
      await new Promise<void>((resolve) => cli.child.stdout.once("data", () => resolve()));
      cli.child.stdout.destroy();
      const run = await cli.exited;
      const sentAtExit = server.requests.length;
      expect(run.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(run.stderr).toMatch(/^stdout was closed, so no more deletes were started .*: \d+ deleted, /m);
      expect(run.code).toBe(1);
      expect(sentAtExit).toBeLessThan(2_000);
      // Every delete that was started was answered and counted; none went out after the exit.
      const deleted = Number(/: (\d+) deleted/.exec(run.stderr)?.[1]);
      expect(deleted).toBe(sentAtExit);
    },
  );

  it("--dry-run stops quietly too", async () => {
    const cli = startCli(["delete", "-", "--dry-run"], { input: idList(200_000) });
    await new Promise<void>((resolve) => cli.child.stdout.once("data", () => resolve()));
    cli.child.stdout.destroy();
    const run = await cli.exited;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});

describe("a reader gone before the CLI writes", () => {
  it("--help into a closed stdout: no stack trace, exit 0", async () => {
    const cli = startCli(["--help"]);
    cli.child.stdout.destroy();
    const run = await cli.exited;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("a usage error into a closed stderr still exits 2 (not a crash's 1)", async () => {
    const cli = startCli(["bogus"]);
    cli.child.stderr.destroy();
    const run = await cli.exited;
    expect(run.code).toBe(2);
  });
});

describe("huge id lists", () => {
  it("130,000 ids from stdin and from a file (dry run: the whole list is read and printed)", async () => {
    const text = idList(130_000);
    const fromStdin = await runCli(["delete", "-", "--dry-run"], { input: text });
    expect(fromStdin.stderr).toBe("");
    expect(fromStdin.code).toBe(0);
    const lines = fromStdin.stdout.trim().split("\n");
    expect([lines.length, lines[0], lines.at(-1)]).toEqual([130_000, "would delete ft-0", "would delete ft-129999"]);

    const file = path.join(mkdtempSync(path.join(tmpdir(), "bfl-cli-")), "ids.txt");
    writeFileSync(file, text);
    const fromFile = await runCli(["delete", "--from-file", file, "--dry-run", "--json"]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.trim().split("\n")).toHaveLength(130_000);
  });

  it("20,000 ids from stdin are all deleted, each exactly once", { timeout: 120_000 }, async () => {
    server.reply((res, _n, req) => json(200, okBody(JSON.parse(req.body).finetune_id))(res));
    const run = await runCli(["delete", "-", "--yes", "--json", "--concurrency", "24", "--base-url", server.url], {
      env,
      input: idList(20_000),
    });
    expect(run.code).toBe(0);
    expect(server.requests).toHaveLength(20_000);
    expect(new Set(server.requests.map((r) => r.body)).size).toBe(20_000);
    expect(run.stdout.trim().split("\n")).toHaveLength(20_000);
    expect(run.stderr).toBe("Summary: 20000 deleted, 0 already-gone, 0 failed, 0 unknown, 0 not-attempted\n");
  });
});
