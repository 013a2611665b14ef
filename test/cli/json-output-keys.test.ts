/**
 * Machine-readable output stays JSON and holds no key, whatever the key is: the key is redacted
 * in values before they are serialised, never in the serialised text. Keys that are JSON tokens
 * (`:`, `"`, `,`, `{`) or a letter, against a server that echoes the key everywhere.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CliIo, run } from "../../src/cli.js";
import { redactValue } from "../../src/redact.js";
import { json, okBody, useFaultServer } from "../helpers/fault-server.js";

const server = useFaultServer();
afterEach(() => {
  vi.restoreAllMocks();
});

/** Echoes the key it got in every answer: in a 2xx body, and in a 404's detail for ids starting "gone". */
function echoingServer() {
  server.reply((res, _n, req) => {
    const key = String(req.headers["x-key"]);
    if (req.url === "/v1/my_finetunes") return json(200, { finetunes: ["ft-1", key, `ft ${key} 2`] })(res);
    if (req.url.startsWith("/v1/finetune_details")) {
      return json(200, { finetune_details: { trigger_word: key, [key]: `${key} echoed` } })(res);
    }
    const id = JSON.parse(req.body).finetune_id as string;
    if (id.startsWith("gone")) return json(404, { detail: `Finetune ${id} not found for ${key}` })(res);
    json(200, { ...okBody(id), message: `deleted with ${key}` })(res);
  });
}

/** Runs the CLI in this process; returns its stdout lines and the JSON lines logged (BFL_LOG=debug). */
async function cli(args: string[], key: string) {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk;
  });
  const logged: string[] = [];
  vi.spyOn(console, "error").mockImplementation((line: unknown) => logged.push(String(line)));
  const env = { BFL_API_KEY: key, BFL_BASE_URL: server.url, BFL_LOG: "debug" };
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env };
  const code = await run(args, io);
  vi.restoreAllMocks();
  return { code, lines: out.split("\n").filter(Boolean), logged };
}

/** Each line parses as JSON, and no string in it (object keys included) holds the key as a token. */
function expectJsonWithoutKey(lines: string[], key: string) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const value: unknown = JSON.parse(line);
    expect(redactValue(value, key), line).toEqual(value);
  }
}

describe.each([":", '"', ",", "{", "a"])("with the key %j", (key) => {
  it("delete --json prints one JSON line per id and logs JSON events, none holding the key", async () => {
    echoingServer();
    const { code, lines, logged } = await cli(
      ["delete", "ft-1", "gone-2", "--yes", "--json", "--max-retries", "0"],
      key,
    );
    expect(code).toBe(1);
    expect(lines).toHaveLength(2);
    expectJsonWithoutKey(lines, key);
    expect(lines.map((line) => JSON.parse(line).outcome).sort()).toEqual(["deleted", "failed"]);
    expect(logged.length).toBeGreaterThanOrEqual(4);
    expectJsonWithoutKey(logged, key);
  });

  it("list --json and show --json print JSON without the key", async () => {
    echoingServer();
    const listed = await cli(["list", "--json"], key);
    expect(listed.code).toBe(0);
    expectJsonWithoutKey(listed.lines, key);
    const shown = await cli(["show", "ft-1", "--json"], key);
    expect(shown.code).toBe(0);
    expectJsonWithoutKey(shown.lines, key);
    expectJsonWithoutKey([...listed.logged, ...shown.logged], key);
  });
});
