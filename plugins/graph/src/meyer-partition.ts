/** Meyer's auxiliary function: a C³ step from 0 (t ≤ 0) to 1 (t ≥ 1) with ν(t) + ν(1 − t) = 1. */
export function meyerNu(t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  return t ** 4 * (35 - 84 * t + 70 * t * t - 20 * t ** 3);
}

/**
 * A Meyer-like dyadic partition of unity on the normalised spectrum s = λ/λ_bound ∈ [0, 1]: a
 * low-pass g_0 and `levels` band-pass filters g_1..g_J (increasing frequency), with
 * Σ_j g_j(s)² = 1 for every s. Transition k (k = 1..J) is centred at s_k = 2^(k−J−1) and spans one
 * octave: θ_k(s) = (π/2)·ν(log₂(s/s_k) + ½). The filters are the telescoping products
 * g_0 = cos θ_1, g_j = sin θ_1 ⋯ sin θ_j · cos θ_{j+1}, g_J = sin θ_1 ⋯ sin θ_J, whose squares sum
 * to 1 for any angles (cos²θ₁ + sin²θ₁(cos²θ₂ + sin²θ₂(…)) = 1).
 */
export function meyerPartition(levels: number): ((s: number) => number)[] {
  const theta = (k: number, s: number) => (s <= 0 ? 0 : (Math.PI / 2) * meyerNu(Math.log2(s / 2 ** (k - levels - 1)) + 0.5));
  return Array.from({ length: levels + 1 }, (_, j) => (s: number) => {
    let g = 1;
    for (let k = 1; k <= j; k++) g *= Math.sin(theta(k, s));
    return j < levels ? g * Math.cos(theta(j + 1, s)) : g;
  });
}
