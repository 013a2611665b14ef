/** A client aimed at a fault server, with a recognisable key and backoff shrunk for tests. */
import { type BflClientOptions, createBflClient } from "../../src/index.js";
import type { FaultServer } from "./fault-server.js";

export const TEST_KEY = "bfl-test-key-8d41c2e9f7";

export function clientFor(server: FaultServer, options: BflClientOptions = {}) {
  return createBflClient({
    apiKey: TEST_KEY,
    baseUrl: server.url,
    maxRetries: 2,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, got a result");
}
