/** Options, environment and input checks that fail before any request, and where requests go. */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BflConfigurationError, createBflClient, REGIONS, SPEC_SERVER_URL, VERSION } from "../../src/index.js";
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
  it.each([
    [123, "finetuneId must be a string, got number"],
    [null, "finetuneId must be a string, got null"],
    [undefined, "finetuneId must be a string, got undefined"],
    [{ id: "x" }, "finetuneId must be a string, got object"],
    ["", "finetuneId must not be empty or only whitespace"],
    [" \t\n", "finetuneId must not be empty or only whitespace"],
  ])("%j throws a TypeError and sends nothing", async (id, message) => {
    server.reply(json(200, okBody()));
    const error = await rejectionOf(clientFor(server).deleteFinetune(id as string));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
    expect(server.requests).toHaveLength(0);
  });

  it("rejects nonsensical timeouts and retry counts", async () => {
    expect(() => clientFor(server, { timeoutMs: 0 })).toThrow(/timeoutMs must be a number >= 1/);
    expect(() => clientFor(server, { maxRetries: -1 })).toThrow(/maxRetries must be a whole number >= 0/);
    await expect(clientFor(server).deleteFinetune("x", { maxRetries: 1.5 })).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("API key", () => {
  it("without a key, construction fails naming BFL_API_KEY and nothing is sent", () => {
    vi.stubEnv("BFL_API_KEY", "");
    expect(() => createBflClient({ baseUrl: server.url })).toThrow(BflConfigurationError);
    expect(() => createBflClient({ baseUrl: server.url })).toThrow(/BFL_API_KEY/);
    expect(() => createBflClient({ apiKey: "  ", baseUrl: server.url })).toThrow(/BFL_API_KEY/);
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
    expect(error?.message).not.toContain("secret");
  });

  it("sends extra headers from the client and the call, never letting them replace x-key", async () => {
    server.reply(json(200, okBody()));
    const client = clientFor(server, { headers: { "x-team": "a", "x-key": "overridden?" } });
    await client.deleteFinetune("x", { headers: { "x-call": "b" } });
    const headers = server.requests[0]?.headers;
    expect(headers?.["x-team"]).toBe("a");
    expect(headers?.["x-call"]).toBe("b");
    expect(headers?.["x-key"]).toBe(TEST_KEY);
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
    expect(make("http://api.example.com")).toThrow(/must travel over https/);
    expect(make("http://10.0.0.8:8080")).toThrow(BflConfigurationError);
    expect(make("ftp://api.example.com")).toThrow(BflConfigurationError);
    expect(make("not a url")).toThrow(/Invalid baseUrl/);
    for (const ok of ["http://localhost:4010", "http://127.0.0.1:1", "http://127.1.2.3", "http://[::1]:9"]) {
      expect(make(ok)).not.toThrow();
    }
    expect(make("http://api.example.com", true)).not.toThrow();
  });

  it("the https rule applies to BFL_BASE_URL too, and unknown regions are refused", () => {
    vi.stubEnv("BFL_BASE_URL", "http://api.example.com");
    expect(() => createBflClient({ apiKey: TEST_KEY })).toThrow(/must travel over https/);
    vi.stubEnv("BFL_BASE_URL", "");
    expect(() => createBflClient({ apiKey: TEST_KEY, region: "mars" as "eu" })).toThrow(/Unknown region "mars"/);
  });
});

describe("package metadata", () => {
  it("VERSION (sent as user-agent) matches package.json", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(VERSION).toBe(pkg.version);
  });
});
