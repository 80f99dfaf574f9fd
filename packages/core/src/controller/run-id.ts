/** A run id that sorts by start time and never collides in practice: `20261126T093512Z-k3f9x2`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const bytes = new Uint8Array(5);
  crypto.getRandomValues(bytes);
  const suffix = [...bytes].map((b) => (b % 36).toString(36)).join("");
  return `${stamp}-${suffix}`;
}
