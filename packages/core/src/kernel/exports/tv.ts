// Signatures of assembly/tv.ts (TV prox by fast gradient projection on the dual, stopping on the
// subproblem's relative duality gap).
export interface TvExports {
  /** Reals of scratch tvProx1D (dims = 1) or tvProx2D (dims = 2) needs for n values. */
  tvScratchSize(dims: number, n: number): number;
  tvValue1D(n: number, lam: number, x: number): number;
  /**
   * Returns the number of dual steps taken; stores NaN at nnzOut and λ·TV(out) at valOut. state (4
   * f64): proxes so far (read and incremented), then the relative gap reached and the target
   * ε_k = max(tol·k^(−decay), floor) (written), and the dual momentum t_k (carried; 0: none).
   */
  tvProx1D(n: number, t: number, lam: number, iters: number, tol: number, decay: number, u: number, out: number, scratch: number, warm: number, state: number, nnzOut: number, valOut: number): number;
  tvValue2D(rows: number, cols: number, lam: number, iso: number, x: number): number;
  tvProx2D(rows: number, cols: number, t: number, lam: number, iters: number, tol: number, decay: number, iso: number, u: number, out: number, scratch: number, warm: number, state: number, nnzOut: number, valOut: number): number;
}
