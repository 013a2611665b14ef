import { measureOverhead } from "./overhead.js";
import { startBenchServer, successExample } from "./server.js";
const server = await startBenchServer(0);
const t = performance.now();
const r = await measureOverhead({ url: server.url, inFlight: [1, 16], repeats: 5, roundMs: 400, expected: successExample() });
for (const x of r) console.log(x.inFlight, x.client.padEnd(25), x.opsPerSec.toFixed(0), x.p50Ms.toFixed(2), x.p99Ms.toFixed(2), x.vsOpenapiFetch.toFixed(2), x.vsFetch.toFixed(2));
console.log(((performance.now() - t) / 1000).toFixed(1), "s");
await server.close();
