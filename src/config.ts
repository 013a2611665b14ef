/**
 * Turns client options and the environment into the settings a client runs with: the API key,
 * the base URL (option, `BFL_BASE_URL`, region, then the spec's server) and the https rule.
 * Every problem is a {@link BflConfigurationError} thrown before any request.
 */
import { operations } from "../generated/contract.js";
import { BflConfigurationError } from "./errors.js";

/** The spec's server for the finetune endpoints: the default, never typed twice. */
export const SPEC_SERVER_URL: string = operations["/v1/delete_finetune"].post.servers[0];

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

/** Reads an environment variable where there is a `process` (not in browsers). */
export function readEnv(name: string): string | undefined {
  const value = typeof process === "undefined" ? undefined : process.env[name]?.trim();
  return value ? value : undefined;
}

/** The key from the option or `BFL_API_KEY`; throws when there is none or it cannot be a header. */
export function resolveApiKey(apiKey: string | undefined): string {
  const key = apiKey?.trim() || readEnv("BFL_API_KEY");
  if (!key) {
    throw new BflConfigurationError(
      "No BFL API key: set the BFL_API_KEY environment variable or pass the apiKey option to createBflClient()",
    );
  }
  // The key itself is never put in a message.
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new BflConfigurationError("The BFL API key holds characters that cannot be sent in the x-key header");
  }
  return key;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a URL's hostname is this machine (`localhost`, 127.0.0.0/8, `[::1]`). */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK.test(hostname);

export interface BaseUrlOptions {
  baseUrl?: string | undefined;
  region?: Region | undefined;
  allowInsecureHttp?: boolean | undefined;
}

/**
 * The base URL by precedence: `baseUrl`, then `BFL_BASE_URL`, then `region`, then the spec's
 * server. Plain http is refused unless the host is loopback or `allowInsecureHttp` is set,
 * because the key would travel in clear text.
 */
export function resolveBaseUrl(options: BaseUrlOptions): string {
  if (options.region !== undefined && !Object.hasOwn(REGIONS, options.region)) {
    throw new BflConfigurationError(
      `Unknown region ${JSON.stringify(options.region)}: use one of ${Object.keys(REGIONS).join(", ")}`,
    );
  }
  const raw = options.baseUrl ?? readEnv("BFL_BASE_URL") ?? REGIONS[options.region ?? "us1"];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BflConfigurationError(`Invalid baseUrl ${JSON.stringify(raw)}: expected an absolute URL`);
  }
  const insecureOk = url.protocol === "http:" && (isLoopbackHost(url.hostname) || options.allowInsecureHttp === true);
  if (url.protocol !== "https:" && !insecureOk) {
    throw new BflConfigurationError(
      `Refusing baseUrl ${url.origin}: the API key must travel over https (plain http is allowed only for loopback hosts or with allowInsecureHttp: true)`,
    );
  }
  return raw.replace(/\/+$/, "");
}
