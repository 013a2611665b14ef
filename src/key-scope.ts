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

/**
 * https, then `api.bfl.ai` or `api.<one label>.bfl.ai` and a `/` right after it: so no user
 * name or password (`https://:pw@…` has a password only) and no port. A URL prints its host
 * lowercased and a default port dropped, and the URL parser ends a host at the first `/`, so
 * nothing that matches can reach another host; an unparsed string can only be refused wrongly.
 */
const BFL_API_URL = /^https:\/\/api(\.[a-z0-9-]+)?\.bfl\.ai\//;

/** Whether `url` (a URL, or a string as one prints, e.g. a Request's `url`) is on a BFL API host. */
export function isBflApiUrl(url: URL | string): boolean {
  return BFL_API_URL.test(`${url}`);
}

/** Whether `url` (a string as a Request holds it, normalised) is `baseUrl` itself or below it. */
export function isUnderBase(url: string, baseUrl: string): boolean {
  return `${url}/`.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`);
}

/** Whether a request to `url` (as a Request holds it) may carry the key of a client whose base URL is `baseUrl`. */
export function mayCarryKey(url: string, baseUrl: string): boolean {
  return isUnderBase(url, baseUrl) || isBflApiUrl(url);
}
