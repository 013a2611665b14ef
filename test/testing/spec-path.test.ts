/** Where specPath points: a file path on POSIX and Windows, empty when not loaded from a file. */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fileUrlToPath, specPath, specPathFrom } from "../../src/spec-path.js";

describe("specPath", () => {
  it("is the shipped snapshot, from source as from dist/ (one folder below the root)", () => {
    expect(specPath).toMatch(/openapi[\\/]openapi\.json$/);
    expect(existsSync(specPath)).toBe(true);
    expect(specPathFrom("file:///pkg/dist/testing.js")).toBe("/pkg/openapi/openapi.json");
  });

  it("decodes file URLs on POSIX and Windows", () => {
    expect(fileUrlToPath(new URL("file:///home/a%20b/x.json"))).toBe("/home/a b/x.json");
    expect(fileUrlToPath(new URL("file:///C:/Users/x/openapi.json"))).toBe("C:\\Users\\x\\openapi.json");
  });

  it("is empty for a module not loaded from a file", () => {
    expect(specPathFrom("data:text/javascript,1")).toBe("");
    expect(specPathFrom("https://cdn.example/testing.js")).toBe("");
    expect(specPathFrom(undefined)).toBe("");
  });
});
