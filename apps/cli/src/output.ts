import { errorJson, formatError } from "./error-report.js";
import { type Style, createStyle, wantsColor } from "./style.js";

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface OutputMode {
  json: boolean;
  quiet: boolean;
  env: Record<string, string | undefined>;
}

/**
 * Where a command writes. Results go to stdout — one JSON document `{ ok, result | error }` with
 * `--json`, text otherwise; progress and notes go to stderr and disappear under `--quiet` or
 * `--json`; errors are one formatted message (stack only with CFLOW_DEBUG=1).
 */
export class Output {
  /** Styling of stdout (plain when NO_COLOR, not a TTY or --json). */
  readonly style: Style;
  /** Styling of stderr. */
  readonly errStyle: Style;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;

  constructor(
    readonly stdout: OutStream,
    readonly stderr: OutStream,
    mode: OutputMode,
  ) {
    this.json = mode.json;
    this.quiet = mode.quiet;
    this.debug = mode.env.CFLOW_DEBUG === "1";
    this.style = createStyle(wantsColor(stdout, mode.env, mode.json));
    this.errStyle = createStyle(wantsColor(stderr, mode.env, mode.json));
  }

  /** Whether a live (redrawn) display may be used: stderr is a colour TTY and output is not quiet. */
  get live(): boolean {
    return this.errStyle.color && this.stderr.isTTY === true && !this.quiet && !this.json;
  }

  /** Progress and notes (stderr); silent under --quiet and --json. */
  info(text: string): void {
    if (this.quiet || this.json) return;
    this.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A warning (stderr); kept under --quiet, plain under --json. */
  warn(text: string): void {
    this.stderr.write(`${this.errStyle.amber("warning")} ${text}\n`);
  }

  /** The command's result: `value` as JSON under --json, otherwise `text` on stdout. */
  result(value: unknown, text: string | (() => string)): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify({ ok: true, result: value }, jsonReplacer, 2)}\n`);
      return;
    }
    const t = typeof text === "function" ? text() : text;
    if (t.length > 0) this.stdout.write(t.endsWith("\n") ? t : `${t}\n`);
  }

  error(err: unknown): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify({ ok: false, error: errorJson(err, this.debug) }, jsonReplacer, 2)}\n`);
      return;
    }
    this.stderr.write(`${formatError(err, this.errStyle, this.debug)}\n`);
  }
}

/** BigInts (DuckDB BIGINT columns) and typed arrays appear as plain JSON numbers and arrays. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}
