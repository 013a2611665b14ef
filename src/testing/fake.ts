/**
 * `createFakeBfl()`: an in-process, stateful fake of the finetune API for users' own tests,
 * driven by the effective spec (generated/contract.ts), with failures on demand. Nothing here
 * loads a `node:` module; only `listen()` does, when it is called.
 */
import type { Outcome } from "./fake-answers.js";
import { OPERATIONS } from "./fake-contract.js";
import { type FakeFetch, fakeFetch } from "./fake-fetch.js";
import { type FakeRequest, type HandlerState, handle } from "./fake-handler.js";
import { type FakeServer, listen } from "./fake-listen.js";
import { behaviourOf, defaultDetails, type FinetuneStore } from "./fake-operations.js";
import { type Behaviour, type ScenarioOptions, Scenarios, type ScenarioTarget } from "./fake-scenarios.js";
import { type FakeTask, SAMPLE_OPERATION, TaskBook } from "./fake-tasks.js";

/** A finetune the fake starts with: its id, or its id and the details getFinetuneDetails answers. */
export type FakeFinetune = string | { id: string; details?: Record<string, unknown> };

/** Options of {@link createFakeBfl}. */
export interface FakeBflOptions {
  /** The finetunes that exist at the start (default none). */
  finetunes?: Iterable<FakeFinetune>;
  /** The only API key accepted (default: any non-empty key). Others get 403. */
  apiKey?: string;
  /** The `getResult` poll of a task that first answers `Ready` (default 2: one `Pending`, then `Ready`). */
  pollsUntilReady?: number;
  /** The credits at the start (default 100); each task costs `taskCost`, and 402 once they run out. */
  credits?: number;
  /** The fake's price of one task in credits (default 1; not BFL's price list). */
  taskCost?: number;
}

/** The fake. See {@link createFakeBfl}. */
export interface FakeBfl {
  /** A `fetch` to pass as the client's `fetch` option: no port, no child process. Any origin. */
  readonly fetch: FakeFetch;
  /** Serves the same fake (same state) on a free port of 127.0.0.1 (Node-like runtimes). */
  listen(): Promise<FakeServer>;
  /** The ids that exist now, in creation order. */
  readonly finetunes: string[];
  /** The generation tasks submitted so far (any finetuned model), oldest first. */
  readonly tasks: FakeTask[];
  /** The credits left, as `getCredits` answers them. */
  readonly credits: number;
  /** Every request received so far, oldest first; the key is never in them. */
  readonly requests: FakeRequest[];
  /**
   * Makes the next `times` calls (default 1) about a finetune id (a task id, for its polls), or
   * to an operation (`"deleteFinetune"`, `"listFinetunes"`, `"getFinetuneDetails"`,
   * `"submitFinetuned"` (every finetuned model), `"getResult"`, `"getCredits"`, `"sample"` (the
   * download of a result's image), a path or an operationId), behave as `behaviour` instead of
   * normally: an HTTP answer, a fault, or how a task ends (`"moderated"`, `"error"`, ...).
   * Requests are still checked first: a missing key gets 403 and a body that breaks the spec
   * 422 whatever the scenarios say.
   */
  scenario(target: ScenarioTarget, behaviour: Behaviour, options?: ScenarioOptions): void;
}

function storeOf(finetunes: Iterable<FakeFinetune>): FinetuneStore {
  const store: FinetuneStore = new Map();
  for (const finetune of finetunes) {
    const id = typeof finetune === "string" ? finetune : finetune?.id;
    if (typeof id !== "string" || id.trim() === "") {
      throw new TypeError(
        `createFakeBfl: each finetune must be a non-empty id or { id, details }, got ${JSON.stringify(finetune)}`,
      );
    }
    const details = typeof finetune === "object" ? finetune.details : undefined;
    store.set(id, details ?? defaultDetails(OPERATIONS, id));
  }
  return store;
}

const OPERATION_NAMES = [
  SAMPLE_OPERATION,
  ...OPERATIONS.flatMap((op) => {
    const behaviour = behaviourOf(op.method, op.path);
    return behaviour ? [behaviour.name, op.path, op.operationId] : [];
  }),
];

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`createFakeBfl: ${name} must be a whole number of at least ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Creates a fake of the BFL finetune API.
 *
 * ```ts
 * const fake = createFakeBfl({ finetunes: ["a", "b"] });
 * const bfl = createBflClient({ apiKey: "test", fetch: fake.fetch });
 * fake.scenario("a", { status: 429, headers: { "retry-after": "0" } });
 * await bfl.deleteFinetune("a"); // 429, retried, then deleted
 * fake.finetunes; // ["b"]
 * ```
 *
 * A `POST /v1/<model>-finetuned` for a finetune it holds starts a task; `getResult` answers
 * `Pending` until the task's `pollsUntilReady`-th poll, then `Ready` with a `result.sample` URL on
 * the same origin that serves a one-pixel image in the requested `output_format`, without a key.
 */
export function createFakeBfl(options: FakeBflOptions = {}): FakeBfl {
  if (options.apiKey !== undefined && (typeof options.apiKey !== "string" || options.apiKey === "")) {
    throw new TypeError("createFakeBfl: apiKey must be a non-empty string");
  }
  const state: HandlerState = {
    store: storeOf(options.finetunes ?? []),
    scenarios: new Scenarios(OPERATION_NAMES),
    requests: [],
    apiKey: options.apiKey,
    tasks: new TaskBook({
      pollsUntilReady: count("pollsUntilReady", options.pollsUntilReady, 2, 1),
      credits: count("credits", options.credits, 100, 0),
      taskCost: count("taskCost", options.taskCost, 1, 0),
    }),
  };
  const serve = (request: Request): Promise<Outcome> => handle(state, request);
  return {
    fetch: fakeFetch(serve),
    listen: () => listen(serve),
    get finetunes() {
      return [...state.store.keys()];
    },
    get tasks() {
      return state.tasks.list();
    },
    get credits() {
      return state.tasks.credits;
    },
    get requests() {
      return [...state.requests];
    },
    scenario: (target, behaviour, scenarioOptions) => state.scenarios.add(target, behaviour, scenarioOptions),
  };
}
