import { CflowError } from "@cflow/core";

/** The command line itself is wrong (unknown command or flag, missing or malformed argument). */
export class UsageError extends CflowError {
  constructor(
    message: string,
    details: { path?: string; expected?: unknown; found?: unknown; hint?: string } = {},
    /** The command whose help the user should read. */
    readonly command?: string,
  ) {
    super("USAGE", message, details);
  }
}
