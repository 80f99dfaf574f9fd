import { CflowError, type Dtype, DtypeError, type RealArray, ShapeError, type TransformOp, zeros } from "@cflow/core";
import type { SymmetricOperator } from "@cflow/core/linalg";

/**
 * The part of a transform the certificates use: analysis W (`forward`), its adjoint Wᵀ, sizes,
 * dtype and frame. Narrow on purpose, so small dense test transforms in plain TS fit.
 */
export type CertTransform = Pick<TransformOp, "forward" | "adjoint" | "coeffSize" | "shape" | "frame" | "c" | "dtype"> & {
  readonly name?: string;
};

/** out ← L v in x-space (the smooth part's Hessian), arrays of the run's dtype; out is overwritten. */
export type LApply = (v: RealArray, out: RealArray) => void;

/** The operators certificates are taken on (Lanczos, power iteration, the row estimators): core's symmetric operator on float64 vectors. */
export type { SymmetricOperator };

/** How many times L and W (forward + adjoint count as one each) were applied: the certificate cost. */
export interface ApplicationCounter {
  L: number;
  W: number;
}

/**
 * The normalisation the certificates divide L_W by (docs/design.md §2.5, README "Frames"): the frame
 * constant c for a tight frame (WᵀW = cI, so W/√c is an isometry and W L Wᵀ / c = Q L Qᵀ keeps
 * the spectrum of L), 1 for unitary transforms and for general frames (no constant to divide by).
 */
export function frameScale(W: CertTransform | null): number {
  if (W === null || W.frame !== "tight") return 1;
  if (!(Number.isFinite(W.c) && W.c > 0)) {
    throw new CflowError("BAD_FRAME", `estimateEtaGammaInW: tight frame ${W.name ?? "W"} declares frame constant c = ${W.c}; expected a finite c > 0 (WᵀW = cI)`, {
      path: `${W.name ?? "W"}.c`,
      expected: "finite c > 0",
      found: W.c,
    });
  }
  return W.c;
}

function checkFinite(where: string, a: RealArray): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new CflowError("NON_FINITE", `${where} returned ${a[i]} at index ${i}; the certificates need a finite operator`, { path: where, expected: "finite values", found: a[i] });
    }
  }
}

function checkOut(where: string, dtype: Dtype, n: number, a: RealArray): void {
  const found: Dtype = a instanceof Float64Array ? "float64" : "float32";
  if (found !== dtype) throw new DtypeError(where, dtype, found);
  if (a.length !== n) throw new ShapeError(where, n, a.length);
}

/**
 * L̂ = (1/s) E_Sᵀ W L Wᵀ E_S: the core operator in W-space, restricted to the index set S
 * (`active`, sorted, in coefficient space; null for all of it) and normalised by the frame
 * scale s (`frameScale`). Without a transform W is the identity and S indexes x-space.
 */
export function wSpaceOperator(
  L_apply: LApply,
  W: CertTransform | null,
  options: { n: number; dtype: Dtype; active: Int32Array | null; counter: ApplicationCounter },
): SymmetricOperator {
  const { n, dtype, active, counter } = options;
  const m = W ? W.coeffSize : n;
  const size = active ? active.length : m;
  const inv = 1 / frameScale(W);
  const xb = zeros(dtype, n);
  const yb = zeros(dtype, n);
  const ub = W ? zeros(dtype, m) : xb;
  const wb = W ? zeros(dtype, m) : yb;
  const name = W?.name ?? "W";
  return {
    size,
    apply(v, out) {
      if (active) {
        ub.fill(0);
        for (let k = 0; k < size; k++) ub[active[k]] = v[k];
      } else {
        ub.set(v);
      }
      if (W) {
        W.adjoint(ub, xb);
        counter.W++;
      }
      L_apply(xb, yb);
      counter.L++;
      checkOut("L_apply (out)", dtype, n, yb);
      checkFinite("L_apply", yb);
      if (W) {
        W.forward(yb, wb);
        counter.W++;
        checkFinite(`${name}.forward`, wb);
      }
      if (active) for (let k = 0; k < size; k++) out[k] = wb[active[k]] * inv;
      else for (let k = 0; k < size; k++) out[k] = wb[k] * inv;
    },
  };
}

/** L itself in x-space (its spectrum is that of L̂ on range(W) for unitary and tight transforms). */
export function xSpaceOperator(L_apply: LApply, options: { n: number; dtype: Dtype; counter: ApplicationCounter }): SymmetricOperator {
  return wSpaceOperator(L_apply, null, { ...options, active: null });
}
