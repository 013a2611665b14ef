/** contract:check's results as printed: judged as the answer came, the key redacted in values, then cut. */
import { describe, expect, it } from "vitest";
import { judge, probes, shownResult } from "../../scripts/lib/drift-probes.js";
import { redactValue } from "../../src/redact.js";

const violation = (message: string) => [{ location: ["response", "body"], severity: "Error", message }];

describe.each([":", '"', ",", "{", "a"])("with the key %j", (key) => {
  const [deleteProbe] = probes(key);
  if (!deleteProbe) throw new Error("no probe");

  it("judges the answer as it came: a key that is a JSON token does not make it unreadable", () => {
    const body = JSON.stringify({ detail: `not found for ${key}` });
    const result = judge(deleteProbe, { status: 404, contentType: "application/json", violations: null, body });
    expect(result.conforms).toBe(true);
    const header = JSON.stringify(violation(`echoes ${key}`));
    const failed = judge(deleteProbe, { status: 500, contentType: "application/json", violations: header, body });
    expect(failed.violations.map((v) => v.field)).not.toContain("sl-violations");
  });

  it("prints as JSON holding no key, echoes in the body and the violations included", () => {
    const body = JSON.stringify({ detail: `${"x".repeat(290)} ${key} ${key}` });
    const header = JSON.stringify(violation(`echoes ${key}`));
    const shown = shownResult(
      judge(deleteProbe, { status: 500, contentType: "application/json", violations: header, body }),
      key,
    );
    const printed = JSON.parse(JSON.stringify({ results: [shown] }));
    expect(redactValue(printed, key)).toEqual(printed);
    expect(shown.body?.length).toBeLessThanOrEqual(300);
  });
});

it("cuts a body after redacting it, so a key across the cut is never half printed", () => {
  const key = "sk-test-secret-4711";
  const [deleteProbe] = probes(key);
  const body = `${"x".repeat(290)} ${key} echoed`;
  const result = judge(deleteProbe as never, { status: 500, contentType: "text/plain", violations: null, body });
  expect(shownResult(result, key).body).not.toContain("sk-te");
});
