/**
 * Failures on demand: behaviours queued for a finetune id or an operation, each for a number of
 * calls, taken in the order they were added.
 */
import type { HttpAnswer } from "./fake-answers.js";
import { TASK_FATES, type TaskFate } from "./fake-tasks.js";

/**
 * What the fake does instead of its normal answer:
 * - an HTTP answer (`{ status, body?, headers? }`): sent as is; the operation is not applied;
 * - `"timeout"`: never answers; the operation is not applied;
 * - `"reset"`: drops the connection; the operation is not applied;
 * - `"ambiguous"`: applies the operation (a delete deletes), then drops the connection;
 * - `"invalid-body"`: applies the operation, then answers 200 with a body that breaks the spec;
 * - a task's end, for a finetuned submit (the task it creates ends so when it would be Ready) or
 *   a `getResult` poll (the task ends so now): `"moderated"` (Content Moderated),
 *   `"request-moderated"`, `"error"`, `"not-found"` (the task is lost). Other calls pass it by.
 */
export type Behaviour = HttpAnswer | "timeout" | "reset" | "ambiguous" | "invalid-body" | TaskFate;

/** Whether `behaviour` is a task's end rather than an answer. */
export const isTaskFate = (behaviour: Behaviour | undefined): behaviour is TaskFate =>
  typeof behaviour === "string" && TASK_FATES.has(behaviour);

/** Whom a scenario is for: a finetune id (or a task id, for its polls), or an operation (its client method name, path or operationId). */
export type ScenarioTarget = string | { id: string } | { operation: string };

export interface ScenarioOptions {
  /** How many matching calls it applies to (default 1; `Infinity` for all). */
  times?: number;
}

/** The call a scenario may apply to. */
export interface CallInfo {
  /** Names that designate its operation: method name, path, operationId. */
  operationNames: readonly string[];
  id: string | undefined;
  /** Whether it submits or polls a task, so that a task's end applies to it. */
  tasks?: boolean;
}

interface Entry {
  target: { id: string } | { operation: string };
  behaviour: Behaviour;
  left: number;
}

const NAMED = new Set(["timeout", "reset", "ambiguous", "invalid-body", ...TASK_FATES]);

function checkBehaviour(behaviour: Behaviour): void {
  if (typeof behaviour === "string") {
    if (NAMED.has(behaviour)) return;
  } else if (typeof behaviour === "object" && behaviour !== null) {
    const { status } = behaviour;
    if (!(Number.isInteger(status) && status >= 200 && status <= 599)) {
      throw new TypeError(`scenario: status must be a whole number from 200 to 599, got ${String(status)}`);
    }
    checkSendable(behaviour);
    return;
  }
  throw new TypeError(
    `scenario: behaviour must be { status, body?, headers? }, "timeout", "reset", "ambiguous", "invalid-body", or a task's end (${[...TASK_FATES].join(", ")}), got ${JSON.stringify(behaviour)}`,
  );
}

/**
 * An answer the transports could not send fails now, at `scenario()`, naming the culprit: later
 * `fake.fetch` would reject as if the network failed and `listen()` would leave the request hanging.
 */
function checkSendable(answer: HttpAnswer): void {
  try {
    // The fetch standard's header rules; node:http's are the same for ASCII, stricter above it.
    const headers = new Headers(answer.headers);
    headers.forEach((value, name) => {
      if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) throw new TypeError(`invalid character in ${name}`);
    });
  } catch (error) {
    throw new TypeError(
      `scenario: headers ${JSON.stringify(answer.headers)} cannot be sent: ${(error as Error).message}`,
    );
  }
  try {
    if (typeof answer.body !== "string") JSON.stringify(answer.body);
  } catch (error) {
    throw new TypeError(`scenario: body cannot be sent as JSON: ${(error as Error).message}`);
  }
}

export class Scenarios {
  readonly #entries: Entry[] = [];
  readonly #operationNames: ReadonlySet<string>;

  constructor(operationNames: Iterable<string>) {
    this.#operationNames = new Set(operationNames);
  }

  add(target: ScenarioTarget, behaviour: Behaviour, options: ScenarioOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0))) {
      throw new TypeError(`scenario: times must be a whole number above 0 or Infinity, got ${times}`);
    }
    checkBehaviour(behaviour);
    this.#entries.push({ target: this.#resolve(target), behaviour, left: times });
  }

  /** The behaviour for this call, counting it; `undefined` when no scenario applies. */
  take(call: CallInfo): Behaviour | undefined {
    const index = this.#entries.findIndex(
      (entry) =>
        (call.tasks === true || !isTaskFate(entry.behaviour)) &&
        ("id" in entry.target ? entry.target.id === call.id : call.operationNames.includes(entry.target.operation)),
    );
    const entry = this.#entries[index];
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left === 0) this.#entries.splice(index, 1);
    return entry.behaviour;
  }

  /** A plain string names an operation when it is one of the operations' names, else an id. */
  #resolve(target: ScenarioTarget): { id: string } | { operation: string } {
    if (typeof target === "string" && target !== "") {
      return this.#operationNames.has(target) ? { operation: target } : { id: target };
    }
    if (typeof target === "object" && target !== null) {
      if ("operation" in target && this.#operationNames.has(target.operation)) return { operation: target.operation };
      if ("id" in target && typeof target.id === "string" && target.id !== "") return { id: target.id };
    }
    throw new TypeError(
      `scenario: target must be a finetune id or one of the operations ${[...this.#operationNames].join(", ")}, got ${JSON.stringify(target)}`,
    );
  }
}
