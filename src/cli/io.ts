/** What the CLI reads and writes; tests and `npm start` pass their own. */
import type { Env } from "./library.js";
import type { Streams } from "./output.js";

export interface CliIo extends Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The only environment the CLI reads (BFL_API_KEY, BFL_BASE_URL, BFL_LOG, NO_COLOR). */
  env: Env;
}

/** Colours unless NO_COLOR is set to something (https://no-color.org). */
export const useColour = (env: Env): boolean => env.NO_COLOR === undefined || env.NO_COLOR === "";
