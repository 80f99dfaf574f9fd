// Signatures of assembly/swt.ts. `filt` points at a Real filter bank [dec_lo | dec_hi | rec_lo | rec_hi]
// of `flen` taps each; `dil` = 2^(level−1) is the spacing of the upsampled ("à trous") taps.
export interface SwtExports {
  swtRows(rows: number, n: number, dil: number, x: number, filt: number, flen: number, a: number, d: number): void;
  swtRowsAdjoint(rows: number, n: number, dil: number, a: number, d: number, filt: number, flen: number, x: number): void;
  swtCols(rows: number, cols: number, dil: number, x: number, filt: number, flen: number, a: number, d: number): void;
  swtColsAdjoint(rows: number, cols: number, dil: number, a: number, d: number, filt: number, flen: number, x: number): void;
}
