/**
 * The change report: each kind of change lands in the group a client of the API would put it in,
 * `spec:diff` prints it and fails on breaking changes when asked, and the README shows real output.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffSpecs, formatReport } from "../../scripts/lib/spec-diff.ts";
import { main as specDiff } from "../../scripts/spec-diff.ts";
import { runMain, runScript } from "../helpers/run.js";
import { effective as current, FIXTURES, upstream, upstreamNext } from "./fixtures/variants.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

const OP = "POST /v1/delete_finetune";
const schemas = (doc: Doc) => doc.components.schemas;
const post = (doc: Doc) => doc.paths["/v1/delete_finetune"].post;

/** The report for the effective spec edited by `edit`. */
function reportFor(edit: (doc: Doc) => void) {
  const after = current();
  edit(after);
  return diffSpecs(current(), after);
}

describe("classification for a client", () => {
  it.each<[string, (doc: Doc) => void, RegExp]>([
    [
      "a new required request field",
      (d) => {
        schemas(d).DeleteFinetuneInputs.properties.confirm = { type: "boolean" };
        schemas(d).DeleteFinetuneInputs.required.push("confirm");
      },
      /required status to `confirm` in Request Body/,
    ],
    [
      "a renamed request field",
      (d) => {
        const inputs = schemas(d).DeleteFinetuneInputs;
        inputs.properties = { id: inputs.properties.finetune_id };
        inputs.required = ["id"];
      },
      /\[Removed\] property `finetune_id` in Request Body/,
    ],
    [
      "a retyped request field",
      (d) => {
        schemas(d).DeleteFinetuneInputs.properties.finetune_id.type = "integer";
      },
      /type definition of `finetune_id` in Request Body .* \(string → integer\)$/,
    ],
    [
      "a removed response field",
      (d) => {
        delete schemas(d).DeleteFinetuneResponse.properties.message;
        schemas(d).DeleteFinetuneResponse.required = ["status", "deleted_finetune_id", "timestamp"];
      },
      /\[Removed\] property `message` in Response 200/,
    ],
    [
      "a response field made optional",
      (d) => {
        schemas(d).DeleteFinetuneResponse.required = ["status", "deleted_finetune_id", "timestamp"];
      },
      /\[Removed\] required status from `message` in Response 200/,
    ],
    [
      "a retyped response field",
      (d) => {
        schemas(d).DeleteFinetuneResponse.properties.timestamp.type = "integer";
      },
      /type definition of `timestamp` in Response 200 .* \(string → integer\)$/,
    ],
    [
      "a response field that may now be null",
      (d) => {
        schemas(d).DeleteFinetuneResponse.properties.timestamp.type = ["string", "null"];
      },
      /\(string → string\|null\)$/,
    ],
    [
      "a removed operation",
      (d) => {
        delete d.paths["/v1/delete_finetune"];
      },
      /^\[Removed\] operation POST \/v1\/delete_finetune$/,
    ],
    [
      "a removed 200 response",
      (d) => {
        const responses = post(d).responses;
        responses["201"] = responses["200"];
        delete responses["200"];
      },
      /\[Removed\] Response 200/,
    ],
    [
      "a new required query parameter",
      (d) => {
        post(d).parameters = [{ name: "force", in: "query", required: true, schema: { type: "boolean" } }];
      },
      /required query parameter `force`/,
    ],
    [
      "a different server for the operation",
      (d) => {
        post(d).servers = [{ url: "https://api.eu1.bfl.ai" }];
      },
      /^POST \/v1\/delete_finetune: server https:\/\/api\.us1\.bfl\.ai → https:\/\/api\.eu1\.bfl\.ai$/,
    ],
    [
      "the operation's own server dropped, so it inherits the document's",
      (d) => {
        delete post(d).servers;
      },
      /server https:\/\/api\.us1\.bfl\.ai → https:\/\/api\.bfl\.ai$/,
    ],
    [
      "a security scheme sent in another header",
      (d) => {
        d.components.securitySchemes.APIKeyHeader.name = "x-api-key";
      },
      /^security scheme APIKeyHeader: apiKey in header `x-key` → apiKey in header `x-api-key`$/,
    ],
    [
      "another security requirement",
      (d) => {
        d.components.securitySchemes.Bearer = { type: "http", scheme: "bearer" };
        post(d).security = [{ Bearer: [] }];
      },
      /^POST \/v1\/delete_finetune: security \[APIKeyHeader\] → \[Bearer\]$/,
    ],
  ])("breaking: %s", (_name, edit, line) => {
    const report = reportFor(edit);
    expect(
      report.breaking.some((l) => line.test(l)),
      report.breaking.join("\n"),
    ).toBe(true);
    expect(report.nonBreaking.some((l) => line.test(l))).toBe(false);
  });

  it.each<[string, (doc: Doc) => void, RegExp]>([
    [
      "an added optional response field",
      (d) => {
        schemas(d).DeleteFinetuneResponse.properties.field_added_by_test = { type: "number" };
      },
      /^POST \/v1\/delete_finetune: \[Added\] property `field_added_by_test` in Response 200/,
    ],
    [
      "an added required response field",
      (d) => {
        schemas(d).DeleteFinetuneResponse.properties.field_added_by_test = { type: "number" };
        schemas(d).DeleteFinetuneResponse.required.push("field_added_by_test");
      },
      /required status to `field_added_by_test` in Response 200/,
    ],
    [
      "an added optional request field",
      (d) => {
        schemas(d).DeleteFinetuneInputs.properties.reason = { type: "string" };
      },
      /\[Added\] property `reason` in Request Body/,
    ],
    [
      "a request field that accepts more types",
      (d) => {
        schemas(d).DeleteFinetuneInputs.properties.finetune_id.type = ["string", "integer"];
      },
      /\(string → string\|integer\)$/,
    ],
    [
      "a new operation",
      (d) => {
        d.paths["/v1/flux-dev"] = { get: { responses: { "200": { description: "OK" } } } };
      },
      /^\[Added\] operation GET \/v1\/flux-dev$/,
    ],
    [
      "another security alternative",
      (d) => {
        d.components.securitySchemes.Bearer = { type: "http", scheme: "bearer" };
        post(d).security.push({ Bearer: [] });
      },
      /security \[APIKeyHeader\] → \[APIKeyHeader \| Bearer\]$/,
    ],
    [
      "a new optional query parameter",
      (d) => {
        post(d).parameters = [{ name: "dry_run", in: "query", schema: { type: "boolean" } }];
      },
      /^POST \/v1\/delete_finetune: \[Added\] optional query parameter `dry_run`$/,
    ],
    [
      "a deprecated operation",
      (d) => {
        post(d).deprecated = true;
      },
      /\[Added\] deprecated status/,
    ],
  ])("non-breaking: %s", (_name, edit, line) => {
    const report = reportFor(edit);
    expect(report.breaking, report.breaking.join("\n")).toEqual([]);
    expect(
      report.nonBreaking.some((l) => line.test(l)),
      report.nonBreaking.join("\n"),
    ).toBe(true);
  });

  it("a request body that appears is breaking when required, not otherwise", () => {
    const withoutBody = current();
    delete post(withoutBody).requestBody;
    const required = diffSpecs(withoutBody, current());
    expect(required.breaking).toEqual([`${OP}: [Added] Request Body (required)`]);
    const optional = current();
    post(optional).requestBody.required = false;
    expect(diffSpecs(withoutBody, optional)).toMatchObject({
      breaking: [],
      nonBreaking: [`${OP}: [Added] Request Body`],
    });
  });

  it("annotations are 'other', and servers or security moving between levels are no change", () => {
    const report = reportFor((d) => {
      post(d).description = "Deletes a finetune.";
      // BFL puts the finetune server and the security on each operation; the same, one level up.
      d.paths["/v1/delete_finetune"].servers = post(d).servers;
      delete post(d).servers;
      d.security = post(d).security;
      delete post(d).security;
      d.info.version = "9.9.9";
    });
    expect(report.breaking).toEqual([]);
    expect(report.nonBreaking).toEqual([]);
    expect(report.other).toEqual([`${OP}: [Replaced] annotation (description)`]);
  });

  it("names the property and the enum value at every operation a shared schema reaches", () => {
    // Two operations whose bodies reach one component: api-smart-diff names the change at the
    // first and says "annotation (…)" at the second; each line must name the field or the value.
    const op = (ref: string) => ({
      post: {
        requestBody: { content: { "application/json": { schema: { $ref: ref } } } },
        responses: { "200": { description: "OK" } },
      },
    });
    const doc = (format: string[], extra: boolean): Doc => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/v1/a": op("#/components/schemas/A"), "/v1/b": op("#/components/schemas/B") },
      components: {
        schemas: {
          Base: {
            type: "object",
            properties: {
              output_format: { anyOf: [{ $ref: "#/components/schemas/Format" }, { type: "null" }] },
              ...(extra ? { transparent_bg: { type: "boolean" } } : {}),
            },
          },
          Format: { type: "string", enum: format },
          A: {
            allOf: [{ $ref: "#/components/schemas/Base" }, { type: "object", properties: { x: { type: "string" } } }],
          },
          B: {
            allOf: [{ $ref: "#/components/schemas/Base" }, { type: "object", properties: { y: { type: "string" } } }],
          },
        },
      },
    });
    const report = diffSpecs(doc(["jpeg", "png", "webp"], false), doc(["jpeg", "png"], true));
    for (const path of ["/v1/a", "/v1/b"]) {
      expect(report.breaking).toContainEqual(
        expect.stringMatching(`^POST ${path}: \\[Removed\\] value \`webp\` of \`output_format\` in Request Body`),
      );
      expect(report.nonBreaking).toContainEqual(
        expect.stringMatching(`^POST ${path}: \\[Added\\] property \`transparent_bg\` in Request Body`),
      );
    }
    expect([...report.breaking, ...report.nonBreaking].join("\n")).not.toMatch(/annotation/);
  });

  it("identical documents: no changes", () => {
    const report = diffSpecs(current(), current());
    expect(report).toEqual({ breaking: [], nonBreaking: [], other: [] });
    expect(formatReport(report)).toBe("No changes for this client.");
  });

  it("formats breaking first and cuts a long 'other' list", () => {
    const text = formatReport({
      breaking: ["b"],
      nonBreaking: ["n"],
      other: Array.from({ length: 25 }, (_, i) => `o${i}`),
    });
    expect(text.split("\n").slice(0, 5)).toEqual([
      "Breaking (1):",
      "  - b",
      "Non-breaking (1):",
      "  - n",
      expect.any(String),
    ]);
    expect(text).toContain("  - o19\n  … and 5 more");
    expect(text).not.toContain("o20");
  });
});

describe("npm run spec:diff", () => {
  /** In this process (the script's main); `how: "process"` runs the script as a child process. */
  const run = (args: string[], how: "in-process" | "process" = "in-process") =>
    how === "process" ? runScript("scripts/spec-diff.ts", args) : runMain(specDiff, args);
  const [before, after] = ["upstream.json", "upstream-next.json"].map((f) => path.join(FIXTURES, f));

  it("prints the report; --fail-on-breaking exits 1 on a breaking change, 0 without one", async () => {
    const [plain, strict, clean, json] = await Promise.all([
      run([before as string, after as string], "process"),
      run([before as string, after as string, "--fail-on-breaking"]),
      run([before as string, before as string, "--fail-on-breaking"]),
      run([before as string, after as string, "--json"]),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(`${formatReport(diffSpecs(upstream(), upstreamNext()))}\n`);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe(plain.stdout);
    expect(strict.stderr).toMatch(/^spec:diff: \d+ breaking change\(s\) \(--fail-on-breaking\)\n$/);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe("No changes for this client.\n");
    expect(JSON.parse(json.stdout)).toEqual(diffSpecs(upstream(), upstreamNext()));
  });

  it("refuses what it cannot compare, in one line", async () => {
    const [missing, one] = await Promise.all([
      run([before as string, "nope.json"]),
      run([before as string], "process"),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("spec:diff: cannot read nope.json: no such file\n");
    expect(one.code).toBe(2);
    expect(one.stderr).toBe("spec:diff: expected two documents, OLD and NEW; got 1\n");
  });
});

describe("the README's example report", () => {
  it("is what spec:diff prints for the fixtures it names", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(
      readme.indexOf("## Regenerating"),
      readme.indexOf("\n## ", readme.indexOf("## Regenerating") + 1),
    );
    const command = "npm run spec:diff -- test/spec/fixtures/upstream.json test/spec/fixtures/upstream-next.json";
    expect(section).toContain(command);
    const example = section.slice(section.indexOf(command)).match(/```text\n([\s\S]*?)```/)?.[1];
    expect(example).toBe(`${formatReport(diffSpecs(upstream(), upstreamNext()))}\n`);
  });
});
