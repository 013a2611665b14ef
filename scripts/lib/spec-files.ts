/**
 * The files of openapi/ and how they are read:
 *   <pulled file>   BFL's document, bytes exactly as pulled (named in source.json, `file`)
 *   source.json     where and when it was pulled, its sha256 and size
 *   overlay.yaml    our additions, an OpenAPI Overlay 1.0 document
 *   openapi.json    the effective spec, generated: overlay applied to the pulled document, then cut
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { isObject } from "../../src/utils/is-object.js";
import { assertOverlay, buildEffectiveSpec, type Overlay } from "./effective-spec.ts";
import { SpecError, sha256 } from "./spec-source.ts";

export const SOURCE_FILE = "source.json";
export const OVERLAY_FILE = "overlay.yaml";
export const EFFECTIVE_FILE = "openapi.json";
/** The pulled document's name when it is JSON; a YAML pull keeps its format as upstream.yaml. */
export const PULLED_JSON = "upstream.json";
export const PULLED_YAML = "upstream.yaml";

/** Where a pulled document came from: a URL, a file, or a file in a GitHub repository at a commit. */
export type Origin = { url: string } | { file: string } | { repository: string; path: string; commit: string };

/** openapi/source.json. */
export interface SourceRecord {
  origin: Origin;
  file: string;
  sha256: string;
  bytes: number;
  pulledAt: string;
  openapi: string;
  infoVersion: string | null;
}

async function readText(file: string): Promise<string> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new SpecError(`cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
}

/** JSON or YAML by the file's extension; a parse failure is a refusal naming the file. */
function parseText(text: string, file: string): unknown {
  const json = file.endsWith(".json");
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SpecError(`${file} is not valid ${json ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
  }
}

export async function readSourceRecord(dir: string): Promise<SourceRecord> {
  const file = path.join(dir, SOURCE_FILE);
  const record = parseText(await readText(file), file);
  if (
    !isObject(record) ||
    typeof record.sha256 !== "string" ||
    ![PULLED_JSON, PULLED_YAML].includes(String(record.file))
  ) {
    throw new SpecError(`${file} does not name the pulled file (${PULLED_JSON} or ${PULLED_YAML}) and its sha256`);
  }
  return record as unknown as SourceRecord;
}

/** The pulled document, parsed, after checking its bytes are the ones source.json records. */
export async function readPulled(dir: string, record: SourceRecord): Promise<Record<string, unknown>> {
  const file = path.join(dir, record.file);
  const bytes = await readFile(file).catch(() => {
    throw new SpecError(`cannot read ${file}, the pulled document ${SOURCE_FILE} names`);
  });
  if (sha256(bytes) !== record.sha256) {
    throw new SpecError(`${file} is not the document ${SOURCE_FILE} records (sha256 differs): pull it again`);
  }
  const text = bytes.toString("utf8");
  return parseText(text, file) as Record<string, unknown>;
}

export async function readOverlay(dir: string): Promise<Overlay> {
  const file = path.join(dir, OVERLAY_FILE);
  const overlay = parseText(await readText(file), file);
  assertOverlay(overlay, file);
  return overlay;
}

/** Our overlay, or undefined when `dir` has none (a first pull into a new folder); any other problem throws. */
export async function readOverlayIfAny(dir: string): Promise<Overlay | undefined> {
  return existsSync(path.join(dir, OVERLAY_FILE)) ? readOverlay(dir) : undefined;
}

/** The effective spec built from what `dir` holds (pulled document + overlay). */
export async function effectiveSpecOf(dir: string): Promise<Record<string, unknown>> {
  const record = await readSourceRecord(dir);
  return buildEffectiveSpec(await readPulled(dir, record), await readOverlay(dir), path.join(dir, OVERLAY_FILE));
}
