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
  sha256: string;
  /** The `content-type` a server sent, if any. */
  contentType: string | undefined;
}

const isUrl = (from: string) => /^https?:\/\//i.test(from);

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number, from: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new SpecError(`${from} is larger than the ${maxBytes}-byte cap`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function fetchUrl(from: string, timeoutMs: number, maxBytes: number): Promise<FetchedSpec> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(from, { signal, headers: { accept: "application/json, application/yaml;q=0.9" } });
    if (!response.ok) throw new SpecError(`${from} answered ${response.status} ${response.statusText}`.trim());
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) throw new SpecError(`${from} is larger than the ${maxBytes}-byte cap (${declared} bytes)`);
    const bytes = response.body ? await readCapped(response.body, maxBytes, from) : Buffer.alloc(0);
    return { bytes, sha256: sha256(bytes), contentType: response.headers.get("content-type") ?? undefined };
  } catch (error) {
    if (error instanceof SpecError) throw error;
    if (signal.aborted) throw new SpecError(`${from} did not answer within ${timeoutMs} ms`);
    const cause = (error as Error).cause as { code?: string } | undefined;
    throw new SpecError(`cannot fetch ${from}: ${(error as Error).message}${cause?.code ? ` (${cause.code})` : ""}`);
  }
}

async function readLocal(from: string, maxBytes: number): Promise<FetchedSpec> {
  const info = await stat(from).catch(() => {
    throw new SpecError(`cannot read ${from}: no such file`);
  });
  if (info.size > maxBytes) throw new SpecError(`${from} is larger than the ${maxBytes}-byte cap (${info.size} bytes)`);
  const bytes = await readFile(from);
  return { bytes, sha256: sha256(bytes), contentType: undefined };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Fetches `from` (http(s) URL or file path) with a timeout and a size cap. */
export function fetchSpec(from: string, options: { timeoutMs: number; maxBytes: number }): Promise<FetchedSpec> {
  return isUrl(from) ? fetchUrl(from, options.timeoutMs, options.maxBytes) : readLocal(from, options.maxBytes);
}

/** Parses JSON, or YAML when the source says it is YAML (by extension or content type). */
export function parseSpec(spec: FetchedSpec, from: string): unknown {
  const text = spec.bytes.toString("utf8");
  const yaml = /\.ya?ml$/i.test(new URL(from, "file:///").pathname) || /yaml/i.test(spec.contentType ?? "");
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SpecError(`${from} is not valid ${yaml ? "YAML" : "JSON"}: ${(error as Error).message.split("\n")[0]}`);
  }
}
