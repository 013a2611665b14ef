/**
 * Generating with a finetune against local servers that behave like BFL's async API: a submit
 * answers a task and its polling_url, get_result answers Pending until the task is ready. What is
 * checked: where polls go (and where the key never goes), how many there are, the terminal
 * statuses as errors, abort and timeout of a wait, and a paid submit never sent twice.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it, vi } from "vitest";
import {
  BflAbortError,
  BflConfigurationError,
  BflConnectionError,
  BflModerationError,
  BflNotFoundError,
  BflRateLimitError,
  BflResponseValidationError,
  BflServerError,
  BflTaskError,
  BflTaskNotFoundError,
  BflTimeoutError,
  submitMayHaveCreated,
} from "../../src/index.js";
import { clientFor, rejectionOf, TEST_KEY } from "../helpers/client.js";
import {
  type FaultServer,
  hang,
  json,
  type RecordedRequest,
  reset,
  startFaultServer,
  useFaultServer,
} from "../helpers/fault-server.js";

const ULTRA = "flux-pro-1.1-ultra-finetuned";
const BODY = { finetune_id: "my-finetune", prompt: "a portrait of TOK", finetune_strength: 1.1 };
const SAMPLE = "https://delivery-eu1.bfl.ai/results/t-1/sample.jpeg?sig=abc";

const server = useFaultServer();
const foreign = useFaultServer();

const isSubmit = (req: RecordedRequest) => req.method === "POST" && req.url === `/v1/${ULTRA}`;
const isPoll = (req: RecordedRequest) => req.method === "GET" && req.url.startsWith("/v1/get_result");
const polls = (s: FaultServer) => s.requests.filter(isPoll);

const ready = (id: string) => ({ id, status: "Ready", result: { sample: SAMPLE, seed: 1 }, details: null });
const pending = (id: string) => ({ id, status: "Pending", result: null, progress: 0.5, details: null });

interface TaskServerOptions {
  /** The polling_url the submit answers (default: the server's own get_result). */
  pollingUrl?: (own: string, id: string) => string;
  /** Answers a poll; `n` counts polls from 1, `ms` is the time since the submit. */
  poll?: (res: ServerResponse, n: number, ms: number) => void;
}

/** Makes `s` answer like BFL's async API: a submit, then polls. */
function serveTasks(s: FaultServer, options: TaskServerOptions = {}) {
  const id = "t-1";
  let submittedAt = 0;
  let n = 0;
  s.reply((res, _count, req) => {
    if (isSubmit(req)) {
      submittedAt = Date.now();
      const polling_url = options.pollingUrl?.(s.url, id) ?? `${s.url}/v1/get_result?id=${id}`;
      return json(200, { id, polling_url, cost: 6 })(res);
    }
    if (isPoll(req))
      return (options.poll ?? ((r, k) => json(200, k < 3 ? pending(id) : ready(id))(r)))(
        res,
        ++n,
        Date.now() - submittedAt,
      );
    json(404, { detail: "Not Found" })(res);
  });
}

describe("generateWithFinetune against a local BFL-like server", () => {
  it("submits the body as given, follows the own-origin polling_url with the key, resolves Ready", async () => {
    serveTasks(server, { pollingUrl: (own, id) => `${own}/v1/get_result?id=${id}&region=here` });
    const submitted: unknown[] = [];
    const result = await clientFor(server).generateWithFinetune(ULTRA, BODY, {
      pollIntervalMs: 5,
      onSubmitted: (task) => submitted.push(task),
    });
    expect(result.status).toBe("Ready");
    expect(result.result.sample).toBe(SAMPLE);
    expect(submitted).toEqual([expect.objectContaining({ id: "t-1" })]);
    const [submit, ...rest] = server.requests;
    expect(JSON.parse(submit?.body ?? "")).toEqual(BODY);
    expect(rest.map((r) => r.url)).toEqual(Array(3).fill("/v1/get_result?id=t-1&region=here"));
    expect(server.requests.every((r) => r.headers["x-key"] === TEST_KEY)).toBe(true);
  });

  it("with the default interval, polls a task ready after 0.3 s once: the first poll waits 500 ms", async () => {
    // The pace itself (growth, cap) is test/unit/tasks.test.ts's; here, that the client uses it.
    serveTasks(server, { poll: (res, _n, ms) => json(200, ms < 300 ? pending("t-1") : ready("t-1"))(res) });
    await clientFor(server).generateWithFinetune(ULTRA, BODY);
    expect(polls(server)).toHaveLength(1);
  });

  it("never sends the key to a foreign polling_url: it polls its own get_result?id= instead", async () => {
    foreign.reply(json(200, ready("t-1")));
    serveTasks(server, { pollingUrl: (_own, id) => `${foreign.url}/v1/get_result?id=${id}` });
    const result = await clientFor(server).generateWithFinetune(ULTRA, BODY, { pollIntervalMs: 5 });
    expect(result.status).toBe("Ready");
    expect(foreign.requests).toEqual([]);
    expect(polls(server).map((r) => r.url)).toEqual(Array(3).fill("/v1/get_result?id=t-1"));
  });

  it.each([
    ["http on a BFL host", "http://api.eu1.bfl.ai/v1/get_result?id=t-1"],
    ["a look-alike host", "https://api.bfl.ai.example.com/v1/get_result?id=t-1"],
    ["a BFL host while the client talks to a local server", "https://api.eu1.bfl.ai/v1/get_result?id=t-1"],
  ])("polls its own origin for %s", async (_name, url) => {
    const seen: string[] = [];
    const client = clientFor(server, {
      fetch: (request) => {
        seen.push(new URL(request.url).origin);
        return fetch(request);
      },
    });
    serveTasks(server, { pollingUrl: () => url });
    await client.generateWithFinetune(ULTRA, BODY, { pollIntervalMs: 5 });
    expect(new Set(seen)).toEqual(new Set([server.url]));
  });

  it("follows a regional BFL host over https with the key when the client talks to BFL", async () => {
    // api.bfl.ai (the client's host) and api.eu1.bfl.ai are routed to two local servers.
    serveTasks(server, { pollingUrl: (_own, id) => `https://api.eu1.bfl.ai/v1/get_result?id=${id}` });
    foreign.reply((res, n) => json(200, n < 2 ? pending("t-1") : ready("t-1"))(res));
    const routes: Record<string, string> = { "api.bfl.ai": server.url, "api.eu1.bfl.ai": foreign.url };
    const client = clientFor(server, {
      baseUrl: "https://api.bfl.ai",
      fetch: (request) => {
        const url = new URL(request.url);
        const to = routes[url.hostname];
        if (!to) throw new Error(`unexpected host ${url.hostname}`);
        return fetch(new Request(`${to}${url.pathname}${url.search}`, request));
      },
    });
    const result = await client.generateWithFinetune(ULTRA, BODY, { pollIntervalMs: 5 });
    expect(result.status).toBe("Ready");
    expect(polls(server)).toEqual([]);
    expect(foreign.requests.map((r) => [r.url, r.headers["x-key"]])).toEqual(
      Array(2).fill(["/v1/get_result?id=t-1", TEST_KEY]),
    );
  });

  it("retries a poll's transient failures (5xx, reset) without submitting again", async () => {
    serveTasks(server, {
      poll: (res, n) => {
        if (n === 1) return json(503, { detail: "busy" })(res);
        if (n === 2) return reset(res);
        json(200, ready("t-1"))(res);
      },
    });
    const result = await clientFor(server).generateWithFinetune(ULTRA, BODY, { pollIntervalMs: 5 });
    expect(result.status).toBe("Ready");
    expect(server.requests.filter(isSubmit)).toHaveLength(1);
    expect(polls(server)).toHaveLength(3);
  });
});

describe("terminal statuses", () => {
  const task = () => ({ id: "t-1", polling_url: `${server.url}/v1/get_result?id=t-1` });
  const answer = (body: unknown, status = 200) => server.reply(json(status, body));

  it("Request Moderated and Content Moderated: one moderation error with the task id and details", async () => {
    const details = { "Moderation Reasons": ["Derivative Works Filter"] };
    for (const status of ["Request Moderated", "Content Moderated"]) {
      answer({ id: "t-1", status, result: null, details });
      const error = await rejectionOf(clientFor(server).waitForResult(task(), { pollIntervalMs: 1 }));
      expect(error).toBeInstanceOf(BflModerationError);
      expect(error).toBeInstanceOf(BflTaskError);
      expect(error).toMatchObject({ taskId: "t-1", taskStatus: status, details });
      expect(error.message).toContain("Derivative Works Filter");
    }
  });

  it("a key the server echoes in details is redacted in the error", async () => {
    answer({ id: "t-1", status: "Error", result: null, details: { echo: TEST_KEY } });
    const error = await rejectionOf(clientFor(server).waitForResult(task(), { pollIntervalMs: 1 }));
    expect(error).toBeInstanceOf(BflTaskError);
    expect(JSON.stringify((error as BflTaskError).details) + error.message).not.toContain(TEST_KEY);
  });

  it("Error: a task error with the task id and details", async () => {
    answer({ id: "t-1", status: "Error", result: null, details: { reason: "GPU fell over" } });
    const error = await rejectionOf(clientFor(server).waitForResult(task(), { pollIntervalMs: 1 }));
    expect(error).toBeInstanceOf(BflTaskError);
    expect(error).not.toBeInstanceOf(BflModerationError);
    expect(error).toMatchObject({ taskId: "t-1", taskStatus: "Error", details: { reason: "GPU fell over" } });
  });

  it("Task not found, as a status or as a 404: a not-found error with the task id", async () => {
    for (const [body, status] of [
      [{ id: "t-1", status: "Task not found" }, 200],
      [{ detail: "Task not found" }, 404],
    ] as const) {
      answer(body, status);
      const error = await rejectionOf(clientFor(server).waitForResult(task(), { pollIntervalMs: 1 }));
      expect(error).toBeInstanceOf(BflTaskNotFoundError);
      expect(error).toBeInstanceOf(BflNotFoundError);
      expect(error).toMatchObject({ taskId: "t-1", status });
    }
  });

  it.each([
    ["Ready without a sample", { id: "t-1", status: "Ready", result: { seed: 1 } }, "result.sample"],
    ["an unknown status", { id: "t-1", status: "Done" }, "status"],
  ])("%s: a response validation error naming it", async (_name, body, field) => {
    answer(body);
    for (const validateResponses of [true, false]) {
      const client = clientFor(server, { validateResponses });
      const error = await rejectionOf(client.waitForResult(task(), { pollIntervalMs: 1 }));
      expect(error).toBeInstanceOf(BflResponseValidationError);
      expect((error as BflResponseValidationError).issues.map((i) => i.path)).toContain(field);
    }
  });

  it("a polling_url that is not a URL: a response validation error, nothing sent", async () => {
    answer(ready("t-1"));
    const error = await rejectionOf(clientFor(server).waitForResult({ id: "t-1", polling_url: "not a url" }));
    expect(error).toBeInstanceOf(BflResponseValidationError);
    expect((error as BflResponseValidationError).issues).toEqual([
      { path: "polling_url", message: "not an absolute http(s) URL" },
    ]);
    expect(server.requests).toEqual([]);
  });
});

describe("ending a wait", () => {
  it("the caller's signal aborts a pause between polls at once", async () => {
    server.reply(json(200, pending("t-1")));
    const controller = new AbortController();
    // A pause of a minute: only an abort that cuts it short ends this test in time.
    const waiting = clientFor(server).waitForResult(
      { id: "t-1" },
      { signal: controller.signal, pollIntervalMs: 60_000 },
    );
    setTimeout(() => controller.abort(new Error("user pressed Ctrl+C")), 20);
    const error = await rejectionOf(waiting);
    expect(error).toBeInstanceOf(BflAbortError);
    expect(error.message).toContain("t-1");
    expect(error.cause).toEqual(new Error("user pressed Ctrl+C"));
    expect(server.requests).toEqual([]);
  });

  it("the caller's signal aborts a poll in flight", async () => {
    const controller = new AbortController();
    server.reply((res) => {
      hang(res);
      controller.abort();
    });
    const error = await rejectionOf(
      clientFor(server).waitForResult({ id: "t-1" }, { signal: controller.signal, pollIntervalMs: 1 }),
    );
    expect(error).toBeInstanceOf(BflAbortError);
    expect(polls(server)).toHaveLength(1);
  });

  it("timeoutMs bounds the whole wait, naming the task and its last status", async () => {
    server.reply(json(200, pending("t-1")));
    const error = await rejectionOf(
      clientFor(server).waitForResult({ id: "t-1" }, { timeoutMs: 100, pollIntervalMs: 5 }),
    );
    expect(error).toBeInstanceOf(BflTimeoutError);
    expect(error.message).toMatch(/^Task t-1: not ready after 100 ms \(last status: /);
  });
});

describe("a paid submit is never sent twice unasked", () => {
  const submit = (options = {}) => clientFor(server, options).submitFinetuned(ULTRA, BODY);

  it.each([
    ["a 5xx", json(503, { detail: "overloaded" }), BflServerError, false],
    ["a reset after sending", reset, BflConnectionError, true],
    ["a timeout", hang, BflTimeoutError, true],
  ] as const)("%s: one attempt, and the error says the task may exist", async (_name, handler, type, noAnswer) => {
    // A server of its own: a request of an earlier test that reaches a shared server late would
    // count here. The timeout leaves the request time to arrive even on a loaded machine.
    const own = await startFaultServer();
    try {
      own.reply(handler);
      const error = await rejectionOf(clientFor(own, { timeoutMs: 500 }).submitFinetuned(ULTRA, BODY));
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ attempts: 1, sentWithoutAnswer: noAnswer });
      expect(submitMayHaveCreated(error)).toBe(true);
      // The server records a request once it has read it, maybe after the client gave up on it.
      await vi.waitFor(() => expect(own.requests.filter(isSubmit).length).toBeGreaterThan(0), { timeout: 5000 });
      expect(own.requests.filter(isSubmit)).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it("a 429 is a definite refusal: retried, then the task is created once", async () => {
    server.reply((res, n) =>
      n === 1
        ? json(429, { detail: "Too many active tasks" }, { "retry-after-ms": "10" })(res)
        : json(200, { id: "t-1", polling_url: `${server.url}/v1/get_result?id=t-1` })(res),
    );
    await expect(submit()).resolves.toMatchObject({ id: "t-1" });
    expect(server.requests.filter(isSubmit)).toHaveLength(2);
  });

  it("a 429 once the retries are spent says the task does not exist", async () => {
    server.reply(json(429, { detail: "Too many active tasks" }, { "retry-after-ms": "999999" }));
    const error = await rejectionOf(submit());
    expect(error).toBeInstanceOf(BflRateLimitError);
    expect(submitMayHaveCreated(error)).toBe(false);
  });

  it("a connection never made is retried, and says nothing was created", async () => {
    const closed = await startFaultServer();
    await closed.close();
    const error = await rejectionOf(clientFor(closed).submitFinetuned(ULTRA, BODY));
    expect(error).toBeInstanceOf(BflConnectionError);
    expect(error).toMatchObject({ attempts: 3, sentWithoutAnswer: false, afterAmbiguousAttempt: false });
    expect(submitMayHaveCreated(error)).toBe(false);
  });
});

/** The client as a JavaScript caller sees it: no types to stop a bad argument. */
interface Untyped {
  submitFinetuned(model: unknown, body: unknown): Promise<unknown>;
  waitForResult(task: unknown): Promise<unknown>;
}
const untyped = () => clientFor(server) as unknown as Untyped;

describe("bad input is refused before anything is sent", () => {
  it.each<[string, () => Promise<unknown>, new (...args: never[]) => Error]>([
    ["a model that is not finetuned", () => untyped().submitFinetuned("flux-dev", BODY), TypeError],
    ["a finetuned model the spec lacks", () => untyped().submitFinetuned("flux-nope-finetuned", BODY), TypeError],
    ["a body without finetune_id", () => untyped().submitFinetuned(ULTRA, { prompt: "x" }), TypeError],
    ["a blank finetune_id", () => untyped().submitFinetuned(ULTRA, { finetune_id: "  " }), TypeError],
    ["a number as finetune_id", () => untyped().submitFinetuned(ULTRA, { finetune_id: 7 }), TypeError],
    ["an array as the body", () => untyped().submitFinetuned(ULTRA, [BODY]), TypeError],
    ["a task without an id", () => untyped().waitForResult({ polling_url: "https://api.bfl.ai/x" }), TypeError],
    ["a blank result id", () => clientFor(server).getResult(" "), TypeError],
    [
      "a poll interval of 0",
      () => clientFor(server).generateWithFinetune(ULTRA, BODY, { pollIntervalMs: 0 }),
      BflConfigurationError,
    ],
  ])("%s", async (_name, act, type) => {
    server.reply(json(200, {}));
    await expect(act()).rejects.toBeInstanceOf(type);
    expect(server.requests).toEqual([]);
  });
});

describe("plain calls", () => {
  it("getResult answers the status now, Pending included; getCredits the balance", async () => {
    server.reply((res, _n, req) =>
      json(200, req.url.startsWith("/v1/credits") ? { credits: 12.5 } : pending("t-1"))(res),
    );
    const client = clientFor(server);
    await expect(client.getResult("t-1")).resolves.toMatchObject({ status: "Pending" });
    await expect(client.getCredits()).resolves.toEqual({ credits: 12.5 });
    expect(server.requests.map((r) => r.url)).toEqual(["/v1/get_result?id=t-1", "/v1/credits"]);
  });
});
