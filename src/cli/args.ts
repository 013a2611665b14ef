/** Command-line parsing for `bfl-finetune`: flags to typed options, or a usage error. */
import { parseArgs } from "node:util";
import { MAX_DELAY_MS } from "../utils/delay.js";
import { UsageError } from "./usage-error.js";

export const HELP = `Usage: bfl-finetune delete <id...> [options]
       bfl-finetune delete --from-file FILE [options]
       bfl-finetune delete - [options]            (ids on stdin)
       bfl-finetune list [--json]                 (your finetune ids, one per line)
       bfl-finetune show <id> [--json]            (one finetune's details)
       bfl-finetune generate <id> --prompt TEXT [--model M] [--strength N] [--out FILE] [--wait S] [--json]

Deletes finetunes you created on the Black Forest Labs API. Ids come one per line from a file or
stdin; blank lines and # comments are skipped, duplicates removed. Ids are read as they come, so
lists of any length work: bfl-finetune list | grep old- | bfl-finetune delete - --yes

generate submits a paid task with a finetune, waits for it (progress on a terminal), downloads
the image (its URL gets no key) and prints the file's path.

Options:
  --from-file FILE     Read ids from FILE
  --concurrency N      Deletes open at once, 1 to 24 (default 4); after a 429 the client keeps
                       fewer requests in flight for a while, then rises back to N
  --json               One JSON line per id on stdout: {id, outcome, ok, status, warning | error | result}
  --ignore-missing     Count every 404 as already-gone (like rm -f)
  --base-url URL       API origin (default: BFL_BASE_URL, else https://api.us1.bfl.ai)
  --timeout SECONDS    Time allowed per attempt, 0.001 to 2147483 (default 60)
  --max-retries N      Retries per id after the first attempt (default 2)
  --dry-run            List what would be deleted; send nothing
  --prompt TEXT        generate: what to draw (required)
  --model M            generate: a finetuned model (default flux-pro-1.1-ultra-finetuned; the
                       -finetuned suffix may be left out)
  --strength N         generate: finetune_strength, how much the finetune weighs (server default)
  --out FILE           generate: where to write the image (default <task id>.<format>); written
                       whole or not at all
  --wait SECONDS       generate: most time to wait for the task, polls included (default 600);
                       then exit 1 naming the task, which may still finish and cost credits
  --json               generate: print the final result (id, status, result, ...) plus "file"
  -y, --yes            Do not ask for confirmation before deleting several ids
  -h, --help           Show this help
  -v, --version        Show the version

Outcomes (one per id; text mode prints deleted ids on stdout, every other id on stderr, then a
summary line on stderr):
  deleted        the server answered 2xx (a 2xx whose body breaks the spec adds a warning)
  already-gone   404 after an earlier attempt may have deleted it, or any 404 with --ignore-missing
  failed         the server refused (an HTTP error), or no connection could be made
  unknown        the request may have reached the server and no answer came: check the id
  not-attempted  never sent (interrupted, or stdout closed, before its turn)

Environment:
  BFL_API_KEY          API key (required unless --dry-run)
  BFL_BASE_URL         API origin, overridden by --base-url
  BFL_LOG              debug: log requests as JSON lines on stderr
  NO_COLOR             Disable colours

Exit codes:
  0    every id deleted or already-gone (list, show: success; generate: the image is written)
  1    at least one id failed, unknown or not-attempted (list, show: the call failed; generate:
       the task was moderated, failed or lost, the image expired, or a call failed)
  2    usage or configuration error; nothing was sent
  130  interrupted (Ctrl+C): in-flight deletes are reported unknown, the rest not-attempted;
       a second Ctrl+C ends at once (while the rest of the input is read, with the summary);
       generate names the task, which may still finish and cost credits
  143  the same after SIGTERM

Examples:
  bfl-finetune delete my-finetune
  bfl-finetune delete ft-1 ft-2 ft-3 --yes
  bfl-finetune delete --from-file stale.txt --concurrency 8 --json --yes > results.jsonl
  cat stale.txt | bfl-finetune delete - --yes
  bfl-finetune delete --from-file stale.txt --dry-run
  bfl-finetune list | grep old- | bfl-finetune delete - --yes
  bfl-finetune show my-finetune --json
  bfl-finetune generate my-finetune --prompt "a photo of TOK on a beach" --out beach.jpeg`;

/** Options shared by every command that calls the API. */
export interface ApiOptions {
  json: boolean;
  baseUrl: string | undefined;
  timeoutMs: number | undefined;
  maxRetries: number | undefined;
}

export interface DeleteOptions extends ApiOptions {
  command: "delete";
  ids: string[];
  readStdin: boolean;
  fromFile: string | undefined;
  concurrency: number;
  ignoreMissing: boolean;
  dryRun: boolean;
  yes: boolean;
}

export interface ListOptions extends ApiOptions {
  command: "list";
}

export interface ShowOptions extends ApiOptions {
  command: "show";
  id: string;
}

export interface GenerateOptions extends ApiOptions {
  command: "generate";
  id: string;
  prompt: string;
  /** With its `-finetuned` suffix; checked against the client's models before anything is sent. */
  model: string;
  strength: number | undefined;
  out: string | undefined;
  /** Most time to wait for the task (`--wait`): a task stuck `Pending` must not hang the command. */
  waitMs: number;
}

export type CliOptions = DeleteOptions | ListOptions | ShowOptions | GenerateOptions | { command: "help" | "version" };

export const DEFAULT_MODEL = "flux-pro-1.1-ultra-finetuned";

/** `--wait`'s default: a task is usually ready in seconds; ten minutes is also how long its sample URL lasts. */
export const DEFAULT_WAIT_MS = 600_000;

function integerIn(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** `--timeout` or `--wait` in seconds to whole milliseconds: at least 1 ms, at most what a timer can wait. */
function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Math.round(Number(value) * 1000);
  if (!/^\d+(\.\d+)?$/.test(value) || ms < 1 || ms > MAX_DELAY_MS)
    throw new UsageError(`${flag} must be a number of seconds from 0.001 to 2147483, got "${value}"`);
  return ms;
}

/** An id given as an argument: blank ones are a mistake, not something to send. */
function checkedId(id: string): string {
  if (id.trim() === "") throw new UsageError("an id is empty or only whitespace");
  return id;
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
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const api: ApiOptions = {
    json: values.json,
    baseUrl: values["base-url"],
    timeoutMs: seconds("--timeout", values.timeout),
    maxRetries: integerIn("--max-retries", values["max-retries"], 0, 10),
  };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError("missing command: try `bfl-finetune delete <id>` or --help");
  if (command !== "delete") refuseDeleteFlags(command, values);
  if (command !== "generate") refuseGenerateFlags(command, values);
  switch (command) {
    case "delete":
      return deleteOptions(api, values, rest);
    case "list":
      if (rest.length > 0) throw new UsageError(`list takes no arguments, got "${rest[0]}"`);
      return { ...api, command: "list" };
    case "show":
      if (rest.length !== 1) throw new UsageError("show takes exactly one id: bfl-finetune show <id>");
      return { ...api, command: "show", id: checkedId(rest[0] as string) };
    case "generate":
      return generateOptions(api, values, rest);
    default:
      throw new UsageError(`unknown command "${command}": the commands are delete, list, show and generate`);
  }
}

function deleteOptions(api: ApiOptions, values: ReturnType<typeof parse>["values"], rest: string[]): DeleteOptions {
  const readStdin = rest.includes("-");
  const ids = rest.filter((id) => id !== "-").map(checkedId);
  const fromFile = values["from-file"];
  if (ids.length === 0 && !readStdin && fromFile === undefined) {
    throw new UsageError("no ids: pass them as arguments, with --from-file FILE, or - to read stdin");
  }
  return {
    ...api,
    command: "delete",
    ids,
    readStdin,
    fromFile,
    concurrency: integerIn("--concurrency", values.concurrency, 1, 24) ?? 4,
    ignoreMissing: values["ignore-missing"],
    dryRun: values["dry-run"],
    yes: values.yes,
  };
}

function generateOptions(api: ApiOptions, values: ReturnType<typeof parse>["values"], rest: string[]): GenerateOptions {
  if (rest.length !== 1)
    throw new UsageError("generate takes exactly one finetune id: bfl-finetune generate <id> --prompt TEXT");
  const prompt = values.prompt;
  if (prompt === undefined || prompt.trim() === "") throw new UsageError("generate needs --prompt TEXT (not blank)");
  const model = values.model ?? DEFAULT_MODEL;
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(model))
    throw new UsageError(`--model must be a model name like ${DEFAULT_MODEL}, got "${model}"`);
  const strength = values.strength;
  if (strength !== undefined && !/^\d+(\.\d+)?$/.test(strength)) {
    throw new UsageError(`--strength must be a number like 1.2, got "${strength}"`);
  }
  if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out FILE is empty");
  return {
    ...api,
    command: "generate",
    id: checkedId(rest[0] as string),
    prompt,
    model: model.endsWith("-finetuned") ? model : `${model}-finetuned`,
    strength: strength === undefined ? undefined : Number(strength),
    out: values.out,
    waitMs: seconds("--wait", values.wait) ?? DEFAULT_WAIT_MS,
  };
}

/** Flags that only make sense for generate are refused elsewhere rather than silently ignored. */
function refuseGenerateFlags(command: string, values: ReturnType<typeof parse>["values"]): void {
  const given = (["prompt", "model", "strength", "out", "wait"] as const).find((flag) => values[flag] !== undefined);
  if (given !== undefined && (command === "delete" || command === "list" || command === "show")) {
    throw new UsageError(`--${given} only applies to generate, not ${command}`);
  }
}

/** Flags that only make sense for delete are refused elsewhere rather than silently ignored. */
function refuseDeleteFlags(command: string, values: ReturnType<typeof parse>["values"]): void {
  const given = (["from-file", "concurrency", "ignore-missing", "dry-run", "yes"] as const).filter(
    (flag) => values[flag] !== undefined && values[flag] !== false,
  );
  if (given.length > 0 && (command === "list" || command === "show" || command === "generate")) {
    throw new UsageError(`--${given[0]} only applies to delete, not ${command}`);
  }
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
      "ignore-missing": { type: "boolean", default: false },
      "base-url": { type: "string" },
      timeout: { type: "string" },
      "max-retries": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      prompt: { type: "string" },
      model: { type: "string" },
      strength: { type: "string" },
      out: { type: "string" },
      wait: { type: "string" },
      yes: { type: "boolean", short: "y", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false },
    },
  });
}
