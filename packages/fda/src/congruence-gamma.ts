import { CflowError, type Json, type RngKey } from "@cflow/core";
import { CongruenceOperator } from "./congruence-operator.js";
import type { GammaCertificate } from "./gamma-certificate.js";
import { INCOMPLETE_CHOLESKY_DEFAULTS, incompleteCholesky, squaredConditionEstimate } from "./incomplete-cholesky.js";
import { lanczos } from "./lanczos.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { csrRowSums, dropNegligible } from "./sparse-symmetric.js";

const U = 2 ** -53;

export interface CongruenceOptions {
  key: RngKey;
  /** An upper estimate of λ_min(L̂_S) (a Lanczos Ritz value): shifts 0.5θ, 0.2θ, 0.05θ are tried in turn. */
  theta?: number;
  /** The gate: a last shift s = γ_min + 2‖L_S − L̂_S‖ decides λ_min ≥ γ_min when the others fail. */
  gammaMin?: number;
  /** Explicit shifts (tried in order) instead of those from θ and γ_min. */
  shifts?: readonly number[];
  /** The fractions of θ tried as shifts before the gate's (default 0.5, 0.2, 0.05). */
  thetaFractions?: readonly number[];
  /** The incomplete factor keeps the entries above this fraction of √(a_ii a_jj) (default 3e-4). */
  tau?: number;
  /** … and at most this many per column (default 150; measured in BENCHMARKS.md). */
  fill?: number;
  /** Lanczos steps per shift at most (default 300). */
  steps?: number;
  /** Failure probability of the stated bound, over all shifts tried (default 1e-6). */
  failureProbability?: number;
  /**
   * The products use L̂_S without its off-diagonal entries below a threshold chosen so that no row
   * loses more than this fraction of the smallest diagonal entry in ℓ1 (default 1e-3; 0 keeps every
   * entry): the dropped part joins the perturbation the shifts clear.
   */
  dropBudget?: number;
}

/** The unknowns in the lexicographic order of their positions (atom centres), index order without them. */
export function spatialOrder(R: RestrictedMatrix): Int32Array {
  const n = R.matrix.n;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const dims = R.dims ?? 0;
  const c = R.coordinates;
  if (!c || dims === 0) return order;
  return order.sort((p, q) => {
    for (let d = 0; d < dims; d++) {
      const diff = c[p * dims + d] - c[q * dims + d];
      if (diff !== 0) return diff;
    }
    return p - q;
  });
}

/**
 * γ by congruence and Lanczos, for active sets too large to factor whole. In the spatial order Π
 * (`spatialOrder`: coefficients at nearby positions adjacent), let L be the threshold incomplete
 * Cholesky factor of A_s = Π(Ã − s·I)Πᵀ (incomplete-cholesky.ts; Ã = L̂_S less its negligible entries):
 * triangular with a positive diagonal, hence non-singular, whatever its fill or a pivot breakdown
 * did. Ã − s·I is then congruent to P = L⁻¹ A_s L⁻ᵀ (Sylvester's law of inertia), so λ_min(P) ≥ 0
 * proves λ_min(Ã) ≥ s, and λ_min(L_S) ≥ s − ‖L_S − L̂_S‖ − ‖L̂_S − Ã‖ (Weyl): Ã is L̂_S without its
 * off-diagonal entries below a threshold (`dropNegligible`: half the stored entries of a 2D blur for a
 * shift of ~γ_min), ‖L̂_S − Ã‖ at most their largest ℓ1 row mass. Only L's non-singularity is
 * used, not how well L Lᵀ approximates A_s: that only sets how many Lanczos steps decide. The
 * factor keeps the couplings between coefficients that nearly cancel under the blur, across what
 * block-diagonal factors would cut, so P is well conditioned even when L_S is not, and
 * λ_min(P) ≥ 0 is decided by Lanczos on P with the two-sided Kuczyński–Woźniakowski bound of
 * lanczos.ts (probability ≥ 1 − δ per shift tried, δ = failureProbability / shifts, union bound
 * over the steps), less an allowance for the rounding of the applied operator,
 * 10·k·√n·u·θ_max·κ(L)² with κ(L)² estimated (`squaredConditionEstimate`: ‖L‖₁‖L‖∞ bounds ‖L‖²,
 * power iterations estimate ‖L⁻¹‖² from below) — a model of the rounding, not a theorem with these
 * constants. A shift at which some a_jj = (Ã − sI)_jj ≤ 0 proves nothing (a 1×1 principal
 * submatrix of Ã − sI is not positive) and is skipped.
 */
export function congruenceGamma(R: RestrictedMatrix, options: CongruenceOptions): GammaCertificate {
  const t0 = performance.now();
  const n = R.matrix.n;
  const delta = options.failureProbability ?? 1e-6;
  const steps = Math.min(options.steps ?? 300, n);
  const tau = options.tau ?? INCOMPLETE_CHOLESKY_DEFAULTS.tau;
  const fill = options.fill ?? INCOMPLETE_CHOLESKY_DEFAULTS.maxPerColumn;
  if (!(delta > 0 && delta < 1)) {
    throw new CflowError("BAD_OPTION", `congruenceGamma: failureProbability must lie in (0, 1), found ${delta}`, { path: "failureProbability", expected: "0 < δ < 1", found: delta });
  }
  let shifts: number[];
  if (options.shifts) shifts = [...options.shifts];
  else {
    shifts = [];
    if (options.theta !== undefined && options.theta > 0) for (const f of options.thetaFractions ?? [0.5, 0.2, 0.05]) shifts.push(f * options.theta);
  }
  // Ã: L̂_S less its negligible entries, ‖L_S − Ã‖ ≤ margin; the dropped mass stays below the gate
  // (it at most triples the gate's shift) and below 1e-3 of the smallest shift tried otherwise
  let dmin = Number.POSITIVE_INFINITY;
  for (const d of csrRowSums(R.matrix).diag) dmin = Math.min(dmin, d);
  const cap = options.gammaMin !== undefined ? options.gammaMin : 1e-3 * Math.min(...shifts.filter((x) => x > 0));
  const tOrder = performance.now();
  const sparse = dropNegligible(R.matrix, Math.min((options.dropBudget ?? 1e-3) * dmin, cap), spatialOrder(R));
  const base = sparse.matrix;
  const setupMs = performance.now() - tOrder;
  const margin = (R.perturbation + sparse.dropped) * (1 + 2 ** -50);
  if (!options.shifts) {
    if (options.gammaMin !== undefined) {
      const floor = options.gammaMin + 2 * margin;
      shifts = shifts.filter((s) => s > floor);
      shifts.push(floor);
    }
  }
  const attempts: Json[] = [];
  const perShift = delta / Math.max(1, shifts.length);
  for (const s of shifts) {
    const ta = performance.now();
    const diag = new Float64Array(n);
    let nonPositive = -1;
    for (let i = 0; i < n; i++) {
      diag[i] = base.diag[i] - s;
      if (!(diag[i] > 0) && nonPositive < 0) nonPositive = i;
    }
    if (nonPositive >= 0) {
      // a diagonal entry of Ã − s·I is not positive: λ_min(Ã) ≤ Ã_jj ≤ s
      attempts.push({ shift: s, factor: `diagonal entry ${nonPositive} not positive`, ms: performance.now() - ta });
      continue;
    }
    const A = { ...base, diag };
    const ic = incompleteCholesky(A, { tau, maxPerColumn: fill });
    const L = ic.factor;
    if (!(Number.isFinite(ic.diagMax) && L.val.every(Number.isFinite))) {
      // growth past the float64 range (an indefinite Ã − s·I): no usable factor, nothing proven at this shift
      attempts.push({ shift: s, factor: "not finite", breakdowns: ic.breakdowns, ms: performance.now() - ta });
      continue;
    }
    // P = L⁻¹ A_s L⁻ᵀ in the kernel (congruence-operator.ts). The run's gate assumes θ_max ≤ 2 (L Lᵀ = A_s + C
    // with C ⪰ 0 puts P's spectrum in (0, 1] in exact arithmetic when A_s is positive definite); the
    // verdict charges the θ_max the run found
    const op = new CongruenceOperator(A, L);
    let kappa = Number.NaN;
    const allowanceFor = (k: number, thetaMax: number) => 10 * k * Math.sqrt(n) * U * Math.abs(thetaMax) * kappa;
    let lz: ReturnType<typeof lanczos>;
    let tl: number;
    try {
      kappa = squaredConditionEstimate(L, (v, out) => op.normalSolve(v, out));
      tl = performance.now();
      lz = lanczos(op, { key: options.key, maxIter: steps, tol: 0, absTol: 0, confidence: 1 - perShift, gate: allowanceFor(steps, 2) });
    } finally {
      op.dispose();
    }
    const allowance = allowanceFor(lz.iterations, lz.max);
    const proven = lz.lowerBound >= allowance;
    attempts.push({
      shift: s,
      steps: lz.iterations,
      thetaMin: lz.min,
      thetaMax: lz.max,
      lowerBound: lz.lowerBound,
      allowance,
      decided: lz.decided,
      factorEntries: L.colPtr[n] + n,
      breakdowns: ic.breakdowns,
      fillDropped: ic.dropped,
      kappaSquared: kappa,
      factorMs: ic.ms,
      lanczosMs: performance.now() - tl,
      ms: performance.now() - ta,
    });
    if (!proven) continue;
    const gamma = s - margin;
    return {
      route: "lanczos-congruence",
      gamma,
      failureProbability: delta,
      margins: { perturbation: R.perturbation, dropped: sparse.dropped, rounding: allowance },
      ms: performance.now() - t0,
      detail: { size: n, tau, fill, kept: sparse.kept, dropThreshold: sparse.threshold, setupMs, attempts },
      statement: `λ_min(L_S) ≥ ${gamma.toPrecision(4)} with probability ≥ ${1 - delta}: L̂_S${sparse.dropped > 0 ? " less its entries below " + sparse.threshold.toPrecision(2) : ""} − ${s.toPrecision(4)}·I is congruent (an incomplete Cholesky factor with ${L.colPtr[n] + n} entries, non-singular) to an operator that ${lz.iterations} Lanczos steps show positive semi-definite (Kuczyński–Woźniakowski), minus ‖L_S − L̂_S‖${sparse.dropped > 0 ? " and the dropped entries' ℓ1 row mass" : ""}`,
    };
  }
  return {
    route: "lanczos-congruence",
    gamma: Number.NEGATIVE_INFINITY,
    failureProbability: delta,
    margins: { perturbation: R.perturbation, dropped: sparse.dropped },
    ms: performance.now() - t0,
    detail: { size: n, tau, fill, kept: sparse.kept, dropThreshold: sparse.threshold, setupMs, attempts },
    statement: `nothing proven at the shifts tried (${shifts.map((s) => s.toPrecision(3)).join(", ")})`,
  };
}
