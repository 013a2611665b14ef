/**
 * `contract:check` run as users run it (tsx, a real Prism proxy) against local upstreams that
 * conform, or drift in one way each.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { redactValue } from "../../src/redact.js";
import { okBody } from "../helpers/fault-server.js";
import { runScript } from "../helpers/run.js";

interface Seen {
  key: string | undefined;
  body: Record<string, unknown>;
}
type Answer = (seen: Seen, res: ServerResponse) => void;

const servers: Server[] = [];
afterAll(() => {
  // Ignores servers a test already closed.
  for (const s of servers) s.close(() => {});
});

const reply = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

/** Behaves like BFL: 403 without a key, 422 without finetune_id, 404 for an unknown id. */
const conforming: Answer = ({ key, body }, res) => {
  if (!key) return reply(res, 403, { detail: "Not authenticated" });
  if (!("finetune_id" in body)) {
    return reply(res, 422, { detail: [{ loc: ["body", "finetune_id"], msg: "Field required", type: "missing" }] });
  }
  reply(res, 404, { detail: "Finetune not found" });
};

/** A loopback upstream; `seen` lists every request it got. */
async function upstream(answer: Answer): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      const request = { key: req.headers["x-key"] as string | undefined, body: text ? JSON.parse(text) : {} };
      seen.push(request);
      answer(request, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const check = (url: string, env: Record<string, string> = {}, extra: string[] = []) =>
  runScript("scripts/contract-check.ts", ["--upstream", url, ...extra], { env });

// Each run starts tsx and a Prism proxy: on a loaded 2-core machine that alone can take 30 s.
describe.concurrent("contract:check", { timeout: 120_000 }, () => {
  it("passes a conforming upstream, whose 404 and 403 the snapshot declares (the overlay's)", async () => {
    const { url, seen } = await upstream(conforming);
    const run = await check(url);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok {3}delete-missing-id: expected 200 or 404, got 404 \(delete of bfl-contract-probe-/);
    // Declared, so their bodies are checked: no note that they could not be.
    expect(run.stdout).not.toContain("is not declared in the snapshot");
    expect(run.stdout).toContain("ok   no-key: expected 401 or 403, got 403");
    expect(run.stdout).toContain("ok   invalid-body: expected 422, got 422");
    expect(run.stdout).toContain("All probes conform.");
    // Without --errors Prism forwards the probes that break the request rules instead of answering them.
    // The probes go out together, so in any order.
    expect(seen.map((s) => [Boolean(s.key), "finetune_id" in s.body]).sort()).toEqual([
      [false, true],
      [true, false],
      [true, true],
    ]);
    // The only delete names a fresh random id, never a real one.
    const id = seen.find((s) => s.key && "finetune_id" in s.body)?.body.finetune_id;
    expect(id).toMatch(/^bfl-contract-probe-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run.stdout).toContain(`delete of ${id}`);
  });

  it("passes a conforming 200 that names the id sent, and prints JSON with --json", async () => {
    const { url } = await upstream(({ key, body }, res) => {
      if (key && typeof body.finetune_id === "string") return reply(res, 200, okBody(body.finetune_id));
      conforming({ key, body }, res);
    });
    const run = await check(url, {}, ["--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ upstream: url, ok: true });
    expect(report.results[0]).toMatchObject({ probe: "delete-missing-id", status: 200, conforms: true, notes: [] });
  });

  it("checks the body of a declared error: a 403 without its detail string is named", async () => {
    const { url } = await upstream(({ key, body }, res) =>
      key ? conforming({ key, body }, res) : reply(res, 403, { error: "no key" }),
    );
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL no-key: expected 401 or 403, got 403");
    expect(run.stdout).toMatch(/response\.body\.?\S*: Response body must have required property 'detail'/);
    expect(run.stdout).toContain("1 of 3 probes do not conform.");
  });

  it("names timestamp when a 200 lacks it, and never prints the key even when the upstream echoes it", async () => {
    const { url } = await upstream(({ key, body }, res) => {
      if (!key || !("finetune_id" in body)) return conforming({ key, body }, res);
      const { timestamp: _, ...partial } = okBody(String(body.finetune_id));
      reply(res, 200, { ...partial, message: `deleted with key ${key}` });
    });
    const run = await check(url, { BFL_API_KEY: "sk-test-secret-4711" });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL delete-missing-id: expected 200 or 404, got 200");
    expect(run.stdout).toContain("response.body.timestamp: Response body must have required property 'timestamp'");
    expect(run.stdout).toContain("deleted with key [redacted]");
    expect(run.stdout + run.stderr).not.toContain("sk-test-secret-4711");
    expect(run.stdout).toContain("1 of 3 probes do not conform.");
  });

  it("--json stays JSON and holds no key when the key is a JSON token (':') the upstream echoes", async () => {
    const key = ":";
    const { url } = await upstream(({ key: sent, body }, res) => {
      if (!sent || !("finetune_id" in body)) return conforming({ key: sent, body }, res);
      const { timestamp: _, ...partial } = okBody(String(body.finetune_id));
      reply(res, 200, { ...partial, message: `deleted with key ${sent}` });
    });
    const run = await check(url, { BFL_API_KEY: key }, ["--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(redactValue(report, key)).toEqual(report);
    expect(report.results.map((r: { conforms: boolean }) => r.conforms)).toEqual([false, true, true]);
    expect(report.results[0].body).toContain("deleted with key [redacted]");
  });

  it("never prints part of the key either, when the echo straddles where the printed body is cut", async () => {
    const key = "sk-test-secret-4711";
    const { url } = await upstream((_seen, res) => {
      // `{"detail":"` is 11 characters: the key starts 5 characters before the 300th.
      reply(res, 500, { detail: `${"x".repeat(283)} ${key} echoed` });
    });
    const run = await check(url, { BFL_API_KEY: key });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`body: {"detail":"xxx`);
    expect(run.stdout + run.stderr).not.toContain("sk-te");
  });

  it("names loc, msg and type when a 422 comes in another shape", async () => {
    const { url } = await upstream(({ key, body }, res) => {
      if (key && !("finetune_id" in body))
        return reply(res, 422, { detail: [{ field: "finetune_id", error: "missing" }] });
      conforming({ key, body }, res);
    });
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL invalid-body: expected 422, got 422");
    for (const field of ["loc", "msg", "type"]) {
      expect(run.stdout).toContain(
        `response.body.detail.0.${field}: Response body property detail.0 must have required property '${field}'`,
      );
    }
  });

  it("reports a 500 on every probe as a status the snapshot does not declare", async () => {
    const { url } = await upstream((_seen, res) => reply(res, 500, { detail: "boom" }));
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL delete-missing-id: expected 200 or 404, got 500");
    expect(run.stdout).toContain(
      "status: got 500, expected 200 or 404; 500 is not declared in the snapshot (it declares 200, 403, 404, 422, 429)",
    );
    expect(run.stdout).toContain("FAIL no-key: expected 401 or 403, got 500");
    expect(run.stdout).toContain("FAIL invalid-body: expected 422, got 500");
    expect(run.stdout).toContain('body: {"detail":"boom"}');
    expect(run.stdout).toContain("3 of 3 probes do not conform.");
  });

  it("does not take Prism's mock for the upstream's answer when the upstream says 501", async () => {
    const { url } = await upstream((_seen, res) => reply(res, 501, { detail: "not implemented" }));
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'response.body.deleted_finetune_id: is "my-finetune", not the id sent (bfl-contract-probe-',
    );
    expect(run.stdout).toContain("FAIL no-key: expected 401 or 403, no answer");
  });

  it("reports an upstream that does not answer", async () => {
    const { url, server } = await upstream(conforming);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL delete-missing-id: expected 200 or 404, no answer");
    expect(run.stdout).toMatch(/upstream: no answer: request to .* failed, reason: connect ECONNREFUSED/);
  });

  it("bounds the wait for an upstream that never answers: --timeout-ms per probe, named, probes together", async () => {
    const arrivals: number[] = [];
    const { url, server } = await upstream(() => arrivals.push(Date.now()));
    const run = await check(url, {}, ["--timeout-ms", "5000"]);
    server.closeAllConnections();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL delete-missing-id: expected 200 or 404, no answer");
    expect(run.stdout.match(/upstream: no answer: none within 5000 ms \(--timeout-ms\)/g)).toHaveLength(3);
    expect(run.stdout).toContain("3 of 3 probes do not conform.");
    // Sent together: all three reached the upstream before the first one's wait was over.
    expect(arrivals).toHaveLength(3);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(5000);
  });

  it("refuses a --timeout-ms that is not a whole number of ms in range, with exit 2", async () => {
    const runs = await Promise.all(
      ["0", "1.5", "2147483648"].map((ms) => check("http://127.0.0.1:1", {}, ["--timeout-ms", ms])),
    );
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^contract:check: --timeout-ms must be a whole number of ms from 1 to 2147483647, got "/,
      );
    }
  });

  it("refuses a non-loopback upstream without BFL_API_KEY, in one line, before sending anything", async () => {
    const run = await check("https://api.us1.bfl.ai");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "contract:check: BFL_API_KEY is not set: it is needed to probe https://api.us1.bfl.ai (only loopback upstreams run without it)\n",
    );
  });

  it("refuses to send the key over plain http to a non-loopback host", async () => {
    const run = await check("http://api.us1.bfl.ai", { BFL_API_KEY: "sk-test" });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "contract:check: --upstream must be https (plain http only for loopback hosts), got http://api.us1.bfl.ai\n",
    );
  });

  it("refuses an upstream with credentials, a query or a fragment, without echoing the password", async () => {
    const runs = await Promise.all(
      ["http://user:pw-4711@127.0.0.1:1", "http://127.0.0.1:1/?q=1", "http://127.0.0.1:1/#f"].map((url) =>
        check(url, {}, ["--timeout-ms", "500"]),
      ),
    );
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^contract:check: --upstream must not hold /);
      expect(run.stderr).not.toContain("pw-4711");
    }
  });

  it("prints its help, and refuses an unknown flag with exit 2", async () => {
    const [help, unknown] = await Promise.all([
      runScript("scripts/contract-check.ts", ["--help"]),
      runScript("scripts/contract-check.ts", ["--upstrem", "http://127.0.0.1:1"]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("It never deletes a real finetune.");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^contract:check: Unknown option '--upstrem'/);
  });
});
