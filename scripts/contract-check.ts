/**
 * `npm run contract:check -- --upstream URL`: does a real server still match the pinned snapshot?
 *
 * Runs Prism as a validating proxy in front of the upstream and sends three probes that cannot
 * destroy data: a delete of a random id that cannot exist, a request without a key, and a request
 * with an invalid body. It never deletes a real finetune. For each answer it reports whether the
 * status and body conform to openapi/openapi.json, from Prism's `sl-violations` header.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { SPEC_SERVER_URL } from "../src/config.js";
import { specPath, startPrism } from "../src/testing.js";

const HELP = `Usage: npm run contract:check -- [--upstream URL] [--json]

Checks a live BFL API against the pinned spec through a Prism validating proxy. Sends only
requests that cannot destroy data: a delete of a random, non-existent id (bfl-contract-probe-…),
a request without a key, and a request with an invalid body. Never deletes a real finetune.

Options:
  --upstream URL   Server to check (default ${SPEC_SERVER_URL})
  --json           Print the results as JSON
  -h, --help       Show this help

Environment:
  BFL_API_KEY      Key for the authenticated probes; required unless the upstream is loopback.

Exit codes: 0 all probes conform, 1 a violation (or no answer), 2 usage or configuration error.`;

interface Violation {
  location: string[];
  severity: string;
  message: string;
}

interface Probe {
  name: string;
  why: string;
  headers: Record<string, string>;
  body: unknown;
  /** Statuses this probe may get. */
  expect: number[];
  /** Expected statuses that the snapshot does not declare; Prism's "unable to match" is then no violation. */
  undeclaredOk: number[];
}

export interface ProbeResult {
  probe: string;
  status: number | null;
  conforms: boolean;
  violations: string[];
  note?: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function probes(key: string): Probe[] {
  const id = `bfl-contract-probe-${randomUUID()}`;
  return [
    {
      name: "delete-missing-id",
      why: `delete of ${id}, which cannot exist`,
      headers: { "x-key": key },
      body: { finetune_id: id },
      expect: [200, 404],
      undeclaredOk: [404],
    },
    {
      name: "no-key",
      why: "the same request without x-key",
      headers: {},
      body: { finetune_id: id },
      expect: [401, 403],
      undeclaredOk: [401, 403],
    },
    {
      name: "invalid-body",
      why: "a body without finetune_id",
      headers: { "x-key": key },
      body: {},
      expect: [422],
      undeclaredOk: [],
    },
  ];
}

/** The response-side violations Prism found; request-side ones are what the probes provoke on purpose. */
function responseViolations(header: string | null, status: number, probe: Probe): string[] {
  let all: Violation[] = [];
  try {
    all = header ? JSON.parse(header) : [];
  } catch {
    return [`unreadable sl-violations header: ${header}`];
  }
  return all
    .filter((v) => v.location[0] === "response")
    .filter((v) => !(probe.undeclaredOk.includes(status) && /Unable to match the returned status code/.test(v.message)))
    .map((v) => `${v.location.join(".")}: ${v.message}`);
}

async function runProbe(proxyUrl: string, probe: Probe): Promise<ProbeResult> {
  const response = await fetch(`${proxyUrl}/v1/delete_finetune`, {
    method: "POST",
    headers: { "content-type": "application/json", ...probe.headers },
    body: JSON.stringify(probe.body),
    signal: AbortSignal.timeout(30_000),
  }).catch((error: Error) => error);
  if (response instanceof Error) {
    return { probe: probe.name, status: null, conforms: false, violations: [`no answer: ${response.message}`] };
  }
  await response.arrayBuffer();
  const violations = responseViolations(response.headers.get("sl-violations"), response.status, probe);
  if (!probe.expect.includes(response.status)) {
    violations.unshift(`status ${response.status}, expected ${probe.expect.join(" or ")} for ${probe.why}`);
  }
  const note = probe.undeclaredOk.includes(response.status)
    ? `${response.status} is expected here but not declared in the snapshot`
    : undefined;
  return {
    probe: probe.name,
    status: response.status,
    conforms: violations.length === 0,
    violations,
    ...(note ? { note } : {}),
  };
}

function printResults(results: ProbeResult[], upstream: string): void {
  console.log(`Contract check of ${upstream} against ${specPath}`);
  for (const r of results) {
    console.log(
      `${r.conforms ? "ok  " : "FAIL"} ${r.probe}: ${r.status ?? "no answer"}${r.note ? ` (${r.note})` : ""}`,
    );
    for (const v of r.violations) console.log(`       ${v}`);
  }
  const failed = results.filter((r) => !r.conforms).length;
  console.log(failed === 0 ? "All probes conform." : `${failed} of ${results.length} probes do not conform.`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      upstream: { type: "string", default: SPEC_SERVER_URL },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let upstream: URL;
  try {
    upstream = new URL(values.upstream);
  } catch {
    throw new UsageError(`--upstream must be an absolute URL, got "${values.upstream}"`);
  }
  const key = process.env.BFL_API_KEY?.trim();
  if (!key && !LOOPBACK.test(upstream.hostname)) {
    throw new UsageError(
      `BFL_API_KEY is not set: it is needed to probe ${upstream.origin} (only loopback upstreams run without it)`,
    );
  }
  const proxy = await startPrism(["proxy", specPath, upstream.href.replace(/\/$/, "")]);
  try {
    const results: ProbeResult[] = [];
    for (const probe of probes(key || "contract-check-loopback-key")) results.push(await runProbe(proxy.url, probe));
    if (values.json) console.log(JSON.stringify({ upstream: upstream.origin, results }, null, 2));
    else printResults(results, upstream.origin);
    return results.every((r) => r.conforms) ? 0 : 1;
  } finally {
    await proxy.close();
  }
}

class UsageError extends Error {}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`contract:check: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof UsageError || (error as Error).name === "TypeError" ? 2 : 1;
  },
);
