/**
 * Where the OpenAPI snapshot shipped with the package lies, as a file path. This file sits one
 * folder below the package root, like the bundles in dist/, so the same relative URL works from
 * source and from the build. The conversion is done by hand rather than with `node:url`, so that
 * `bfl-finetune/testing` loads on runtimes without Node's modules (the fake never needs the file).
 */

/** A `file:` URL as a path: POSIX as is, `/C:/x` as `C:\x` on Windows. */
export function fileUrlToPath(url: URL): string {
  const pathname = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(pathname) ? pathname.slice(1).replaceAll("/", "\\") : pathname;
}

/** The spec's path next to the module at `moduleUrl`; empty when that module was not loaded from a file. */
export function specPathFrom(moduleUrl: string | undefined): string {
  if (!moduleUrl?.startsWith("file:")) return "";
  return fileUrlToPath(new URL("../openapi/openapi.json", moduleUrl));
}

/**
 * The OpenAPI snapshot shipped with the package, the one the client was generated from. Empty
 * where this module was not loaded from a file (a bundle in a worker or a browser), where no
 * file could be read anyway.
 */
export const specPath: string = specPathFrom(import.meta.url);
