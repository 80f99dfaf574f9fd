// Signatures of assembly/vec.ts. Pointers are byte offsets into the kernel's linear memory.
export interface VecExports {
  fill(n: number, a: number, x: number): void;
  copy(n: number, x: number, y: number): void;
  scale(n: number, a: number, x: number): void;
  axpy(n: number, a: number, x: number, y: number): void;
  axpby(n: number, a: number, x: number, b: number, y: number): void;
  dot(n: number, x: number, y: number): number;
  mul(n: number, x: number, y: number, out: number): void;
  sub(n: number, x: number, y: number, out: number): void;
  axpbyz(n: number, a: number, x: number, b: number, y: number, z: number): void;
  /** z ← x − a·g in f64, rounded once to the dtype. */
  forwardInput(n: number, a: number, x: number, g: number, z: number): void;
  momentum(n: number, beta: number, x: number, xPrev: number, y: number): void;
  norm2sq(n: number, x: number): number;
  norm1(n: number, x: number): number;
  maxAbs(n: number, x: number): number;
}
