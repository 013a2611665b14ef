/**
 * Structured, opt-in logging. Events carry a level, a message and plain fields; they never carry
 * headers, and the transport redacts the key in every field before a logger sees the event.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One log event: `{ level, message, ...fields }`. */
export interface LogEvent {
  level: LogLevel;
  message: string;
  [field: string]: unknown;
}

/** Receives every event the client emits. */
export type Logger = (event: LogEvent) => void;

/** Writes events as JSON lines on stderr; used when `BFL_LOG=debug` and no logger is given. */
export const consoleLogger: Logger = (event) => console.error(JSON.stringify({ name: "bfl-finetune", ...event }));
