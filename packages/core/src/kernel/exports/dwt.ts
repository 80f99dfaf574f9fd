// Signatures of assembly/dwt.ts. `filt` points at a Real filter bank [dec_lo | dec_hi | rec_lo | rec_hi]
// of `flen` taps each (src/transforms/filters.ts); sizes are in elements, pointers byte offsets.
export interface DwtExports {
  dwtRows(rows: number, n: number, x: number, filt: number, flen: number, a: number, d: number): void;
  idwtRows(rows: number, n: number, a: number, d: number, filt: number, flen: number, x: number): void;
  dwtCols(rows: number, cols: number, x: number, filt: number, flen: number, a: number, d: number): void;
  idwtCols(rows: number, cols: number, a: number, d: number, filt: number, flen: number, x: number): void;
}
