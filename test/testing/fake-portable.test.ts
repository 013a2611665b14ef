/**
 * `bfl-finetune/testing` must load where `node:` modules do not exist: its entry may reach them
 * only through dynamic `import()` inside startMockServer() and listen(). Bundled for a neutral
 * platform, the entry's static imports hold no `node:` module, and the fake works from it.
 */
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

async function bundle() {
  const result = await build({
    entryPoints: ["src/testing/index.ts"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    external: ["node:*"],
    metafile: true,
    logLevel: "silent",
  });
  const [output] = Object.values(result.metafile.outputs);
  return { imports: output?.imports ?? [], code: result.outputFiles[0]?.text ?? "" };
}

describe("the testing entry", () => {
  it("imports node: modules only dynamically, and only for Prism and listen()", async () => {
    const { imports } = await bundle();
    const nodeImports = imports.filter((i) => i.path.startsWith("node:"));
    expect(nodeImports.filter((i) => i.kind !== "dynamic-import")).toEqual([]);
    expect(nodeImports.map((i) => i.path).sort()).toEqual([
      "node:child_process",
      "node:http",
      "node:module",
      "node:path",
    ]);
  });

  it("runs the fake from that bundle with node: modules made unloadable", async () => {
    const { code } = await bundle();
    // Any static node: import would fail to resolve here, before the fake could run.
    const poisoned = code.replace(/import\("node:[^"]+"\)/g, 'Promise.reject(new Error("no node: here"))');
    const module = await import(`data:text/javascript;base64,${Buffer.from(poisoned).toString("base64")}`);
    const fake = module.createFakeBfl({ finetunes: ["a"] });
    const response: Response = await fake.fetch("https://api.us1.bfl.ai/v1/my_finetunes", {
      headers: { "x-key": "k" },
    });
    expect(await response.json()).toEqual({ finetunes: ["a"] });
    await expect(fake.listen()).rejects.toThrow("no node: here");
  });
});
