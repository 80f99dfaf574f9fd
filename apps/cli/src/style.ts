/** Terminal styling that becomes plain text when colour is off (NO_COLOR, not a TTY, --json). */
export interface Style {
  readonly color: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  amber(s: string): string;
  cyan(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string) => s;

export function createStyle(color: boolean): Style {
  if (!color) return { color, bold: plain, dim: plain, red: plain, green: plain, amber: plain, cyan: plain };
  return { color, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), amber: sgr(33, 39), cyan: sgr(36, 39) };
}

/** Colour for a phase name, the same in every command. */
export function phaseColor(style: Style, phase: string): (s: string) => string {
  return phase === "GREEN" ? style.green : phase === "AMBER" ? style.amber : phase === "RED" ? style.red : style.dim;
}

/**
 * Whether to colour a stream: only a TTY, never with NO_COLOR set (https://no-color.org: any
 * non-empty value), and never when output is machine-readable.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>, json: boolean): boolean {
  if (json) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}
