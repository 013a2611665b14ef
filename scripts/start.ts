/**
 * `npm start`: the main job on the embedded default. Starts Prism on the pinned snapshot, runs
 * `bfl-finetune delete my-finetune` against it, stops Prism and leaves nothing behind.
 */
import { run } from "../src/cli.js";
import { startMockServer } from "../src/testing/index.js";

const mock = await startMockServer();
try {
  // The CLI reads only the env it is given: Prism only checks that a key is present, so this
  // one gets a demo key, and a real BFL_API_KEY in the shell is never sent anywhere.
  const env = { ...process.env, BFL_API_KEY: "demo-key" };
  console.error(`Prism mock of openapi/openapi.json on ${mock.url}`);
  console.error(`$ BFL_API_KEY=demo-key bfl-finetune delete my-finetune --base-url ${mock.url}`);
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env };
  process.exitCode = await run(["delete", "my-finetune", "--base-url", mock.url], io);
} finally {
  await mock.close();
}
