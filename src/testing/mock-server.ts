/** `startMockServer()`: a Prism mock of the exact spec this client was generated from. */
import { specPath } from "../spec-path.js";
import { type PrismServer, startPrism } from "./prism.js";

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /** Port to listen on; default 0, a free one. */
  port?: number;
  /** Generate bodies from the schemas instead of answering the spec's examples (default `false`). */
  dynamic?: boolean;
  /**
   * Answer with a 500 `application/problem+json` when a mocked response breaks the spec (e.g. an
   * example that does not match its schema) instead of sending it with an `sl-violations` header
   * (default `false`). Invalid requests get the spec's 422 or Prism's 401 either way.
   */
  errors?: boolean;
  /** OpenAPI document to serve; default the shipped snapshot. */
  spec?: string;
  /** How long to wait for Prism to listen (default 30000 ms). */
  startTimeoutMs?: number;
}

/**
 * Starts a Prism mock of the shipped spec on a loopback port. Needs `@stoplight/prism-cli` (an
 * optional peer dependency) and Node; Prism ends by itself when the process that started it dies.
 *
 * ```ts
 * const mock = await startMockServer();
 * const bfl = createBflClient({ apiKey: "test", baseUrl: mock.url });
 * await bfl.deleteFinetune("my-finetune");
 * await mock.close();
 * ```
 * @throws {Error} when Prism is missing, cannot run on this Node, or the port is in use.
 */
export function startMockServer(options: MockServerOptions = {}): Promise<PrismServer> {
  const spec = options.spec ?? specPath;
  if (!spec) {
    return Promise.reject(new Error("startMockServer: the shipped spec has no file path here; pass `spec`"));
  }
  const args = ["mock", spec];
  if (options.dynamic) args.push("--dynamic");
  if (options.errors) args.push("--errors");
  return startPrism(args, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
}
