/**
 * The version policy of a regen, in one place: what the change report implies for users of
 * bfl-finetune, and the changeset (.changeset/*.md, read by @changesets/cli) that records it.
 *   breaking change accepted (--accept-breaking)   -> major
 *   additions (non-breaking)                       -> minor
 *   descriptions, examples, other annotations only -> patch
 */
import type { ChangeReport } from "./spec-diff.ts";

export type Bump = "major" | "minor" | "patch";

const PACKAGE_NAME = "bfl-finetune";

/** The bump a change of the effective spec implies; a change the report cannot classify is a patch. */
export function bumpFor(report: ChangeReport): Bump {
  if (report.breaking.length > 0) return "major";
  if (report.nonBreaking.length > 0) return "minor";
  return "patch";
}

/** A changeset file's text: the bump for bfl-finetune, then the report's lines as the summary. */
export function changesetText(report: ChangeReport, source: string): string {
  const bump = bumpFor(report);
  const section = (title: string, lines: string[]) =>
    lines.length === 0 ? [] : ["", `${title}:`, "", ...lines.map((line) => `- ${line}`)];
  const body = [
    `Regenerated from BFL's OpenAPI document (${source}).`,
    ...section("Breaking", report.breaking),
    ...section("Added", report.nonBreaking),
    ...section("Other (descriptions, examples)", report.other),
  ];
  if (report.breaking.length + report.nonBreaking.length + report.other.length === 0) {
    body.push("", "- The effective spec changed in a way the change report does not classify.");
  }
  return `---\n"${PACKAGE_NAME}": ${bump}\n---\n\n${body.join("\n")}\n`;
}
