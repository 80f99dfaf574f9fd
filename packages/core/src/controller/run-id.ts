/**
 * A fresh run id, the one format of every capsule: the UTC start time (so ids sort by it) and 48
 * random bits in hex, e.g. `20250101T120000Z-1a2b3c4d5e6f` (docs/design.md §5).
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return `${stamp}-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
