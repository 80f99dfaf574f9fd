import { CflowError, type Json, type RngKey } from "@cflow/core";
import type { GammaCertificate } from "./gamma-certificate.js";
import { lanczos } from "./lanczos.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { denseCholesky } from "./sparse-cholesky.js";
import { csrMultiply, csrRowSums, dropNegligible, type SymmetricCsr } from "./sparse-symmetric.js";

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
  /** Side of the spatial tiles that make the diagonal blocks, in samples (default 64). */
  tile?: number;
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

interface Blocks {
  members: Int32Array[];
  factors: Float64Array[];
}

/** The unknowns grouped by spatial tile (atom centres), or in consecutive runs of tile² without coordinates. */
function partition(R: RestrictedMatrix, tile: number): Int32Array[] {
  const n = R.matrix.n;
  const dims = R.dims ?? 0;
  const c = R.coordinates;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    let key: string;
    if (c && dims > 0) {
      const parts: number[] = [];
      for (let d = 0; d < dims; d++) parts.push(Math.floor(c[i * dims + d] / tile));
      key = parts.join(",");
    } else key = String(Math.floor(i / (tile * tile)));
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()].map((g) => Int32Array.from(g));
}

/** Dense Cholesky factors of the diagonal blocks of L̂_S − s·I; null when one of them is not positive definite. */
function factorBlocks(A: SymmetricCsr, members: Int32Array[], s: number): Blocks | null {
  const { rowPtr, col, val } = A;
  const where = new Int32Array(A.n);
  const local = new Int32Array(A.n);
  members.forEach((m, b) => m.forEach((i, t) => ((where[i] = b), (local[i] = t))));
  const factors: Float64Array[] = [];
  for (let b = 0; b < members.length; b++) {
    const m = members[b];
    const k = m.length;
    const a = new Float64Array(k * k);
    for (let t = 0; t < k; t++) {
      const i = m[t];
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const j = col[p];
        if (where[j] !== b) continue;
        const u = local[j];
        a[t * k + u] = val[p];
        a[u * k + t] = val[p];
      }
      a[t * k + t] -= s;
    }
    if (denseCholesky(a, k) >= 0) return null;
    factors.push(a);
  }
  return { members, factors };
}

/**
 * γ by congruence and Lanczos, for active sets too large to factor whole: with M_s the
 * block-diagonal part of L̂_S − s·I over spatial tiles (positive definite: each block factored,
 * M_s = R Rᵀ), L̂_S − s·I is congruent to P = R⁻¹(L̂_S − s·I)R⁻ᵀ (Sylvester's law of inertia), so
 * λ_min(P) ≥ 0 proves λ_min(L̂_S) ≥ s, and then λ_min(L_S) ≥ s − ‖L_S − L̂_S‖ (Weyl). L̂_S enters
 * without its negligible off-diagonal entries (`dropNegligible`: half the stored entries of a 2D blur
 * for a shift of ~γ_min), their largest ℓ1 row mass added to ‖L_S − L̂_S‖. Only R's
 * non-singularity matters, not how well it factors M_s. The blocks hold the coefficients that
 * nearly cancel under the blur, so P is well conditioned even when L_S is not, and λ_min(P) ≥ 0
 * is decided by Lanczos on P with the two-sided Kuczyński–Woźniakowski bound of lanczos.ts
 * (probability ≥ 1 − δ per shift tried, δ = failureProbability / shifts, union bound over the
 * steps), less an allowance for the rounding of the applied operator (10·k·√n·u·θ_max·κ(R)²,
 * a model of the rounding, not a theorem with these constants).
 */
export function congruenceGamma(R: RestrictedMatrix, options: CongruenceOptions): GammaCertificate {
  const t0 = performance.now();
  const n = R.matrix.n;
  const delta = options.failureProbability ?? 1e-6;
  const steps = Math.min(options.steps ?? 300, n);
  const tile = options.tile ?? 64;
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
  const sparse = dropNegligible(R.matrix, Math.min((options.dropBudget ?? 1e-3) * dmin, cap));
  const A = sparse.matrix;
  const margin = (R.perturbation + sparse.dropped) * (1 + 2 ** -50);
  if (!options.shifts) {
    if (options.gammaMin !== undefined) {
      const floor = options.gammaMin + 2 * margin;
      shifts = shifts.filter((s) => s > floor);
      shifts.push(floor);
    }
  }
  const members = partition(R, tile);
  const attempts: Json[] = [];
  const perShift = delta / Math.max(1, shifts.length);
  const t = new Float64Array(n);
  const w = new Float64Array(n);
  for (const s of shifts) {
    const ta = performance.now();
    const blocks = factorBlocks(A, members, s);
    if (!blocks) {
      // a principal block of L̂_S − s·I is not positive definite: λ_min(L̂_S) < s (up to the factorisation's rounding)
      attempts.push({ shift: s, blocks: "not positive definite", ms: performance.now() - ta });
      continue;
    }
    let dmax = 0;
    let dmin = Number.POSITIVE_INFINITY;
    for (let b = 0; b < blocks.factors.length; b++) {
      const f = blocks.factors[b];
      const k = blocks.members[b].length;
      for (let i = 0; i < k; i++) {
        dmax = Math.max(dmax, f[i * k + i]);
        dmin = Math.min(dmin, f[i * k + i]);
      }
    }
    const op = {
      size: n,
      apply(v: Float64Array, out: Float64Array) {
        solveBlocks(blocks, v, t, true);
        csrMultiply(A, t, w);
        for (let i = 0; i < n; i++) w[i] -= s * t[i];
        solveBlocks(blocks, w, out, false);
      },
    };
    // the allowance needs θ_max; estimate it from a first short run, then decide with the gate
    const kappa = (dmax / dmin) ** 2;
    const allowanceFor = (k: number, thetaMax: number) => 10 * k * Math.sqrt(n) * U * Math.abs(thetaMax) * kappa;
    const lz = lanczos(op, { key: options.key, maxIter: steps, tol: 0, absTol: 0, confidence: 1 - perShift, gate: allowanceFor(steps, 8) });
    const allowance = allowanceFor(lz.iterations, lz.max);
    const proven = lz.lowerBound >= allowance;
    attempts.push({ shift: s, steps: lz.iterations, thetaMin: lz.min, thetaMax: lz.max, lowerBound: lz.lowerBound, allowance, decided: lz.decided, ms: performance.now() - ta });
    if (!proven) continue;
    const gamma = s - margin;
    return {
      route: "lanczos-congruence",
      gamma,
      failureProbability: delta,
      margins: { perturbation: R.perturbation, dropped: sparse.dropped, rounding: allowance },
      ms: performance.now() - t0,
      detail: { size: n, blocks: members.length, largestBlock: Math.max(...members.map((m) => m.length)), tile, kept: sparse.kept, dropThreshold: sparse.threshold, attempts },
      statement: `λ_min(L_S) ≥ ${gamma.toPrecision(4)} with probability ≥ ${1 - delta}: L̂_S${sparse.dropped > 0 ? " less its entries below " + sparse.threshold.toPrecision(2) : ""} − ${s.toPrecision(4)}·I is congruent (block-diagonal Cholesky over ${members.length} tiles) to an operator that ${lz.iterations} Lanczos steps show positive semi-definite (Kuczyński–Woźniakowski), minus ‖L_S − L̂_S‖${sparse.dropped > 0 ? " and the dropped entries' ℓ1 row mass" : ""}`,
    };
  }
  return {
    route: "lanczos-congruence",
    gamma: Number.NEGATIVE_INFINITY,
    failureProbability: delta,
    margins: { perturbation: R.perturbation, dropped: sparse.dropped },
    ms: performance.now() - t0,
    detail: { size: n, blocks: members.length, tile, kept: sparse.kept, dropThreshold: sparse.threshold, attempts },
    statement: `nothing proven at the shifts tried (${shifts.map((s) => s.toPrecision(3)).join(", ")})`,
  };
}

/** Block-wise triangular solves with the lower factors: forward R x = y, or back Rᵀ x = y (`transpose`). */
function solveBlocks(blocks: Blocks, y: Float64Array, x: Float64Array, transpose: boolean): void {
  for (let b = 0; b < blocks.members.length; b++) {
    const m = blocks.members[b];
    const f = blocks.factors[b];
    const k = m.length;
    if (!transpose) {
      for (let i = 0; i < k; i++) {
        let s = y[m[i]];
        const ri = i * k;
        for (let j = 0; j < i; j++) s -= f[ri + j] * x[m[j]];
        x[m[i]] = s / f[ri + i];
      }
    } else {
      for (let i = k - 1; i >= 0; i--) {
        let s = y[m[i]];
        for (let j = i + 1; j < k; j++) s -= f[j * k + i] * x[m[j]];
        x[m[i]] = s / f[i * k + i];
      }
    }
  }
}
