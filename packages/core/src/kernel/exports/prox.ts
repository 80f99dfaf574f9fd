// Signatures of assembly/prox.ts. Every prox kernel stores the number of non-zero outputs at
// nnzOut and g(out) at valOut (f64 cells; 0 for projections), fused into its pass.
export interface ProxExports {
  softThreshold(n: number, t: number, lam: number, u: number, out: number, nnzOut: number, valOut: number): void;
  /**
   * Bands [offsets[j], offsets[j+1]) (i32, nb + 1), multipliers weights[j] (f64); skipFirst ≠ 0
   * passes band 0 through; weights[j] = ∞ locks band j at zero (it adds nothing to the value).
   */
  softThresholdBands(nb: number, offsets: number, weights: number, t: number, lam: number, skipFirst: number, u: number, out: number, nnzOut: number, valOut: number): void;
  l1Value(n: number, lam: number, u: number): number;
  l1BandsValue(nb: number, offsets: number, weights: number, lam: number, skipFirst: number, u: number): number;
  projBox(n: number, lo: number, hi: number, u: number, out: number, nnzOut: number, valOut: number): void;
  projNonneg(n: number, u: number, out: number, nnzOut: number, valOut: number): void;
  boxIndicator(n: number, lo: number, hi: number, u: number): number;
  proxL1Nonneg(n: number, t: number, lam: number, u: number, out: number, nnzOut: number, valOut: number): void;
  proxL1Box(n: number, t: number, lam: number, lo: number, hi: number, u: number, out: number, nnzOut: number, valOut: number): void;
  l1BoxValue(n: number, lam: number, lo: number, hi: number, u: number): number;
  proxElasticNet(n: number, t: number, lam: number, alpha: number, u: number, out: number, nnzOut: number, valOut: number): void;
  elasticNetValue(n: number, lam: number, alpha: number, u: number): number;
  proxGroupL1(n: number, size: number, t: number, lam: number, u: number, out: number, nnzOut: number, valOut: number): void;
  groupL1Value(n: number, size: number, lam: number, u: number): number;
  projL2Ball(n: number, radius: number, u: number, out: number, nnzOut: number, valOut: number): void;
  l2BallIndicator(n: number, radius: number, u: number): number;
  /** scratch: n reals. */
  projL1Ball(n: number, radius: number, u: number, out: number, scratch: number, nnzOut: number, valOut: number): void;
  l1BallIndicator(n: number, radius: number, u: number): number;
  /** scratch: n reals. */
  projSimplex(n: number, radius: number, u: number, out: number, scratch: number, nnzOut: number, valOut: number): void;
  simplexIndicator(n: number, radius: number, u: number): number;
}
