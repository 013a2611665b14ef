/**
 * `--paths`: keeps only the listed paths, every component they reference (transitively), and the
 * security schemes and tags they use, so the full upstream document pins down to a few endpoints.
 * Operation- and path-level `servers` travel with their path; document-level fields stay as they are.
 */

import { isObject, type Json } from "./json.ts";
import type { OpenApiDoc } from "./spec-checks.ts";
import { SpecError } from "./spec-source.ts";

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const COMPONENT_REF = "#/components/";

/**
 * Every `#/components/<type>/<name>` reference inside `node`: `$ref`s, and discriminator mappings,
 * which name schemas by reference without a `$ref` key.
 */
function refsIn(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) refsIn(item, out);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(COMPONENT_REF)) out.add(value);
      else if (key === "discriminator" && isObject(value) && isObject(value.mapping)) {
        for (const target of Object.values(value.mapping))
          if (typeof target === "string" && target.startsWith(COMPONENT_REF)) out.add(target);
      } else refsIn(value, out);
    }
  }
  return out;
}

/** `#/components/schemas/A~1B` → ["schemas", "A/B"], decoding JSON-pointer escapes. */
function splitRef(ref: string): [string, string] {
  const [type = "", name = ""] = ref
    .slice(COMPONENT_REF.length)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  return [type, name];
}

function lookup(doc: Json, type: string, name: string): unknown {
  const components = isObject(doc.components) ? doc.components : {};
  const group = components[type];
  return isObject(group) ? group[name] : undefined;
}

/** The referenced components, grouped by type, each group in name order. */
function collectComponents(doc: Json, roots: unknown): Record<string, Json> {
  const seen = new Set<string>();
  const queue = [...refsIn(roots, new Set())];
  for (let ref = queue.pop(); ref !== undefined; ref = queue.pop()) {
    if (seen.has(ref)) continue;
    seen.add(ref);
    const target = lookup(doc, ...splitRef(ref));
    if (target === undefined) throw new SpecError(`${ref} is referenced but not defined`);
    queue.push(...refsIn(target, new Set()));
  }
  const components: Record<string, Json> = {};
  for (const [type, name] of [...seen].map(splitRef).sort((a, b) => a.join("/").localeCompare(b.join("/")))) {
    components[type] ??= {};
    (components[type] as Json)[name] = lookup(doc, type, name);
  }
  return components;
}

function securityNames(requirements: unknown, out: Set<string>): void {
  if (!Array.isArray(requirements)) return;
  for (const requirement of requirements)
    if (isObject(requirement)) for (const name of Object.keys(requirement)) out.add(name);
}

/** Security schemes and tag names the kept operations (and the document's default) use. */
function usedByOperations(doc: Json, paths: Json): { schemes: Set<string>; tags: Set<string> } {
  const schemes = new Set<string>();
  const tags = new Set<string>();
  securityNames(doc.security, schemes);
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !isObject(operation)) continue;
      securityNames(operation.security, schemes);
      if (Array.isArray(operation.tags)) for (const tag of operation.tags) tags.add(String(tag));
    }
  }
  return { schemes, tags };
}

/** The document reduced to `keep` (exact path keys) and what they need. */
export function prunePaths(doc: OpenApiDoc, keep: string[]): OpenApiDoc {
  const missing = keep.filter((p) => !Object.hasOwn(doc.paths, p));
  if (missing.length > 0) throw new SpecError(`--paths names paths the document does not have: ${missing.join(", ")}`);
  const paths: Json = Object.fromEntries(keep.map((p) => [p, doc.paths[p]]));
  const components = collectComponents(doc, paths);

  const { schemes, tags } = usedByOperations(doc, paths);
  const allSchemes =
    isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const securitySchemes = Object.fromEntries(
    [...schemes]
      .sort()
      .filter((name) => Object.hasOwn(allSchemes, name))
      .map((name) => [name, allSchemes[name]]),
  );
  if (Object.keys(securitySchemes).length > 0) {
    components.securitySchemes = { ...components.securitySchemes, ...securitySchemes };
  }

  const pruned: Json = { ...doc, paths, components };
  if (Array.isArray(doc.tags)) pruned.tags = doc.tags.filter((t) => isObject(t) && tags.has(String(t.name)));
  // Webhooks are operations the client never calls; they would drag their components along.
  delete pruned.webhooks;
  return pruned as OpenApiDoc;
}
