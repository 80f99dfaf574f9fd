// Signatures of assembly/losses.ts.
export interface LossesExports {
  lossSquared(n: number, w: number, r: number, grad: number): number;
  lossWeightedSquared(n: number, w: number, c: number, r: number, grad: number): number;
  lossHuber(n: number, w: number, delta: number, r: number, grad: number): number;
  lossHuberCurvature(n: number, w: number, delta: number, r: number, c: number): void;
  lossLogistic(n: number, w: number, z: number, y: number, grad: number): number;
  lossLogisticCurvature(n: number, w: number, z: number, c: number): void;
}
