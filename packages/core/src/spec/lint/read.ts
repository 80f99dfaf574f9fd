// Reading an untrusted spec without throwing: lint is handed anything (non-objects, cycles,
// `__proto__` keys, getters and proxies that throw), and a value it cannot read becomes a finding.

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Own enumerable string keys, including a literal "__proto__" key, without invoking getters. */
export function ownKeys(o: Record<string, unknown>): string[] {
  try {
    return Object.keys(o);
  } catch {
    return [];
  }
}

/** Reads an own property; a throwing getter or proxy trap reads as undefined (reported elsewhere). */
export function read(o: Record<string, unknown>, key: string): unknown {
  try {
    return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
  } catch {
    return undefined;
  }
}

/** A shape for messages: `[64, 64]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
