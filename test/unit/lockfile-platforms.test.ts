/**
 * `npm ci` works on every platform a contributor or CI runs on: npm refuses (EBADPLATFORM) a
 * package whose `os`, `cpu` or `libc` excludes the machine, unless it is optional. So no package
 * the lockfile holds may declare any of them unless it is optional. (The `bun` wrapper itself
 * declares its platforms, arm64 and x64 only: it comes through the private workspace
 * test/runtime-deps as an optional dependency, like the binary packages it carries.)
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

interface LockEntry {
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optional?: boolean;
}

/** The entries that are not optional and that npm would refuse on some platform. */
function platformBound(lock: { packages: Record<string, LockEntry> }): string[] {
  const declares = (list: string[] | undefined) => (list?.length ?? 0) > 0;
  return Object.entries(lock.packages)
    .filter(([name, entry]) => name !== "" && entry.optional !== true)
    .filter(([, entry]) => declares(entry.os) || declares(entry.cpu) || declares(entry.libc))
    .map(([name]) => name);
}

describe("package-lock.json", () => {
  it("holds no platform-bound package that is not optional", () => {
    const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
    expect(Object.keys(lock.packages).length).toBeGreaterThan(1);
    expect(platformBound(lock)).toEqual([]);
  });

  it("the check flags any platform rule on a package that is not optional, and passes optional ones", () => {
    const linuxX64 = { os: ["linux"], cpu: ["x64"], libc: ["glibc"] };
    const packages = {
      "": {},
      "node_modules/@oven/bun-linux-x64": linuxX64,
      "node_modules/@esbuild/linux-x64": { ...linuxX64, optional: true },
      "node_modules/no-windows": { os: ["!win32"] },
      "node_modules/bun": { os: ["darwin", "linux", "win32"], cpu: ["arm64", "x64"] },
    };
    expect(platformBound({ packages })).toEqual([
      "node_modules/@oven/bun-linux-x64",
      "node_modules/no-windows",
      "node_modules/bun",
    ]);
  });
});
