/**
 * What the CLI does at a terminal: the confirmation prompt, the progress line and NO_COLOR. A
 * spawned child has no terminal, so these call `run()` in-process with streams that say they are
 * TTYs; the requests still go to a real local server.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { type CliIo, run } from "../../src/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { json, okBody, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();

/** A stream that claims to be a terminal (or not) and keeps what is written to it. */
function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

/** Runs the CLI at a fake terminal; `answer` is typed at the prompt, if one comes. */
async function atTerminal(
  args: string[],
  options: { answer?: string; keys?: string; env?: Record<string, string> } = {},
) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = capture(true);
  const stderr = capture(true);
  const io: CliIo = {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { BFL_API_KEY: TEST_KEY, ...options.env },
  };
  // Typed once the prompt is on screen, as a person would.
  stderr.stream.on("data", (chunk: Buffer) => {
    if (!chunk.toString().includes("[y/N]")) return;
    if (options.answer !== undefined) stdin.write(`${options.answer}\n`);
    if (options.keys !== undefined) stdin.write(options.keys);
  });
  const code = await run([...args, "--max-retries", "0", "--base-url", server.url], io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("at a terminal", () => {
  it("asks before deleting several ids, and deletes on yes", async () => {
    server.reply(json(200, okBody()));
    const result = await atTerminal(["delete", "a", "b"], { answer: "y" });
    expect(result.stderr).toContain("Delete 2 finetunes? This cannot be undone. [y/N] ");
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(2);
  });

  it("sends nothing when the answer is not yes", async () => {
    server.reply(json(200, okBody()));
    const result = await atTerminal(["delete", "a", "b"], { answer: "n" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Nothing deleted.");
    expect(server.requests).toHaveLength(0);
  });

  it("Ctrl+C at the prompt sends nothing and exits 130, as Ctrl+C does everywhere else", async () => {
    server.reply(json(200, okBody()));
    const result = await atTerminal(["delete", "a", "b"], { keys: "\x03" });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("Nothing deleted.");
    expect(server.requests).toHaveLength(0);
  });

  it("end of input (Ctrl+D) at the prompt is a no: nothing sent, exit 2", async () => {
    server.reply(json(200, okBody()));
    const result = await atTerminal(["delete", "a", "b"], { keys: "\x04" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Nothing deleted.");
    expect(server.requests).toHaveLength(0);
  });

  it("does not ask for one id, nor with --yes", async () => {
    server.reply(json(200, okBody()));
    const one = await atTerminal(["delete", "a"]);
    const many = await atTerminal(["delete", "a", "b", "--yes"]);
    expect([one.code, many.code]).toEqual([0, 0]);
    expect(one.stderr + many.stderr).not.toContain("[y/N]");
    expect(server.requests).toHaveLength(3);
  });

  it("draws done/total, failures and rate on stderr, and clears it before the summary", async () => {
    server.reply((res, n) => (n === 2 ? json(404, { detail: "gone" })(res) : json(200, okBody())(res)));
    const result = await atTerminal(["delete", "a", "b", "c", "--concurrency", "1", "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1\/3 done, 0 failed, [\d.]+\/s/);
    expect(result.stderr).toMatch(/3\/3 done, 1 failed, [\d.]+\/s/);
    expect(result.stderr).toContain("\r\x1b[K\x1b[31mfailed\x1b[0m b: 404 Not Found: gone\n");
    expect(
      result.stderr.endsWith("\r\x1b[KSummary: 2 deleted, 0 already-gone, 1 failed, 0 unknown, 0 not-attempted\n"),
    ).toBe(true);
  });

  it("colours results on a terminal unless NO_COLOR is set", async () => {
    server.reply(json(200, okBody()));
    const coloured = await atTerminal(["delete", "a"]);
    const plain = await atTerminal(["delete", "a"], { env: { NO_COLOR: "1" } });
    expect(coloured.stdout).toContain("\x1b[32mdeleted\x1b[0m a: success");
    expect(plain.stdout).toMatch(/^deleted a: success/);
    expect(plain.stdout + plain.stderr).not.toContain("\x1b[3");
  });
});
