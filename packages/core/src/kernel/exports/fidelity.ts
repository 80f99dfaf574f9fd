// Signatures of assembly/fidelity.ts (data-fidelity proxes around an observation y, and their
// conjugates). Stats: nnz of out at nnzOut; g(out) (prox) or g*(out) (conjugate prox) at valOut.
export interface FidelityExports {
  klValue(n: number, lam: number, y: number, u: number): number;
  proxKL(n: number, t: number, lam: number, y: number, u: number, out: number, nnzOut: number, valOut: number): void;
  proxKLConj(n: number, sigma: number, lam: number, y: number, v: number, out: number, nnzOut: number, valOut: number): void;
  l1DataValue(n: number, lam: number, y: number, u: number): number;
  proxL1Data(n: number, t: number, lam: number, y: number, u: number, out: number, nnzOut: number, valOut: number): void;
  proxL1DataConj(n: number, sigma: number, lam: number, y: number, v: number, out: number, nnzOut: number, valOut: number): void;
  l2BallAtIndicator(n: number, radius: number, y: number, u: number): number;
  projL2BallAt(n: number, radius: number, y: number, u: number, out: number, nnzOut: number, valOut: number): void;
  proxL2BallAtConj(n: number, sigma: number, radius: number, y: number, v: number, out: number, nnzOut: number, valOut: number): void;
}
