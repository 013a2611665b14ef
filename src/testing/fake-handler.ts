/**
 * One request through the fake, whatever the transport: route by the spec, check the key and
 * the request schemas, take a scenario if one applies, else apply the operation to the state.
 */
import { REDACTED, redactText, redactValue } from "../redact.js";
import { defaultDetail, json, type Outcome, toOutcome } from "./fake-answers.js";
import { findOperation, OPERATIONS, type OperationSpec, requiredFields } from "./fake-contract.js";
import { behaviourOf, type Call, type FakeWorld, type OperationBehaviour } from "./fake-operations.js";
import { type Behaviour, isTaskFate, type Scenarios } from "./fake-scenarios.js";
import { SAMPLE_OPERATION } from "./fake-tasks.js";
import { lastValues, type ParsedBody, parseBody, requestIssues } from "./fake-validation.js";

/** A request the fake received, as `fake.requests` lists it. The API key is never in it. */
export interface FakeRequest {
  method: string;
  /** Path and query string, e.g. `/v1/finetune_details?finetune_id=a`. */
  path: string;
  /**
   * The client method of the operation (e.g. `deleteFinetune`), `"sample"` for the download of a
   * result's image, `null` for an unknown route.
   */
  operation: string | null;
  /** Parsed JSON body, the text when it is not JSON (or not sent as JSON), `undefined` when there is none. */
  body: unknown;
  /** Request headers (lower-case names), the key header's value replaced by `[redacted]`. */
  headers: Record<string, string>;
  /** What the fake did: the status it answered, or "timeout" / "reset" when it gave no answer. */
  outcome: number | "timeout" | "reset";
}

export interface HandlerState extends FakeWorld {
  scenarios: Scenarios;
  requests: FakeRequest[];
  /** The only key accepted; `undefined` accepts any non-empty key. */
  apiKey: string | undefined;
}

const UNAUTHENTICATED = { detail: "Not authenticated - Invalid Authentication" };

/** Every header the spec carries a key in (`x-key`): never recorded in clear. */
const KEY_HEADERS: ReadonlySet<string> = new Set(
  OPERATIONS.flatMap((op) => (op.apiKeyHeader === null ? [] : [op.apiKeyHeader.toLowerCase()])),
);

/** A 200 whose body breaks the operation's 200 schema: a required field left out, else a body that is not JSON. */
function invalidBody(op: OperationSpec, answer: Outcome): Outcome {
  const schema = op.responses["200"];
  const required = schema ? requiredFields(schema) : undefined;
  if (answer.kind === "answer" && answer.status === 200 && required?.[0] !== undefined) {
    const body = JSON.parse(answer.body as string) as Record<string, unknown>;
    delete body[required[0]];
    return json(200, body);
  }
  return json(200, "invalid-body");
}

/**
 * A scenario answer's body when it gives none: the spec's example for that status, else one in
 * the shape its status takes (FastAPI's list for 422, BFL's `{ detail }` otherwise).
 */
function defaultBody(op: OperationSpec, status: number): unknown {
  if (status in op.examples) return op.examples[status];
  if (status === 422) return { detail: [{ loc: ["body"], msg: defaultDetail(status), type: "value_error" }] };
  return { detail: defaultDetail(status) };
}

/** The outcome of a scenario's behaviour for an accepted call. */
function play(behaviour: Behaviour, run: () => Outcome, op: OperationSpec): Outcome {
  if (typeof behaviour === "object") {
    return toOutcome(
      behaviour.body === undefined ? { ...behaviour, body: defaultBody(op, behaviour.status) } : behaviour,
    );
  }
  if (behaviour === "timeout" || behaviour === "reset") return { kind: behaviour };
  const answer = run();
  return behaviour === "ambiguous" ? { kind: "reset" } : invalidBody(op, answer);
}

function keyOf(op: OperationSpec, headers: Headers): string | null {
  return op.apiKeyHeader === null ? null : headers.get(op.apiKeyHeader);
}

function accepted(
  state: HandlerState,
  op: OperationSpec,
  behaviour: OperationBehaviour,
  request: Request,
  url: URL,
  body: ParsedBody,
): Outcome {
  const key = keyOf(op, request.headers);
  if (op.apiKeyHeader !== null && (!key || (state.apiKey !== undefined && key !== state.apiKey))) {
    return json(403, UNAUTHENTICATED);
  }
  const query = lastValues(url.searchParams);
  const issues = requestIssues(op, query, body);
  if (issues.length > 0) return json(422, { detail: issues });
  const call: Call = {
    query,
    body: body.kind === "json" ? body.value : undefined,
    origin: url.origin,
  };
  const run = () => behaviour.apply(state, call);
  const scenario = state.scenarios.take({
    operationNames: [behaviour.name, op.path, op.operationId],
    id: behaviour.id(call),
    tasks: behaviour.tasks === true,
  });
  if (isTaskFate(scenario)) return behaviour.apply(state, { ...call, fate: scenario });
  return scenario === undefined ? run() : play(scenario, run, op);
}

function route(state: HandlerState, request: Request, url: URL, body: ParsedBody) {
  const { operation, pathKnown } = findOperation(request.method, url.pathname);
  const behaviour = operation ? behaviourOf(operation.method, operation.path) : undefined;
  if (!operation || !behaviour) {
    return {
      name: null,
      outcome: json(pathKnown ? 405 : 404, { detail: pathKnown ? "Method Not Allowed" : "Not Found" }),
    };
  }
  return { name: behaviour.name, outcome: accepted(state, operation, behaviour, request, url, body) };
}

/** A GET of a task's sample: served without any key, as BFL's delivery host does; scenarios target it as "sample". */
function sample(state: HandlerState, request: Request, pathname: string) {
  const answer = request.method === "GET" ? state.tasks.sample(pathname) : undefined;
  if (answer === undefined) return undefined;
  const scenario = state.scenarios.take({ operationNames: [SAMPLE_OPERATION], id: undefined });
  const outcome: Outcome =
    scenario === undefined || isTaskFate(scenario)
      ? answer
      : typeof scenario === "object"
        ? toOutcome(scenario)
        : scenario === "invalid-body" && answer.kind === "answer"
          ? { ...answer, body: answer.body.slice(0, 8) }
          : { kind: scenario === "timeout" ? "timeout" : "reset" };
  return { name: SAMPLE_OPERATION, outcome };
}

function record(request: Request, url: URL, body: ParsedBody, name: string | null, outcome: Outcome): FakeRequest {
  const keys = [...KEY_HEADERS].flatMap((header) => request.headers.get(header) ?? []).filter(Boolean);
  const clean = <T>(value: T, redact: (value: T, key: string) => T) => keys.reduce(redact, value);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, header) => {
    headers[header] = KEY_HEADERS.has(header) ? REDACTED : clean(value, redactText);
  });
  const raw = body.kind === "json" ? body.value : body.kind === "none" ? undefined : body.text;
  return {
    method: request.method,
    path: clean(url.pathname + url.search, redactText),
    operation: name,
    body: clean(raw, redactValue),
    headers,
    outcome: outcome.kind === "answer" ? outcome.status : outcome.kind,
  };
}

/** Handles one request against `state` and records it. */
export async function handle(state: HandlerState, request: Request): Promise<Outcome> {
  const url = new URL(request.url);
  const body = parseBody(await request.text(), request.headers.get("content-type"));
  const { name, outcome } = sample(state, request, url.pathname) ?? route(state, request, url, body);
  state.requests.push(record(request, url, body, name, outcome));
  return outcome;
}
