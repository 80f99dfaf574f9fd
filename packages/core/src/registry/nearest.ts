/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate to `name`, if any is reasonably close (for "did you mean …?"). */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  if (best === undefined) return undefined;
  // a typed prefix of a longer name ("golden" → "goldenSection") is a near miss too
  if (bestD > Math.max(2, Math.floor(name.length / 2)) && name.length >= 3) {
    const prefixed = [...candidates].filter((c) => c.toLowerCase().startsWith(name.toLowerCase())).sort();
    if (prefixed.length > 0) return prefixed[0];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}
