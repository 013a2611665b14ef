/**
 * The effective spec: the pulled upstream document with our overlay (OpenAPI Overlay 1.0)
 * applied, cut to the covered operations. The overlay applies to the whole document, so that an
 * operation it adds can refer to upstream schemas no other covered operation uses; the cut then
 * keeps what the covered operations reference. openapi-format does both the overlay (JSONPath
 * targets) and the cut (its operation filter, then dropping the components nothing uses); this
 * module only makes their silent cases loud: a covered operation missing, an overlay action that
 * matches nothing, an operation the overlay adds that upstream now documents itself.
 */
import { type OpenAPIOverlayAction, openapiFilter, openapiOverlay } from "openapi-format";
import { isObject } from "../../src/utils/is-object.js";
import { COVERED_OPERATIONS, type CoveredOperation, operationName } from "./covered-operations.ts";
import { eachOperation, resolveLocal } from "./openapi-operations.ts";
import { SpecError } from "./spec-source.ts";

type Doc = Record<string, unknown>;

/** Component sections the cut prunes to what the kept operations reference (transitively). */
const PRUNED_COMPONENTS = ["schemas", "parameters", "examples", "requestBodies", "responses", "headers"];

const filterKey = (op: Pick<CoveredOperation, "method" | "path">) => `${op.method.toUpperCase()}::${op.path}`;

/** `doc` reduced to the operations in `keep` that it has, and what they reference. */
export async function cutTo(doc: Doc, keep: readonly Pick<CoveredOperation, "method" | "path">[]): Promise<Doc> {
  const kept = new Set(keep.map(filterKey));
  const operations = [...eachOperation(doc)].map(filterKey).filter((key) => !kept.has(key));
  // preserveEmptyObjects: an empty schema ({}, "anything") means something; keep the document's words.
  const filterSet = { operations, unusedComponents: PRUNED_COMPONENTS, preserveEmptyObjects: true };
  const cut = (await openapiFilter(doc, { filterSet })).data as Doc;
  // Webhooks are operations the client never calls; the cut leaves them out like any other.
  delete cut.webhooks;
  // openapi-format keeps the document's tag list whole; keep the tags the kept operations use.
  const used = new Set(
    [...eachOperation(cut)].flatMap(({ operation }) => (Array.isArray(operation.tags) ? operation.tags : [])),
  );
  if (Array.isArray(cut.tags)) cut.tags = cut.tags.filter((tag) => isObject(tag) && used.has(tag.name));
  if (isObject(cut.components)) {
    const components = cut.components;
    for (const [type, group] of Object.entries(components)) {
      if (isObject(group) && Object.keys(group).length === 0) delete components[type];
    }
  }
  assertRefsResolve(cut);
  return cut;
}

/**
 * Every `$ref` and discriminator mapping of the cut must still resolve. openapi-format matches
 * component names as written in the reference, so a name with an escaped "/" (`~1`) would be
 * dropped while still used; that stops here rather than in a broken effective spec.
 */
function assertRefsResolve(doc: Doc, node: unknown = doc): void {
  if (Array.isArray(node)) for (const item of node) assertRefsResolve(doc, item);
  if (!isObject(node)) return;
  const refs = typeof node.$ref === "string" ? [node.$ref] : [];
  if (isObject(node.discriminator) && isObject(node.discriminator.mapping)) {
    refs.push(...Object.values(node.discriminator.mapping).filter((r): r is string => typeof r === "string"));
  }
  for (const ref of refs) {
    if (ref.startsWith("#/") && resolveLocal(doc, { $ref: ref }) === undefined) {
      throw new SpecError(`cutting to the covered operations left ${ref} unresolved`);
    }
  }
  for (const value of Object.values(node)) assertRefsResolve(doc, value);
}

/** Throws, naming them, when `doc` lacks any of `covered`. */
function assertHasOperations(doc: Doc, covered: readonly CoveredOperation[]): void {
  const all = [...eachOperation(doc)];
  const missing = covered.filter((c) => !all.some((op) => op.path === c.path && op.method === c.method));
  if (missing.length > 0) {
    const name = (op: CoveredOperation) =>
      `${operationName(op)}${op.from === "overlay" ? " (the overlay adds it)" : ""}`;
    throw new SpecError(`the document lacks ${missing.map(name).join(", ")}`);
  }
}

/** `doc` reduced to the covered operations; throws when one of them is missing. */
export async function cutToCovered(doc: Doc, covered: readonly CoveredOperation[] = COVERED_OPERATIONS): Promise<Doc> {
  assertHasOperations(doc, covered);
  return cutTo(doc, covered);
}

export type OverlayAction = OpenAPIOverlayAction;

export interface Overlay {
  overlay: string;
  info: { title: string; version: string };
  actions: OverlayAction[];
}

/** Checks the parts of an Overlay 1.0 document this project relies on: version, reasons, targets. */
export function assertOverlay(value: unknown, name: string): asserts value is Overlay {
  if (!isObject(value) || typeof value.overlay !== "string" || !/^1\.0\.\d+$/.test(value.overlay)) {
    throw new SpecError(`${name} is not an OpenAPI Overlay 1.0 document (overlay: 1.0.x)`);
  }
  const { info } = value;
  if (!isObject(info) || typeof info.title !== "string" || typeof info.version !== "string") {
    throw new SpecError(`${name} has no info with a title and a version`);
  }
  if (!Array.isArray(value.actions)) throw new SpecError(`${name} has no actions list`);
  value.actions.forEach((action, i) => {
    if (!isObject(action) || typeof action.target !== "string") {
      throw new SpecError(`${name}: action #${i + 1} has no target`);
    }
    if (typeof action.description !== "string" || action.description.trim() === "") {
      throw new SpecError(`${name}: action #${i + 1} (${action.target}) has no description saying why`);
    }
  });
}

/** `doc` with the overlay applied; every action must change something. */
export async function applyOverlay(doc: Doc, overlay: Overlay, name: string): Promise<Doc> {
  const { data, resultData } = await openapiOverlay(structuredClone(doc), { overlaySet: { ...overlay } });
  const unused = (resultData.unusedActions ?? []) as OverlayAction[];
  const first = unused[0];
  if (first) {
    const more = unused.length > 1 ? ` (and ${unused.length - 1} more)` : "";
    const index = overlay.actions.indexOf(first) + 1;
    throw new SpecError(
      `${name}: action #${index} matches nothing in the pulled document${more}: ${first.target} (${first.description})`,
    );
  }
  return data as Doc;
}

/**
 * Refuses a pulled document that already has an operation the overlay adds: merging BFL's
 * version into ours would hide which one the client now follows.
 */
function assertOverlayAdditionsNew(pulled: Doc, overlayName: string, covered: readonly CoveredOperation[]): void {
  const upstream = new Set([...eachOperation(pulled)].map(filterKey));
  const both = covered.filter((op) => op.from === "overlay" && upstream.has(filterKey(op)));
  if (both.length > 0) {
    throw new SpecError(
      `the pulled document now has ${both.map(operationName).join(", ")}, which ${overlayName} adds: compare the two, then drop the overlay's version and mark it from upstream in scripts/lib/covered-operations.ts`,
    );
  }
}

/** Pulled document + overlay -> effective spec. */
export async function buildEffectiveSpec(
  pulled: Doc,
  overlay: Overlay,
  overlayName: string,
  covered: readonly CoveredOperation[] = COVERED_OPERATIONS,
): Promise<Doc> {
  // A lost covered operation is named as such, before the overlay actions aimed at it fail.
  assertHasOperations(
    pulled,
    covered.filter((op) => op.from !== "overlay"),
  );
  assertOverlayAdditionsNew(pulled, overlayName, covered);
  return cutToCovered(await applyOverlay(pulled, overlay, overlayName), covered);
}
