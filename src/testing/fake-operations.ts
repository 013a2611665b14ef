/**
 * What each covered operation does to the fake's state and answers, keyed by the spec's path.
 * Bodies follow the spec's response schemas (test/testing/fake-contract.test.ts checks every
 * one with src/validate.ts, so a change of the spec that the fake does not follow fails a test).
 */
import { isObject } from "../utils/is-object.js";
import { bodyFinetuneId, finetuneNotFound, json, type Outcome } from "./fake-answers.js";
import type { OperationSpec } from "./fake-contract.js";
import { isFinetunedSubmit, submitBehaviour, TASK_BEHAVIOURS, type TaskBook, type TaskFate } from "./fake-tasks.js";

/** The finetunes the fake holds: id -> details, in creation order. */
export type FinetuneStore = Map<string, Record<string, unknown>>;

/** Everything the fake holds. */
export interface FakeWorld {
  store: FinetuneStore;
  tasks: TaskBook;
}

/** A request the fake accepted (auth and request schemas checked). */
export interface Call {
  query: URLSearchParams;
  body: unknown;
  /** The origin it was sent to (`https://api.us1.bfl.ai`, the listening server's): where task URLs point. */
  origin: string;
  /** How a scenario says the task it submits or polls ends. */
  fate?: TaskFate;
}

export interface OperationBehaviour {
  /** The client's method for it, also a name for scenarios. */
  name: string;
  /** Whether it submits or polls a task (the task scenarios apply to it). */
  tasks?: boolean;
  /** The finetune id (a task id, for a poll) the call is about, if any. */
  id(call: Call): string | undefined;
  /** Applies the call to `world` and returns the answer. */
  apply(world: FakeWorld, call: Call): Outcome;
}

const queryId = (call: Call) => call.query.get("finetune_id") ?? undefined;

export const BEHAVIOURS: Readonly<Record<string, OperationBehaviour>> = {
  "/v1/delete_finetune": {
    name: "deleteFinetune",
    id: bodyFinetuneId,
    apply({ store }, call) {
      const id = bodyFinetuneId(call) as string;
      if (!store.delete(id)) return finetuneNotFound();
      return json(200, {
        status: "success",
        message: `Finetune ${id} deleted successfully`,
        deleted_finetune_id: id,
        timestamp: new Date().toISOString(),
      });
    },
  },
  "/v1/my_finetunes": {
    name: "listFinetunes",
    id: () => undefined,
    apply: ({ store }) => json(200, { finetunes: [...store.keys()] }),
  },
  "/v1/finetune_details": {
    name: "getFinetuneDetails",
    id: queryId,
    apply({ store }, call) {
      const details = store.get(queryId(call) as string);
      return details ? json(200, { finetune_details: details }) : finetuneNotFound();
    },
  },
  ...TASK_BEHAVIOURS,
};

/** The behaviour of the operation `method path`; `undefined` for one the fake does not know. */
export function behaviourOf(method: string, path: string): OperationBehaviour | undefined {
  return isFinetunedSubmit(method, path) ? submitBehaviour(path) : BEHAVIOURS[path];
}

/**
 * Details for a finetune created without any: the spec's example details of
 * getFinetuneDetails, with this id.
 */
export function defaultDetails(operations: readonly OperationSpec[], id: string): Record<string, unknown> {
  const example = operations.find((op) => op.path === "/v1/finetune_details")?.examples["200"];
  const details = isObject(example) && isObject(example.finetune_details) ? example.finetune_details : {};
  return { ...details, finetune_id: id };
}
