import { type Band, CflowError, type RealArray, madNoiseLevel } from "@cflow/core";

/**
 * Choosing λ from the data (Morozov's discrepancy principle): the restoration x_λ should explain
 * the data down to the noise, ‖K x_λ − y‖² ≈ τ·m·σ², no further. σ is given or estimated from the
 * data's finest diagonal wavelet band, where a blurred image carries almost nothing but noise
 * (Donoho & Johnstone 1994: σ̂ = median(|d|)/0.6745 for Gaussian noise).
 */

/** median(|v|)/0.6745 — core's, shared with the tuner's discrepancy target and the CLI's data fit. */
export { madNoiseLevel };

/** The finest diagonal band of a wavelet layout: level 1, orientation "d" (the 1D detail or the 2D cD₁). */
export function finestDiagonalBand(bands: readonly Band[]): Band {
  const b = bands.find((x) => x.level === 1 && x.orientation === "d");
  if (!b) throw new CflowError("BAD_FRAME", "finestDiagonalBand: the transform has no level-1 diagonal band", { path: "W.bands", expected: 'a band { level: 1, orientation: "d" }', found: bands.map((x) => `${x.level}${x.orientation}`).join(",") });
  return b;
}

/** σ̂ from the analysis coefficients W y of the data. */
export function estimateNoiseLevel(coefficients: RealArray, bands: readonly Band[]): number {
  const b = finestDiagonalBand(bands);
  const size = b.shape.reduce((a, c) => a * c, 1);
  return madNoiseLevel(coefficients.subarray(b.offset, b.offset + size));
}

/** ‖Kx − y‖²/(m σ²): 1 when the residual is exactly at the noise level. */
export function discrepancyRatio(residualNormSq: number, m: number, sigma: number): number {
  return residualNormSq / (m * sigma * sigma);
}

export interface MorozovChoice {
  /** Index of the chosen grid point: the largest λ whose discrepancy is ≤ τ (−1 when none is). */
  index: number;
  lambda: number | null;
  /** λ where the discrepancy crosses τ, interpolated linearly in (log λ, log discrepancy) between the bracketing points (null without a bracket). */
  crossing: number | null;
}

/**
 * Morozov's choice on a λ grid: the discrepancy grows with λ, so the most regularised λ that still
 * fits the data to τ times the noise level is the largest λ with discrepancy ≤ τ.
 */
export function morozovChoice(points: readonly { lambda: number; discrepancy: number }[], tau: number): MorozovChoice {
  const sorted = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.lambda - b.lambda);
  let pick = -1;
  for (let k = 0; k < sorted.length; k++) if (sorted[k].discrepancy <= tau) pick = k;
  let crossing: number | null = null;
  if (pick >= 0 && pick + 1 < sorted.length) {
    const a = sorted[pick];
    const b = sorted[pick + 1];
    const t = (Math.log(tau) - Math.log(a.discrepancy)) / (Math.log(b.discrepancy) - Math.log(a.discrepancy));
    crossing = Math.exp(Math.log(a.lambda) + t * (Math.log(b.lambda) - Math.log(a.lambda)));
  }
  return { index: pick >= 0 ? sorted[pick].i : -1, lambda: pick >= 0 ? sorted[pick].lambda : null, crossing };
}
