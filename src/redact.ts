/**
 * Keeps the API key out of everything a server sends back (bodies, header values, texts), for a
 * debugging proxy or a broken server may echo it. The key is replaced only where it stands as a
 * whole token (not inside a longer run of letters and digits), so a short test key never garbles
 * a message ("tasks" stays "tasks" for the key "tas"), and redaction runs on parsed values, after
 * a status has been classified: it can never change what an error is.
 */
import { isObject } from "./utils/is-object.js";

export const REDACTED = "[redacted]";

const isWordChar = (char: string | undefined) => char !== undefined && /[A-Za-z0-9]/.test(char);

/** `text` with every whole-token occurrence of `secret` replaced by {@link REDACTED}. */
export function redactText(text: string, secret: string): string {
  if (secret === "" || !text.includes(secret)) return text;
  const startsWord = isWordChar(secret[0]);
  const endsWord = isWordChar(secret.at(-1));
  let out = "";
  let from = 0;
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    if (at < from) continue;
    const before = startsWord && isWordChar(text[at - 1]);
    const after = endsWord && isWordChar(text[at + secret.length]);
    if (before || after) continue;
    out += text.slice(from, at) + REDACTED;
    from = at + secret.length;
  }
  return out + text.slice(from);
}

/** A parsed JSON value with `secret` redacted in every string (keys included); others as they are. */
export function redactValue(value: unknown, secret: string): unknown {
  if (typeof value === "string") return redactText(value, secret);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secret));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[redactText(key, secret)] = redactValue(item, secret);
  return out;
}

/**
 * A copy of `headers` with `secret` redacted in every value, and every header whose name holds it
 * dropped (a name cannot be rewritten); the same object when none holds it.
 */
export function redactHeaders(headers: Headers, secret: string): Headers {
  let copy: Headers | undefined;
  headers.forEach((value, name) => {
    const clean = redactText(value, secret);
    const nameClean = redactText(name, secret.toLowerCase()) === name;
    if (clean === value && nameClean) return;
    copy ??= new Headers(headers);
    if (nameClean) copy.set(name, clean);
    else copy.delete(name);
  });
  return copy ?? headers;
}
