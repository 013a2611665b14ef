/** Reading an OpenAPI document from a URL or a file, bounded in time and size. */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { parse as parseYaml } from "yaml";

/** A refusal: printed as one line, exit 1, nothing written. */
export class SpecError extends Error {
  override name = "SpecError";
}

export interface FetchedSpec {
  bytes: Buffer;
  /** Hex sha256 of `bytes`, exactly as received. */
  sha256: string;
  /** The `content-type` a server sent, if any. */
  contentType: string | undefined;
}

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** Defaults of `spec:pull`: generous for the whole upstream document, small enough to stay safe. */
export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 30_000, maxBytes: 20 * 1024 * 1024 };

export const isUrl = (from: string): boolean => /^https?:\/\//i.test(from);

const causeOf = (error: unknown): string => {
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  return cause?.message ?? cause?.code ?? (error as Error).message;
};

/** Reads the body chunk by chunk so an oversized or endless answer is cut at the cap, not buffered. */
async function readCapped(response: Response, from: string, limits: FetchLimits): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) throw new SpecError(`${from} is larger than the ${limits.maxBytes}-byte cap`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof SpecError || (error as Error).name === "TimeoutError") throw error;
    throw new SpecError(`the download of ${from} broke off after ${size} bytes: ${causeOf(error)}`);
  }
  return Buffer.concat(chunks);
}

async function fetchUrl(from: string, limits: FetchLimits): Promise<FetchedSpec> {
  // One deadline for connecting, headers and the whole body: a trickling server cannot stall a pull.
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(from, {
      signal,
      redirect: "follow",
      headers: { accept: "application/json, application/yaml;q=0.9, */*;q=0.1" },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new SpecError(`${from} answered ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > limits.maxBytes) {
      await response.body?.cancel();
      throw new SpecError(`${from} is larger than the ${limits.maxBytes}-byte cap (${declared} bytes)`);
    }
    const bytes = response.body ? await readCapped(response, from, limits) : Buffer.alloc(0);
    return { bytes, sha256: sha256(bytes), contentType: response.headers.get("content-type") ?? undefined };
  } catch (error) {
    if (error instanceof SpecError) throw error;
    if (signal.aborted) throw new SpecError(`${from} did not answer in full within ${limits.timeoutMs} ms`);
    throw new SpecError(`cannot fetch ${from}: ${causeOf(error)}`);
  }
}

async function readLocal(from: string, limits: FetchLimits): Promise<FetchedSpec> {
  const info = await stat(from).catch((error: NodeJS.ErrnoException) => {
    throw new SpecError(`cannot read ${from}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  if (!info.isFile()) throw new SpecError(`cannot read ${from}: not a file`);
  if (info.size > limits.maxBytes) {
    throw new SpecError(`${from} is larger than the ${limits.maxBytes}-byte cap (${info.size} bytes)`);
  }
  const bytes = await readFile(from);
  return { bytes, sha256: sha256(bytes), contentType: undefined };
}

/** Hex sha256 of some bytes. */
export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Fetches `from` (http(s) URL or file path) with a timeout and a size cap. */
export function fetchSpec(from: string, limits: FetchLimits = DEFAULT_LIMITS): Promise<FetchedSpec> {
  return isUrl(from) ? fetchUrl(from, limits) : readLocal(from, limits);
}

/**
 * YAML when the source says so (extension or content type); JSON when it says so; otherwise
 * by the first character, since a JSON document always starts with `{`.
 */
export function formatOf(spec: FetchedSpec, from: string): "json" | "yaml" {
  const pathname = isUrl(from) ? new URL(from).pathname : from;
  if (/\.ya?ml$/i.test(pathname) || /yaml/i.test(spec.contentType ?? "")) return "yaml";
  if (/\.json$/i.test(pathname) || /json/i.test(spec.contentType ?? "")) return "json";
  return spec.bytes.toString("utf8").trimStart().startsWith("{") ? "json" : "yaml";
}

/** Parses JSON, or YAML when the source is YAML. */
export function parseSpec(spec: FetchedSpec, from: string): unknown {
  const text = spec.bytes.toString("utf8");
  const yaml = formatOf(spec, from) === "yaml";
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SpecError(`${from} is not valid ${yaml ? "YAML" : "JSON"}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** Fetches and parses in one step. */
export async function loadSpec(from: string, limits: FetchLimits = DEFAULT_LIMITS): Promise<unknown> {
  return parseSpec(await fetchSpec(from, limits), from);
}
