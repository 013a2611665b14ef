/**
 * The library as the CLI sees it. src/cli.ts loads it with `import("./index.js")`, which the
 * build keeps external so the CLI uses dist/index.js instead of bundling a second client (and a
 * second set of error classes); the commands receive it from there, so only types are imported here.
 */
import type * as Library from "../index.js";
import type { ApiOptions } from "./args.js";

export type Lib = typeof Library;

/** What the CLI reads from its environment; only this, never process.env, when `run()` is embedded. */
export type Env = Record<string, string | undefined>;

// TEMPORARY shim for the contract in /work/brief.md until the shared layer is merged from main.
type RequestOptions = Parameters<ReturnType<Lib["createBflClient"]>["deleteFinetune"]>[1];
type ContractOptions = Parameters<Lib["createBflClient"]>[0] & { env?: Env; maxConcurrency?: number };
export interface CliClient extends ReturnType<Lib["createBflClient"]> {
  listFinetunes(options?: RequestOptions): Promise<{ finetunes: unknown[] }>;
  getFinetuneDetails(id: string, options?: RequestOptions): Promise<{ finetune_details: Record<string, unknown> }>;
}

/** The client for one command: flags over `env`, the concurrency bound handed to the client's gate. */
export function createCliClient(lib: Lib, env: Env, options: ApiOptions & { concurrency?: number }): CliClient {
  const create = lib.createBflClient as unknown as (options: ContractOptions) => CliClient;
  return create({
    env,
    // TEMPORARY until `env` is merged: the library reads process.env by itself before that.
    ...(env.BFL_API_KEY === undefined ? {} : { apiKey: env.BFL_API_KEY }),
    ...(env.BFL_BASE_URL === undefined ? {} : { baseUrl: env.BFL_BASE_URL }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.concurrency === undefined ? {} : { maxConcurrency: options.concurrency }),
  });
}
