/** What a call knows about what the server may have done: pure, no sockets. */
import { describe, expect, it } from "vitest";
import { CallRecord, errorCode, mayHaveBeenSent } from "../../src/call-facts.js";
import { BflServerError } from "../../src/errors.js";

/** undici's shape: TypeError("fetch failed") with the socket error as cause. */
const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause });

describe("mayHaveBeenSent", () => {
  it.each([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EAI_NONAME",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "UND_ERR_CONNECT_TIMEOUT",
    "CERT_HAS_EXPIRED",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    // The same kinds, by family: any getaddrinfo failure, any certificate the handshake refused.
    "EAI_FAIL",
    "EAI_NODATA",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_NOT_YET_VALID",
    "CERT_REVOKED",
  ])("%s: no connection was made, so nothing reached the server", (code) => {
    expect(mayHaveBeenSent(fetchFailed(Object.assign(new Error(code), { code })))).toBe(false);
  });

  it("finds the code on an AggregateError's first error (several addresses tried)", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(errorCode(fetchFailed(new AggregateError([refused])))).toBe("ECONNREFUSED");
    expect(mayHaveBeenSent(fetchFailed(new AggregateError([refused])))).toBe(false);
  });

  it("a code on the error itself counts; a cause's code wins over an AggregateError's list", () => {
    expect(mayHaveBeenSent(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe(false);
    const both = Object.assign(new Error("x"), {
      cause: { code: "ECONNRESET" },
      errors: [{ code: "ECONNREFUSED" }],
    });
    expect(errorCode(both)).toBe("ECONNRESET");
  });

  it("a chain of causes that loops back on itself ends, with no code found", () => {
    const looping: { cause?: unknown } = {};
    looping.cause = looping;
    expect(errorCode(looping)).toBeUndefined();
    expect(mayHaveBeenSent(looping)).toBe(true);
  });

  it.each([
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "ECONNABORTED",
    "UND_ERR_SOCKET",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_BODY_TIMEOUT",
    "UND_ERR_CLOSED",
    // Near the never-connected names without being one of them.
    "ECONNREFUSEDX",
    "XENOTFOUND",
    "UND_ERR_CONNECT_TIMEOUTX",
  ])("%s may come after the request was sent", (code) => {
    expect(mayHaveBeenSent(fetchFailed(Object.assign(new Error(code), { code })))).toBe(true);
  });

  it.each([
    ["a reset after sending", fetchFailed(Object.assign(new Error("other side closed"), { code: "ECONNRESET" }))],
    ["an error another runtime shapes its own way", new Error("network error")],
    ["something that is not an error", "boom"],
  ])("%s may have reached the server", (_, error) => {
    expect(mayHaveBeenSent(error)).toBe(true);
  });
});

describe("CallRecord", () => {
  it("starts with nothing sent and nothing ambiguous", () => {
    expect(new CallRecord().facts()).toEqual({ attempts: 0, afterAmbiguousAttempt: false, sentWithoutAnswer: false });
  });

  it("carries the latest ambiguous failure as cause, and the attempts so far", () => {
    const record = new CallRecord();
    record.attempts = 2;
    const earlier = new BflServerError({ status: 502, statusText: "", headers: new Headers(), body: undefined });
    record.ambiguous = earlier;
    expect(record.facts()).toEqual({
      attempts: 2,
      afterAmbiguousAttempt: true,
      sentWithoutAnswer: false,
      cause: earlier,
    });
    expect(record.facts(true).sentWithoutAnswer).toBe(true);
  });
});
