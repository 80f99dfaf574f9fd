import { CflowError, nearestName } from "@cflow/core";
import { parseArgs } from "./args.js";
import type { AnyCommand } from "./command.js";
import { COMMANDS } from "./command-list.js";
import { exitCodeForError } from "./error-report.js";
import { toIoError } from "./io-error.js";
import { EXIT_CODES } from "./exit-codes.js";
import { renderCommandHelp, renderRootHelp } from "./help.js";
import { type OutStream, Output } from "./output.js";
import { bundledExamplesDir, packageVersion } from "./package-info.js";
import { UsageError } from "./usage-error.js";

export interface MainOptions {
  stdout?: OutStream;
  stderr?: OutStream;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Aborted on SIGINT, SIGTERM or SIGHUP by the bin; tests pass their own. */
  signal?: AbortSignal;
  examplesDir?: string;
  /** The command table (default: COMMANDS; tests add commands). */
  commands?: readonly AnyCommand[];
}

/**
 * Runs `cflow <argv>` and resolves to the exit code (EXIT_CODES); never throws and never prints a
 * raw stack trace (unless CFLOW_DEBUG=1).
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const commands = options.commands ?? COMMANDS;
  // --json is honoured even when the rest of the line does not parse, so scripts always get JSON.
  const json = argv.includes("--json");
  const quiet = argv.includes("--quiet") || argv.includes("-q");
  let out = new Output(options.stdout ?? process.stdout, options.stderr ?? process.stderr, { json, quiet, env });
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      const target = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
      out.stdout.write(target ? renderCommandHelp(target, out.style) : renderRootHelp(commands, out.style, packageVersion()));
      return EXIT_CODES.OK.code;
    }
    if (name === "--version" || name === "-v") {
      out.result({ version: packageVersion() }, packageVersion());
      return EXIT_CODES.OK.code;
    }
    const def = commands.find((c) => c.name === name);
    if (!def) {
      const near = nearestName(name, commands.map((c) => c.name));
      throw new UsageError(`unknown command "${name}"` + (near ? ` — did you mean "${near}"?` : ""), {
        path: "cflow",
        found: name,
        expected: `one of ${commands.map((c) => c.name).join(", ")}`,
        hint: near ? `did you mean "cflow ${near}"?` : undefined,
      });
    }
    const parsed = parseArgs(def, rest);
    out = new Output(out.stdout, out.stderr, { json: parsed.json, quiet: parsed.quiet, env });
    if (parsed.help) {
      out.stdout.write(renderCommandHelp(def, out.style));
      return EXIT_CODES.OK.code;
    }
    const cwd = options.cwd ?? process.cwd();
    const opts = def.options(parsed.args, { cwd });
    return await def.handler(opts, {
      out,
      cwd,
      env,
      signal: options.signal ?? new AbortController().signal,
      examplesDir: options.examplesDir ?? bundledExamplesDir(),
    });
  } catch (caught) {
    // A file-system refusal (disk full, permission, read-only) that reached here unwrapped — a
    // Node system error, or a library's error quoting one — is an I/O error, not a bug.
    const err = caught instanceof CflowError ? caught : (toIoError(caught) ?? caught);
    out.error(err);
    return exitCodeForError(err);
  }
}
