/** The key travels only in x-key: never in errors, logs or an inspected client. Logging is opt-in. */
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BflApiError,
  type BflClient,
  BflConfigurationError,
  BflRateLimitError,
  createBflClient,
  type LogEvent,
} from "../../src/index.js";
import { clientFor, rejectionOf, TEST_KEY } from "../helpers/client.js";
import {
  type Handler,
  hang,
  json,
  okBody,
  reset,
  stallBody,
  startFaultServer,
  text,
  useFaultServer,
} from "../helpers/fault-server.js";

const server = useFaultServer();
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Every way a value can be rendered by a user, a logger or a bug report. */
function renderings(value: unknown): string[] {
  const out = [inspect(value, { depth: 20, showHidden: true }), JSON.stringify(value) ?? ""];
  if (value instanceof Error) out.push(value.message, value.stack ?? "", String(value));
  return out;
}

/** The server echoes the request's headers back, as a debugging proxy might. */
const echoHeaders =
  (status: number): Handler =>
  (res, _n, req) =>
    json(status, { detail: `echo ${req.headers["x-key"]}`, headers: req.headers })(res);

const matrix: Array<[string, Handler]> = [
  ["400", json(400, { detail: "bad" })],
  ["401 echoing headers", echoHeaders(401)],
  ["403", json(403, { detail: "Not authenticated - Invalid Authentication" })],
  ["404", json(404, { detail: "no such finetune" })],
  ["422", json(422, { detail: [{ loc: ["body", "finetune_id"], msg: "bad", type: "x" }] })],
  ["429 long wait", json(429, {}, { "retry-after": "3600" })],
  ["500 echoing headers", echoHeaders(500)],
  ["502 html", text(502, `<h1>Bad gateway</h1>${TEST_KEY}`)],
  ["200 echoing key in a text body", (res, _n, req) => text(200, `key=${req.headers["x-key"]}`)(res)],
  ["200 missing fields", (res, _n, req) => json(200, { status: req.headers["x-key"] })(res)],
  ["reset", reset],
  ["hang", hang],
  ["stalled body", stallBody],
];

describe("key safety across the fault matrix", () => {
  it("no error, log event or inspected client contains the key", async () => {
    const events: LogEvent[] = [];
    const client = clientFor(server, { timeoutMs: 100, maxRetries: 1, logger: (e) => events.push(e) });
    const errors: Error[] = [];
    for (const [, handler] of matrix) {
      server.reply(handler);
      errors.push(await rejectionOf(client.deleteFinetune("ft")));
    }
    expect(errors).toHaveLength(matrix.length);
    expect(events.length).toBeGreaterThan(matrix.length);
    const rendered = [...errors.flatMap(renderings), ...events.flatMap(renderings), ...renderings(client)];
    for (const text of rendered) expect(text).not.toContain(TEST_KEY);
    // The echoes really happened: the key was redacted, not absent.
    const echoed = errors.find((e) => e instanceof BflApiError && e.status === 401) as BflApiError;
    expect(JSON.stringify(echoed.body)).toContain("[redacted]");
  });

  it("errors keep response headers only, never the request's", async () => {
    server.reply(json(500, {}));
    const error = (await rejectionOf(clientFor(server, { maxRetries: 0 }).deleteFinetune("x"))) as BflApiError;
    expect(error.headers.get("x-key")).toBeNull();
    expect(error.headers.get("content-type")).toBe("application/json");
  });
});

describe("redaction", () => {
  it("a key echoed in a response header is not in err.headers or util.inspect(err)", async () => {
    server.reply((res, _n, req) => json(500, { detail: "boom" }, { "x-echo-key": `k=${req.headers["x-key"]}` })(res));
    const error = (await rejectionOf(clientFor(server, { maxRetries: 0 }).deleteFinetune("x"))) as BflApiError;
    expect(error.headers.get("x-echo-key")).toBe("k=[redacted]");
    for (const text of renderings(error)) expect(text).not.toContain(TEST_KEY);
  });

  it("a key echoed as a response header's name is not in err.headers or util.inspect(err)", async () => {
    server.reply((res, _n, req) => json(500, { detail: "boom" }, { [`x-echo-${req.headers["x-key"]}`]: "1" })(res));
    const error = (await rejectionOf(clientFor(server, { maxRetries: 0 }).deleteFinetune("x"))) as BflApiError;
    expect(error.headers.get("content-type")).toBe("application/json");
    for (const text of renderings(error)) expect(text).not.toContain(TEST_KEY);
  });

  it("a key echoed in the status text is not in the error nor in a raw response", async () => {
    server.reply((res, _n, req) => {
      res.writeHead(500, `Bad key ${req.headers["x-key"]}`, { "content-type": "text/plain" });
      res.end("boom");
    });
    const client = clientFor(server, { maxRetries: 0 });
    const error = await rejectionOf(client.deleteFinetune("x"));
    expect(error.message).toBe("500 Bad key [redacted]");
    for (const text of renderings(error)) expect(text).not.toContain(TEST_KEY);
    const { response } = await client.raw.POST("/v1/delete_finetune", { body: { finetune_id: "x" } });
    expect(response.statusText).toBe("Bad key [redacted]");
  });

  it("a short key never garbles a message: whole tokens only", async () => {
    server.reply(json(429, { detail: "Too many active tasks" }, { "retry-after": "3600" }));
    const error = (await rejectionOf(clientFor(server, { apiKey: "tas" }).deleteFinetune("x"))) as BflApiError;
    expect(error.message).toBe("429 Too Many Requests: Too many active tasks; retry after 3600 s");
  });

  it("a key that is JSON punctuation never changes what an error is", async () => {
    server.reply(json(429, { detail: "Too many: slow down" }, { "retry-after": "3600" }));
    const error = (await rejectionOf(clientFor(server, { apiKey: ":" }).deleteFinetune("x"))) as BflApiError;
    expect(error).toBeInstanceOf(BflRateLimitError);
    expect(error.attempts).toBe(1);
    // Such a key is redacted wherever it stands, structure untouched: the status decided the class.
    expect(error.body).toEqual({ detail: "Too many[redacted] slow down" });
  });
});

describe("redirects", () => {
  it("are not followed, so the key never travels to the origin a redirect names", async () => {
    const other = await startFaultServer();
    try {
      other.reply(json(200, okBody()));
      server.reply(text(307, "", { location: `${other.url}/v1/delete_finetune` }));
      const error = (await rejectionOf(clientFor(server).deleteFinetune("x"))) as BflApiError;
      expect(error).toBeInstanceOf(BflApiError);
      expect(error.status).toBe(307);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe("raw requests outside baseUrl", () => {
  it("a raw call's own baseUrl, or a path that leaves the prefix, is refused and sends nothing", async () => {
    const other = await startFaultServer();
    try {
      other.reply(json(200, {}));
      server.reply(json(200, {}));
      const raw = clientFor(server).raw as unknown as {
        GET(path: string, init?: { baseUrl?: string }): Promise<unknown>;
      };
      const elsewhere = await rejectionOf(raw.GET("/v1/my_finetunes", { baseUrl: other.url }));
      expect(elsewhere).toBeInstanceOf(BflConfigurationError);
      expect(elsewhere.message).not.toContain(other.url);
      const prefixed = createBflClient({ apiKey: TEST_KEY, baseUrl: `${server.url}/bfl`, maxRetries: 0 });
      const escaped = prefixed.raw as unknown as typeof raw;
      expect(await rejectionOf(escaped.GET("/../v1/my_finetunes"))).toBeInstanceOf(BflConfigurationError);
      expect(other.requests).toHaveLength(0);
      expect(server.requests).toHaveLength(0);
      // The prefix itself keeps working.
      await prefixed.raw.GET("/v1/my_finetunes");
      expect(server.requests.map((r) => r.url)).toEqual(["/bfl/v1/my_finetunes"]);
    } finally {
      await other.close();
    }
  });
});

describe("one signal shared by many calls", () => {
  it("1,000 concurrent calls on one AbortSignal print no MaxListenersExceededWarning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      server.reply(json(200, okBody()));
      const client = clientFor(server);
      const { signal } = new AbortController();
      await Promise.all(Array.from({ length: 1000 }, () => client.deleteFinetune("x", { signal })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
      expect(server.requests).toHaveLength(1000);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it.each([
    ["raw.GET", (client: BflClient, signal: AbortSignal) => client.raw.GET("/v1/my_finetunes", { signal })],
    [
      "raw.request",
      (client: BflClient, signal: AbortSignal) => client.raw.request("get", "/v1/my_finetunes", { signal }),
    ],
  ])("2,000 concurrent %s calls on one AbortSignal: no warning, and the signal still aborts them", async (_, send) => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      // In memory: 2,000 sockets would measure the machine, not the listeners.
      const held: Array<() => void> = [];
      const fetch = (request: Request) =>
        new Promise<Response>((resolve, reject) => {
          request.signal.addEventListener("abort", () => reject(request.signal.reason));
          held.push(() => resolve(new Response('{"finetunes":[]}', { status: 200 })));
        });
      const client = createBflClient({ apiKey: TEST_KEY, baseUrl: server.url, fetch, maxRetries: 0 });
      const controller = new AbortController();
      const calls = Array.from({ length: 2000 }, () => send(client, controller.signal));
      for (let i = 0; i < 100 && held.length < 2000; i++) await new Promise((r) => setTimeout(r, 5));
      expect(held).toHaveLength(2000);
      for (const answer of held.splice(0, 1999)) answer();
      await Promise.all(calls.slice(0, 1999));
      controller.abort();
      await expect(calls[1999]).rejects.toMatchObject({ name: "BflAbortError", attempts: 1 });
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("logging", () => {
  it("logs request, response and retry events with plain fields", async () => {
    server.reply((res, n) => (n === 1 ? json(503, {}) : json(200, okBody()))(res));
    const events: LogEvent[] = [];
    await clientFor(server, { logger: (e) => events.push(e) }).deleteFinetune("x");
    expect(events.map((e) => `${e.level} ${e.message}`)).toEqual([
      "debug request",
      "debug response",
      "warn retry",
      "debug request",
      "debug response",
    ]);
    expect(events[0]).toMatchObject({ method: "POST", url: `${server.url}/v1/delete_finetune`, attempt: 1 });
    expect(events[1]).toMatchObject({ status: 503, attempt: 1 });
    expect(events[2]).toMatchObject({ retry: 1, reason: "503 Service Unavailable" });
  });

  it("a logger that throws changes nothing: the answer stands and the slot is given back", async () => {
    server.reply((res, n) => (n === 1 ? json(503, {}) : json(200, okBody()))(res));
    const broken = () => {
      throw new Error("logger broke");
    };
    const client = clientFor(server, { maxConcurrency: 1, logger: broken });
    await expect(client.deleteFinetune("x")).resolves.toEqual(okBody());
    // With maxConcurrency 1, a slot kept by the first call would hold this one forever.
    await expect(client.deleteFinetune("x")).resolves.toEqual(okBody());
  }, 5000);

  it("logs nothing by default, and JSON lines on stderr with BFL_LOG=debug", async () => {
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    server.reply(json(200, okBody()));
    await clientFor(server).deleteFinetune("x");
    expect(stderr).not.toHaveBeenCalled();

    vi.stubEnv("BFL_LOG", "debug");
    await createBflClient({ apiKey: TEST_KEY, baseUrl: server.url }).deleteFinetune("x");
    const lines = stderr.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines.map((l) => l.message)).toEqual(["request", "response"]);
    expect(lines[0]).toMatchObject({ name: "bfl-finetune", level: "debug" });
    for (const line of stderr.mock.calls.flat()) expect(String(line)).not.toContain(TEST_KEY);
  });
});
