/** `instanceof` across two copies of src/errors.ts (as the ESM and CommonJS builds load): pure, no sockets. */
import { describe, expect, it, vi } from "vitest";
import * as here from "../../src/errors.js";

/** A second, separately evaluated copy of the module: its own classes, the same global brand. */
async function otherCopy(): Promise<typeof here> {
  vi.resetModules();
  return import("../../src/errors.js");
}

const notFound = (m: typeof here) =>
  m.apiErrorFor({ status: 404, statusText: "Not Found", headers: new Headers(), body: undefined }, undefined);

describe("instanceof across copies of the package", () => {
  it("an error is an instance of the other copy's class and of its ancestors, and of no other class", async () => {
    const other = await otherCopy();
    expect(other.BflNotFoundError).not.toBe(here.BflNotFoundError);
    const error = notFound(here);
    for (const type of [other.BflNotFoundError, other.BflApiError, other.BflError]) expect(error).toBeInstanceOf(type);
    for (const type of [
      other.BflTaskNotFoundError,
      other.BflServerError,
      other.BflTaskError,
      other.BflConnectionError,
    ]) {
      expect(error).not.toBeInstanceOf(type);
    }
    const task = new other.BflModerationError({ taskId: "t", taskStatus: "Request Moderated", details: null });
    expect([
      task instanceof here.BflTaskError,
      task instanceof here.BflError,
      task instanceof here.BflApiError,
    ]).toEqual([true, true, false]);
  });

  it("a user's subclass keeps the ordinary check: another copy's parent-class error is not one", async () => {
    const other = await otherCopy();
    class Mine extends here.BflNotFoundError {}
    const mine = new Mine({ status: 404, statusText: "", headers: new Headers(), body: undefined });
    expect(notFound(other)).not.toBeInstanceOf(Mine);
    expect(notFound(here)).not.toBeInstanceOf(Mine);
    expect(mine).toBeInstanceOf(Mine);
    expect(mine).toBeInstanceOf(other.BflNotFoundError);
    expect(mine.name).toBe("BflNotFoundError");
  });

  it("no plain object, primitive or look-alike is an error", async () => {
    const other = await otherCopy();
    const lookAlike = Object.assign(Object.create(Error.prototype), { name: "BflNotFoundError" });
    for (const value of [{}, null, undefined, "BflError", 3, lookAlike, new Error("x")]) {
      expect(value instanceof other.BflError).toBe(false);
    }
  });
});

describe("names", () => {
  it("each class's name is the name it is exported under", () => {
    // What `err.name` says, on the prototype; a minifier renaming the classes cannot change it.
    const classes = Object.entries(here).filter(([exported]) => /^Bfl\w*Error$/.test(exported));
    expect(classes.length).toBeGreaterThan(15);
    for (const [exported, type] of classes)
      expect((type as { prototype: Error }).prototype.name, exported).toBe(exported);
  });
});
