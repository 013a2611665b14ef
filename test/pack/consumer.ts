// Type-checked by test/pack/pack.test.ts inside a temporary project that installed the packed
// tarball, under moduleResolution node16 and bundler. Not part of this repo's own typecheck.
import {
  BflApiError,
  type BflClient,
  BflNotFoundError,
  createBflClient,
  type DeleteFinetuneResponse,
  type ValidationError,
} from "bfl-finetune";
import { type PrismServer, startMockServer } from "bfl-finetune/testing";

const client: BflClient = createBflClient({ apiKey: "k", region: "eu" });
const pending: Promise<DeleteFinetuneResponse> = client.deleteFinetune("my-finetune");
const timestamp: Promise<string> = pending.then((r) => r.timestamp);
const detail: (e: unknown) => ValidationError[] | undefined = (e) =>
  e instanceof BflApiError && !(e instanceof BflNotFoundError) ? [] : undefined;
const mock: Promise<PrismServer> = startMockServer({ dynamic: true });
// @ts-expect-error: finetuneId is a string
client.deleteFinetune(42);

export { detail, mock, timestamp };
