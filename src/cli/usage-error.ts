/** A mistake in how a command was called (flags, arguments): exit code 2. The one such class. */
export class UsageError extends Error {
  static {
    UsageError.prototype.name = "UsageError";
  }
}

/** Whether `error` is a usage mistake: ours, or one `util.parseArgs` threw. */
export function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    (typeof (error as { code?: unknown })?.code === "string" &&
      (error as { code: string }).code.startsWith("ERR_PARSE_ARGS"))
  );
}
