/**
 * Keeps the API key out of everything a server sends back (bodies, header values, texts), for a
 * debugging proxy or a broken server may echo it. The key is replaced only where it stands as a
 * whole token (not inside a longer run of letters and digits), so a short test key never garbles
 * a message ("tasks" stays "tasks" for the key "tas"), and redaction runs on parsed values, after
 * a status has been classified: it can never change what an error is.
 */

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

/** What stands for a value nested deeper than {@link MAX_DEPTH}. */
export const TOO_DEEP = "[nested too deep]";
/**
 * Levels kept: far deeper than any answer of the API, and shallow enough that a hostile body
 * nested a million levels cannot overflow the stack here or in a later `JSON.stringify` (an
 * error's message, a log line), which would replace the error a call owes with a RangeError.
 */
const MAX_DEPTH = 64;

/**
 * A parsed JSON value with `secret` redacted in every string (keys included); others as they are,
 * but a value nested past {@link MAX_DEPTH} levels becomes {@link TOO_DEEP}.
 */
export function redactValue(value: unknown, secret: string, depth = 0): unknown {
  if (typeof value === "string") return redactText(value, secret);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  const redact = (item: unknown) => redactValue(item, secret, depth + 1);
  if (Array.isArray(value)) return value.map(redact);
  // fromEntries defines each key, `__proto__` included, as the parsed JSON has it.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redactText(key, secret), redact(item)]));
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
