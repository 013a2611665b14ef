import { measureColdStart } from "./cold-start.js";
console.log(measureColdStart("dist/cli.js", "0.1.0", 15));
console.log(measureColdStart("dist/cli.js", "0.1.0", 15));
