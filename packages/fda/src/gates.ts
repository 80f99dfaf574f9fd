import type { EtaGammaEstimate } from "./estimate.js";
import { formatNumber } from "./format.js";

/** The feasibility gates of docs/design.md §2.5. */
export interface Gates {
  etaMax: number;
  gammaMin: number;
}

/**
 * Defaults: η_max = 0.9 leaves a 10% margin below the diagonal-dominance boundary η = 1 (where
 * Gershgorin stops separating the spectrum from 0); γ_min = 1e-6 is the smallest gap worth
 * calling "not singular" for a problem scaled to λ_max ≈ 1 — a relative condition number of 1e6,
 * about where float32 iterates stop making progress.
 */
export const DEFAULT_GATES: Readonly<Gates> = Object.freeze({ etaMax: 0.9, gammaMin: 1e-6 });

export interface GateOptions {
  /** A non-converged Lanczos γ (an upper bound of λ_min) cannot pass the γ gate (default true: fail closed). */
  requireConvergence?: boolean;
}

function where(est: EtaGammaEstimate): string {
  const op = est.frameScale !== 1 ? `W L Wᵀ/${formatNumber(est.frameScale)}` : "L_W";
  if (est.subspace === "restricted") return `${op} restricted to the ${est.size} active coefficients`;
  if (est.subspace === "range") return `${op} on range(W)`;
  return `${op} (${est.size}×${est.size})`;
}

/**
 * Applies the gates η_dd ≤ η_max and γ ≥ γ_min to an estimate. Fails closed: non-finite values,
 * an empty active set, an invalid probing colouring or an unconverged Lanczos γ fail. Every
 * violated gate gets one human-readable reason; a pass may carry notes (e.g. a sampled η_dd).
 */
export function checkGates(est: EtaGammaEstimate, gates: Gates, options: GateOptions = {}): { pass: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const notes: string[] = [];
  if (est.size === 0) {
    return {
      pass: false,
      reasons: ["the active set is empty: the prox zeroed every coefficient, so there is nothing to certify (λ is too large for this problem)"],
    };
  }
  if (!(est.etaDD <= gates.etaMax)) {
    const w = est.worstRow;
    const row = w ? ` — worst row ${w.index}: Σ_{j≠i}|L_ij| = ${formatNumber(w.offAbs)} against |L_ii| = ${formatNumber(Math.abs(w.diag))}` : "";
    reasons.push(`η_dd = ${formatNumber(est.etaDD)} > η_max = ${formatNumber(gates.etaMax)}: ${where(est)} is not diagonally dominant enough${row}`);
  }
  if (est.probingValid === false) {
    reasons.push(
      `η_dd unreliable: the probing colouring does not match the operator's sparsity (spot-checked rows off by ${formatNumber(est.probingError ?? Number.NaN)} relative); give a valid colouring or drop rows.probing to sample exact rows`,
    );
  }
  const lz = est.diagnostics.lanczos as { decided?: string | null; iterations?: number; confidence?: number } | undefined;
  if (!(est.gamma >= gates.gammaMin)) {
    const bound =
      est.method === "structured"
        ? `γ = ${formatNumber(est.gamma)} (a lower bound of λ_min from the declared structure)`
        : est.method === "exact" || est.gammaConverged
        ? `γ = λ_min = ${formatNumber(est.gamma)}`
        : `λ_min ≤ ${formatNumber(est.gamma)} (Lanczos Ritz value, an upper bound${lz?.decided === "below" ? "; stopped once below γ_min" : ""})`;
    const hint = est.subspace === "restricted" ? "a larger λ shrinks the active set and widens the restricted gap" : "the smooth part alone is (near-)singular: add a sparsity prox or regularisation";
    reasons.push(`${bound} < γ_min = ${formatNumber(gates.gammaMin)}: ${where(est)} is (near-)singular — ${hint}`);
  } else if (!est.gammaConverged) {
    const steps = `${lz?.iterations ?? "?"} steps`;
    if (est.gammaLowerBound !== null && est.gammaLowerBound >= gates.gammaMin) {
      notes.push(`note: λ_min ≥ ${formatNumber(est.gammaLowerBound)} ≥ γ_min with probability ≥ ${lz?.confidence ?? "?"} (Kuczyński–Woźniakowski bound after ${steps} of Lanczos from a random start); γ ≤ ${formatNumber(est.gamma)}`);
    } else if (options.requireConvergence ?? true) {
      const lower = est.gammaLowerBound === null ? "no lower bound yet" : `the probabilistic lower bound ${formatNumber(est.gammaLowerBound)} is below γ_min`;
      reasons.push(
        `γ not certified: Lanczos did not converge in ${steps} (residual ${formatNumber(est.gammaResidual)}) and ${lower}; λ_min ≤ ${formatNumber(est.gamma)} is only an upper bound — raise lanczos.maxIter or basisBudgetBytes`,
      );
    }
  }
  if (est.rows === "sampled") {
    const s = est.diagnostics.sampling as { rows?: number; exceedFraction?: number } | undefined;
    notes.push(`note: η_dd and the Gershgorin bound come from ${s?.rows ?? "?"} of ${est.size} rows sampled exactly (η_dd is a lower bound of the maximum)`);
  }
  const asym = est.diagnostics.asymmetry;
  const asymTol = est.diagnostics.dtype === "float32" ? 1e-4 : 1e-8;
  if (typeof asym === "number" && asym > asymTol) notes.push(`note: L_apply is not symmetric (relative asymmetry ${formatNumber(asym)}); certificates use (L + Lᵀ)/2`);
  return { pass: reasons.length === 0, reasons: [...reasons, ...notes] };
}
