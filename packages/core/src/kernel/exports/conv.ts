// Signatures of assembly/conv.ts. A kernel of length m is centred at c: y[i] = Σ_j k[j]·x[i − j + c],
// x zero outside the signal (circular = 0) or wrapped (circular = 1). Outputs never alias inputs.
export interface ConvExports {
  conv1d(n: number, x: number, m: number, k: number, c: number, y: number, circular: number): void;
  /** Row filter: each row of the h × w image convolved with k. */
  convRows(h: number, w: number, x: number, m: number, k: number, c: number, y: number, circular: number): void;
  /** Column filter: each column of the h × w image convolved with k. */
  convCols(h: number, w: number, x: number, m: number, k: number, c: number, y: number, circular: number): void;
  /** 2D convolution with an mh × mw kernel centred at (ch, cw). */
  conv2d(h: number, w: number, x: number, mh: number, mw: number, k: number, ch: number, cw: number, y: number, circular: number): void;
  /** xp (H × W) ← x (h × w) in the top-left corner, zeros elsewhere. */
  convPad2d(h: number, w: number, x: number, H: number, W: number, xp: number): void;
  /** y (h × w) ← the top-left corner of xp (H × W). */
  convCrop2d(H: number, W: number, xp: number, h: number, w: number, y: number): void;
}
