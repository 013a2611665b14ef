/**
 * Keeps the API key out of everything a server sends back (bodies, header values, texts), for a
 * debugging proxy or a broken server may echo it. The key is replaced only where it stands as a
 * whole token (not inside a longer run of letters and digits), so a short test key never garbles
 * a message ("tasks" stays "tasks" for the key "tas"), and redaction runs on parsed values, after
 * a status has been classified: it can never change what an error is.
 */
import { isObject } from "./utils/is-object.js";

export const REDACTED = "[redacted]";

/** Stands at the edge of a key that begins or ends with a letter or digit: not a whole token there. */
const WORD = "[A-Za-z0-9]";

/** `text` with every whole-token occurrence of `secret` replaced by {@link REDACTED}. */
export function redactText(text: string, secret: string): string {
  if (secret === "" || !text.includes(secret)) return text;
  // Leftmost first, never overlapping; an occurrence inside a longer word is skipped.
  const literal = secret.replace(/[$()*+.?[\\\]^{|}]/g, "\\$&");
  const before = RegExp(`^${WORD}`).test(secret) ? `(?<!${WORD})` : "";
  const after = RegExp(`${WORD}$`).test(secret) ? `(?!${WORD})` : "";
  return text.replace(RegExp(before + literal + after, "g"), REDACTED);
}

/** A parsed JSON value with `secret` redacted in every string (keys included); others as they are. */
export function redactValue(value: unknown, secret: string): unknown {
  if (typeof value === "string") return redactText(value, secret);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secret));
  if (!isObject(value)) return value;
  // fromEntries defines each key, `__proto__` included, as the parsed JSON has it.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redactText(key, secret), redactValue(item, secret)]),
  );
}

/**
 * A copy of `headers` with `secret` redacted in every value, and every header whose name holds it
 * dropped (a name cannot be rewritten).
 */
export function redactHeaders(headers: Headers, secret: string): Headers {
  const copy = new Headers();
  headers.forEach((value, name) => {
    if (redactText(name, secret.toLowerCase()) === name) copy.append(name, redactText(value, secret));
  });
  return copy;
}
