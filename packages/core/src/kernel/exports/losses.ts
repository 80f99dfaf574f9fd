// Signatures of assembly/losses.ts.
export interface LossesExports {
  lossSquared(n: number, w: number, r: number, grad: number): number;
  /** r ← r − b; returns w·½‖r‖². */
  lossSquaredResidual(n: number, w: number, b: number, r: number): number;
  /** w·½‖r‖². */
  lossSquaredValue(n: number, w: number, r: number): number;
  /** z = c + β(c − cPrev); grad ← w·z; returns w·½‖z‖². */
  lossSquaredMomentum(n: number, w: number, beta: number, c: number, cPrev: number, grad: number): number;
  lossWeightedSquared(n: number, w: number, c: number, r: number, grad: number): number;
  lossHuber(n: number, w: number, delta: number, r: number, grad: number): number;
  lossHuberCurvature(n: number, w: number, delta: number, r: number, c: number): void;
  lossLogistic(n: number, w: number, z: number, y: number, grad: number): number;
  lossLogisticCurvature(n: number, w: number, z: number, c: number): void;
}
