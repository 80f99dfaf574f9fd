// Signatures of assembly/losses.ts.
export interface LossesExports {
  huber(n: number, delta: number, r: number, grad: number): number;
  huberCurvature(n: number, delta: number, r: number, w: number): void;
  logistic(n: number, z: number, y: number, grad: number): number;
  logisticCurvature(n: number, z: number, w: number): void;
}
