/** Redaction of the API key in what a server sends back (src/redact.ts): pure, no sockets. */
import { describe, expect, it } from "vitest";
import { REDACTED, redactHeaders, redactText, redactValue, TOO_DEEP } from "../../src/redact.js";

const KEY = "sk-live-1234abcd";

describe("redactText", () => {
  it("replaces every whole occurrence, keeping the text around it", () => {
    expect(redactText(`bad key ${KEY}; got ${KEY}.`, KEY)).toBe(`bad key ${REDACTED}; got ${REDACTED}.`);
    expect(redactText(KEY, KEY)).toBe(REDACTED);
  });

  it("leaves a key that runs into letters or digits on either side (a short key never garbles words)", () => {
    expect(redactText("tasks and tas", "tas")).toBe(`tasks and ${REDACTED}`);
    expect(redactText("atlas tas", "tas")).toBe(`atlas ${REDACTED}`);
    expect(redactText("xtas tasx", "tas")).toBe("xtas tasx");
  });

  it("finds a whole occurrence after one inside a word", () => {
    expect(redactText("xab ab", "ab")).toBe(`xab ${REDACTED}`);
    expect(redactText("abx ab", "ab")).toBe(`abx ${REDACTED}`);
  });

  it("a key that starts or ends with a non-alphanumeric character is a token on that side wherever it stands", () => {
    expect(redactText("x-abc", "-abc")).toBe(`x${REDACTED}`);
    expect(redactText("abc-x", "abc-")).toBe(`${REDACTED}x`);
    // Its other side still has to be a word boundary.
    expect(redactText("x-abcd", "-abc")).toBe("x-abcd");
    expect(redactText("xabc-", "abc-")).toBe("xabc-");
  });

  it("overlapping occurrences: the first is replaced, the overlap left as text", () => {
    expect(redactText("a-a-a", "a-a")).toBe(`${REDACTED}-a`);
    expect(redactText("--- ---", "--")).toBe(`${REDACTED}- ${REDACTED}-`);
  });

  it("an empty key or a text without it comes back as it is", () => {
    expect(redactText("anything", "")).toBe("anything");
    expect(redactText("nothing here", KEY)).toBe("nothing here");
  });
});

describe("redactValue", () => {
  it("redacts in strings at any depth: object values, keys and array items", () => {
    const body = { detail: [{ msg: `bad ${KEY}`, loc: ["header", KEY] }], [KEY]: { echo: KEY } };
    expect(redactValue(body, KEY)).toEqual({
      detail: [{ msg: `bad ${REDACTED}`, loc: ["header", REDACTED] }],
      [REDACTED]: { echo: REDACTED },
    });
  });

  it("keeps a parsed `__proto__` key as a key of the copy (no prototype is set from a body)", () => {
    const copy = redactValue(JSON.parse(`{"__proto__": {"echo": "${KEY}"}}`), KEY) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, "__proto__")?.value).toEqual({ echo: REDACTED });
  });

  it("keeps 64 levels and cuts what is deeper, so a hostile body cannot overflow the stack", () => {
    const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { a: [nest(depth - 1, leaf)] });
    // Each level of `nest` is two of JSON's (an object, then an array).
    expect(redactValue(nest(32, KEY), KEY)).toEqual(nest(32, REDACTED));
    expect(redactValue(nest(33, KEY), KEY)).toEqual(nest(32, TOO_DEEP));
    let deep: unknown = KEY;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => JSON.stringify(redactValue(deep, KEY))).not.toThrow();
  });

  it("keeps numbers, booleans and null as they are", () => {
    expect(redactValue([1, true, null, KEY], KEY)).toEqual([1, true, null, REDACTED]);
    expect(redactValue(42, KEY)).toBe(42);
    expect(redactValue(null, KEY)).toBeNull();
  });
});

describe("redactHeaders", () => {
  it("redacts values and drops a header whose name holds the key (whatever its case)", () => {
    const headers = new Headers({ "x-echo": `key=${KEY}`, [`x-${KEY}`]: "1", "content-type": "application/json" });
    const clean = redactHeaders(headers, KEY);
    expect([...clean.entries()]).toEqual([
      ["content-type", "application/json"],
      ["x-echo", `key=${REDACTED}`],
    ]);
    // The answer's own headers are not touched.
    expect(headers.get("x-echo")).toBe(`key=${KEY}`);
    const mixed = "AbCdEf123456";
    expect(redactHeaders(new Headers({ [`x-${mixed}`]: "1", a: "b" }), mixed).has(`x-${mixed}`)).toBe(false);
  });

  it("keeps every header when nothing holds the key, each set-cookie on its own", () => {
    const headers = new Headers([
      ["x-request-id", "r1"],
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
    ]);
    expect([...redactHeaders(headers, KEY)]).toEqual([...headers]);
    expect(redactHeaders(headers, KEY).getSetCookie()).toEqual(["a=1", "b=2"]);
  });
});
