/**
 * The fake's generation tasks, as BFL's async API runs them: a `POST /v1/<model>-finetuned` for a
 * finetune the fake holds creates a task and answers its id and a `polling_url` on the fake's own
 * origin; `GET /v1/get_result` answers `Pending` until the task has been polled enough, then
 * `Ready` with a `result.sample` URL, also on the fake's origin, that serves a small image without
 * any key (as BFL's delivery host does). Every `-finetuned` POST of the effective spec gets this
 * behaviour, so an operation the spec gains needs no change here.
 */
import { bodyFinetuneId, finetuneNotFound, json, type Outcome } from "./fake-answers.js";
import { SAMPLE_IMAGES } from "./fake-images.js";
import type { Call, FakeWorld, OperationBehaviour } from "./fake-operations.js";

/**
 * How a task ends instead of `Ready`, as a scenario names it: `"moderated"` (Content Moderated),
 * `"request-moderated"` (Request Moderated), `"error"` (Error), `"not-found"` (the task is lost:
 * Task not found).
 */
export type TaskFate = "moderated" | "request-moderated" | "error" | "not-found";

export const TASK_FATES: ReadonlySet<string> = new Set<TaskFate>([
  "moderated",
  "request-moderated",
  "error",
  "not-found",
]);

/** A task the fake holds, as `fake.tasks` lists it. */
export interface FakeTask {
  id: string;
  /** The path it was submitted to, e.g. `/v1/flux-pro-1.1-ultra-finetuned`. */
  path: string;
  finetuneId: string;
  /** Its status as `get_result` answers it now. */
  status: "Pending" | "Ready" | "Error" | "Content Moderated" | "Request Moderated";
  /** `get_result` calls for it so far. */
  polls: number;
}

interface Task extends FakeTask {
  fate: TaskFate | undefined;
  format: string;
  prompt: unknown;
  seed: number;
  submittedAt: Date;
  /** The origin it was submitted on: where its polling and sample URLs point. */
  origin: string;
}

/** The spec's path of the result operation, where every `polling_url` points. */
export const RESULT_PATH = "/v1/get_result";
const CREDITS_PATH = "/v1/credits";
/** The name scenarios give the download of a sample (`fake.scenario("sample", { status: 403 })`: expired). */
export const SAMPLE_OPERATION = "sample";
/** Where samples are served, on the fake's origin (not a spec path: BFL serves them from a delivery host). */
const SAMPLE_PATH = /^\/results\/([^/]+)\/sample\.(\w+)$/;

const FATE_STATUS: Record<Exclude<TaskFate, "not-found">, Task["status"]> = {
  moderated: "Content Moderated",
  "request-moderated": "Request Moderated",
  error: "Error",
};

/** What BFL puts in `details` with each failed status. */
const FATE_DETAILS: Record<Exclude<TaskFate, "not-found">, Record<string, unknown>> = {
  moderated: { "Moderation Reasons": ["Derivative Works Filter"] },
  "request-moderated": { "Moderation Reasons": ["Derivative Works Filter"] },
  error: { error: "The task failed on the server" },
};

/** The tasks and credits of one fake. */
export class TaskBook {
  readonly #tasks = new Map<string, Task>();
  credits: number;
  readonly pollsUntilReady: number;
  readonly taskCost: number;

  constructor(options: { credits: number; pollsUntilReady: number; taskCost: number }) {
    this.credits = options.credits;
    this.pollsUntilReady = options.pollsUntilReady;
    this.taskCost = options.taskCost;
  }

  list(): FakeTask[] {
    return [...this.#tasks.values()].map(({ id, path, finetuneId, status, polls }) => ({
      id,
      path,
      finetuneId,
      status,
      polls,
    }));
  }

  submit(world: FakeWorld, path: string, call: Call): Outcome {
    const body = call.body as Record<string, unknown>;
    const finetuneId = body.finetune_id as string;
    if (!world.store.has(finetuneId)) return finetuneNotFound();
    if (this.credits < this.taskCost) return json(402, { detail: "Insufficient credits" });
    this.credits -= this.taskCost;
    const format =
      typeof body.output_format === "string" && body.output_format in SAMPLE_IMAGES ? body.output_format : "jpeg";
    const task: Task = {
      id: crypto.randomUUID(),
      path,
      finetuneId,
      status: "Pending",
      polls: 0,
      fate: call.fate,
      format,
      prompt: body.prompt ?? null,
      seed: typeof body.seed === "number" ? body.seed : Math.floor(Math.random() * 2 ** 31),
      submittedAt: new Date(),
      origin: call.origin,
    };
    this.#tasks.set(task.id, task);
    const cost = this.taskCost;
    if (typeof body.webhook_url === "string") {
      return json(200, { id: task.id, status: "Pending", webhook_url: body.webhook_url, cost });
    }
    return json(200, { id: task.id, polling_url: `${call.origin}${RESULT_PATH}?id=${task.id}`, cost });
  }

  result(call: Call): Outcome {
    const id = call.query.get("id") ?? "";
    const task = this.#tasks.get(id);
    if (task) {
      task.polls += 1;
      if (call.fate) task.fate = call.fate;
      if (task.status === "Pending" && (call.fate || task.polls >= this.pollsUntilReady)) this.#end(task);
    }
    if (!task || !this.#tasks.has(id)) return json(200, { id, status: "Task not found", result: null });
    return json(200, this.#answer(task));
  }

  /** The sample of a Ready task at `pathname`, or `undefined` when the path is not a sample's. */
  sample(pathname: string): Outcome | undefined {
    const match = SAMPLE_PATH.exec(pathname);
    if (!match) return undefined;
    const task = this.#tasks.get(match[1] as string);
    const image = SAMPLE_IMAGES[match[2] as string];
    if (task?.status !== "Ready" || task.format !== match[2] || !image) {
      return { kind: "answer", status: 404, headers: { "content-type": "text/plain" }, body: "Not Found" };
    }
    return { kind: "answer", status: 200, headers: { "content-type": image.contentType }, body: image.body };
  }

  #end(task: Task): void {
    if (task.fate === "not-found") this.#tasks.delete(task.id);
    else task.status = task.fate ? FATE_STATUS[task.fate] : "Ready";
  }

  #answer(task: Task): Record<string, unknown> {
    const base = { id: task.id, status: task.status, details: null, preview: null };
    if (task.status === "Pending") return { ...base, result: null, progress: task.polls / this.pollsUntilReady };
    if (task.status !== "Ready") {
      const fate = task.fate as Exclude<TaskFate, "not-found">;
      return { ...base, result: null, progress: null, details: FATE_DETAILS[fate] };
    }
    const end = new Date();
    const result = {
      sample: `${task.origin}/results/${task.id}/sample.${task.format}`,
      prompt: task.prompt,
      seed: task.seed,
      start_time: task.submittedAt.getTime() / 1000,
      end_time: end.getTime() / 1000,
      duration: (end.getTime() - task.submittedAt.getTime()) / 1000,
    };
    return { ...base, result, progress: null };
  }
}

/** The behaviour of a `-finetuned` POST at `path`: a paid task for a finetune the fake holds. */
export function submitBehaviour(path: string): OperationBehaviour {
  return {
    name: "submitFinetuned",
    tasks: true,
    id: bodyFinetuneId,
    apply: (world, call) => world.tasks.submit(world, path, call),
  };
}

export const TASK_BEHAVIOURS: Readonly<Record<string, OperationBehaviour>> = {
  [RESULT_PATH]: {
    name: "getResult",
    tasks: true,
    // The handler keeps the last of a repeated query parameter.
    id: (call) => call.query.get("id") ?? undefined,
    apply: (world, call) => world.tasks.result(call),
  },
  [CREDITS_PATH]: {
    name: "getCredits",
    id: () => undefined,
    apply: (world) => json(200, { credits: world.tasks.credits }),
  },
};

/** Whether `method path` is a finetuned generation: a POST to `/v1/<model>-finetuned`. */
export const isFinetunedSubmit = (method: string, path: string): boolean =>
  method === "POST" && /^\/v1\/[^/]+-finetuned$/.test(path);
