// Signatures of assembly/tiles.ts. Tiles are b×b f64 arrays in kernel memory (float64 in both builds).
export interface TilesExports {
  /** C ← C − A Bᵀ, both given transposed (at[k·b + i] = A[i][k], bt[k·b + j] = B[j][k]). */
  tileGemmSubT(b: number, c: number, at: number, bt: number): void;
  /** In-place lower Cholesky of a row-major tile; the first non-positive pivot's index, or −1. */
  tileCholesky(b: number, t: number): number;
  /** X ← X L⁻ᵀ, X given and returned transposed (xt[j·b + r] = X[r][j]). */
  tileTrsm(b: number, l: number, xt: number): void;
}
