/**
 * Where the Bun and Deno binaries are, from the `bun` and `deno` packages (optional dependencies
 * of the private workspace test/runtime-deps, so `npm ci` skips them where they cannot install), without their
 * install scripts having run (npm runs a dependency's scripts only once approved). Each wrapper
 * lists one package per platform as an optional dependency, and npm installs only the one that
 * fits this machine: the binary is in there. Once a wrapper's postinstall has run, it may have
 * moved the binary into the wrapper's own folder instead. A test needing a runtime skips, with
 * the reason printed, only when neither holds it (a platform the runtime does not ship for, or
 * `npm ci --omit=optional`).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const exe = process.platform === "win32" ? ".exe" : "";

/** Where each wrapper's platform packages hold the binary, and where its postinstall puts it. */
const LAYOUT = {
  bun: { inPlatformPackage: `bin/bun${exe}`, afterPostinstall: "bin/bun.exe" },
  deno: { inPlatformPackage: `deno${exe}`, afterPostinstall: `deno${exe}` },
} as const;

export type Runtime = keyof typeof LAYOUT;

/**
 * A real binary, not Bun's placeholder (`bin/bun.exe` is a 450-byte script until its postinstall
 * replaces it): the runtimes are tens of MB.
 */
const isBinary = (file: string) => existsSync(file) && statSync(file).size > 1024 * 1024;

/** The binary of `runtime` for this platform, or why there is none. */
export function findRuntime(runtime: Runtime): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  let wrapper: string;
  try {
    wrapper = path.dirname(require.resolve(`${runtime}/package.json`));
  } catch {
    return {
      missing: `the ${runtime} package is not installed (npm ci installs it where it ships for ${process.platform}-${process.arch})`,
    };
  }
  const manifest = JSON.parse(readFileSync(path.join(wrapper, "package.json"), "utf8")) as {
    optionalDependencies?: Record<string, string>;
  };
  const fromWrapper = createRequire(path.join(wrapper, "package.json"));
  const candidates = Object.keys(manifest.optionalDependencies ?? {}).flatMap((name) => {
    try {
      return [path.join(path.dirname(fromWrapper.resolve(`${name}/package.json`)), LAYOUT[runtime].inPlatformPackage)];
    } catch {
      return [];
    }
  });
  candidates.push(path.join(wrapper, LAYOUT[runtime].afterPostinstall));
  const found = candidates.find(isBinary);
  if (found) return { path: found };
  return {
    missing: `no ${runtime} binary for ${process.platform}-${process.arch}: none of ${runtime}'s platform packages was installed here`,
  };
}

/** The binary's path, or undefined after printing why the tests that need it are skipped. */
export function runtimeOrSkip(runtime: Runtime): string | undefined {
  const found = findRuntime(runtime);
  if ("path" in found) return found.path;
  console.warn(`Skipping the ${runtime} tests: ${found.missing}`);
  return undefined;
}
