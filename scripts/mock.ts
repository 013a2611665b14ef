/**
 * `npm run mock`: serves openapi/openapi.json with Prism on loopback until Ctrl+C, for your own
 * contract tests or manual calls.
 */
import { parseArgs } from "node:util";
import { startMockServer } from "../src/testing/index.js";

const HELP = `Usage: npm run mock -- [--port N] [--dynamic] [--errors]

Serves the pinned spec (openapi/openapi.json) with a Prism mock on 127.0.0.1 until Ctrl+C.

Options:
  --port N      Port to listen on (default 4010; 0 picks a free one)
  --dynamic     Generate bodies from the schemas instead of the spec's examples
  --errors      Answer 500 when a mocked response breaks the spec (e.g. a bad example)
  -h, --help    Show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      dynamic: { type: "boolean", default: false },
      errors: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0 to 65535, got ${values.port}`);
  const mock = await startMockServer({ port, dynamic: values.dynamic, errors: values.errors });
  console.log(`Prism mock of openapi/openapi.json listening on ${mock.url} (Ctrl+C to stop)`);
  console.log(
    `Try: curl -X POST ${mock.url}/v1/delete_finetune -H 'x-key: test' -H 'content-type: application/json' -d '{"finetune_id":"my-finetune"}'`,
  );
}

main().catch((error: unknown) => {
  console.error(`mock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof TypeError ? 2 : 1);
});
