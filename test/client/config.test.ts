/** Options, environment and input checks that fail before any request, and where requests go. */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type BflClientOptions,
  BflConfigurationError,
  createBflClient,
  REGIONS,
  type RequestOptions,
  SPEC_SERVER_URL,
  VERSION,
} from "../../src/index.js";
import { clientFor, rejectionOf, TEST_KEY } from "../helpers/client.js";
import { json, okBody, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A fetch that records each URL and answers the spec's 200 without touching the network. */
function recordingFetch(urls: string[]) {
  return async (request: Request) => {
    urls.push(request.url);
    return new Response(JSON.stringify(okBody()), { status: 200, headers: { "content-type": "application/json" } });
  };
}

describe("input", () => {
  it.each([[123], [null], [undefined], [{ id: "x" }], [""], [" \t\n"]])(
    "%j throws a TypeError naming the argument and sends nothing",
    async (id) => {
      server.reply(json(200, okBody()));
      const error = await rejectionOf(clientFor(server).deleteFinetune(id as string));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe("finetuneId must be a non-blank string");
      expect(server.requests).toHaveLength(0);
    },
  );

  it.each([
    [{ timeoutMs: 0 }, /^timeoutMs must be a number from 1 to 2147483647, got 0$/],
    [{ timeoutMs: Number.NaN }, /timeoutMs must be .* got NaN/],
    [{ timeoutMs: 3e9 }, /timeoutMs must be .* got 3000000000/],
    [{ maxRetries: -1 }, /^maxRetries must be a whole number from 0 to 100, got -1$/],
    [{ maxRetries: 1.5 }, /maxRetries must be a whole number .* got 1.5/],
    [{ maxConcurrency: 0 }, /maxConcurrency must be a whole number from 1 .* got 0/],
    [{ backoff: { initialDelayMs: Number.NaN } }, /backoff.initialDelayMs must be/],
    [{ backoff: { maxDelayMs: -1 } }, /backoff.maxDelayMs must be/],
    [{ backoff: { maxRetryAfterMs: 2 ** 31 } }, /backoff.maxRetryAfterMs must be .* 2147483647/],
    [{ rateLimit: { maxTotalWaitMs: -5 } }, /rateLimit.maxTotalWaitMs must be/],
    [{ fetch: "https://example.test" }, /fetch must be a function/],
    [{ logger: console }, /logger must be a function/],
  ])("client option %j is a BflConfigurationError before anything is sent", (options, message) => {
    const error = (() => {
      try {
        clientFor(server, options as BflClientOptions);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(BflConfigurationError);
    expect(error?.message).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it.each([[{ timeoutMs: 0 }], [{ timeoutMs: 2 ** 31 }], [{ maxRetries: 1.5 }], [{ signal: "nope" }]])(
    "call option %j is a BflConfigurationError before anything is sent",
    async (options) => {
      const error = await rejectionOf(clientFor(server).deleteFinetune("x", options as RequestOptions));
      expect(error).toBeInstanceOf(BflConfigurationError);
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe("API key", () => {
  it("without a key, construction fails naming BFL_API_KEY and nothing is sent", () => {
    vi.stubEnv("BFL_API_KEY", "");
    expect(() => createBflClient({ baseUrl: server.url })).toThrow(BflConfigurationError);
    expect(() => createBflClient({ baseUrl: server.url })).toThrow(/^apiKey or BFL_API_KEY must be set$/);
    expect(server.requests).toHaveLength(0);
  });

  it("reads BFL_API_KEY when no apiKey is given", async () => {
    vi.stubEnv("BFL_API_KEY", "from-env-key");
    server.reply(json(200, okBody()));
    await createBflClient({ baseUrl: server.url }).deleteFinetune("x");
    expect(server.requests[0]?.headers["x-key"]).toBe("from-env-key");
  });

  it("refuses a key that cannot be a header value, without echoing it", () => {
    const error = (() => {
      try {
        createBflClient({ apiKey: "secret\nvalue", baseUrl: server.url });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(BflConfigurationError);
    expect(error?.message).toMatch(/^apiKey must be non-blank printable ASCII$/);
    expect(error?.message).not.toContain("secret");
    const fromEnv = () => createBflClient({ baseUrl: server.url, env: { BFL_API_KEY: "secret\u0000value" } });
    expect(fromEnv).toThrow(/^BFL_API_KEY must be non-blank printable ASCII$/);
  });

  it.each([[""], ["   "], [7 as unknown as string]])(
    "an explicit apiKey %j is refused, not replaced by BFL_API_KEY (another account's key)",
    (apiKey) => {
      expect(() => createBflClient({ apiKey, baseUrl: server.url, env: { BFL_API_KEY: "operator-key" } })).toThrow(
        /^apiKey must be non-blank printable ASCII$/,
      );
    },
  );

  it("sends extra headers from the client and the call", async () => {
    server.reply(json(200, okBody()));
    const client = clientFor(server, { headers: { "x-team": "a" } });
    await client.deleteFinetune("x", { headers: { "x-call": "b" } });
    const headers = server.requests[0]?.headers;
    expect(headers?.["x-team"]).toBe("a");
    expect(headers?.["x-call"]).toBe("b");
    expect(headers?.["x-key"]).toBe(TEST_KEY);
    expect(headers?.["content-type"]).toBe("application/json");
  });

  it.each([[{ "x-key": "other" }], [{ "X-Key": "other" }], [{ "x-key": null }], [{ "Content-Type": "text/plain" }]])(
    "headers %j may not replace the key or the body's type, per client or per call",
    async (headers) => {
      server.reply(json(200, okBody()));
      const bad = headers as unknown as Record<string, string>;
      expect(() => clientFor(server, { headers: bad })).toThrow(BflConfigurationError);
      expect(() => clientFor(server, { headers: bad })).toThrow(/must not set|must be a string/);
      const error = await rejectionOf(clientFor(server).deleteFinetune("x", { headers: bad }));
      expect(error).toBeInstanceOf(BflConfigurationError);
      expect(server.requests).toHaveLength(0);
    },
  );

  it.each([
    [{ "bad header": "x" }, /^headers must map header names to one-line strings, got "bad header"$/],
    [{ "x-note": "a\nb" }, /^headers must map header names to one-line strings, got "x-note"$/],
    [{ "Content-Length": "5" }, /must not set Content-Length/],
    [{ "transfer-encoding": "chunked" }, /must not set transfer-encoding/],
    [{ connection: "upgrade" }, /must not set connection/],
  ])(
    "headers %j that fetch would refuse or misframe are refused up front, per client or per call",
    async (headers, message) => {
      server.reply(json(200, okBody()));
      expect(() => clientFor(server, { headers })).toThrow(BflConfigurationError);
      expect(() => clientFor(server, { headers })).toThrow(message);
      const error = await rejectionOf(clientFor(server).deleteFinetune("x", { headers }));
      expect(error).toBeInstanceOf(BflConfigurationError);
      expect(error.message).not.toContain("a\nb");
      expect(server.requests).toHaveLength(0);
    },
  );

  it("raw requests always carry the client's key, whatever headers they pass", async () => {
    server.reply(json(200, okBody()));
    const client = clientFor(server);
    await client.raw.POST("/v1/delete_finetune", {
      body: { finetune_id: "x" },
      headers: { "x-key": "other" },
    });
    await client.raw.POST("/v1/delete_finetune", {
      body: { finetune_id: "x" },
      headers: { "x-key": null },
    });
    expect(server.requests.map((r) => r.headers["x-key"])).toEqual([TEST_KEY, TEST_KEY]);
  });
});

describe("base URL", () => {
  it("defaults to the finetune operations' server in the spec, read from the generated contract", async () => {
    vi.stubEnv("BFL_BASE_URL", "");
    const spec = JSON.parse(readFileSync("openapi/openapi.json", "utf8"));
    // BFL's document names api.bfl.ai for the whole API and api.us1.bfl.ai on the finetune operations.
    expect(SPEC_SERVER_URL).toBe(spec.paths["/v1/delete_finetune"].post.servers[0].url);
    expect(SPEC_SERVER_URL).not.toBe(spec.servers[0].url);
    const urls: string[] = [];
    const client = createBflClient({ apiKey: TEST_KEY, fetch: recordingFetch(urls) });
    expect(client.baseUrl).toBe(SPEC_SERVER_URL);
    await client.deleteFinetune("x");
    expect(urls).toEqual([`${SPEC_SERVER_URL}/v1/delete_finetune`]);
  });

  it.each([
    ["us1", "https://api.us1.bfl.ai"],
    ["eu1", "https://api.eu1.bfl.ai"],
    ["global", "https://api.bfl.ai"],
    ["eu", "https://api.eu.bfl.ai"],
    ["us", "https://api.us.bfl.ai"],
  ] as const)("region %s reaches %s", async (region, origin) => {
    vi.stubEnv("BFL_BASE_URL", "");
    const urls: string[] = [];
    await createBflClient({ apiKey: TEST_KEY, region, fetch: recordingFetch(urls) }).deleteFinetune("x");
    expect(urls).toEqual([`${origin}/v1/delete_finetune`]);
    expect(REGIONS[region]).toBe(origin);
  });

  it("precedence: baseUrl option, then BFL_BASE_URL, then region", async () => {
    vi.stubEnv("BFL_BASE_URL", "https://proxy.example.com/bfl/");
    const urls: string[] = [];
    await createBflClient({ apiKey: TEST_KEY, region: "eu", fetch: recordingFetch(urls) }).deleteFinetune("x");
    await createBflClient({
      apiKey: TEST_KEY,
      region: "eu",
      baseUrl: "https://option.example.com",
      fetch: recordingFetch(urls),
    }).deleteFinetune("x");
    expect(urls).toEqual([
      "https://proxy.example.com/bfl/v1/delete_finetune",
      "https://option.example.com/v1/delete_finetune",
    ]);
  });

  it("refuses plain http except on loopback or with allowInsecureHttp", () => {
    const make =
      (baseUrl: string, allowInsecureHttp = false) =>
      () =>
        createBflClient({ apiKey: TEST_KEY, baseUrl, allowInsecureHttp });
    expect(make("http://api.example.com")).toThrow(/^baseUrl must use https .*, got http:\/\/api.example.com$/);
    expect(make("http://10.0.0.8:8080")).toThrow(BflConfigurationError);
    expect(make("ftp://api.example.com")).toThrow(BflConfigurationError);
    expect(make("not a url")).toThrow(/^baseUrl must be an absolute URL$/);
    for (const ok of ["http://localhost:4010", "http://127.0.0.1:1", "http://127.1.2.3", "http://[::1]:9"]) {
      expect(make(ok)).not.toThrow();
    }
    expect(make("http://api.example.com", true)).not.toThrow();
  });

  it("the https rule applies to BFL_BASE_URL too, and unknown regions are refused", () => {
    vi.stubEnv("BFL_BASE_URL", "http://api.example.com");
    expect(() => createBflClient({ apiKey: TEST_KEY })).toThrow(/must use https/);
    vi.stubEnv("BFL_BASE_URL", "");
    expect(() => createBflClient({ apiKey: TEST_KEY, region: "mars" as "eu" })).toThrow(
      /^region must be one of .*\beu1\b.*, got "mars"$/,
    );
  });
});

describe("base URL hazards", () => {
  it.each([
    ["https://user:hunter2pass@api.example.com", "https://api.example.com"],
    ["https://:hunter2pass@api.example.com/bfl", "https://api.example.com/bfl"],
    ["https://user@api.example.com:8443/bfl", "https://api.example.com:8443/bfl"],
    ["https://api.example.com/?q=1", "https://api.example.com/"],
    ["https://api.example.com/bfl#x", "https://api.example.com/bfl"],
    ["https://api.example.com/bfl?", "https://api.example.com/bfl"],
    ["https://api.example.com/bfl#", "https://api.example.com/bfl"],
  ])("%s is refused without echoing credentials, and is fine without them (%s)", (baseUrl, clean) => {
    const error = (() => {
      try {
        createBflClient({ apiKey: TEST_KEY, baseUrl });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(BflConfigurationError);
    expect(error?.message).toMatch(
      /^baseUrl must have no user:password, \?query or #fragment, got https:\/\/api.example.com(:8443)?$/,
    );
    expect(error?.message).not.toContain("hunter2pass");
    expect(createBflClient({ apiKey: TEST_KEY, baseUrl: clean }).baseUrl).toBe(clean.replace(/\/$/, ""));
  });

  it("an unparsable baseUrl is refused without echoing it", () => {
    expect(() => createBflClient({ apiKey: TEST_KEY, baseUrl: "https://u:hunter2pass@[bad" })).toThrow(
      /^baseUrl must be an absolute URL$/,
    );
  });

  it("a path prefix is kept", async () => {
    const urls: string[] = [];
    const client = createBflClient({
      apiKey: TEST_KEY,
      baseUrl: "https://proxy.example/bfl",
      fetch: recordingFetch(urls),
    });
    await client.deleteFinetune("x");
    expect(urls).toEqual(["https://proxy.example/bfl/v1/delete_finetune"]);
  });
});

describe("environment", () => {
  it("reads BFL_* only from the env option when one is given", async () => {
    vi.stubEnv("BFL_API_KEY", "process-key");
    vi.stubEnv("BFL_BASE_URL", "https://process.example");
    const urls: string[] = [];
    const client = createBflClient({
      env: { BFL_API_KEY: "injected-key", BFL_BASE_URL: "https://injected.example" },
      fetch: recordingFetch(urls),
    });
    await client.deleteFinetune("x");
    expect(urls).toEqual(["https://injected.example/v1/delete_finetune"]);
    expect(() => createBflClient({ env: {} })).toThrow(/BFL_API_KEY/);
  });

  it("an environment that refuses access (Deno without --allow-env) is not an error when values are given", async () => {
    const refusing = new Proxy(
      {},
      {
        get() {
          throw new Error('NotCapable: Requires env access to "BFL_LOG"');
        },
      },
    );
    const client = createBflClient({ apiKey: TEST_KEY, baseUrl: server.url, env: refusing });
    server.reply(json(200, okBody()));
    await expect(client.deleteFinetune("x")).resolves.toEqual(okBody());
  });
});

describe("package metadata", () => {
  it("VERSION (sent as user-agent) matches package.json", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(VERSION).toBe(pkg.version);
  });
});
