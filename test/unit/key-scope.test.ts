/** Where the API key may go (src/key-scope.ts), and the task loop's choice of where to poll. */
import { describe, expect, it } from "vitest";
import { mayCarryKey } from "../../src/key-scope.js";
import { pollingTarget } from "../../src/tasks.js";

describe("mayCarryKey", () => {
  it.each([
    ["https://api.bfl.ai/v1/get_result?id=1", true],
    ["https://api.eu1.bfl.ai/v1/get_result?id=1", true],
    ["https://api.us.bfl.ai/v1/x", true],
    ["http://api.eu1.bfl.ai/v1/get_result", false],
    ["https://api.eu1.bfl.ai:8443/v1/get_result", false],
    ["https://user:pw@api.eu1.bfl.ai/v1/get_result", false],
    ["https://api.bfl.ai.example.com/v1/x", false],
    ["https://delivery-eu1.bfl.ai/results/x.jpeg", false],
    ["https://api.a.b.bfl.ai/v1/x", false],
    ["https://evilapi.bfl.ai/v1/x", false],
    ["http://127.0.0.1:9/prefix/v1/x", true],
    ["http://127.0.0.1:9/prefix", true],
    ["http://127.0.0.1:9/prefixed/v1/x", false],
    ["http://127.0.0.1:10/prefix/v1/x", false],
    ["not a URL", false],
  ])("%s: %s", (url, allowed) => {
    expect(mayCarryKey(url, "http://127.0.0.1:9/prefix")).toBe(allowed);
  });

  it.each([
    ["HTTPS://API.EU1.BFL.AI:443/v1/get_result", true],
    ["https://api.bfl.ai:443@evil.example/v1/x", false],
    ["https://api.bfl.ai\\@evil.example/v1/x", true],
    ["https://evil.example\\@api.bfl.ai/v1/x", false],
    ["https://api.bfl.ai%2F@evil.example/v1/x", false],
  ])("%s, as a URL prints it: %s", (url, allowed) => {
    expect(mayCarryKey(new URL(url).href, "http://127.0.0.1:9/prefix")).toBe(allowed);
  });
});

describe("pollingTarget", () => {
  const task = (polling_url?: string) => ({ id: "t", polling_url });

  it("follows a URL under the client's base URL, else polls the client's own get_result", () => {
    const base = "http://127.0.0.1:9";
    expect(pollingTarget(task(`${base}/v1/get_result?id=t`), base)).toBe(`${base}/v1/get_result?id=t`);
    expect(pollingTarget(task("http://127.0.0.1:10/v1/get_result?id=t"), base)).toBeUndefined();
    expect(pollingTarget(task("https://api.eu1.bfl.ai/v1/get_result?id=t"), base)).toBeUndefined();
    expect(pollingTarget(task(), base)).toBeUndefined();
  });

  it("follows a BFL API host over https only while the client talks to one", () => {
    const url = "https://api.eu1.bfl.ai/v1/get_result?id=t";
    expect(pollingTarget(task(url), "https://api.bfl.ai")).toBe(url);
    expect(pollingTarget(task("https://other.example/v1/get_result?id=t"), "https://api.bfl.ai")).toBeUndefined();
  });
});
