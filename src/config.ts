/**
 * Turns client options and the environment into the settings a client runs with
 * ({@link clientSettings}), and per-call options into a call's settings ({@link callSettings}):
 * the API key, the base URL (option, `BFL_BASE_URL`, region, then the spec's server), the https
 * rule, and every number and header checked. Every problem is a {@link BflConfigurationError}
 * thrown before any request.
 */
import { defaultServer } from "../generated/contract.js";
import { BflConfigurationError } from "./errors.js";
import { consoleLogger, type Logger } from "./logger.js";
import { type BackoffOptions, DEFAULT_BACKOFF, type RetryPolicy } from "./retry.js";
import { MAX_DELAY_MS } from "./utils/delay.js";
import { isObject } from "./utils/is-object.js";

/** The spec's server for the finetune endpoints: the default, never typed twice. */
export const SPEC_SERVER_URL: string = defaultServer;

/**
 * BFL's hosts by region. Finetunes live in the region they were trained in; the spec names the
 * legacy `us1` host for the finetune endpoints, so that is the default.
 */
export const REGIONS = {
  us1: SPEC_SERVER_URL,
  eu1: "https://api.eu1.bfl.ai",
  global: "https://api.bfl.ai",
  eu: "https://api.eu.bfl.ai",
  us: "https://api.us.bfl.ai",
} as const;

export type Region = keyof typeof REGIONS;

/** Where `BFL_*` variables are read from: `process.env` unless the caller passes its own. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a variable, trimmed. Never throws: Deno without `--allow-env` throws on access, browsers
 * and workers have no `process`, and a value that is not allowed is a value not given.
 */
export function readEnv(name: string, env?: Env): string | undefined {
  try {
    return (env ?? globalThis.process?.env)?.[name]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one way to say "this option cannot work", nothing sent: a {@link BflConfigurationError}
 * `<name> must <rule>[, got <got>]`. `got` is only ever a value safe to show: never a key or a
 * URL's password.
 */
const refuse = (name: string, rule: string, got?: string): never => {
  throw new BflConfigurationError(`${name} must ${rule}${got === undefined ? "" : `, got ${got}`}`);
};

/** The key from the option or `BFL_API_KEY`; throws when there is none or it cannot be a header. */
export function resolveApiKey(apiKey: string | undefined, env?: Env): string {
  // An empty option is a bug upstream (an unset variable), not a request for BFL_API_KEY: that
  // may be another account's key.
  const fromEnv = apiKey === undefined;
  const key = fromEnv ? readEnv("BFL_API_KEY", env) : typeof apiKey === "string" ? apiKey.trim() : "";
  if (key === undefined) return refuse("apiKey or BFL_API_KEY", "be set");
  // The key itself is never put in a message.
  if (!/^[\x21-\x7e]+$/.test(key)) refuse(fromEnv ? "BFL_API_KEY" : "apiKey", "be non-blank printable ASCII");
  return key;
}

/** Whether a URL's hostname is this machine (`localhost`, 127.0.0.0/8, `[::1]`). */
export const isLoopbackHost = (hostname: string): boolean => /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(hostname);

export interface BaseUrlOptions {
  baseUrl?: string | undefined;
  region?: Region | undefined;
  allowInsecureHttp?: boolean | undefined;
}

/**
 * The base URL by precedence: `baseUrl`, then `BFL_BASE_URL`, then `region`, then the spec's
 * server. Plain http is refused unless the host is loopback or `allowInsecureHttp` is set,
 * because the key would travel in clear text. Credentials, a query or a fragment are refused:
 * the first would leak into messages, the others would send requests to another path. A refusal
 * names the URL by its origin only: never a user name or password.
 */
export function resolveBaseUrl(options: BaseUrlOptions, env?: Env): string {
  const { region = "us1" } = options;
  if (!Object.hasOwn(REGIONS, region)) refuse("region", `be one of ${Object.keys(REGIONS)}`, JSON.stringify(region));
  const raw = options.baseUrl ?? readEnv("BFL_BASE_URL", env) ?? REGIONS[region];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // An unparsable string may still hold a password: say only that it is not a URL.
    return refuse("baseUrl", "be an absolute URL");
  }
  const { protocol, origin, pathname } = url;
  const insecureOk = protocol === "http:" && (isLoopbackHost(url.hostname) || options.allowInsecureHttp === true);
  if (protocol !== "https:" && !insecureOk) {
    refuse("baseUrl", "use https (http only on loopback or with allowInsecureHttp: true)", origin);
  }
  // Anything past the origin and path is a user name, a password, a ?query or a #fragment (even an empty one).
  if (url.href !== origin + pathname) refuse("baseUrl", "have no user:password, ?query or #fragment", origin);
  return (origin + pathname).replace(/\/+$/, "");
}

/**
 * A number from `min` to {@link MAX_DELAY_MS} or, when a `max` is given, a whole number from `min`
 * to `max`; else a configuration error. NaN fails both bounds, Infinity the upper one.
 */
function checkNumber(name: string, value: unknown, min: number, max?: number): number {
  const top = max ?? MAX_DELAY_MS;
  if (!(typeof value === "number" && value >= min && value <= top && (max === undefined || Number.isInteger(value)))) {
    refuse(name, `be a ${max === undefined ? "" : "whole "}number from ${min} to ${top}`, String(value));
  }
  return value as number;
}

/** A whole or fractional number of ms from `min` to {@link MAX_DELAY_MS}, else a configuration error. */
export const checkDelay = (name: string, value: unknown, min: number): number => checkNumber(name, value, min);

/** A whole number from `min` to `max`, else a configuration error. */
export const checkCount = (name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number =>
  checkNumber(name, value, min, max);

/** An option that may be left out (undefined: the client's setting or the default applies), else checked. */
const optional = (name: string, value: unknown, min: number, max?: number): number | undefined =>
  value === undefined ? undefined : checkNumber(name, value, min, max);

/**
 * Headers the client owns: the key, the body's type that the spec fixes, and the framing that
 * fetch sets from the body (set by hand, they fail or misframe every request: a delete never sent
 * would then read as "unknown").
 */
const RESERVED_HEADER = /^(x-key|content-type|content-length|transfer-encoding|connection|keep-alive|upgrade|expect)$/i;

/** Extra headers, refused when they would replace or remove the key or change the body's type. */
export function checkHeaders(name: string, headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const rule = "map header names to one-line strings";
  if (!isObject(headers) || headers instanceof Headers) refuse(name, rule);
  for (const [header, value] of Object.entries(headers as object)) {
    if (RESERVED_HEADER.test(header)) refuse(name, `not set ${header}`);
    // Whether fetch takes the pair (a token name, a string value without line breaks).
    let ok = typeof value === "string";
    try {
      new Headers([[header, value]]);
    } catch {
      ok = false;
    }
    // The value is not echoed: it may be a credential.
    if (!ok) refuse(name, rule, JSON.stringify(header));
  }
  return headers as Record<string, string>;
}

/** A function, when given at all, else a configuration error. */
export function checkFunction<T>(name: string, value: T): T {
  if (value !== undefined && typeof value !== "function") refuse(name, "be a function");
  return value;
}

/** Options of `createBflClient()`. */
export interface BflClientOptions {
  /** API key, sent as `x-key`. Default: env `BFL_API_KEY`. */
  apiKey?: string;
  /** API origin, optionally with a path prefix. Default: env `BFL_BASE_URL`, else the `region`'s host, else the spec's server. */
  baseUrl?: string;
  /** BFL region whose host to use when no `baseUrl` is given. Default `'us1'` (the spec's server). */
  region?: Region;
  /** Allow a non-loopback `http:` baseUrl. The key then travels in clear text. Default `false`. */
  allowInsecureHttp?: boolean;
  /** Time allowed for each attempt, headers and body (default 60000 ms). */
  timeoutMs?: number;
  /**
   * Retries after the first attempt (default 2). Waits for 429s are not counted, except that
   * `0` means one attempt: a 429 then throws at once (unless `rateLimit.maxTotalWaitMs` is given).
   */
  maxRetries?: number;
  /** Most attempts in flight at once on this client (default unlimited); 429s lower it for a while. */
  maxConcurrency?: number;
  /** Backoff tuning; mostly for tests. */
  backoff?: BackoffOptions;
  /**
   * Rate-limit handling: `maxTotalWaitMs` bounds the 429 waits of one call (default 120000, or 0
   * for a call with `maxRetries: 0`).
   */
  rateLimit?: { maxTotalWaitMs?: number };
  /** A `fetch` to send requests with (default the global one). */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers sent with every request (not `x-key` or `content-type`). */
  headers?: Record<string, string>;
  /** Check 2xx bodies against the spec's response schema (default `true`). */
  validateResponses?: boolean;
  /** Receives log events; default none, or stderr JSON lines when env `BFL_LOG=debug`. */
  logger?: Logger;
  /** Where `BFL_API_KEY`, `BFL_BASE_URL` and `BFL_LOG` are read from (default `process.env`). */
  env?: Env;
}

/** Per-call options of every operation. */
export interface RequestOptions {
  /** Aborts the call at once, during a request or a wait, with `BflAbortError`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for each attempt of this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Extra headers for this call (not `x-key` or `content-type`). */
  headers?: Record<string, string>;
}

/** What a client runs with: every option checked, every default filled in. */
export interface ClientSettings {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  /** Retries and backoff; the backoff also paces the rate-limit gate's holds. */
  policy: RetryPolicy;
  /** Most time one call may spend waiting out its own 429s; undefined: see `rateLimitBudget`. */
  maxRateLimitWaitMs: number | undefined;
  /** Most attempts in flight at once; undefined for unlimited. */
  maxConcurrency: number | undefined;
  headers: Record<string, string> | undefined;
  validateResponses: boolean;
  fetch: ((request: Request) => Promise<Response>) | undefined;
  log: Logger | undefined;
}

const MAX_RETRIES = 100;

/**
 * The settings of a client, read from its options and, for what they leave out, the environment
 * (`BFL_API_KEY`, `BFL_BASE_URL`, `BFL_LOG`, each read once, here).
 */
export function clientSettings(options: BflClientOptions): ClientSettings {
  const { env } = options;
  const apiKey = resolveApiKey(options.apiKey, env);
  const baseUrl = resolveBaseUrl(options, env);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  for (const key of Object.keys(DEFAULT_BACKOFF) as (keyof BackoffOptions)[])
    checkNumber(`backoff.${key}`, backoff[key], 0);
  const headers = checkHeaders("headers", options.headers);
  return {
    apiKey,
    baseUrl,
    timeoutMs: checkNumber("timeoutMs", options.timeoutMs ?? 60_000, 1),
    policy: { ...backoff, maxRetries: checkNumber("maxRetries", options.maxRetries ?? 2, 0, MAX_RETRIES) },
    maxRateLimitWaitMs: optional("rateLimit.maxTotalWaitMs", options.rateLimit?.maxTotalWaitMs, 0),
    maxConcurrency: optional("maxConcurrency", options.maxConcurrency, 1, Number.MAX_SAFE_INTEGER),
    headers,
    validateResponses: options.validateResponses ?? true,
    fetch: checkFunction("fetch", options.fetch),
    log: checkFunction("logger", options.logger) ?? (readEnv("BFL_LOG", env) === "debug" ? consoleLogger : undefined),
  };
}

/** A call's own options (or those of one wait for a task): what it overrides of the client's, and its signal and headers. */
export type CallSettings = RequestOptions & {
  /** A wait's first pause between polls. For a wait, `timeoutMs` is the whole wait's. */
  pollIntervalMs?: number;
};

/**
 * The options of one call (or of one wait for a task), checked before anything is sent and
 * returned as given: what a call leaves out stays undefined, so the client's settings apply.
 */
export function callSettings<T extends CallSettings>(options: T): T {
  if (!isObject(options)) refuse("options", "be an object");
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) refuse("signal", "be an AbortSignal");
  optional("timeoutMs", options.timeoutMs, 1);
  optional("pollIntervalMs", options.pollIntervalMs, 1);
  optional("maxRetries", options.maxRetries, 0, MAX_RETRIES);
  checkHeaders("headers", options.headers);
  return options;
}
