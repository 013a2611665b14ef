/**
 * `npm start`: the main job on the embedded default. Starts Prism on the pinned snapshot, runs
 * `bfl-finetune delete my-finetune` against it, stops Prism and leaves nothing behind.
 */
import { run } from "../src/cli.js";
import { startMockServer } from "../src/testing/index.js";

const mock = await startMockServer();
try {
  // Prism only checks that a key is present; a real key is never needed here.
  process.env.BFL_API_KEY ||= "demo-key";
  console.error(`Prism mock of openapi/openapi.json on ${mock.url}`);
  console.error(`$ bfl-finetune delete my-finetune --base-url ${mock.url}`);
  process.exitCode = await run(["delete", "my-finetune", "--base-url", mock.url]);
} finally {
  await mock.close();
}
