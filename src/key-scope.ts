/**
 * Where the API key may go: the one rule the transport applies to every request and the task
 * loop applies to a `polling_url`. Pure: no I/O here.
 *
 * - under the client's `baseUrl` (its origin and path prefix), as configured;
 * - or over https to a BFL API host (`api.bfl.ai`, `api.<region>.bfl.ai`, default port): the
 *   global endpoint hands out regional polling URLs, and those hosts hold the key already.
 *
 * Nothing else ever receives it: not a delivery host serving `result.sample`, not a redirect.
 */

/** `api.bfl.ai` or `api.<one label>.bfl.ai` (hostnames are lowercased by URL). */
const BFL_API_HOST = /^api(\.[a-z0-9-]+)?\.bfl\.ai$/;

/** Whether `url` is https on a BFL API host's default port, with no credentials (`https://:pw@…` has a password only). */
export function isBflApiUrl(url: URL): boolean {
  return (
    url.protocol === "https:" && url.port === "" && BFL_API_HOST.test(url.hostname) && !url.username && !url.password
  );
}

/** Whether `url` (a string as a Request holds it, normalised) is `baseUrl` itself or below it. */
export function isUnderBase(url: string, baseUrl: string): boolean {
  if (!url.startsWith(baseUrl)) return false;
  const rest = url.slice(baseUrl.length);
  return rest === "" || rest.startsWith("/") || rest.startsWith("?");
}

/** Whether a request to `url` may carry the key of a client whose base URL is `baseUrl`. */
export function mayCarryKey(url: string, baseUrl: string): boolean {
  if (isUnderBase(url, baseUrl)) return true;
  try {
    return isBflApiUrl(new URL(url));
  } catch {
    return false;
  }
}
