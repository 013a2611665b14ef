/**
 * The pieces of `spec:pull` and `generate` on their own: cutting to the covered operations,
 * applying the overlay, the checks a document must pass, reading JSON or YAML, and replacing files
 * all-or-nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { prettyJson, replaceFiles } from "../../scripts/lib/atomic-write.ts";
import { COVERED_OPERATIONS } from "../../scripts/lib/covered-operations.ts";
import { applyOverlay, assertOverlay, cutTo, cutToCovered, type Overlay } from "../../scripts/lib/effective-spec.ts";
import { assertFacadeNeeds, assertOpenApi3, assertValid } from "../../scripts/lib/spec-checks.ts";
import { parseSpec, SpecError } from "../../scripts/lib/spec-source.ts";
import { effective, pulled } from "./fixtures/variants.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

describe("cutting to operations (openapi-format's filter)", () => {
  it("keeps the listed operations, the components they reach transitively, and the tags they use", async () => {
    const doc: Doc = await cutTo(pulled(), [
      { method: "post", path: "/v1/flux-pro-1.1" },
      { method: "get", path: "/v1/my_finetunes" },
    ]);
    expect(Object.keys(doc.paths)).toEqual(["/v1/flux-pro-1.1", "/v1/my_finetunes"]);
    // OutputFormat only through FluxPro11Inputs, ValidationError only through HTTPValidationError.
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      "AsyncResponse",
      "AsyncWebhookResponse",
      "FluxPro11Inputs",
      "HTTPValidationError",
      "MyFinetunesResponse",
      "OutputFormat",
      "ValidationError",
    ]);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(["APIKeyHeader"]);
    expect(doc.tags.map((t: Doc) => t.name)).toEqual(["Models", "Utility"]);
    expect(doc.paths["/v1/my_finetunes"].get.servers).toEqual([
      { url: "https://api.us1.bfl.ai", description: "BFL Finetune API" },
    ]);
    expect(doc.servers).toEqual(pulled().servers);
  });

  it("the covered operations: BFL's words unchanged, empty schemas included", async () => {
    const doc: Doc = await cutToCovered(pulled());
    const original = pulled();
    expect(Object.keys(doc.paths).sort()).toEqual(COVERED_OPERATIONS.map((op) => op.path).sort());
    for (const route of Object.keys(doc.paths)) expect(doc.paths[route]).toEqual(original.paths[route]);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(schema).toEqual(original.components.schemas[name]);
    }
    expect(doc.components.schemas.MyFinetunesResponse.properties.finetunes.items).toEqual({});
    // The document's tags, cut to those the covered operations use.
    const used = new Set(
      Object.values(doc.paths).flatMap((item: Doc) => Object.values(item).flatMap((op: Doc) => op.tags ?? [])),
    );
    expect(doc.tags.map((t: Doc) => t.name).sort()).toEqual([...used].sort());
  });

  it("refuses a document that lacks a covered operation", async () => {
    const doc = pulled();
    delete doc.paths["/v1/my_finetunes"];
    await expect(cutToCovered(doc)).rejects.toThrow(new SpecError("the document lacks GET /v1/my_finetunes"));
  });

  const synthetic = (): Doc => ({
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
          discriminator: { propertyName: "kind", mapping: { cat: "#/components/schemas/Cat" } },
        },
        Cat: { type: "object" },
        Unused: { type: "object" },
      },
    },
    webhooks: { ping: { post: { responses: { "200": { description: "OK" } } } } },
  });

  it("follows discriminator mappings and other component types; drops webhooks and emptied sections", async () => {
    const doc = synthetic();
    const cut: Doc = await cutTo(doc, [{ method: "post", path: "/pets" }]);
    expect(cut.components).toEqual({
      parameters: { Limit: doc.components.parameters.Limit },
      requestBodies: { PetBody: doc.components.requestBodies.PetBody },
      schemas: { Pet: doc.components.schemas.Pet, Cat: { type: "object" } },
    });
    expect(cut.webhooks).toBeUndefined();
  });

  it("stops loudly where the filter would leave a reference dangling (an escaped '/' in a name)", async () => {
    const doc = synthetic();
    doc.components.schemas["Dog/Puppy"] = { type: "object" };
    doc.components.schemas.Pet.discriminator.mapping.dog = "#/components/schemas/Dog~1Puppy";
    await expect(cutTo(doc, [{ method: "post", path: "/pets" }])).rejects.toThrow(
      new SpecError("cutting to the covered operations left #/components/schemas/Dog~1Puppy unresolved"),
    );
  });
});

describe("the overlay (openapi-format's overlay)", () => {
  const overlay = (actions: Doc[]): Overlay => ({ overlay: "1.0.0", info: { title: "t", version: "1" }, actions });
  const target = "$.paths['/v1/my_finetunes'].get.responses['200'].content['application/json']";

  it("applies an action that matches", async () => {
    const value = { finetunes: ["a"] };
    const doc: Doc = await applyOverlay(
      await cutToCovered(pulled()),
      overlay([{ target, description: "why", update: { examples: { example: { value } } } }]),
      "o.yaml",
    );
    expect(doc.paths["/v1/my_finetunes"].get.responses["200"].content["application/json"].examples).toEqual({
      example: { value },
    });
  });

  it("fails loudly on an action that matches nothing, naming it and its reason", async () => {
    const gone = "$.paths['/v1/list_finetunes'].get.responses['200']";
    const actions = [
      { target, description: "fine", update: { examples: {} } },
      { target: gone, description: "examples for the list", update: { examples: {} } },
    ];
    await expect(applyOverlay(pulled(), overlay(actions), "o.yaml")).rejects.toThrow(
      new SpecError(`o.yaml: action #2 matches nothing in the pulled document: ${gone} (examples for the list)`),
    );
  });

  it("the committed overlay applies to the committed pull, every action", async () => {
    const committed = parseYaml(readFileSync("openapi/overlay.yaml", "utf8"));
    assertOverlay(committed, "overlay.yaml");
    await expect(applyOverlay(await cutToCovered(pulled()), committed, "overlay.yaml")).resolves.toEqual(effective());
  });

  const info = { title: "t", version: "1" };
  it.each<[string, unknown, string]>([
    ["not an object", [], "is not an OpenAPI Overlay 1.0 document"],
    ["another version", { overlay: "1.1.0", actions: [] }, "is not an OpenAPI Overlay 1.0 document"],
    ["no info", { overlay: "1.0.0", actions: [] }, "has no info with a title and a version"],
    ["no actions", { overlay: "1.0.0", info }, "has no actions list"],
    ["an action without a target", { overlay: "1.0.0", info, actions: [{ update: {} }] }, "action #1 has no target"],
    [
      "an action without a reason",
      { overlay: "1.0.0", info, actions: [{ target: "$.info", update: {} }] },
      "action #1 ($.info) has no description saying why",
    ],
  ])("refuses an overlay with %s", (_name, value, message) => {
    expect(() => assertOverlay(value, "o.yaml")).toThrow(message);
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
    expect(() => assertOpenApi3(pulled(), "x")).not.toThrow();
  });

  it("validation accepts BFL's document, reporting what is wrong outside the covered operations", async () => {
    const findings = await assertValid(pulled(), "x");
    // BFL's /v1/get_result declares no security: a lint error, reported, since the client never calls it.
    expect(findings).toContainEqual({
      severity: "error",
      ruleId: "security-defined",
      message: expect.stringContaining("security"),
      pointer: "#/paths/~1v1~1get_result/get",
    });
    expect(findings.filter((f) => f.pointer.includes("delete_finetune"))).toEqual([]);
    await expect(assertValid(effective(), "x")).resolves.not.toContainEqual(
      expect.objectContaining({ severity: "error" }),
    );
  });

  it("other lint errors inside a covered operation are reported, not refused", async () => {
    const doc = pulled();
    delete doc.paths["/v1/delete_finetune"].post.summary;
    const findings = await assertValid(doc, "x");
    expect(findings).toContainEqual(
      expect.objectContaining({
        severity: "error",
        ruleId: "operation-summary",
        pointer: "#/paths/~1v1~1delete_finetune/post/summary",
      }),
    );
  });

  it("the same security lint error inside a covered operation is refused", async () => {
    const doc = pulled();
    delete doc.paths["/v1/finetune_details"].get.security;
    await expect(assertValid(doc, "x")).rejects.toThrow(
      /^x fails OpenAPI validation: .*security.* at #\/paths\/~1v1~1finetune_details\/get$/,
    );
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
    const doc = pulled();
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
    const doc = pulled();
    doc.components.schemas.DeleteFinetuneInputs.properties.x = { $ref: "http://127.0.0.1:9/other.json#/X" };
    await expect(assertValid(doc, "x")).rejects.toThrow(
      "x has an external $ref (http://127.0.0.1:9/other.json#/X); only references inside the document are accepted",
    );
  });

  const details = (d: Doc) => d.paths["/v1/finetune_details"].get;
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
    ["no list operation", (d) => delete d.paths["/v1/my_finetunes"], "lacks GET /v1/my_finetunes"],
    ["no request body", (d) => delete d.paths["/v1/delete_finetune"].post.requestBody, "string finetune_id"],
    [
      "finetune_id retyped",
      (d) => {
        d.components.schemas.DeleteFinetuneInputs.properties.finetune_id.type = "integer";
      },
      "POST /v1/delete_finetune no longer takes a JSON body with a string finetune_id",
    ],
    [
      "no finetune_id query parameter on details",
      (d) => {
        details(d).parameters[0].name = "id";
      },
      "GET /v1/finetune_details no longer takes a string query parameter finetune_id",
    ],
    [
      "finetune_id sent in a header instead of the query",
      (d) => {
        details(d).parameters[0].in = "header";
      },
      "GET /v1/finetune_details no longer takes a string query parameter finetune_id",
    ],
    [
      "no JSON 200",
      (d) => {
        const ok = d.paths["/v1/delete_finetune"].post.responses["200"];
        ok.content = { "text/plain": ok.content["application/json"] };
      },
      "POST /v1/delete_finetune has no JSON object 200 response",
    ],
    [
      "a list answer that is an array, not an object",
      (d) => {
        d.components.schemas.MyFinetunesResponse = { type: "array", items: { type: "string" } };
      },
      "GET /v1/my_finetunes has no JSON object 200 response",
    ],
    [
      "no absolute server for an operation",
      (d) => {
        delete details(d).servers;
        delete d.servers;
      },
      "GET /v1/finetune_details has no absolute server URL (/)",
    ],
  ])("the facade's needs: refuses %s", (_name, edit, message) => {
    const doc = pulled();
    edit(doc);
    expect(() => assertFacadeNeeds(doc, "x")).toThrow(message);
  });

  it("the facade's needs: BFL's document and the effective spec pass", () => {
    expect(() => assertFacadeNeeds(pulled(), "x")).not.toThrow();
    expect(() => assertFacadeNeeds(effective(), "x")).not.toThrow();
  });
});

describe("parsing", () => {
  const fetched = (text: string, contentType?: string) => ({
    bytes: Buffer.from(text),
    sha256: "",
    contentType,
  });

  it("JSON, or YAML when the source is YAML", () => {
    const doc = effective();
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
