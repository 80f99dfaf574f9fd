// Signatures of assembly/diff.ts (Neumann forward differences and their adjoints).
export interface DiffExports {
  diff1D(n: number, x: number, out: number): void;
  diff1DAdjoint(n: number, y: number, out: number): void;
  /** out: 2·rows·cols reals, the axis-0 differences then the axis-1 differences. */
  diff2D(rows: number, cols: number, x: number, out: number): void;
  diff2DAdjoint(rows: number, cols: number, y: number, out: number): void;
}
