// Run by deno-permissions.test.ts under `deno run --allow-net=127.0.0.1` only: no env, no read.
import { createBflClient } from "../../dist/index.js";

const [url] = Deno.args;
const out = {};
try {
  const client = createBflClient({ apiKey: "deno-test-key-0123456789", baseUrl: url, maxRetries: 0 });
  out.result = await client.deleteFinetune("my-finetune");
} catch (error) {
  out.error = `${error.name}: ${error.message}`;
}
try {
  createBflClient({ baseUrl: url });
} catch (error) {
  out.noKey = `${error.name}: ${error.message}`;
}
console.log(JSON.stringify(out));
