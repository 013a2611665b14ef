/**
 * `--paths`: keeps only the listed paths, every component they reference (transitively), and the
 * security schemes and tags they use, so the full upstream document pins down to a few endpoints.
 */
import type { OpenApiDoc } from "./spec-checks.ts";
import { SpecError } from "./spec-source.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** Every `#/components/<type>/<name>` reference inside `node`. */
function refsIn(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) refsIn(item, out);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/")) out.add(value);
      else refsIn(value, out);
    }
  }
  return out;
}

function lookup(doc: Json, ref: string): unknown {
  const [, , type, name] = ref.split("/");
  const components = isObject(doc.components) ? doc.components : {};
  const group = isObject(components[type as string]) ? (components[type as string] as Json) : {};
  return group[name as string];
}

function securityNames(requirements: unknown, out: Set<string>): void {
  if (!Array.isArray(requirements)) return;
  for (const requirement of requirements)
    if (isObject(requirement)) for (const name of Object.keys(requirement)) out.add(name);
}

export function prunePaths(doc: OpenApiDoc, keep: string[]): OpenApiDoc {
  const missing = keep.filter((p) => !(p in doc.paths));
  if (missing.length > 0) throw new SpecError(`--paths names paths the document does not have: ${missing.join(", ")}`);
  const paths = Object.fromEntries(keep.map((p) => [p, doc.paths[p] as Json]));

  // Follow references until no new component turns up.
  const refs = new Set<string>();
  const queue = [...refsIn(paths, new Set())];
  for (let ref = queue.pop(); ref !== undefined; ref = queue.pop()) {
    if (refs.has(ref)) continue;
    refs.add(ref);
    queue.push(...refsIn(lookup(doc, ref), new Set()));
  }
  const components: Record<string, Json> = {};
  for (const ref of [...refs].sort()) {
    const [, , type, name] = ref.split("/") as [string, string, string, string];
    const target = lookup(doc, ref);
    if (target === undefined) throw new SpecError(`${ref} is referenced but not defined`);
    components[type] ??= {};
    (components[type] as Json)[name] = target;
  }

  const schemes = new Set<string>();
  const tags = new Set<string>();
  securityNames(doc.security, schemes);
  for (const item of Object.values(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !isObject(operation)) continue;
      securityNames(operation.security, schemes);
      if (Array.isArray(operation.tags)) for (const tag of operation.tags) tags.add(String(tag));
    }
  }
  const allSchemes =
    isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const securitySchemes = Object.fromEntries(
    [...schemes]
      .sort()
      .filter((n) => n in allSchemes)
      .map((n) => [n, allSchemes[n]]),
  );
  if (Object.keys(securitySchemes).length > 0) components.securitySchemes = securitySchemes;

  const pruned: Json = { ...doc, paths, components };
  if (Array.isArray(doc.tags)) pruned.tags = doc.tags.filter((t) => isObject(t) && tags.has(String(t.name)));
  delete pruned.webhooks;
  return pruned as OpenApiDoc;
}
