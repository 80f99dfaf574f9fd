import type { ExitCodeName } from "./exit-codes.js";
import type { Output } from "./output.js";

export type FlagType = "boolean" | "string" | "number" | "integer" | "duration";

/** A `--flag` of a command. */
export interface FlagDef {
  /** Long name without the dashes (`max-iters`). */
  name: string;
  type: FlagType;
  description: string;
  /** One-letter alias (`q` for `-q`). */
  short?: string;
  /** May be given several times; the value is then an array. */
  multiple?: boolean;
  /** Allowed values of a string flag. */
  oneOf?: readonly string[];
  /** Smallest allowed value of a numeric flag. */
  min?: number;
  /** Name of the value in help (`<dir>`). */
  value?: string;
}

export interface PositionalDef {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining argument (last positional only). */
  variadic?: boolean;
  oneOf?: readonly string[];
}

export interface Example {
  command: string;
  description: string;
}

/** Values of a parsed command line, by positional and flag name (flags in their long form). */
export interface ParsedArgs {
  positionals: Record<string, string | string[] | undefined>;
  flags: Record<string, string | number | boolean | (string | number)[] | undefined>;
}

/** What every handler gets besides its options: where to write, where it runs, how to stop. */
export interface CommandContext {
  out: Output;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT, SIGTERM or SIGHUP: long commands end cleanly (a run ends CANCELLED with a valid capsule). */
  signal: AbortSignal;
  /** Where the bundled examples live (overridable for tests). */
  examplesDir: string;
}

/** Returns the process exit code (EXIT_CODES). Bad input is thrown as a CflowError. */
export type CommandHandler<O> = (options: O, ctx: CommandContext) => Promise<number>;

export interface CommandDef<O = unknown> {
  /** The words after `cflow` (`["new"]`, `["run"]`). */
  name: string;
  summary: string;
  /** Longer text shown by `--help` under the summary. */
  description?: string;
  positionals: PositionalDef[];
  /** Command-specific flags; `--json`, `--quiet` and `--help` are added to every command. */
  flags: FlagDef[];
  examples: Example[];
  /** The exit codes this command can end with (shown in its help). */
  exitCodes: ExitCodeName[];
  /** Typed, validated options from the parsed command line (throws UsageError). */
  options(args: ParsedArgs, ctx: { cwd: string }): O;
  /** The command's behaviour: resolves to the exit code; bad input is thrown as a CflowError. */
  handler: CommandHandler<O>;
}

/** A command of any options type (the command table holds commands of different options). */
export type AnyCommand = CommandDef<any>;

/** Identity function that types a command definition. */
export function defineCommand<O>(def: CommandDef<O>): CommandDef<O> {
  return def;
}
