// Signatures of assembly/vec.ts. Pointers are byte offsets into the kernel's linear memory.
export interface VecExports {
  fill(n: number, a: number, x: number): void;
  copy(n: number, x: number, y: number): void;
  scale(n: number, a: number, x: number): void;
  axpy(n: number, a: number, x: number, y: number): void;
  axpby(n: number, a: number, x: number, b: number, y: number): void;
  dot(n: number, x: number, y: number): number;
}
