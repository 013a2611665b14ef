/**
 * Finds Prism's entry script, checking that the installed Prism can run on this Node. Node's
 * modules are loaded here, on demand, so that importing `bfl-finetune/testing` needs neither
 * Prism nor Node (the in-process fake needs neither).
 */

const PRISM_VERSION = "5.14.2";
const INSTALL = `npm install --save-dev @stoplight/prism-cli@${PRISM_VERSION}`;

interface PrismPackage {
  version?: string;
  engines?: { node?: string };
}

/** `>=A.B.C` ranges only, the form Prism uses; anything else is left to npm's own engine check. */
export function nodeSatisfies(range: string | undefined, node: string): boolean {
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range?.trim() ?? "");
  if (!min) return true;
  const have = node.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (have[i] ?? 0) - Number(min[i + 1]);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

/**
 * The path of Prism's CLI script.
 * @throws {Error} naming the install command when Prism is missing or needs a newer Node.
 */
export async function prismEntry(): Promise<string> {
  const { createRequire } = await import("node:module");
  const path = await import("node:path");
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve("@stoplight/prism-cli/package.json");
  } catch {
    throw new Error(`bfl-finetune/testing needs Prism for startMockServer(): run \`${INSTALL}\``);
  }
  // Prism 5.15+ needs Node 24; on older Nodes it would fail later with an unrelated-looking error.
  const pkg = require(manifest) as PrismPackage;
  if (!nodeSatisfies(pkg.engines?.node, process.versions.node)) {
    throw new Error(
      `bfl-finetune/testing: @stoplight/prism-cli ${pkg.version} needs Node ${pkg.engines?.node} (this is ${process.versions.node}): run \`${INSTALL}\``,
    );
  }
  return path.join(path.dirname(manifest), "dist/index.js");
}
