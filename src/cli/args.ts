/** Command-line parsing for `bfl-finetune`: flags to typed options, or a usage error. */
import { parseArgs } from "node:util";

/** A mistake in how the command was called; exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const HELP = `Usage: bfl-finetune delete <id...> [options]
       bfl-finetune delete --from-file FILE [options]
       bfl-finetune delete - [options]            (ids on stdin)

Deletes finetunes you created on the Black Forest Labs API. Ids come one per line from a file or
stdin; blank lines and # comments are skipped, duplicates removed.

Options:
  --from-file FILE     Read ids from FILE
  --concurrency N      Deletes in flight at once, 1 to 24 (default 4)
  --json               One JSON object per id on stdout: {id, ok, status, result | error}
  --base-url URL       API origin (default: BFL_BASE_URL, else https://api.us1.bfl.ai)
  --timeout SECONDS    Time allowed per attempt (default 60)
  --max-retries N      Retries per id after the first attempt (default 2)
  --dry-run            List what would be deleted; send nothing
  -y, --yes            Do not ask for confirmation before deleting several ids
  -h, --help           Show this help
  -v, --version        Show the version

Environment:
  BFL_API_KEY          API key (required unless --dry-run)
  BFL_BASE_URL         API origin, overridden by --base-url
  NO_COLOR             Disable colours

Exit codes: 0 all deleted, 1 at least one failed, 2 usage or configuration error.

Examples:
  bfl-finetune delete my-finetune
  bfl-finetune delete ft-1 ft-2 ft-3 --yes
  bfl-finetune delete --from-file stale.txt --concurrency 8 --json --yes > results.jsonl
  cat stale.txt | bfl-finetune delete - --yes
  bfl-finetune delete --from-file stale.txt --dry-run`;

export interface CliOptions {
  command: "delete" | "help" | "version";
  ids: string[];
  readStdin: boolean;
  fromFile: string | undefined;
  concurrency: number;
  json: boolean;
  baseUrl: string | undefined;
  timeoutMs: number | undefined;
  maxRetries: number | undefined;
  dryRun: boolean;
  yes: boolean;
}

function integerIn(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds, got "${value}"`);
  return Math.round(n * 1000);
}

/** Parses `argv` (without node and the script); throws {@link UsageError} on any mistake. */
export function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const base = {
    ids: [] as string[],
    readStdin: false,
    fromFile: values["from-file"],
    concurrency: integerIn("--concurrency", values.concurrency, 1, 24) ?? 4,
    json: values.json,
    baseUrl: values["base-url"],
    timeoutMs: seconds(values.timeout),
    maxRetries: integerIn("--max-retries", values["max-retries"], 0, 10),
    dryRun: values["dry-run"],
    yes: values.yes,
  };
  if (values.help) return { ...base, command: "help" };
  if (values.version) return { ...base, command: "version" };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError("missing command: try `bfl-finetune delete <id>` or --help");
  if (command !== "delete") throw new UsageError(`unknown command "${command}": the only command is delete`);
  const readStdin = rest.includes("-");
  const ids = rest.filter((id) => id !== "-");
  if (ids.length === 0 && !readStdin && base.fromFile === undefined) {
    throw new UsageError("no ids: pass them as arguments, with --from-file FILE, or - to read stdin");
  }
  return { ...base, command: "delete", ids, readStdin };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      "from-file": { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean", default: false },
      "base-url": { type: "string" },
      timeout: { type: "string" },
      "max-retries": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      yes: { type: "boolean", short: "y", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false },
    },
  });
}
