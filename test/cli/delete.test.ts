/** The built `bfl-finetune` CLI, spawned as users run it, against a real local server. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { type FaultServer, json, okBody, startFaultServer, useFaultServer } from "../helpers/fault-server.js";

const env = { BFL_API_KEY: TEST_KEY };
const server = useFaultServer();

/** Answers 404 for ids starting with "missing", the spec's 200 otherwise. */
function byId(res: Parameters<Parameters<FaultServer["reply"]>[0]>[0], id: string) {
  if (id.startsWith("missing")) json(404, { detail: `Finetune ${id} not found` })(res);
  else json(200, okBody(id))(res);
}
const idOf = (body: string): string => JSON.parse(body).finetune_id;
const sentIds = () => server.requests.map((r) => idOf(r.body)).sort();

describe("bfl-finetune delete", () => {
  it("deletes and prints a readable result, then the summary on stderr", async () => {
    server.reply((res, _n, req) => byId(res, idOf(req.body)));
    const run = await runCli(["delete", "my-finetune", "--base-url", server.url], { env });
    expect(run.stderr).toBe("Summary: 1 deleted, 0 already-gone, 0 failed, 0 unknown, 0 not-attempted\n");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("deleted my-finetune: success, Finetune my-finetune deleted (2026-11-29T12:00:00Z)\n");
    expect(server.requests.map((r) => [r.method, r.url, r.headers["x-key"], JSON.parse(r.body)])).toEqual([
      ["POST", "/v1/delete_finetune", TEST_KEY, { finetune_id: "my-finetune" }],
    ]);
  });

  it("--max-retries 0 still waits out a 429: the server pacing a batch is not a failure", async () => {
    server.reply((res, n, req) =>
      n === 1
        ? json(429, { detail: "Too many active tasks" }, { "retry-after-ms": "50" })(res)
        : byId(res, idOf(req.body)),
    );
    const run = await runCli(["delete", "paced", "--max-retries", "0", "--base-url", server.url], { env });
    expect(run.stderr).toBe("Summary: 1 deleted, 0 already-gone, 0 failed, 0 unknown, 0 not-attempted\n");
    expect(server.requests).toHaveLength(2);
  });

  it("mixed success and failure exits 1 with one line per failure and a summary, never the key", async () => {
    server.reply((res, _n, req) => byId(res, idOf(req.body)));
    const ids = ["ok-1", "missing-2", "ok-3", "missing-4"];
    const run = await runCli(["delete", ...ids, "--yes", "--max-retries", "0", "--base-url", server.url], { env });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n").sort()).toEqual([
      expect.stringMatching(/^deleted ok-1: success/),
      expect.stringMatching(/^deleted ok-3: success/),
    ]);
    const stderr = run.stderr.trim().split("\n");
    expect(stderr.pop()).toBe("Summary: 2 deleted, 0 already-gone, 2 failed, 0 unknown, 0 not-attempted");
    expect(stderr.sort()).toEqual([
      "failed missing-2: 404 Not Found: Finetune missing-2 not found",
      "failed missing-4: 404 Not Found: Finetune missing-4 not found",
    ]);
    expect(run.stdout + run.stderr).not.toContain(TEST_KEY);
  });

  it("text mode keeps one line per id whatever the server or the id holds: no forged lines, no escape codes", async () => {
    server.reply((res, _n, req) => {
      const id = idOf(req.body);
      if (id === "refused") json(402, { detail: "no credits\nfailed other: forged\x1b[2K" })(res);
      else json(200, { ...okBody(id), message: "done\rdeleted\nfailed ok-1: forged" })(res);
    });
    const args = ["delete", "ok-1", "refused", "ok\x1b]0;title\x07-2", "--yes", "--max-retries", "0"];
    const run = await runCli([...args, "--base-url", server.url], { env });
    const lines = (run.stdout + run.stderr).trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => /^(deleted|failed) /.test(l)).map((l) => l.split(/[ :]/, 2).join(" "))).toEqual(
      expect.arrayContaining(["deleted ok-1", "failed refused", "deleted ok\\u001b]0;title\\u0007-2"]),
    );
    // No control character but the line ends.
    expect(run.stdout + run.stderr).not.toMatch(/(?!\n)\p{Cc}/u);
    expect(run.code).toBe(1);
  });

  it("--json prints one parseable object per id, and the summary on stderr", async () => {
    server.reply((res, _n, req) => byId(res, idOf(req.body)));
    const run = await runCli(["delete", "ok-1", "missing-2", "--json", "--yes", "--base-url", server.url], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("Summary: 1 deleted, 0 already-gone, 1 failed, 0 unknown, 0 not-attempted\n");
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      {
        id: "missing-2",
        outcome: "failed",
        ok: false,
        status: 404,
        error: { name: "BflNotFoundError", message: "404 Not Found: Finetune missing-2 not found" },
      },
      { id: "ok-1", outcome: "deleted", ok: true, status: 200, result: okBody("ok-1") },
    ]);
  });

  it("--ignore-missing counts a 404 as already-gone and exits 0", async () => {
    server.reply((res, _n, req) => byId(res, idOf(req.body)));
    const args = ["delete", "ok-1", "missing-2", "--ignore-missing", "--json", "--yes", "--base-url", server.url];
    const run = await runCli(args, { env });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.outcome, l.ok, l.status]).sort()).toEqual([
      ["missing-2", "already-gone", true, 404],
      ["ok-1", "deleted", true, 200],
    ]);
  });

  it("a refused connection is failed with status null (nothing can have been sent)", async () => {
    const closed = await startFaultServer();
    await closed.close();
    const run = await runCli(["delete", "x", "--json", "--max-retries", "0", "--base-url", closed.url], { env });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      id: "x",
      outcome: "failed",
      ok: false,
      status: null,
      error: { name: "BflConnectionError" },
    });
  });
});

describe("ids from stdin and files", () => {
  const listing = "# stale finetunes\nft-a\n\nft-b\n  ft-c  \nft-a\n# done\n";

  it("reads - from stdin, skipping blanks and comments, removing duplicates", async () => {
    server.reply(json(200, okBody()));
    const run = await runCli(["delete", "-", "--yes", "--base-url", server.url], { env, input: listing });
    expect(run.code).toBe(0);
    expect(sentIds()).toEqual(["ft-a", "ft-b", "ft-c"]);
  });

  it("reads --from-file, merged with argument ids", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "bfl-cli-")), "ids.txt");
    writeFileSync(file, listing);
    server.reply(json(200, okBody()));
    const run = await runCli(["delete", "ft-z", "ft-a", "--from-file", file, "--yes", "--base-url", server.url], {
      env,
    });
    expect(run.code).toBe(0);
    expect(sentIds()).toEqual(["ft-a", "ft-b", "ft-c", "ft-z"]);
  });

  it("a missing file is a usage error", async () => {
    const run = await runCli(["delete", "--from-file", "/nonexistent/ids.txt", "--yes"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("bfl-finetune: cannot read --from-file /nonexistent/ids.txt: ENOENT\n");
  });
});

describe("safety", () => {
  it("--dry-run lists the ids and sends zero requests, key or not", async () => {
    server.reply(json(200, okBody()));
    const run = await runCli(["delete", "a", "b", "a", "--dry-run", "--base-url", server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("would delete a\nwould delete b\n");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses several ids without --yes when not run from a terminal", async () => {
    server.reply(json(200, okBody()));
    const run = await runCli(["delete", "a", "b", "--base-url", server.url], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "bfl-finetune: refusing to delete 2 finetunes without --yes when not run from a terminal\n",
    );
    expect(server.requests).toHaveLength(0);
  });

  it("without BFL_API_KEY exits 2 naming it, sending nothing", async () => {
    server.reply(json(200, okBody()));
    const run = await runCli(["delete", "a", "--base-url", server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^bfl-finetune: No BFL API key: set the BFL_API_KEY environment variable/);
    // A terminal user has no createBflClient() or apiKey option to pass.
    expect(run.stderr).not.toMatch(/createBflClient|apiKey/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [["delete", "a", "--concurrency", "0"], "--concurrency must be a whole number from 1 to 24"],
    [["delete", "a", "--concurrency", "25"], "--concurrency must be a whole number from 1 to 24"],
    [["delete", "a", "--timeout", "soon"], "--timeout must be a number of seconds"],
    [["delete", "a", "--bogus"], "Unknown option '--bogus'"],
    [["remove", "a"], 'unknown command "remove"'],
    [["delete"], "no ids"],
    [["delete", "a", "--timeout", "0.0001"], "--timeout must be a number of seconds from 0.001"],
    [["delete", "a", "--timeout", "2147484"], "--timeout must be a number of seconds from 0.001 to 2147483"],
    [["delete", ""], "an id is empty or only whitespace"],
    [["delete", "a", "  "], "an id is empty or only whitespace"],
    [["show"], "show takes exactly one id"],
    [["show", ""], "an id is empty or only whitespace"],
    [["list", "extra"], "list takes no arguments"],
    [["list", "--yes"], "--yes only applies to delete"],
  ])("%j is a usage error (exit 2), nothing sent", async (args, message) => {
    server.reply(json(200, okBody()));
    const run = await runCli([...args, "--base-url", server.url], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(server.requests).toHaveLength(0);
  });

  it("--help shows examples and --version the package version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    const version = await runCli(["--version"]);
    expect(version.stdout).toBe(`${JSON.parse(readFileSync("package.json", "utf8")).version}\n`);
  });
});

describe("concurrency", () => {
  it("never has more than --concurrency N requests in flight, and does reach N", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server.reply((res, _n, req) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        json(200, okBody(idOf(req.body)))(res);
      }, 60);
    });
    const ids = Array.from({ length: 15 }, (_, i) => `ft-${i}`);
    const run = await runCli(["delete", ...ids, "--concurrency", "3", "--yes", "--base-url", server.url], { env });
    expect(run.code).toBe(0);
    expect(server.requests).toHaveLength(15);
    expect(maxInFlight).toBe(3);
  });
});
