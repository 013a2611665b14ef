/** Command-line parsing (src/cli/args.ts) and list items (src/cli/list.ts). No server, no process. */
import { describe, expect, it } from "vitest";
import { DEFAULT_WAIT_MS, parseCli } from "../../../src/cli/args.js";
import { idOfListItem } from "../../../src/cli/list.js";
import { detailLines } from "../../../src/cli/show.js";

describe("parseCli", () => {
  it("delete: ids, stdin, file, defaults", () => {
    expect(parseCli(["delete", "a", "-", "--from-file", "f.txt"])).toEqual({
      command: "delete",
      ids: ["a"],
      readStdin: true,
      fromFile: "f.txt",
      concurrency: 4,
      ignoreMissing: false,
      dryRun: false,
      yes: false,
      json: false,
      baseUrl: undefined,
      timeoutMs: undefined,
      maxRetries: undefined,
    });
  });

  it("--timeout in seconds becomes whole milliseconds, never 0 and never past a timer's limit", () => {
    expect(parseCli(["list", "--timeout", "0.001"])).toMatchObject({ timeoutMs: 1 });
    expect(parseCli(["list", "--timeout", "2147483"])).toMatchObject({ timeoutMs: 2_147_483_000 });
    for (const bad of ["0", "0.0001", "0.0004", "2147484", "-1", "1e3", ""]) {
      expect(() => parseCli(["list", `--timeout=${bad}`]), bad).toThrow(/--timeout must be/);
    }
  });

  it("list and show", () => {
    expect(parseCli(["list", "--json"])).toMatchObject({ command: "list", json: true });
    expect(parseCli(["show", "ft-1"])).toMatchObject({ command: "show", id: "ft-1", json: false });
    expect(() => parseCli(["show", "a", "b"])).toThrow("show takes exactly one id");
    expect(() => parseCli(["show", "a", "--dry-run"])).toThrow("--dry-run only applies to delete");
  });

  it("generate: id, prompt, model with or without its -finetuned suffix, strength, out", () => {
    expect(parseCli(["generate", "acme/lora", "--prompt", "a cat"])).toEqual({
      command: "generate",
      id: "acme/lora",
      prompt: "a cat",
      model: "flux-pro-1.1-ultra-finetuned",
      strength: undefined,
      out: undefined,
      waitMs: DEFAULT_WAIT_MS,
      json: false,
      baseUrl: undefined,
      timeoutMs: undefined,
      maxRetries: undefined,
    });
    const options = ["--model", "flux-pro-1.0-fill", "--strength", "0.5", "--out", "x.png", "--wait", "1.5", "--json"];
    expect(parseCli(["generate", "ft", "--prompt", "p", ...options])).toMatchObject({
      model: "flux-pro-1.0-fill-finetuned",
      strength: 0.5,
      out: "x.png",
      waitMs: 1500,
      json: true,
    });
    expect(parseCli(["generate", "ft", "--prompt", "p", "--model", "m-finetuned"])).toMatchObject({
      model: "m-finetuned",
    });
  });

  it("generate refuses bad usage before anything is sent", () => {
    expect(() => parseCli(["generate", "ft"])).toThrow("--prompt");
    expect(() => parseCli(["generate", "ft", "--prompt", " "])).toThrow("--prompt");
    expect(() => parseCli(["generate", "a", "b", "--prompt", "p"])).toThrow("exactly one finetune id");
    expect(() => parseCli(["generate", " ", "--prompt", "p"])).toThrow("empty");
    for (const bad of ["", "-1", "1e3", "one", "1."]) {
      expect(() => parseCli(["generate", "ft", "--prompt", "p", `--strength=${bad}`]), bad).toThrow("--strength");
    }
    expect(() => parseCli(["generate", "ft", "--prompt", "p", "--model", "../x"])).toThrow("--model");
    expect(() => parseCli(["generate", "ft", "--prompt", "p", "--out", ""])).toThrow("--out");
    expect(() => parseCli(["generate", "ft", "--prompt", "p", "--yes"])).toThrow("--yes only applies to delete");
    expect(() => parseCli(["show", "ft", "--prompt", "p"])).toThrow("--prompt only applies to generate");
    expect(() => parseCli(["delete", "ft", "--out", "x"])).toThrow("--out only applies to generate");
    expect(() => parseCli(["list", "--wait", "5"])).toThrow("--wait only applies to generate");
    for (const bad of ["0", "-1", "soon", "0.0001"]) {
      expect(() => parseCli(["generate", "ft", "--prompt", "p", `--wait=${bad}`]), bad).toThrow("--wait must be");
    }
  });
});

describe("list items", () => {
  it("a string, or an object's string finetune_id (else id), is the id", () => {
    expect(idOfListItem("ft-1")).toEqual({ id: "ft-1" });
    expect(idOfListItem({ finetune_id: "ft-2", id: "other" })).toEqual({ id: "ft-2" });
    expect(idOfListItem({ id: "ft-3" })).toEqual({ id: "ft-3" });
    expect(idOfListItem({ finetune_id: 7, id: "ft-4" })).toEqual({ id: "ft-4" });
  });

  it.each([[42], [null], [["ft-1"]], [{ name: "x" }], [""], [" ft-1"], ["ft\n-1"], [{ finetune_id: "a\rb" }]])(
    "%j has no printable id",
    (item) => {
      expect(idOfListItem(item)).toHaveProperty("problem");
    },
  );
});

describe("show", () => {
  it("prints each detail on one line, values that are not strings as JSON", () => {
    expect(detailLines({ trigger_word: "TOK", steps: 1000, tags: ["a"], note: "two\nlines" })).toEqual([
      "trigger_word: TOK",
      "steps: 1000",
      'tags: ["a"]',
      "note: two lines",
    ]);
  });
});
