/**
 * `npm start`: the main job on the embedded default. Starts Prism on the pinned snapshot, deletes
 * `my-finetune` through the facade, prints the typed result, stops Prism, leaves nothing behind.
 */
import { createBflClient } from "../src/index.js";
import { startMockServer } from "../src/testing.js";

const mock = await startMockServer();
try {
  const bfl = createBflClient({ apiKey: process.env.BFL_API_KEY ?? "demo-key", baseUrl: mock.url });
  const result = await bfl.deleteFinetune("my-finetune");
  console.log(`Deleted ${result.deleted_finetune_id} on the Prism mock (${mock.url})`);
  console.log(`  status:    ${result.status}`);
  console.log(`  message:   ${result.message}`);
  console.log(`  timestamp: ${result.timestamp}`);
} catch (error) {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await mock.close();
}
