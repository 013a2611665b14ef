/**
 * What each covered operation does to the fake's state and answers, keyed by the spec's path.
 * Bodies follow the spec's response schemas (test/testing/fake-contract.test.ts checks every
 * one with src/validate.ts, so a change of the spec that the fake does not follow fails a test).
 */
import { isObject } from "../utils/is-object.js";
import { json, type Outcome } from "./fake-answers.js";
import type { OperationSpec } from "./fake-contract.js";

/** The finetunes the fake holds: id -> details, in creation order. */
export type FinetuneStore = Map<string, Record<string, unknown>>;

/** A request the fake accepted (auth and request schemas checked). */
export interface Call {
  query: URLSearchParams;
  body: unknown;
}

export interface OperationBehaviour {
  /** The client's method for it, also a name for scenarios. */
  name: string;
  /** The finetune id the call is about, if any. */
  id(call: Call): string | undefined;
  /** Applies the call to `store` and returns the answer. */
  apply(store: FinetuneStore, call: Call): Outcome;
}

const notFound = () => json(404, { detail: "Finetune not found" });

const bodyId = (call: Call) => (isObject(call.body) ? (call.body.finetune_id as string) : undefined);
const queryId = (call: Call) => call.query.get("finetune_id") ?? undefined;

export const BEHAVIOURS: Readonly<Record<string, OperationBehaviour>> = {
  "/v1/delete_finetune": {
    name: "deleteFinetune",
    id: bodyId,
    apply(store, call) {
      const id = bodyId(call) as string;
      if (!store.delete(id)) return notFound();
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
    apply: (store) => json(200, { finetunes: [...store.keys()] }),
  },
  "/v1/finetune_details": {
    name: "getFinetuneDetails",
    id: queryId,
    apply(store, call) {
      const details = store.get(queryId(call) as string);
      return details ? json(200, { finetune_details: details }) : notFound();
    },
  },
};

/**
 * Details for a finetune created without any: the spec's example details of
 * getFinetuneDetails, with this id.
 */
export function defaultDetails(operations: readonly OperationSpec[], id: string): Record<string, unknown> {
  const example = operations.find((op) => op.path === "/v1/finetune_details")?.examples["200"];
  const details = isObject(example) && isObject(example.finetune_details) ? example.finetune_details : {};
  return { ...details, finetune_id: id };
}
