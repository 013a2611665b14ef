/** Options become settings in one call each (config.ts); utils/ stands alone. No sockets. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { callSettings, clientSettings } from "../../src/config.js";
import { BflConfigurationError } from "../../src/errors.js";
import { DEFAULT_BACKOFF, DEFAULT_RATE_LIMIT_WAIT_MS, rateLimitBudget } from "../../src/retry.js";

describe("clientSettings", () => {
  it("fills what the options leave out from the defaults and the given env, not process.env", () => {
    const settings = clientSettings({ env: { BFL_API_KEY: "env-key", BFL_LOG: "debug" } });
    expect(settings.apiKey).toBe("env-key");
    expect(settings.policy).toMatchObject(DEFAULT_BACKOFF);
    expect(settings.maxConcurrency).toBeUndefined();
    expect(settings.validateResponses).toBe(true);
    expect(settings.log).toBeTypeOf("function");
    expect(clientSettings({ env: { BFL_API_KEY: "k" } }).log).toBeUndefined();
  });

  it("takes every option over its default", () => {
    const logger = () => {};
    const settings = clientSettings({
      apiKey: "k",
      env: {},
      timeoutMs: 7,
      maxRetries: 0,
      maxConcurrency: 3,
      backoff: { initialDelayMs: 1 },
      rateLimit: { maxTotalWaitMs: 9 },
      validateResponses: false,
      logger,
      headers: { "x-trace": "t" },
    });
    expect(settings).toMatchObject({
      timeoutMs: 7,
      maxConcurrency: 3,
      maxRateLimitWaitMs: 9,
      validateResponses: false,
    });
    expect(settings.policy).toMatchObject({ maxRetries: 0, initialDelayMs: 1, maxDelayMs: DEFAULT_BACKOFF.maxDelayMs });
    expect(settings.log).toBe(logger);
    expect(settings.headers).toEqual({ "x-trace": "t" });
  });

  it.each([
    [
      { backoff: { initialDelayMs: undefined } },
      /^backoff.initialDelayMs must be a number from 0 to \d+, got undefined$/,
    ],
    [{ maxConcurrency: null }, /^maxConcurrency must be a whole number from 1 to \d+, got null$/],
    [{ maxConcurrency: Number.POSITIVE_INFINITY }, /^maxConcurrency must be a whole number/],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, /^timeoutMs must be a number from 1 to \d+, got Infinity$/],
  ])("refuses %j with the option's name, its range and what it got", (options, message) => {
    expect(() => clientSettings({ apiKey: "k", env: {}, ...options } as never)).toThrow(message);
  });
});

describe("rateLimitBudget", () => {
  it("is none for a call of one attempt unless the client gives one, else the default", () => {
    expect(rateLimitBudget(undefined, 0)).toBe(0);
    expect(rateLimitBudget(undefined, 1)).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
    expect(rateLimitBudget(5000, 0)).toBe(5000);
    expect(rateLimitBudget(0, 3)).toBe(0);
  });
});

describe("callSettings", () => {
  it("returns the call's own options, checked: what a call does not set stays undefined, so the client's settings apply", () => {
    expect(callSettings({})).toEqual({
      signal: undefined,
      timeoutMs: undefined,
      maxRetries: undefined,
      headers: undefined,
    });
    const signal = new AbortController().signal;
    expect(callSettings({ signal, maxRetries: 0, timeoutMs: 5 })).toMatchObject({
      signal,
      maxRetries: 0,
      timeoutMs: 5,
    });
  });

  it.each([null, "x", { maxRetries: -1 }, { headers: { "x-key": "k" } }, { signal: {} }])(
    "refuses %j with a BflConfigurationError",
    (options) => {
      expect(() => callSettings(options as never)).toThrow(BflConfigurationError);
    },
  );
});

it("src/utils/ imports nothing from the rest of src/", () => {
  const dir = new URL("../../src/utils/", import.meta.url);
  const files = readdirSync(dir).filter((name) => name.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(0);
  for (const name of files) {
    const imports = [...readFileSync(new URL(name, dir), "utf8").matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
    expect(
      imports.filter((path) => path?.startsWith("..")),
      name,
    ).toEqual([]);
  }
});
