// Signatures of assembly/gather.ts. idx: k i32 element offsets in kernel memory.
export interface GatherExports {
  /** out[j] ← x[idx[j]] */
  gather(k: number, idx: number, x: number, out: number): void;
  /** out[idx[j]] += y[j] */
  scatterAdd(k: number, idx: number, y: number, out: number): void;
}
