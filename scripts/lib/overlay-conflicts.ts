/**
 * An upstream change that collides with one of our overlay actions: the action sets (or removes) a
 * node that BFL's document itself changed between two pulls. Merging it silently would hide either
 * BFL's change or ours, so the regen routine names it and stops like a breaking change. Compared
 * on the documents cut to the covered operations, where the actions apply.
 */
import { isDeepStrictEqual } from "node:util";
import { paths, query } from "jsonpathly";
import { isObject } from "../../src/utils/is-object.js";
import type { Overlay } from "./effective-spec.ts";

type Doc = Record<string, unknown>;

/** The keys under `update` whose value upstream changed, as dotted paths below the target. */
function changedUnder(update: unknown, before: unknown, after: unknown, at: string[] = []): string[] {
  if (!isObject(update)) return isDeepStrictEqual(before, after) ? [] : [at.join(".") || "(the node)"];
  return Object.entries(update).flatMap(([key, value]) => {
    const [was, is] = [isObject(before) ? before[key] : undefined, isObject(after) ? after[key] : undefined];
    if (isObject(value) && isObject(was) && isObject(is)) return changedUnder(value, was, is, [...at, key]);
    return isDeepStrictEqual(was, is) ? [] : [[...at, key].join(".")];
  });
}

/** One line per action whose target upstream changed where the action writes, e.g. "#3 ($.x): `examples` changed upstream". */
export function overlayConflicts(before: Doc, after: Doc, overlay: Overlay): string[] {
  return overlay.actions.flatMap((action, i) => {
    const matched = paths(after, action.target, { hideExceptions: true });
    const keys = matched.flatMap((at) => {
      const [was, is] = [query(before, at), query(after, at)];
      return action.remove === true
        ? changedUnder(undefined, was, is)
        : changedUnder((action as { update?: unknown }).update, was, is);
    });
    if (keys.length === 0) return [];
    const names = [...new Set(keys)].map((k) => `\`${k}\``).join(", ");
    return [
      `overlay action #${i + 1} (${action.target}): upstream changed ${names}, which the action ${action.remove ? "removes" : "sets"}`,
    ];
  });
}
