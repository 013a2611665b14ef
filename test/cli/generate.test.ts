/**
 * `bfl-finetune generate` through the built CLI against createFakeBfl().listen(): the whole flow
 * over real sockets, the image written whole, each way a task ends, and nothing sent on bad usage.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../../src/cli.js";
import { createFakeBfl, type FakeBfl, type FakeServer } from "../../src/testing/index.js";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";

const env = { BFL_API_KEY: TEST_KEY };
const dir = mkdtempSync(path.join(tmpdir(), "bfl-generate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fake: FakeBfl;
let server: FakeServer;
beforeEach(async () => {
  // Ready at the first poll: the CLI waits the client's default first interval (500 ms) once.
  fake = createFakeBfl({ finetunes: ["ft", "acme/lora"], pollsUntilReady: 1 });
  server = await fake.listen();
});
afterEach(() => server.close());

const generate = (args: string[], cwd?: string) =>
  runCli(["generate", ...args, "--base-url", server.url], { env, ...(cwd ? { cwd } : {}) });
/** `run()` in this process, stderr a terminal or not: for what needs no child process. */
async function runHere(args: string[], stderrIsTTY = false) {
  const stream = (isTTY: boolean) => {
    const s = Object.assign(new PassThrough(), { isTTY });
    let text = "";
    s.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    return { s, text: () => text };
  };
  const [stdout, stderr] = [stream(false), stream(stderrIsTTY)];
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const code = await run(["generate", ...args, "--base-url", server.url], {
    stdin,
    stdout: stdout.s,
    stderr: stderr.s,
    env,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
const sampleRequests = () => fake.requests.filter((r) => r.operation === "sample");

describe("bfl-finetune generate", () => {
  it("submits, polls, downloads the sample without the key, writes it whole and prints the path", async () => {
    const out = path.join(dir, "cat.png");
    const run = await generate(["ft", "--prompt", "a cat", "--strength", "1.5", "--out", out]);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, `${out}\n`, ""]);
    expect(fake.tasks).toEqual([expect.objectContaining({ finetuneId: "ft", status: "Ready" })]);
    const submit = fake.requests.find((r) => r.operation === "submitFinetuned");
    expect(submit?.body).toEqual({ finetune_id: "ft", prompt: "a cat", finetune_strength: 1.5 });
    expect(sampleRequests()).toHaveLength(1);
    expect(sampleRequests()[0]?.headers["x-key"]).toBeUndefined();
    const served = new Uint8Array(
      await (await fake.fetch(new URL(sampleRequests()[0]?.path ?? "", server.url))).arrayBuffer(),
    );
    expect(new Uint8Array(readFileSync(out))).toEqual(served);
  });

  it("by default names the file after the task id and format, in the working folder", async () => {
    const cwd = mkdtempSync(path.join(dir, "cwd-"));
    const run = await generate(["acme/lora", "--prompt", "a dog"], cwd);
    expect(run.code).toBe(0);
    const [task] = fake.tasks;
    expect(run.stdout).toBe(`${task?.id}.jpeg\n`);
    expect(readdirSync(cwd)).toEqual([`${task?.id}.jpeg`]);
    expect([...readFileSync(path.join(cwd, `${task?.id}.jpeg`)).subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });

  it("--json prints the result object with the file, and never the key", async () => {
    const out = path.join(dir, "json.jpeg");
    const run = await generate(["ft", "--prompt", TEST_KEY, "--json", "--out", out]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toMatchObject({ id: fake.tasks[0]?.id, status: "Ready", file: out });
    expect(printed.result.sample).toEqual(expect.any(String));
    expect(run.stdout).not.toContain(TEST_KEY);
  });

  it.each([
    ["moderated", "Content Moderated"],
    ["error", "Error"],
    ["not-found", "not found"],
  ] as const)("a %s task: exit 1 with the task id and its status, no file", async (fate, status) => {
    const cwd = mkdtempSync(path.join(dir, "fail-"));
    fake.scenario("ft", fate);
    const run = await generate(["ft", "--prompt", "a cat"], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(fake.requests.find((r) => r.operation === "getResult")?.path.split("id=")[1]);
    expect(run.stderr).toContain(status);
    if (fate === "moderated") expect(run.stderr).toContain("Derivative Works Filter");
    expect(run.stdout).toBe("");
    expect(readdirSync(cwd)).toEqual([]);
    expect(sampleRequests()).toEqual([]);
  });

  it("an expired sample (403 from the delivery host): exit 1 saying so, with the task id; nothing left on disk", async () => {
    const cwd = mkdtempSync(path.join(dir, "expired-"));
    fake.scenario("sample", { status: 403, body: "AuthenticationFailed" });
    const run = await generate(["ft", "--prompt", "a cat", "--out", "cat.jpeg"], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`task ${fake.tasks[0]?.id}: the result expired`));
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("an ambiguous submit (sent, no answer): exit 1 saying a task may exist; never sent twice", async () => {
    fake.scenario("submitFinetuned", "ambiguous");
    const run = await runHere(["ft", "--prompt", "a cat", "--out", path.join(dir, "never.jpeg")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the submit may have reached the server: a task may exist and cost credits/);
    expect(fake.requests.filter((r) => r.operation === "submitFinetuned")).toHaveLength(1);
    expect(fake.tasks).toHaveLength(1);
    expect(existsSync(path.join(dir, "never.jpeg"))).toBe(false);
  });

  it("an unknown finetune: exit 1, the server's 404, no task", async () => {
    const run = await generate(["nope", "--prompt", "a cat"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not found/i);
    expect(fake.tasks).toEqual([]);
  });

  it.each([
    [["ft"], /--prompt/],
    [["ft", "--prompt", "  "], /--prompt/],
    [["--prompt", "x"], /exactly one finetune id/],
    [["ft", "--prompt", "x", "--strength", "strong"], /--strength/],
    [["ft", "--prompt", "x", "--model", "flux-nope"], /flux-nope-finetuned/],
    [["ft", "--prompt", "x", "--strength", "9"], /finetune_strength/],
    [["ft", "--prompt", "x", "--model", "flux-pro-1.0-fill"], /image/],
    [["ft", "--prompt", "x", "--out", "/nonexistent-dir/x.jpeg"], /--out/],
    [["ft", "--prompt", "x", "--yes"], /--yes only applies to delete/],
  ])("bad usage %j: exit 2, nothing sent", async (args, message) => {
    const run = await runHere(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(fake.requests).toEqual([]);
  });

  it("bad usage through the built CLI too: exit 2 before any request", async () => {
    const run = await generate(["ft", "--prompt", "x", "--strength", "9"]);
    expect([run.code, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toMatch(/finetune_strength: more than 2/);
    expect(fake.requests).toEqual([]);
  });

  it("on a terminal, stderr shows the task waited for, then clears the line; the path goes to stdout", async () => {
    const out = path.join(dir, "tty.jpeg");
    const run = await runHere(["ft", "--prompt", "a cat", "--out", out], true);
    expect([run.code, run.stdout]).toEqual([0, `${out}\n`]);
    expect(run.stderr).toContain(`task ${fake.tasks[0]?.id} running, 0 s`);
    expect(run.stderr.endsWith("\r\x1b[K")).toBe(true);
  });

  it("Ctrl+C while waiting: exit 130 naming the task, which may still finish and cost credits", async () => {
    await server.close();
    fake = createFakeBfl({ finetunes: ["ft"], pollsUntilReady: 1_000_000 });
    server = await fake.listen();
    const cwd = mkdtempSync(path.join(dir, "ctrl-c-"));
    const cli = startCli(["generate", "ft", "--prompt", "a cat", "--base-url", server.url], { env, cwd });
    await expect.poll(() => fake.tasks[0]?.polls ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    cli.child.kill("SIGINT");
    const run = await cli.exited;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`task ${fake.tasks[0]?.id} was submitted and may still finish and cost credits`);
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(cwd)).toBe(true);
  });
});
