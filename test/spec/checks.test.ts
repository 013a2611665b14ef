/**
 * The pieces of `spec:pull` on their own: pruning to `--paths`, the checks a document must pass,
 * reading JSON or YAML, and replacing files all-or-nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { prettyJson, replaceFiles } from "../../scripts/lib/atomic-write.ts";
import { prunePaths } from "../../scripts/lib/prune.ts";
import { assertFacadeNeeds, assertOpenApi3, assertValid } from "../../scripts/lib/spec-checks.ts";
import { parseSpec, SpecError } from "../../scripts/lib/spec-source.ts";
import { current, upstream } from "./fixtures/variants.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

describe("--paths pruning", () => {
  it("keeps the listed paths, the components they reach transitively, and the schemes and tags they use", () => {
    const doc = prunePaths(upstream(), ["/v1/flux-pro-1.1", "/v1/my_finetunes"]) as Doc;
    expect(Object.keys(doc.paths)).toEqual(["/v1/flux-pro-1.1", "/v1/my_finetunes"]);
    // OutputFormat only through FluxPro11Inputs, ValidationError only through HTTPValidationError.
    expect(Object.keys(doc.components.schemas)).toEqual([
      "AsyncResponse",
      "FluxPro11Inputs",
      "HTTPValidationError",
      "MyFinetunesResponse",
      "OutputFormat",
      "ValidationError",
    ]);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(["APIKeyHeader", "HTTPBearer"]);
    expect(doc.tags.map((t: Doc) => t.name)).toEqual(["Models", "Utility"]);
    expect(doc.paths["/v1/my_finetunes"].get.servers).toEqual([
      { url: "https://api.us1.bfl.ai", description: "BFL Finetune API" },
    ]);
    expect(doc.servers).toEqual(upstream().servers);
  });

  it("follows discriminator mappings, escaped names and other component types", () => {
    const doc: Doc = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/pets": {
          parameters: [{ $ref: "#/components/parameters/Limit" }],
          post: {
            requestBody: { $ref: "#/components/requestBodies/PetBody" },
            responses: { "200": { description: "OK" } },
          },
        },
        "/other": { get: { responses: { "200": { $ref: "#/components/responses/Unused" } } } },
      },
      components: {
        parameters: { Limit: { name: "limit", in: "query", schema: { type: "integer" } } },
        requestBodies: {
          PetBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } } },
        },
        responses: { Unused: { description: "x" } },
        schemas: {
          Pet: {
            oneOf: [{ $ref: "#/components/schemas/Cat" }],
            discriminator: {
              propertyName: "kind",
              mapping: { cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog~1Puppy" },
            },
          },
          Cat: { type: "object" },
          "Dog/Puppy": { type: "object" },
          Unused: { type: "object" },
        },
      },
      webhooks: { ping: { post: { responses: { "200": { description: "OK" } } } } },
    };
    const pruned = prunePaths(doc, ["/pets"]) as Doc;
    expect(pruned.components).toEqual({
      parameters: { Limit: doc.components.parameters.Limit },
      requestBodies: { PetBody: doc.components.requestBodies.PetBody },
      schemas: { Cat: { type: "object" }, "Dog/Puppy": { type: "object" }, Pet: doc.components.schemas.Pet },
    });
    expect(pruned.webhooks).toBeUndefined();
  });

  it("refuses unknown paths and references to nothing", () => {
    expect(() => prunePaths(upstream(), ["/v1/delete_finetune", "/v1/nope"])).toThrow(
      new SpecError("--paths names paths the document does not have: /v1/nope"),
    );
    const doc = current();
    doc.components.schemas.DeleteFinetuneInputs.properties.x = { $ref: "#/components/schemas/Gone" };
    expect(() => prunePaths(doc, ["/v1/delete_finetune"])).toThrow(
      "#/components/schemas/Gone is referenced but not defined",
    );
  });
});

describe("document checks", () => {
  it("OpenAPI 3.x only", () => {
    expect(() => assertOpenApi3({ swagger: "2.0", paths: {} }, "x")).toThrow(
      "x is not an OpenAPI 3.x document (found swagger: 2.0)",
    );
    expect(() => assertOpenApi3({ openapi: "4.0.0", paths: {} }, "x")).toThrow("not an OpenAPI 3.x document");
    expect(() => assertOpenApi3([], "x")).toThrow("not an OpenAPI 3.x document");
    expect(() => assertOpenApi3({ openapi: "3.0.3" }, "x")).toThrow("x has no paths");
    expect(() => assertOpenApi3(current(), "x")).not.toThrow();
  });

  it("validation accepts the snapshot and the pruned upstream", async () => {
    await expect(assertValid(current(), "x")).resolves.toBeUndefined();
    await expect(assertValid(prunePaths(upstream(), ["/v1/delete_finetune"]), "x")).resolves.toBeUndefined();
  });

  it.each<[string, (doc: Doc) => void, RegExp]>([
    [
      "a response without a description",
      (d) => delete d.paths["/v1/delete_finetune"].post.responses["200"].description,
      /`description` must be present on this level\. at #\/paths\/~1v1~1delete_finetune\/post\/responses\/200$/,
    ],
    ["no info", (d) => delete d.info, /`info` must be present/],
    [
      "a key where none is allowed",
      (d) => {
        d.paths["/v1/delete_finetune"].post.bogus = 1;
      },
      /Property `bogus` is not expected here/,
    ],
    [
      "an API key in the body",
      (d) => {
        d.components.securitySchemes.APIKeyHeader.in = "body";
      },
      /`in` can be one of the following only: "query", "header", "cookie"/,
    ],
    [
      "a broken $ref",
      (d) => {
        d.components.schemas.DeleteFinetuneInputs.properties.x = { $ref: "#/components/schemas/Nope" };
      },
      /Can't resolve \$ref at #\/components\/schemas\/DeleteFinetuneInputs\/properties\/x$/,
    ],
    [
      "an undefined security scheme",
      (d) => {
        d.paths["/v1/delete_finetune"].post.security = [{ Nope: [] }];
      },
      /no `Nope` security scheme defined/,
    ],
    [
      "two problems",
      (d) => {
        delete d.info;
        d.paths["/v1/delete_finetune"].post.bogus = 1;
      },
      /\(and 1 more\)$/,
    ],
  ])("validation refuses %s", async (_name, edit, message) => {
    const doc = current();
    edit(doc);
    const error = await assertValid(doc, "x").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(SpecError);
    expect(error?.message).toMatch(/^x fails OpenAPI validation: /);
    expect(error?.message).toMatch(message);
  });

  it("validation refuses external references without fetching them", async () => {
    const doc = current();
    doc.components.schemas.DeleteFinetuneInputs.properties.x = { $ref: "http://127.0.0.1:9/other.json#/X" };
    await expect(assertValid(doc, "x")).rejects.toThrow(
      "x has an external $ref (http://127.0.0.1:9/other.json#/X); only references inside the document are accepted",
    );
  });

  it.each<[string, (doc: Doc) => void, string]>([
    ["no delete path", (d) => delete d.paths["/v1/delete_finetune"], "lacks POST /v1/delete_finetune"],
    [
      "GET instead of POST",
      (d) => {
        const item = d.paths["/v1/delete_finetune"];
        item.get = item.post;
        delete item.post;
      },
      "lacks POST /v1/delete_finetune",
    ],
    ["no request body", (d) => delete d.paths["/v1/delete_finetune"].post.requestBody, "string finetune_id"],
    [
      "finetune_id retyped",
      (d) => {
        d.components.schemas.DeleteFinetuneInputs.properties.finetune_id.type = "integer";
      },
      "string finetune_id",
    ],
    [
      "no JSON 200",
      (d) => {
        const ok = d.paths["/v1/delete_finetune"].post.responses["200"];
        ok.content = { "text/plain": ok.content["application/json"] };
      },
      "has no JSON object 200 response",
    ],
  ])("the facade's needs: refuses %s", (_name, edit, message) => {
    const doc = current();
    edit(doc);
    expect(() => assertFacadeNeeds(doc, "x")).toThrow(message);
  });

  it("the facade's needs: the snapshot and the pruned upstream pass", () => {
    expect(() => assertFacadeNeeds(current(), "x")).not.toThrow();
    expect(() => assertFacadeNeeds(prunePaths(upstream(), ["/v1/delete_finetune"]), "x")).not.toThrow();
  });
});

describe("parsing", () => {
  const fetched = (text: string, contentType?: string) => ({
    bytes: Buffer.from(text),
    sha256: "",
    contentType,
  });

  it("JSON, or YAML when the source is YAML", () => {
    const doc = current();
    expect(parseSpec(fetched(JSON.stringify(doc)), "http://h/openapi.json")).toEqual(doc);
    expect(parseSpec(fetched(toYaml(doc)), "spec.yml")).toEqual(doc);
    expect(parseSpec(fetched(toYaml(doc), "application/yaml; charset=utf-8"), "http://h/spec")).toEqual(doc);
    expect(parseSpec(fetched(toYaml(doc), "application/octet-stream"), "http://h/spec")).toEqual(doc);
  });

  it("names the format it expected when parsing fails", () => {
    expect(() => parseSpec(fetched("{nope"), "a.json")).toThrow(/^a\.json is not valid JSON: /);
    expect(() => parseSpec(fetched("a: [1"), "a.yaml")).toThrow(/^a\.yaml is not valid YAML: /);
    // Declared JSON stays JSON, even when it does not look like it.
    expect(() => parseSpec(fetched("openapi: 3.1.0", "application/json"), "http://h/x")).toThrow("is not valid JSON");
  });
});

describe("replaceFiles", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "bfl-spec-replace-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("replaces every file, with no temp file left", async () => {
    const dir = mkdtempSync(path.join(scratch, "case-"));
    writeFileSync(path.join(dir, "a.json"), "old a");
    await replaceFiles([
      { file: path.join(dir, "a.json"), text: prettyJson({ a: [1] }) },
      { file: path.join(dir, "b.json"), text: "b" },
    ]);
    expect(readFileSync(path.join(dir, "a.json"), "utf8")).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(readdirSync(dir).sort()).toEqual(["a.json", "b.json"]);
  });

  it("puts back the files it had replaced when a later one fails", async () => {
    const dir = mkdtempSync(path.join(scratch, "case-"));
    writeFileSync(path.join(dir, "a.json"), "old a");
    mkdirSync(path.join(dir, "b.json"));
    writeFileSync(path.join(dir, "b.json", "inside"), "");
    await expect(
      replaceFiles([
        { file: path.join(dir, "new.json"), text: "new" },
        { file: path.join(dir, "a.json"), text: "new a" },
        { file: path.join(dir, "b.json"), text: "new b" },
      ]),
    ).rejects.toThrow();
    expect(readFileSync(path.join(dir, "a.json"), "utf8")).toBe("old a");
    expect(readdirSync(dir).sort()).toEqual(["a.json", "b.json"]);
  });
});
