/**
 * `bfl-finetune generate` against a local server that answers as a broken or hostile BFL would:
 * the key echoed back, a delivery host that stalls or sends without end, and a place to write
 * the image that cannot take it. Each is checked in-process through `run()`, over real sockets.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli.js";
import { startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { json, type RecordedRequest, reset, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();
const dir = mkdtempSync(path.join(tmpdir(), "bfl-generate-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A BFL-like async API: submit, one Ready poll (its result from `result`), then `sample` answers the download. */
function bfl(sample: (res: import("node:http").ServerResponse) => void, result: Record<string, unknown> = {}) {
  server.reply((res, _n, req: RecordedRequest) => {
    if (req.method === "POST")
      return json(200, { id: "task-1", polling_url: `${server.url}/v1/get_result?id=task-1` })(res);
    if (req.url.startsWith("/v1/get_result")) {
      const ready = { sample: `${server.url}/delivery/sample.jpeg`, ...result };
      return json(200, { id: "task-1", status: "Ready", result: ready, details: null, progress: null })(res);
    }
    sample(res);
  });
}

const jpeg = (res: import("node:http").ServerResponse) => {
  res.writeHead(200, { "content-type": "image/jpeg" });
  res.end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
};

async function generate(args: string[], key = TEST_KEY) {
  const capture = () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false });
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    return { stream, text: () => text };
  };
  const [stdout, stderr] = [capture(), capture()];
  const code = await run(["generate", "ft", "--prompt", "a cat", "--base-url", server.url, ...args], {
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { BFL_API_KEY: key },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const posts = () => server.requests.filter((r) => r.method === "POST");

describe("generate against a hostile server", () => {
  it.each([` ${TEST_KEY}`, `${TEST_KEY}\r`])(
    "--json never prints the key, even when BFL_API_KEY has surrounding whitespace (%j)",
    async (key) => {
      bfl(jpeg, { prompt: `echo ${TEST_KEY} and ${TEST_KEY}` });
      const run = await generate(["--json", "--out", path.join(dir, "echo.jpeg")], key);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).result.prompt).toBe("echo [redacted] and [redacted]");
      expect(run.stdout).not.toContain(TEST_KEY);
    },
  );

  it.each([":", '"'])("--json prints valid JSON for the key %j, echoed or not", async (key) => {
    bfl(jpeg, { prompt: `say ${key} "${key}" {${key}}` });
    const run = await generate(["--json", "--out", path.join(dir, "keys.jpeg")], key);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: "task-1", status: "Ready" });
  });

  it("a delivery host that stalls mid-body: exit 1 after --timeout, naming the task; no file", async () => {
    const cwd = mkdtempSync(path.join(dir, "stall-"));
    bfl((res) => {
      res.writeHead(200, { "content-type": "image/jpeg" });
      res.write("\xff\xd8");
    });
    const run = await generate(["--timeout", "0.3", "--out", path.join(cwd, "x.jpeg")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/task task-1: the image could not be downloaded: .*timed out/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a delivery host that sends without end: exit 1 once past the image bound, naming the task; no file", async () => {
    const cwd = mkdtempSync(path.join(dir, "huge-"));
    const megabyte = Buffer.alloc(1024 * 1024, 0x41);
    bfl((res) => {
      res.writeHead(200, { "content-type": "image/jpeg" });
      const more = () => {
        while (!res.destroyed && res.write(megabyte)) {}
        if (!res.destroyed) res.once("drain", more);
      };
      res.on("close", () => res.removeAllListeners("drain"));
      more();
    });
    const run = await generate(["--out", path.join(cwd, "x.jpeg")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/task task-1: the image could not be downloaded: .*larger than/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("Ctrl+C during the download (built CLI): exit 130 naming the task; no file, no temporary file", async () => {
    const cwd = mkdtempSync(path.join(dir, "ctrl-c-"));
    bfl((res) => {
      res.writeHead(200, { "content-type": "image/jpeg" });
      res.write("\xff\xd8");
    });
    const cli = startCli(["generate", "ft", "--prompt", "a cat", "--base-url", server.url], {
      env: { BFL_API_KEY: TEST_KEY },
      cwd,
    });
    await expect.poll(() => server.requests.some((r) => r.url.startsWith("/delivery")), { timeout: 10_000 }).toBe(true);
    cli.child.kill("SIGINT");
    const run = await cli.exited;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("task task-1 was submitted and may still finish and cost credits");
    expect(readdirSync(cwd)).toEqual([]);
  });

  // Each form the URL parser reads as a user and password (fetch then refuses it, quoting it whole).
  it.each([
    ["//user:pass@", (url: string) => url.replace("//", "//user:s3cret-pass@")],
    ["no slashes", (url: string) => url.replace("//", "user:s3cret-pass@")],
    ["backslashes", (url: string) => url.replace("//", "\\\\user:s3cret-pass@")],
    ["a space in the password", (url: string) => url.replace("//", "//user:s3cret pass@")],
    ["an invalid port", (url: string) => `${url.replace("//", "user:s3cret-pass@").replace(/:\d+$/, "")}:99999`],
  ])(
    "a sample URL with a user and password (%s): exit 1 naming the task; the password is never printed",
    async (_, sampleUrl) => {
      const cwd = mkdtempSync(path.join(dir, "credentials-"));
      bfl(jpeg, { sample: `${sampleUrl(server.url)}/delivery/sample.jpeg` });
      const run = await generate(["--out", path.join(cwd, "x.jpeg")]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/task task-1: the image could not be downloaded/);
      expect(run.stderr).not.toContain("s3cret");
      expect(server.requests.some((r) => r.url.startsWith("/delivery"))).toBe(false);
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  // After the paid submit every message names the task, whatever ended the wait.
  it.each([
    ["polls answering 503", json(503, { detail: "overloaded" })],
    ["polls whose connection is reset", reset],
    ["a Ready answer without a sample URL", json(200, { id: "task-1", status: "Ready", result: {}, details: null })],
  ])("%s: exit 1 naming the task", async (_, poll) => {
    server.reply((res, _n, req: RecordedRequest) =>
      req.method === "POST"
        ? json(200, { id: "task-1", polling_url: `${server.url}/v1/get_result?id=task-1` })(res)
        : poll(res),
    );
    const run = await generate(["--max-retries", "0", "--out", path.join(dir, "poll-failed.jpeg")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("task-1");
    expect(posts()).toHaveLength(1);
  });

  it("a task that stays Pending: exit 1 after --wait, naming the task, which may still finish; no file", async () => {
    const cwd = mkdtempSync(path.join(dir, "pending-"));
    server.reply((res, _n, req: RecordedRequest) =>
      req.method === "POST"
        ? json(200, { id: "task-1", polling_url: `${server.url}/v1/get_result?id=task-1` })(res)
        : json(200, { id: "task-1", status: "Pending", result: null, details: null, progress: 0.5 })(res),
    );
    const run = await generate(["--wait", "0.7", "--out", path.join(cwd, "x.jpeg")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/task-1\b.*not ready after 700 ms.*may still finish and cost credits/);
    expect(posts()).toHaveLength(1);
    expect(server.requests.filter((r) => r.url.startsWith("/v1/get_result")).length).toBeGreaterThan(0);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("--out naming a folder: exit 2 before the paid submit (else the image is lost after paying)", async () => {
    const folder = path.join(dir, "a-folder");
    mkdirSync(folder);
    bfl(jpeg);
    const run = await generate(["--out", folder]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--out/);
    expect(posts()).toEqual([]);
  });
});

describe("generate when the submit's answer breaks the spec", () => {
  it("names the task the server accepted (its id is in the 2xx answer), never just 'may exist'", async () => {
    server.reply((res) => json(200, { id: "task-9", polling_url: 42, cost: "free" })(res));
    const run = await generate(["--out", path.join(dir, "never.jpeg")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/task task-9/);
    expect(posts()).toHaveLength(1);
  });
});
