/**
 * The library as the CLI sees it. src/cli.ts loads it with `import("./index.js")`, which the
 * build keeps external so the CLI uses dist/index.js instead of bundling a second client (and a
 * second set of error classes); the commands receive it from there, so only types (and one
 * constant) are imported here.
 */
import type * as Library from "../index.js";
import { DEFAULT_RATE_LIMIT_WAIT_MS } from "../retry.js";
import type { ApiOptions } from "./args.js";
import { UsageError } from "./usage-error.js";

export type Lib = typeof Library;
export type CliClient = Library.BflClient;

/** What the CLI reads from its environment; only this, never process.env, when `run()` is embedded. */
export type Env = Library.Env;

/**
 * The key the client reads from `env` (trimmed, as config.ts reads it), so that the CLI can
 * redact it in what it prints; empty when there is none.
 */
export const keyIn = (env: Env): string => env.BFL_API_KEY?.trim() ?? "";

/** The client for one command: flags over `env`, the concurrency bound handed to the client's gate. */
export function createCliClient(lib: Lib, env: Env, options: ApiOptions & { concurrency?: number }): CliClient {
  // Checked here rather than left to the library, whose message speaks to code (the apiKey option).
  if (!env.BFL_API_KEY?.trim()) {
    throw new UsageError(
      "No BFL API key: set the BFL_API_KEY environment variable (the CLI takes the key only from there, never from a flag)",
    );
  }
  return lib.createBflClient({
    env,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.concurrency === undefined ? {} : { maxConcurrency: options.concurrency }),
    // A 429 paces the batch, whatever --max-retries says: the CLI waits it out (the library's
    // `maxRetries: 0` alone would make it a failure at once).
    rateLimit: { maxTotalWaitMs: DEFAULT_RATE_LIMIT_WAIT_MS },
  });
}
