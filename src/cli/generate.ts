/**
 * `bfl-finetune generate ID --prompt TEXT`: one paid task with a finetune, followed to its end,
 * its image downloaded (the sample URL never gets the key) and written whole or not at all.
 * Every message after the submit names the task id: the task exists, may still finish and costs
 * credits whatever happens to this process.
 */
import { requests } from "../../generated/contract.js";
import { redactValue } from "../redact.js";
import { attemptSignal } from "../timeout.js";
import { isObject } from "../utils/is-object.js";
import { oneLine } from "../utils/one-line.js";
import { readCapped } from "../utils/read-capped.js";
import { type Schema, validate } from "../validate.js";
import type { GenerateOptions } from "./args.js";
import { SIGNAL_EXIT, type StopSignal } from "./delete.js";
import type { CliIo } from "./io.js";
import { type CliClient, createCliClient, keyIn, type Lib } from "./library.js";
import { lineWriter, printable } from "./output.js";
import { UsageError } from "./usage-error.js";
import { checkWritable, writeWhole } from "./write-file.js";

type FinetunedModel = Parameters<CliClient["submitFinetuned"]>[0];
type Result = Awaited<ReturnType<CliClient["waitForResult"]>>;

/** Ctrl+C or SIGTERM aborts the one signal every call of the command takes. */
function watchStop() {
  const controller = new AbortController();
  let stopped: StopSignal | undefined;
  const on = (name: StopSignal) => () => {
    stopped = name;
    controller.abort(new Error("interrupted"));
  };
  const onInt = on("SIGINT");
  const onTerm = on("SIGTERM");
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    get exitCode() {
      return stopped === undefined ? undefined : SIGNAL_EXIT[stopped];
    },
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}

/** Seconds waited so far, redrawn once a second on a terminal's stderr; nothing elsewhere. */
function showProgress(io: CliIo, taskId: string): () => void {
  if (!io.stderr.isTTY) return () => {};
  const started = Date.now();
  const draw = () =>
    io.stderr.write(
      `\r\x1b[Kbfl-finetune: task ${printable(taskId)} running, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  draw();
  const timer = setInterval(draw, 1000);
  return () => {
    clearInterval(timer);
    io.stderr.write("\r\x1b[K");
  };
}

/** The file name a sample gets by default: the task id (only its safe characters) and the format. */
function defaultName(taskId: string, sampleUrl: string, contentType: string | null): string {
  const fromUrl = /\.(jpe?g|png|webp)$/i.exec(new URL(sampleUrl).pathname)?.[1];
  const fromType = /^image\/(jpeg|png|webp)\b/i.exec(contentType ?? "")?.[1];
  const format = (fromUrl ?? fromType ?? "jpeg").toLowerCase().replace("jpg", "jpeg");
  const base = taskId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 100) || "sample";
  return `${base}.${format}`;
}

/**
 * A failed wait, in one line that names the task. The message of the task's own end, of the
 * wait's abort or timeout already does; a poll's failure (a 5xx, no answer, a 2xx that breaks
 * the spec) carries the id in `taskId` only, so its message gets it here.
 */
function waitFailure(error: Error, taskId: string): string {
  const message = oneLine(error.message);
  const says = [`Task ${taskId}`, `task ${taskId}`].some((words) => message.includes(words));
  const named = says ? message : `task ${taskId}: ${message}`;
  // Only a terminal status ends the task; a wait cut short (--wait, a poll that failed) does not.
  const ended = /^Bfl(Task|Moderation|TaskNotFound)Error$/.test(error.name);
  return ended ? named : `${named}; the task may still finish and cost credits`;
}

class Failure extends Error {}

/** `--timeout`'s default (the client's per attempt), for the download too. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Most bytes of one image: far above a 4-megapixel PNG, and a delivery host sending without end cannot exhaust memory. */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/**
 * The sample, bounded like an API call: `timeoutMs` for headers and body together (a stalled
 * delivery host must not hang the command) and {@link MAX_IMAGE_BYTES}. `stop` (Ctrl+C) aborts it.
 */
async function download(url: string, taskId: string, stop: AbortSignal, timeoutMs: number) {
  // A URL's user and password are cut from every reason: fetch's own messages quote the URL whole.
  const failed = (why: string) =>
    new Failure(`task ${taskId}: the image could not be downloaded: ${why.replace(/\/\/[^/?#\s]*@/g, "//")}`);
  // The parser finds a user and password in forms no pattern on the text does (`https:user:pw@…`,
  // backslashes, a space): fetch would refuse such a URL, or one it cannot parse, quoting it whole.
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || parsed.username || parsed.password) throw failed("its URL is invalid or holds a user or password");
  // The client's own per-attempt bound: Ctrl+C or the timeout, and which of the two it was.
  const guard = attemptSignal(timeoutMs, stop);
  try {
    // A plain fetch: no key, no client headers. The delivery host is not BFL's API.
    const response = await fetch(url, { signal: guard.signal, redirect: "follow" });
    if (response.status === 403 || response.status === 404) {
      await response.body?.cancel();
      throw new Failure(
        `task ${taskId}: the result expired (HTTP ${response.status} from the delivery host; its URL lasts about 10 minutes)`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw failed(`HTTP ${response.status}`);
    }
    return { bytes: await readImage(response, failed), contentType: response.headers.get("content-type") };
  } catch (error) {
    if (stop.aborted || error instanceof Failure) throw error;
    throw failed(guard.timedOut ? `timed out after ${timeoutMs} ms` : (error as Error).message);
  } finally {
    guard.dispose();
  }
}

/** The whole body, or a failure past {@link MAX_IMAGE_BYTES}. */
async function readImage(response: Response, failed: (why: string) => Failure): Promise<Uint8Array> {
  const tooLarge = () => failed(`larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
  return new Uint8Array(await readCapped(response.body, MAX_IMAGE_BYTES, tooLarge));
}

/**
 * The body against the model's request schema in the spec, before the paid call: a strength out
 * of range, or a model that needs more than a prompt (fill: an image and a mask), is exit 2.
 */
function checkBody(model: string, body: Record<string, unknown>): void {
  const table = requests as unknown as Record<string, { post?: { body: { schema: Schema } | null } }>;
  const schema = table[`/v1/${model}`]?.post?.body?.schema;
  if (schema === undefined) return; // not a model of the spec: the client says so
  const issues = validate(schema, body);
  if (issues.length > 0) {
    const said = issues.map((issue) => `${issue.path || "body"}: ${issue.message}`).join("; ");
    throw new UsageError(`the request does not fit ${model} (${said}); nothing was sent`);
  }
}

/** The submit; a model or body refused before sending is a usage error (exit 2). */
async function submit(client: CliClient, options: GenerateOptions, signal: AbortSignal) {
  const body = {
    finetune_id: options.id,
    prompt: options.prompt,
    ...(options.strength === undefined ? {} : { finetune_strength: options.strength }),
  };
  checkBody(options.model, body);
  try {
    // The model is a runtime string here; the client checks it against the spec before sending.
    return await client.submitFinetuned(options.model as FinetunedModel, body as never, { signal });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}

export async function generateCommand(io: CliIo, options: GenerateOptions, lib: Lib): Promise<number> {
  const client = createCliClient(lib, io.env, options);
  // Before the paid submit: a folder that cannot take the image would lose it after paying.
  await checkWritable(options.out).catch((error: NodeJS.ErrnoException) => {
    const where = options.out === undefined ? "the working folder" : `--out ${options.out}`;
    throw new UsageError(`${where}: cannot write the image there (${error.code ?? error.message})`);
  });
  const stop = watchStop();
  // The task id and the server's reasons are the server's text: no control character reaches the terminal.
  const err = (line: string) => io.stderr.write(`bfl-finetune: ${printable(line)}\n`);
  let taskId: string | undefined;
  try {
    const task = await submit(client, options, stop.signal);
    taskId = task.id;
    const hideProgress = showProgress(io, task.id);
    let result: Result;
    try {
      result = await client.waitForResult(task, { signal: stop.signal, timeoutMs: options.waitMs });
    } finally {
      hideProgress();
    }
    const sample = result.result.sample;
    const image = await download(sample, task.id, stop.signal, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const file = options.out ?? defaultName(task.id, sample, image.contentType);
    await writeWhole(file, image.bytes).catch((error: Error) => {
      throw new Failure(`task ${task.id}: the image could not be written to ${file}: ${error.message}`);
    });
    const out = lineWriter(io.stdout);
    // The key as the client sends it (trimmed): that is the text a server may echo.
    const key = keyIn(io.env);
    const printed = { ...result, file };
    out.write(`${options.json ? JSON.stringify(key ? redactValue(printed, key) : printed) : printable(file)}\n`);
    await out.ready();
    return 0;
  } catch (error) {
    const code = stop.exitCode;
    if (code !== undefined) {
      err(
        taskId === undefined
          ? "interrupted while submitting: a task may have been created and may cost credits"
          : `interrupted: task ${taskId} was submitted and may still finish and cost credits`,
      );
      return code;
    }
    if (error instanceof Failure) {
      err(error.message);
      return 1;
    }
    if (taskId !== undefined && error instanceof Error && error.name.startsWith("Bfl")) {
      err(waitFailure(error, taskId));
      return 1;
    }
    if (taskId === undefined && lib.submitMayHaveCreated(error)) {
      // A 2xx that breaks the spec still holds the id of the task the server created: name it.
      const { name, body } = error as { name?: unknown; body?: unknown };
      const accepted = name === "BflResponseValidationError" && isObject(body) && typeof body.id === "string";
      const id = accepted ? (body.id as string) : undefined;
      const fate =
        id === undefined
          ? "the submit may have reached the server: a task may exist and cost credits"
          : `the server created task ${id}, which may still finish and cost credits`;
      err(`${oneLine((error as Error).message)}; ${fate}`);
      return 1;
    }
    throw error;
  } finally {
    stop.dispose();
  }
}
