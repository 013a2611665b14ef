import { measureBundles } from "./bundle.js";
console.log(await measureBundles());
