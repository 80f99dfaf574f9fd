/** Numbers in certificate reasons: 4 significant digits, exponent form outside [1e-3, 1e4). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(3) : x.toPrecision(4);
}
