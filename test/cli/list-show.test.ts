/** `bfl-finetune list` and `show` through the built CLI, against a real local server. */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { json, useFaultServer } from "../helpers/fault-server.js";

const env = { BFL_API_KEY: TEST_KEY };
const server = useFaultServer();

describe("bfl-finetune list", () => {
  it("prints one id per line, from GET /v1/my_finetunes with the key", async () => {
    server.reply(json(200, { finetunes: ["ft-a", "old-b", "old-c"] }));
    const run = await runCli(["list", "--base-url", server.url], { env });
    expect(run.stdout).toBe("ft-a\nold-b\nold-c\n");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(server.requests.map((r) => [r.method, r.url, r.headers["x-key"]])).toEqual([
      ["GET", "/v1/my_finetunes", TEST_KEY],
    ]);
  });

  it("feeds delete: list | grep old- | delete - --yes", async () => {
    server.reply((res, _n, req) =>
      req.url === "/v1/my_finetunes"
        ? json(200, { finetunes: ["ft-a", "old-b", "old-c"] })(res)
        : json(200, {
            status: "success",
            message: "deleted",
            deleted_finetune_id: JSON.parse(req.body).finetune_id,
            timestamp: "2026-11-29T12:00:00Z",
          })(res),
    );
    const listed = await runCli(["list", "--base-url", server.url], { env });
    const picked = listed.stdout
      .split("\n")
      .filter((line) => line.includes("old-"))
      .join("\n");
    const run = await runCli(["delete", "-", "--yes", "--base-url", server.url], { env, input: picked });
    expect(run.code).toBe(0);
    const deletes = server.requests.filter((r) => r.url === "/v1/delete_finetune").map((r) => JSON.parse(r.body));
    expect(deletes).toEqual([{ finetune_id: "old-b" }, { finetune_id: "old-c" }]);
  });

  it("uses an object's finetune_id or id; reports other items on stderr and exits 1, never crashes", async () => {
    server.reply(
      json(200, { finetunes: ["ft-a", { finetune_id: "ft-b" }, { id: "ft-c" }, 42, null, { name: "x" }, "a\nb"] }),
    );
    const run = await runCli(["list", "--base-url", server.url], { env });
    expect(run.stdout).toBe("ft-a\nft-b\nft-c\n");
    expect(run.stderr.trim().split("\n")).toEqual([
      "bfl-finetune: list item 3 skipped, not a string, nor an object with a string finetune_id or id: 42",
      "bfl-finetune: list item 4 skipped, not a string, nor an object with a string finetune_id or id: null",
      'bfl-finetune: list item 5 skipped, not a string, nor an object with a string finetune_id or id: {"name":"x"}',
      'bfl-finetune: list item 6 skipped, an id that is blank, has surrounding whitespace or control characters, or spans lines: "a\\nb"',
    ]);
    expect(run.code).toBe(1);
  });

  it("never prints an id holding a control character (an escape code would reach the terminal)", async () => {
    server.reply(json(200, { finetunes: ["ft-a", "ft-\u001b]0;owned\u0007b", "ft-\u0000c"] }));
    const run = await runCli(["list", "--base-url", server.url], { env });
    expect(run.stdout).toBe("ft-a\n");
    expect(run.stderr.trim().split("\n")).toHaveLength(2);
    expect(run.stderr).toContain("list item 1 skipped, an id that is blank, has surrounding whitespace or");
    expect(run.code).toBe(1);
  });

  it("--json prints the server's answer as one JSON line", async () => {
    const answer = { finetunes: ["ft-a", { finetune_id: "ft-b" }, 42] };
    server.reply(json(200, answer));
    const run = await runCli(["list", "--json", "--base-url", server.url], { env });
    expect(JSON.parse(run.stdout)).toEqual(answer);
    expect(run.code).toBe(0);
  });

  it("an HTTP error is one line on stderr, exit 1", async () => {
    server.reply(json(403, { detail: "Not authenticated" }));
    const run = await runCli(["list", "--max-retries", "0", "--base-url", server.url], { env });
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^bfl-finetune: 403 Forbidden: Not authenticated; check that BFL_API_KEY/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toContain(TEST_KEY);
    expect(run.code).toBe(1);
  });
});

describe("bfl-finetune show", () => {
  const details = { finetune_details: { trigger_word: "TOK", iterations: 300, mode: "character" } };

  it("prints key: value lines from GET /v1/finetune_details?finetune_id=ID", async () => {
    server.reply(json(200, details));
    const run = await runCli(["show", "ft a/b", "--base-url", server.url], { env });
    expect(run.stdout).toBe("trigger_word: TOK\niterations: 300\nmode: character\n");
    expect(run.code).toBe(0);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ["GET", "/v1/finetune_details?finetune_id=ft%20a%2Fb"],
    ]);
  });

  it("keeps escape codes from the server's details off the terminal, in keys and values (as the README says)", async () => {
    // A line break in a string value becomes a space; one in a key is escaped like any control.
    server.reply(json(200, { finetune_details: { "mo\nde\u001b[2J": "a\u001b]0;owned\u0007\nb" } }));
    const run = await runCli(["show", "ft-1", "--base-url", server.url], { env });
    expect(run.stdout).toBe("mo\\u000ade\\u001b[2J: a\\u001b]0;owned\\u0007 b\n");
    expect(run.code).toBe(0);
  });

  it("--json prints the server's answer", async () => {
    server.reply(json(200, details));
    const run = await runCli(["show", "ft-1", "--json", "--base-url", server.url], { env });
    expect(JSON.parse(run.stdout)).toEqual(details);
  });

  it("a 404 is one line on stderr, exit 1", async () => {
    server.reply(json(404, { detail: "Finetune not found" }));
    const run = await runCli(["show", "ft-1", "--base-url", server.url], { env });
    expect(run.stderr).toBe("bfl-finetune: 404 Not Found: Finetune not found\n");
    expect(run.code).toBe(1);
  });

  it("the server's text in that line: a line break becomes a space, an escape code \\uXXXX (as the README says)", async () => {
    server.reply(json(404, { detail: "gone\r\nfailed other: forged\u001b[2J" }));
    const run = await runCli(["show", "ft-1", "--base-url", server.url], { env });
    expect(run.stderr).toBe("bfl-finetune: 404 Not Found: gone failed other: forged\\u001b[2J\n");
    expect(run.code).toBe(1);
  });
});
