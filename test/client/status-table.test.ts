/** The README's status table says what the code does: class and retry for each HTTP status row. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiErrorFor } from "../../src/errors.js";
import { isRetryableAnswer } from "../../src/retry.js";

const readme = readFileSync("README.md", "utf8");
const table = readme.slice(readme.indexOf("<!-- status-table"));

/** `| 400 | \`BflBadRequestError\` | no |` rows whose first cell is a status or a status range. */
const rows = [...table.matchAll(/^\|\s*(\d{3}|other 4xx|5xx)\s*\|\s*`(\w+)`\s*\|\s*(yes|no)\b.*\|$/gm)].map(
  ([, status, name, retried]) => ({ status: status as string, name: name as string, retried: retried === "yes" }),
);

function statusesFor(cell: string): number[] {
  if (cell === "other 4xx") return [405, 410, 418, 451];
  if (cell === "5xx") return [500, 502, 503, 504, 599];
  return [Number(cell)];
}

describe("README status table", () => {
  it("has every status row", () => {
    expect(rows.map((r) => r.status)).toEqual([
      "400",
      "401",
      "402",
      "403",
      "404",
      "408",
      "409",
      "422",
      "429",
      "other 4xx",
      "5xx",
    ]);
  });

  it.each(rows)("$status -> $name, retried: $retried", ({ status, name, retried }) => {
    for (const code of statusesFor(status)) {
      const error = apiErrorFor(
        { status: code, statusText: "", headers: new Headers(), body: undefined, attempts: 1 },
        undefined,
      );
      expect(error.name, String(code)).toBe(name);
      expect(error.constructor.name, String(code)).toBe(name);
      expect(isRetryableAnswer(error.status, error.headers), String(code)).toBe(retried);
    }
  });
});
