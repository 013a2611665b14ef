/**
 * `npm ci` works on every platform a contributor develops on: npm refuses (EBADPLATFORM) a
 * package whose `os`, `cpu` or `libc` excludes the machine, unless it is optional. So every
 * package the lockfile holds that is not optional must install on macOS, Linux (glibc or musl)
 * and Windows, on x64 and arm64. (A wrapper such as `bun`, which lists those platforms and
 * carries one binary package per platform as optional dependencies, passes; a platform package
 * as a plain devDependency does not.)
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

interface LockEntry {
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optional?: boolean;
}

const DEVELOPER_OS = ["darwin", "linux", "win32"];
const DEVELOPER_CPU = ["x64", "arm64"];

/** npm's rule for `os` and `cpu`: `value` passes unless a `!value` excludes it or a list of allowed values lacks it. */
function allows(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const allowed = list.filter((item) => !item.startsWith("!"));
  return allowed.length === 0 || allowed.includes(value);
}

/** The entries that are not optional and that npm would refuse on some developer platform. */
function platformBound(lock: { packages: Record<string, LockEntry> }): string[] {
  return Object.entries(lock.packages)
    .filter(([name, entry]) => name !== "" && entry.optional !== true)
    .filter(
      ([, entry]) =>
        // Any libc rule fails on the other libc (glibc Linux or musl Alpine).
        (entry.libc?.length ?? 0) > 0 ||
        !DEVELOPER_OS.every((os) => allows(entry.os, os)) ||
        !DEVELOPER_CPU.every((cpu) => allows(entry.cpu, cpu)),
    )
    .map(([name]) => name);
}

describe("package-lock.json", () => {
  it("holds no platform-bound package that is not optional", () => {
    const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
    expect(Object.keys(lock.packages).length).toBeGreaterThan(1);
    expect(platformBound(lock)).toEqual([]);
  });

  it("the check flags a platform package as a plain dependency, and passes it as an optional one", () => {
    const linuxX64 = { os: ["linux"], cpu: ["x64"], libc: ["glibc"] };
    const packages = {
      "": {},
      "node_modules/@oven/bun-linux-x64": linuxX64,
      "node_modules/@esbuild/linux-x64": { ...linuxX64, optional: true },
      "node_modules/no-windows": { os: ["!win32"] },
      "node_modules/bun": { os: ["darwin", "linux", "win32"], cpu: ["arm64", "x64"] },
    };
    expect(platformBound({ packages })).toEqual(["node_modules/@oven/bun-linux-x64", "node_modules/no-windows"]);
  });
});
