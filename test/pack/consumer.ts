// Type-checked by test/pack/pack.test.ts inside a temporary project that installed the packed
// tarball, under moduleResolution node16 (as CommonJS consumer.ts and ESM consumer.mts) and
// bundler, with a Node-only lib (ES2022 + @types/node, no DOM) and skipLibCheck off, on several
// TypeScript versions. Not part of this repo's own typecheck. Every @ts-expect-error must stay an
// error: if a type widened to `any`, tsc would report the directive as unused.
import {
  BflApiError,
  type BflClient,
  BflValidationError,
  createBflClient,
  type DeleteFinetuneResponse,
  type ValidationError,
} from "bfl-finetune";
import { createFakeBfl, type FakeBfl, type PrismServer, startMockServer } from "bfl-finetune/testing";

const client: BflClient = createBflClient({ apiKey: "k", region: "eu", timeoutMs: 5000, maxRetries: 1 });
const pending: Promise<DeleteFinetuneResponse> = client.deleteFinetune("my-finetune");
const timestamp: Promise<string> = pending.then((r) => r.timestamp);
// The typed errors narrow: 422 carries the spec's ValidationError[], every API error a status.
const detail = (e: unknown): ValidationError[] | undefined => (e instanceof BflValidationError ? e.detail : undefined);
const status = (e: unknown): number | undefined => (e instanceof BflApiError ? e.status : undefined);
const mock: Promise<PrismServer> = startMockServer({ dynamic: true });
// The fake's fetch fits the client's fetch option; scenarios are typed.
const fake: FakeBfl = createFakeBfl({ finetunes: ["a", { id: "b", details: { trigger_word: "TOK" } }] });
const faked: BflClient = createBflClient({ apiKey: "k", fetch: fake.fetch });
fake.scenario("a", { status: 429, headers: { "retry-after": "1" } }, { times: 2 });
fake.scenario("deleteFinetune", "ambiguous");
const answer: Promise<Response> = fake.fetch(new URL("https://api.us1.bfl.ai/v1/my_finetunes"));
// @ts-expect-error: fetch takes a Request, a string or a URL
fake.fetch(42);
// @ts-expect-error: not a behaviour
fake.scenario("a", "explode");
// @ts-expect-error: finetuneId is a string
client.deleteFinetune(42);
// @ts-expect-error: the response has no such field in the spec
pending.then((r) => r.owner);

export { answer, detail, faked, mock, status, timestamp };
