/**
 * `generate --check` fails, in one line, when any of openapi/openapi.json, generated/schema.d.ts
 * and generated/contract.ts is stale against the pulled document + overlay; and `generate` refuses
 * what it cannot carry faithfully. Each case runs on a copy of openapi/ and generated/, calling
 * the script's `main` in this process (same arguments, output and exit code); the check of the
 * committed files and the bad flag run it as a child process, as `npm run generate` does.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main as generateMain } from "../../scripts/generate.ts";
import { sha256 } from "../../scripts/lib/spec-source.ts";
import { runMain, runScript } from "../helpers/run.js";
import { answerSchema } from "../spec/fixtures/variants.js";

const scratch = mkdtempSync(path.join(tmpdir(), "bfl-gen-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: documents are edited freely
type Doc = any;

interface Copy {
  openapi: string;
  generated: string;
  edit(file: string, change: (text: string) => string): void;
  /** A new pull: the pulled document changed, and source.json records its new bytes. */
  repull(change: (doc: Doc) => void): void;
}

function copy(): Copy {
  const dir = mkdtempSync(path.join(scratch, "case-"));
  const openapi = path.join(dir, "openapi");
  const generated = path.join(dir, "generated");
  cpSync("openapi", openapi, { recursive: true });
  cpSync("generated", generated, { recursive: true });
  const edit = (file: string, change: (text: string) => string) =>
    writeFileSync(path.join(dir, file), change(readFileSync(path.join(dir, file), "utf8")));
  return {
    openapi,
    generated,
    edit,
    repull(change) {
      const doc = JSON.parse(readFileSync(path.join(openapi, "upstream.json"), "utf8"));
      change(doc);
      const text = JSON.stringify(doc);
      writeFileSync(path.join(openapi, "upstream.json"), text);
      edit("openapi/source.json", (s) => s.replace(/"sha256": "[0-9a-f]+"/, `"sha256": "${sha256(text)}"`));
    },
  };
}

const check = (c: Copy) => runMain(generateMain, ["--check", "--openapi-dir", c.openapi, "--out-dir", c.generated]);
const generate = (c: Copy) => runMain(generateMain, ["--openapi-dir", c.openapi, "--out-dir", c.generated]);

/** The one line --check prints for these stale files. */
const staleLine = (...files: string[]) =>
  new RegExp(
    `^generate: ${files.map((f) => `\\S*${f.replaceAll(".", "\\.")}`).join(", ")} (is|are) stale against \\S*openapi: run \`npm run generate\`\\n$`,
  );

describe.concurrent("generate --check", { timeout: 90_000 }, () => {
  it("passes on the committed openapi/ and generated/", async () => {
    const run = await runScript("scripts/generate.ts", ["--check"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("generate: openapi/openapi.json and generated/ are up to date\n");
  });

  it("fails when files were edited by hand, naming each", async () => {
    const c = copy();
    c.edit("openapi/openapi.json", (t) => t.replace("my-finetune", "edited"));
    c.edit("generated/schema.d.ts", (t) => `${t}// edited\n`);
    c.edit("generated/contract.ts", (t) => t.replace('"x-key"', '"x-other"'));
    const run = await check(c);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(staleLine("openapi/openapi.json", "generated/schema.d.ts", "generated/contract.ts"));
  });

  it("fails on a new pull not generated yet", async () => {
    const c = copy();
    c.repull((doc) => {
      answerSchema(doc, "/v1/delete_finetune", "post").properties.field_added_by_test = { type: "number" };
    });
    const run = await check(c);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(staleLine("openapi/openapi.json", "generated/schema.d.ts", "generated/contract.ts"));
  });

  it("fails on an overlay change: the effective spec and the contract's examples are stale, the types are not", async () => {
    const c = copy();
    c.edit("openapi/overlay.yaml", (t) => t.replace("finetunes: [my-finetune, old-finetune]", "finetunes: [a]"));
    const run = await check(c);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(staleLine("openapi/openapi.json", "generated/contract.ts"));
  });

  it("a pulled document whose bytes are not the recorded ones: pull it again", async () => {
    const c = copy();
    c.edit("openapi/upstream.json", (t) => `${t} `);
    const run = await check(c);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^generate: \S*upstream\.json is not the document source\.json records \(sha256 differs\): pull it again\n$/,
    );
  });

  it("explains a bad flag and exits non-zero", async () => {
    const run = await runScript("scripts/generate.ts", ["--nope"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^generate: .*--nope.*\n$/);
  });
});

describe.concurrent("generate", { timeout: 120_000 }, () => {
  it("regenerates what --check said was stale, then --check passes", async () => {
    const c = copy();
    c.repull((doc) => {
      answerSchema(doc, "/v1/my_finetunes", "get").properties.next_cursor = { type: "string" };
    });
    const run = await generate(c);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(c.generated, "contract.ts"), "utf8")).toContain('"next_cursor": {');
    expect((await check(c)).code).toBe(0);
  });
});
