/** What a user of `bfl-finetune/testing` does in their own tests: start, call, close, nothing left. */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BflResponseValidationError, BflServerError, createBflClient } from "../../src/index.js";
import { type PrismServer, specPath, startMockServer } from "../../src/testing/index.js";

/** Whether `pid` runs; a zombie (ended, not yet reaped by an orphan's new parent) does not. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  if (!existsSync("/proc")) return true;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false; // reaped while being read
  }
};

/** Polls, bounded, for a process to be gone: a parent's exit reaches its child a moment later. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

const client = (mock: PrismServer) => createBflClient({ apiKey: "test", baseUrl: mock.url, maxRetries: 0 });

const mocks: PrismServer[] = [];
const start = async (options?: Parameters<typeof startMockServer>[0]) => {
  const mock = await startMockServer(options);
  mocks.push(mock);
  return mock;
};
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

const scratch = mkdtempSync(path.join(tmpdir(), "bfl-mock-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The shipped spec with the 200 example's `timestamp` removed: a mock answer that breaks the schema. */
function specWithBrokenExample(): string {
  const spec = JSON.parse(readFileSync(specPath, "utf8"));
  delete spec.paths["/v1/delete_finetune"].post.responses["200"].content["application/json"].examples.example.value
    .timestamp;
  const file = path.join(scratch, "broken-example.json");
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

describe("startMockServer", () => {
  it("serves the spec to the facade and leaves no process behind after close()", async () => {
    const mock = await startMockServer();
    try {
      expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(alive(mock.pid)).toBe(true);
      await expect(client(mock).deleteFinetune("my-finetune")).resolves.toEqual({
        status: "success",
        message: "Finetune my-finetune deleted successfully",
        deleted_finetune_id: "my-finetune",
        timestamp: "2026-11-29T12:00:00Z",
      });
    } finally {
      await mock.close();
    }
    expect(alive(mock.pid)).toBe(false);
    await expect(mock.close()).resolves.toBeUndefined();
    expect(alive(mock.pid)).toBe(false);
  });

  it("dynamic: true generates bodies from the schema instead of the example", async () => {
    const mock = await start({ dynamic: true });
    const results = await Promise.all([1, 2, 3].map(() => client(mock).deleteFinetune("my-finetune")));
    for (const r of results) expect(typeof r.timestamp).toBe("string");
    expect(results.filter((r) => r.timestamp === "2026-11-29T12:00:00Z")).toHaveLength(0);
  });

  it("errors: true turns a mock answer that breaks the spec into Prism's 500", async () => {
    const spec = specWithBrokenExample();
    const [lenient, strict] = await Promise.all([start({ spec }), start({ spec, errors: true })]);

    const sent = await client(lenient).raw.POST("/v1/delete_finetune", { body: { finetune_id: "my-finetune" } });
    expect(sent.response.status).toBe(200);
    expect(JSON.parse(sent.response.headers.get("sl-violations") ?? "[]")).toEqual([
      expect.objectContaining({ location: ["response", "body"], message: expect.stringContaining("'timestamp'") }),
    ]);
    const invalid = await client(lenient)
      .deleteFinetune("my-finetune")
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BflResponseValidationError);
    expect((invalid as Error).message).toContain("timestamp");

    const refused = await client(strict)
      .deleteFinetune("my-finetune")
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BflServerError);
    expect(refused).toMatchObject({ status: 500, body: { type: "https://stoplight.io/prism/errors#VIOLATIONS" } });
  });

  it("fails in one line naming the port and EADDRINUSE when the port is taken", async () => {
    // Any listener takes the port; a plain one spares a second Prism start.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const error = await startMockServer({ port, startTimeoutMs: 10_000 }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        `Prism did not start: port ${port} on 127.0.0.1 is already in use (EADDRINUSE)`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

/**
 * Live processes whose command line holds `marker` (zombies excluded: they are already dead).
 * Linux /proc: it also finds a worker Prism forked, which a check of one PID would miss.
 */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${entry}/stat`, "utf8"))?.[1];
      if (cmdline.includes(marker) && state !== "Z") found.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

describe.runIf(existsSync("/proc"))("the process that started Prism", () => {
  const dir = mkdtempSync(path.join(scratch, "owner-"));
  const program = path.join(dir, "owner.mts");
  writeFileSync(
    program,
    `import { startMockServer } from ${JSON.stringify(path.resolve("src/testing/index.ts"))};
const mock = await startMockServer({ spec: process.env.OWNER_SPEC });
process.once("SIGUSR2", () => process.exit(0));
console.log(mock.pid);
setInterval(() => {}, 1000);
`,
  );

  /**
   * Runs the program with tsx's loader in its own process (no tsx CLI in between, so a signal
   * reaches it), on a spec copy whose unique path marks every Prism process it starts.
   */
  async function owner(how: "exit" | "SIGTERM" | "SIGINT" | "SIGKILL") {
    const spec = path.join(dir, `spec-${how}.json`);
    copyFileSync(specPath, spec);
    // NODE_ENV=production makes Prism fork a worker, unless startPrism says not to.
    const child = spawn(process.execPath, ["--import", "tsx", program], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_ENV: "production", OWNER_SPEC: spec },
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const prism = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (c) => {
        stdout += c;
        if (stdout.includes("\n")) resolve(Number(stdout.trim()));
      });
      child.once("exit", () => reject(new Error(`owner ended before printing Prism's pid: ${stderr}`)));
    });
    const started = processesWith(spec);
    // SIGUSR2 makes the owner call process.exit(0).
    child.kill(how === "exit" ? "SIGUSR2" : how);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve([child.exitCode, child.signalCode]);
      else child.once("exit", (c, s) => resolve([c, s]));
    });
    return { prism, spec, started, code, signal };
  }

  // SIGKILL gives the owner no chance to run any code: Prism notices its stdin pipe close.
  it.concurrent.each(["exit", "SIGTERM", "SIGINT", "SIGKILL"] as const)(
    "ends Prism on %s without close()",
    async (how) => {
      const run = await owner(how);
      expect(run.started).toEqual([run.prism]);
      // The signal keeps its meaning: the owner still ends by it.
      expect(how === "exit" ? run.code : run.signal).toBe(how === "exit" ? 0 : how);
      expect(await gone(run.prism)).toBe(true);
      expect(processesWith(run.spec)).toEqual([]);
    },
  );
});
