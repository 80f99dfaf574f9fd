// Signatures of assembly/conjugate.ts (proxes of convex conjugates). Stats as in prox.ts: nnz of
// out at nnzOut, g*(out) at valOut (f64 cells).
export interface ConjugateExports {
  /** w = v/σ; stores 1/σ at invSigmaOut (an f64 cell: the step of the inner prox_{g/σ}). */
  moreauScale(n: number, sigma: number, v: number, w: number, invSigmaOut: number): void;
  /** out = v − σx; g*(out) = ⟨x, out⟩ − g(x), g(x) read from the f64 cell at gxIn. */
  moreauCombine(n: number, sigma: number, v: number, x: number, out: number, gxIn: number, nnzOut: number, valOut: number): void;
  /** Clip to [−radius, radius]: the prox of the conjugate of radius·‖·‖₁ (value 0). */
  projLinfBall(n: number, radius: number, u: number, out: number, nnzOut: number, valOut: number): void;
  /** Projection of each pair (u_k, u_{n+k}) onto the 2-ball of the radius (2n reals; value 0). */
  projL2PairBall(n: number, radius: number, u: number, out: number, nnzOut: number, valOut: number): void;
}
