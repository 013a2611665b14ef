/** `contract:check` against local upstreams that conform, or drift in one way each. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { okBody } from "../helpers/fault-server.js";
import { runScript } from "../helpers/run.js";

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

type Answer = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const reply = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

/** An upstream that behaves like BFL: 404 for unknown ids, 403 without a key, 422 for bad bodies. */
const conforming: Answer = (req, body, res) => {
  if (!req.headers["x-key"]) return reply(res, 403, { detail: "Not authenticated - Invalid Authentication" });
  if (!body.includes("finetune_id")) {
    return reply(res, 422, { detail: [{ loc: ["body", "finetune_id"], msg: "Field required", type: "missing" }] });
  }
  reply(res, 404, { detail: "Finetune not found" });
};

async function upstream(answer: Answer): Promise<string> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push(body);
      answer(req, body, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function check(url: string, env: Record<string, string> = {}) {
  return runScript("scripts/contract-check.ts", ["--upstream", url], { env });
}

describe.concurrent("contract:check", () => {
  it("passes against a conforming upstream, noting the undeclared 404 and 403", async () => {
    const run = await check(await upstream(conforming));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("ok   delete-missing-id: 404 (404 is expected here but not declared in the snapshot)");
    expect(run.stdout).toContain("ok   no-key: 403");
    expect(run.stdout).toContain("ok   invalid-body: 422");
    expect(run.stdout).toContain("All probes conform.");
  });

  it("names timestamp when a 200 lacks it", async () => {
    const url = await upstream((req, body, res) => {
      const { timestamp: _, ...partial } = okBody("x");
      if (req.headers["x-key"] && body.includes("finetune_id")) return reply(res, 200, partial);
      conforming(req, body, res);
    });
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL delete-missing-id: 200");
    expect(run.stdout).toContain("response.body: Response body must have required property 'timestamp'");
  });

  it("names the missing fields when a 422 comes in another shape", async () => {
    const url = await upstream((req, body, res) => {
      if (req.headers["x-key"] && !body.includes("finetune_id")) {
        return reply(res, 422, { detail: [{ field: "finetune_id", error: "missing" }] });
      }
      conforming(req, body, res);
    });
    const run = await check(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL invalid-body: 422");
    expect(run.stdout).toContain(
      "response.body.detail.0: Response body property detail.0 must have required property 'loc'",
    );
  });

  it("reports a 500 on every probe", async () => {
    const run = await check(await upstream((_req, _body, res) => reply(res, 500, { detail: "boom" })));
    expect(run.code).toBe(1);
    for (const probe of ["delete-missing-id", "no-key", "invalid-body"]) {
      expect(run.stdout).toContain(`FAIL ${probe}: 500`);
    }
    expect(run.stdout).toContain("status 500, expected 200 or 404");
    expect(run.stdout).toContain("3 of 3 probes do not conform.");
  });

  it("refuses a non-loopback upstream without BFL_API_KEY, before starting anything", async () => {
    const run = await check("https://api.us1.bfl.ai");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "contract:check: BFL_API_KEY is not set: it is needed to probe https://api.us1.bfl.ai (only loopback upstreams run without it)\n",
    );
  });

  it("never sends a real id: the delete probe uses a random bfl-contract-probe- id", async () => {
    const bodies: string[] = [];
    const url = await upstream((req, body, res) => {
      bodies.push(body);
      conforming(req, body, res);
    });
    await check(url, { BFL_API_KEY: "test-key-not-printed" }).then((run) => {
      expect(run.stdout + run.stderr).not.toContain("test-key-not-printed");
    });
    const ids = bodies.map((b) => JSON.parse(b).finetune_id).filter(Boolean);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^bfl-contract-probe-[0-9a-f-]{36}$/);
  });
});
