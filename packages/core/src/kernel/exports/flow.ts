// Signatures of assembly/flow.ts.
export interface FlowExports {
  /** out[0] = ‖x − y‖², out[1] = ⟨y − x, x − xPrev⟩, out[2] = ‖x‖² (out: three f64 cells). */
  stepMetrics(n: number, y: number, x: number, xPrev: number, out: number): void;
  dotDiff(n: number, g: number, x: number, y: number): number;
  /** cell ← a·cell (cell: byte address of an f64). */
  scaleCell(a: number, cell: number): void;
  /** z ← y + a·(dinv ⊙ g) (the preconditioned forward step with a = −α). */
  precondStep(n: number, a: number, y: number, dinv: number, g: number, z: number): void;
  /** out[0] = Σ d(x − y)², out[1] = Σ (d(x − y))², out[2] = Σ (dx)² (out: three f64 cells). */
  precondMetrics(n: number, d: number, y: number, x: number, out: number): void;
}
