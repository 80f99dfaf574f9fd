import type { CertificateViolation, GammaRoute } from "@cflow/core";
import type { EtaGammaEstimate } from "./estimate.js";
import { formatNumber } from "./format.js";
import { describeOperator, emptySupportViolation, etaViolation, gammaViolation, routeLabel } from "./verdict.js";

/** The feasibility gates: η_dd ≤ η_max and γ ≥ γ_min. */
export interface Gates {
  etaMax: number;
  gammaMin: number;
}

/**
 * Defaults. η_max = 6 on the optimally scaled dominance ρ(D⁻¹|L − D|) (the plain η_dd where only
 * it is known): measured on deblurring (BENCHMARKS.md, "Certified-quality frontier"), ρ(|J|) is 4.9
 * at the best λ and 4.3 at Morozov's, so 6 admits the supports that restore well with 20% headroom,
 * while Jacobi-scaled spectra stay inside [1 − η, 1 + η]. η is a coupling guard; positivity is γ's
 * job. γ_min = 1e-6: a relative condition number of 1e6 for a problem scaled to λ_max ≈ 1, about
 * where float32 iterates stop making progress.
 */
export const DEFAULT_GATES: Readonly<Gates> = Object.freeze({ etaMax: 6, gammaMin: 1e-6 });

/** The stated failure probability of a probabilistic γ (default of every route). */
export const DEFAULT_FAILURE_PROBABILITY = 1e-6;

export interface GateOutcome {
  violations: CertificateViolation[];
  notes: string[];
  gamma: number;
  route: GammaRoute;
  failureProbability: number;
}

/**
 * The gates on a matrix-free estimate (rows and Lanczos on the operator). η_dd counts only when
 * every row is known (`etaSound`: exact rows, or the shift-class bound): a sampled maximum is a
 * lower bound and fails closed. γ is the Gershgorin bound when the rows are exact, else the
 * Kuczyński–Woźniakowski lower bound of Lanczos, holding with probability ≥ 1 − failureProbability;
 * a Ritz value alone is an upper bound and certifies nothing.
 */
export function checkGates(est: EtaGammaEstimate, gates: Gates, o: { etaSound: boolean; failureProbability: number }): GateOutcome {
  const violations: CertificateViolation[] = [];
  const notes: string[] = [];
  const where = describeOperator(est);
  if (est.size === 0) return { violations: [emptySupportViolation()], notes, gamma: Number.NaN, route: "none", failureProbability: 0 };
  if (!(est.etaDD <= gates.etaMax)) {
    const w = est.worstRow;
    const row = w ? ` — worst row ${w.index}: Σ_{j≠i}|L_ij| = ${formatNumber(w.offAbs)} against |L_ii| = ${formatNumber(Math.abs(w.diag))}` : "";
    violations.push(etaViolation(est.etaDD, gates.etaMax, where, "plain", row));
  } else if (!o.etaSound) {
    const computed = Number(est.diagnostics.rowsComputed ?? 0);
    violations.push({
      gate: "rows",
      value: computed,
      threshold: est.size,
      message:
        est.probingValid === false
          ? `η_dd unreliable: the probing colouring does not match the operator's sparsity (spot-checked rows off by ${formatNumber(est.probingError ?? Number.NaN)} relative); give a valid colouring or drop rows.probing — fail closed`
          : `η_dd = ${formatNumber(est.etaDD)} over ${computed} of ${est.size} rows is only a lower bound; certifying it needs every row — fail closed`,
    });
  }
  let gamma = Number.NaN;
  let route: GammaRoute = "none";
  let failureProbability = 0;
  const gershgorin = o.etaSound && est.rows !== "probed" ? est.gammaGershgorin : Number.NEGATIVE_INFINITY;
  const kw = est.gammaLowerBound ?? Number.NEGATIVE_INFINITY;
  if (gershgorin >= gates.gammaMin) {
    gamma = gershgorin;
    route = "gershgorin";
  } else if (kw >= gates.gammaMin) {
    gamma = kw;
    route = "lanczos";
    failureProbability = est.gammaConverged && est.diagnostics.lanczos && (est.diagnostics.lanczos as { invariant?: boolean }).invariant ? 0 : o.failureProbability;
  } else {
    gamma = Math.max(gershgorin, kw);
    const evaluated = !Number.isNaN(est.gamma) || Number.isFinite(gershgorin);
    if (evaluated || violations.length === 0) {
      const lz = est.diagnostics.lanczos as { iterations?: number } | undefined;
      const ritz = Number.isNaN(est.gamma) ? "γ not evaluated" : `Lanczos' θ_min = ${formatNumber(est.gamma)} after ${lz?.iterations ?? "?"} steps is only an upper bound of λ_min`;
      const bound = Number.isFinite(gamma) ? `the best lower bound; ${ritz}` : `no lower bound; ${ritz}`;
      violations.push(gammaViolation(gamma, gates.gammaMin, where, bound, est.subspace === "restricted"));
    }
  }
  if (route !== "none") notes.push(`γ ≥ ${formatNumber(gamma)}: ${routeLabel(route, failureProbability)}`);
  if (est.rows === "sampled") {
    const s = est.diagnostics.sampling as { rows?: number } | undefined;
    notes.push(`η_dd and the Gershgorin bound come from ${s?.rows ?? "?"} of ${est.size} rows sampled exactly (η_dd is a lower bound of the maximum)`);
  }
  const asym = est.diagnostics.asymmetry;
  const asymTol = est.diagnostics.dtype === "float32" ? 1e-4 : 1e-8;
  if (typeof asym === "number" && asym > asymTol) notes.push(`L_apply is not symmetric (relative asymmetry ${formatNumber(asym)}); certificates use (L + Lᵀ)/2`);
  return { violations, notes, gamma, route, failureProbability };
}
