import { UsageError } from "./usage-error.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration written `1500ms`, `90s`, `5m`, `1.5h` or a bare number of seconds. */
export function parseDuration(text: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) {
    throw new UsageError(`${where}: cannot read "${text}" as a duration`, {
      path: where,
      expected: "a positive duration such as 90s, 5m, 1500ms, 1h or a number of seconds",
      found: text,
    });
  }
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? "s"];
  if (!(ms > 0)) throw new UsageError(`${where}: the duration must be positive`, { path: where, expected: "a duration > 0", found: text });
  return ms;
}
