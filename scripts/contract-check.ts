/**
 * `npm run contract:check -- --upstream URL`: does a real server still match the pinned snapshot?
 *
 * Runs Prism as a validating proxy in front of the upstream and sends three probes that cannot
 * destroy data (see scripts/lib/drift-probes.ts); it never deletes a real finetune. Each answer is
 * judged from Prism's `sl-violations` header.
 *
 * Prism runs without `--errors` on purpose: with it, Prism answers the two probes that break the
 * request rules (no key, no finetune_id) itself with 401/422 and never forwards them, and it
 * replaces the upstream's status by 500 whenever a body breaks the spec. The header carries the
 * same violations without either loss.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../src/cli/usage-error.js";
import { isLoopbackHost, SPEC_SERVER_URL } from "../src/config.js";
import { redactText } from "../src/redact.js";
import { specPath, startPrism } from "../src/testing/index.js";
import { MAX_DELAY_MS } from "../src/utils/delay.js";
import { VERSION } from "../src/version.js";
import {
  type Answer,
  judge,
  noAnswer,
  type Probe,
  type ProbeResult,
  probes,
  shownResult,
  timedOut,
} from "./lib/drift-probes.js";
import { exitWith } from "./lib/script-io.js";

const DEFAULT_TIMEOUT_MS = 30_000;

const HELP = `Usage: npm run contract:check -- [--upstream URL] [--timeout-ms N] [--json]

Checks a live BFL API against the pinned spec through a Prism validating proxy and reports, per
probe, the expected and actual status and every field that does not match the snapshot. Sends
only requests that cannot destroy data: a delete of a random id that cannot exist
(bfl-contract-probe-<uuid>), the same request without a key, and a body without finetune_id.
It never deletes a real finetune.

The three probes are sent together, each waiting at most --timeout-ms for its answer, so the
whole check takes about that wait plus Prism's start-up (itself bounded at 30 s).

Options:
  --upstream URL   Server to check (default ${SPEC_SERVER_URL}); https unless loopback; no
                   user:password, ?query or #fragment (a path prefix is kept)
  --timeout-ms N   How long each probe waits for an answer, in ms (default ${DEFAULT_TIMEOUT_MS})
  --json           Print the results as one JSON object
  -h, --help       Show this help

Environment:
  BFL_API_KEY      Key for the probes that send one; required unless the upstream is loopback.
                   It is sent only to the upstream, in x-key, and never printed.

Exit codes: 0 every probe conforms, 1 a violation or no answer, 2 usage or configuration error.`;

interface Settings {
  upstream: URL;
  key: string;
  timeoutMs: number;
  json: boolean;
}

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 1 || ms > MAX_DELAY_MS) {
    throw new UsageError(
      `--timeout-ms must be a whole number of ms from 1 to ${MAX_DELAY_MS}, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

function settings(argv: string[]): Settings | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      upstream: { type: "string", default: SPEC_SERVER_URL },
      "timeout-ms": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const timeoutMs = timeoutOption(values["timeout-ms"]);
  let upstream: URL;
  try {
    upstream = new URL(values.upstream);
  } catch {
    throw new UsageError(`--upstream must be an absolute URL, got ${JSON.stringify(values.upstream)}`);
  }
  // Prism would send credentials on and print them in every "no answer", and would move a query
  // or fragment onto the probe's path: refused, as createBflClient refuses them in a baseUrl.
  if (upstream.username || upstream.password) {
    throw new UsageError(`--upstream must not hold a user name or password, got ${upstream.origin}`);
  }
  if (upstream.search || upstream.hash) {
    throw new UsageError(`--upstream must not hold a ?query or #fragment, got ${upstream.origin}${upstream.pathname}`);
  }
  const loopback = isLoopbackHost(upstream.hostname);
  if (upstream.protocol !== "https:" && !(upstream.protocol === "http:" && loopback)) {
    throw new UsageError(`--upstream must be https (plain http only for loopback hosts), got ${upstream.origin}`);
  }
  const key = process.env.BFL_API_KEY?.trim() ?? "";
  if (!key && !loopback) {
    throw new UsageError(
      `BFL_API_KEY is not set: it is needed to probe ${upstream.origin} (only loopback upstreams run without it)`,
    );
  }
  // A local upstream gets a placeholder key, so that the keyed probes still differ from no-key.
  return { upstream, key: key || "contract-check-placeholder-key", timeoutMs, json: values.json };
}

async function send(proxyUrl: string, probe: Probe, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(`${proxyUrl}/v1/delete_finetune`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": `bfl-finetune-contract-check/${VERSION}`,
        ...probe.headers,
      },
      body: JSON.stringify(probe.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Judged as it came (a key redacted in the text could break the JSON being judged); the key
    // is redacted in the result, before anything is cut or printed (shownResult).
    const answer: Answer = {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      violations: response.headers.get("sl-violations"),
      body: await response.text(),
    };
    return judge(probe, answer);
  } catch (error) {
    return (error as Error).name === "TimeoutError" ? timedOut(probe, timeoutMs) : noAnswer(probe, error as Error);
  }
}

function renderText(results: ProbeResult[], upstream: string): string {
  const lines = [`Contract check of ${upstream} against ${path.relative(process.cwd(), specPath) || specPath}`];
  for (const r of results) {
    const got = r.status === null ? "no answer" : `got ${r.status}`;
    lines.push(
      `${r.conforms ? "ok  " : "FAIL"} ${r.probe}: expected ${r.expected.join(" or ")}, ${got} (${r.description})`,
    );
    for (const v of r.violations) lines.push(`       ${v.field}: ${v.message}`);
    for (const note of r.notes) lines.push(`       note: ${note}`);
    if (r.body !== undefined) lines.push(`       body: ${r.body}`);
  }
  const failed = results.filter((r) => !r.conforms).length;
  lines.push(failed === 0 ? "All probes conform." : `${failed} of ${results.length} probes do not conform.`);
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const parsed = settings(argv);
  if (parsed === "help") {
    console.log(HELP);
    return 0;
  }
  const { upstream, key, timeoutMs, json } = parsed;
  const proxy = await startPrism(["proxy", specPath, upstream.href.replace(/\/+$/, "")]);
  let results: ProbeResult[];
  try {
    // Together, so that an upstream that never answers costs one wait, not one per probe.
    results = await Promise.all(probes(key).map((probe) => send(proxy.url, probe, timeoutMs)));
  } finally {
    await proxy.close();
  }
  // An upstream may echo the key in a body; it is never printed.
  const shown = results.map((result) => shownResult(result, key));
  const origin = redactText(upstream.origin, key);
  console.log(
    json
      ? JSON.stringify({ upstream: origin, ok: results.every((r) => r.conforms), results: shown }, null, 2)
      : renderText(shown, origin),
  );
  return results.every((r) => r.conforms) ? 0 : 1;
}

exitWith("contract:check", main(process.argv.slice(2)));
