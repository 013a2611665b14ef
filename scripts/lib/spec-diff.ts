/**
 * The change report between two snapshots, by api-smart-diff (a maintained OpenAPI diff that
 * classifies each change as breaking or not for API consumers). Only operation-level changes,
 * where references are already resolved, and document-level servers and security are reported,
 * so a component change shows once, at the operations it affects.
 */
import { apiCompare } from "api-smart-diff";

export interface ChangeReport {
  breaking: string[];
  nonBreaking: string[];
  other: string[];
}

interface Diff {
  type: string;
  action: string;
  path: (string | number)[];
  description?: string;
}

const where = (path: (string | number)[]) => path.join(" › ");

/** A server URL is the client's default origin: changing or removing one breaks callers. */
function isServerChange(diff: Diff): boolean {
  return diff.path.includes("servers") && diff.action !== "add";
}

/** Request fields the facade sends (src/client.ts): dropping one breaks it, whatever the server tolerates. */
const SENT_FIELDS = new Set(["finetune_id"]);

function dropsSentField(diff: Diff): boolean {
  return (
    diff.action === "remove" && diff.path.includes("requestBody") && diff.path.some((p) => SENT_FIELDS.has(String(p)))
  );
}

export function diffSpecs(before: unknown, after: unknown): ChangeReport {
  const { diffs } = apiCompare(before as object, after as object) as unknown as { diffs: Diff[] };
  const report: ChangeReport = { breaking: [], nonBreaking: [], other: [] };
  for (const diff of diffs) {
    const [root] = diff.path;
    if (root !== "paths" && root !== "servers" && root !== "security") continue;
    const line = diff.description ?? `[${diff.action}] ${where(diff.path)}`;
    if (diff.type === "breaking" || isServerChange(diff) || dropsSentField(diff)) report.breaking.push(line);
    else if (diff.type === "non-breaking") report.nonBreaking.push(line);
    else report.other.push(line);
  }
  return report;
}

export function hasChanges(report: ChangeReport): boolean {
  return report.breaking.length + report.nonBreaking.length + report.other.length > 0;
}

/** The report as readable text, breaking changes first. */
export function formatReport(report: ChangeReport): string {
  if (!hasChanges(report)) return "No changes for this client.";
  const section = (title: string, lines: string[]) =>
    lines.length === 0 ? [] : [`${title} (${lines.length}):`, ...lines.map((l) => `  - ${l}`)];
  return [
    ...section("Breaking", report.breaking),
    ...section("Non-breaking", report.nonBreaking),
    ...section("Other (annotations, unclassified)", report.other),
  ].join("\n");
}
