import type { Certificate, CertificateViolation, ErrorBar, GammaRoute, Json } from "@cflow/core";
import type { Gates } from "./gates.js";
import { formatNumber } from "./format.js";

/** Everything a certificate says except what follows from it (pass, reasons). */
export interface Verdict {
  method: Certificate["method"];
  size: number;
  etaDD: number;
  dominance: Certificate["dominance"];
  gamma: number;
  route: GammaRoute;
  failureProbability: number;
  gammaGershgorin: number;
  lambdaMax: number | null;
  violations: CertificateViolation[];
  notes: string[];
  errorBar: ErrorBar | null;
  cost: { applications: number; ms: number };
  diagnostics: { [key: string]: Json };
}

/** The γ fields of a verdict decided before any γ route ran (an empty support, a failed η, a structure mismatch). */
export const GAMMA_NOT_EVALUATED = Object.freeze({ gamma: Number.NaN, route: "none", failureProbability: 0, gammaGershgorin: Number.NaN, lambdaMax: null, errorBar: null } as const);

/** The Certificate literal, built in this one place: pass iff no gate is violated; reasons are the violations' messages. */
export function certificate(v: Verdict, gates: Gates): Certificate {
  return {
    etaDD: v.etaDD,
    dominance: v.dominance,
    gamma: v.gamma,
    route: v.route,
    failureProbability: v.failureProbability,
    gammaGershgorin: v.gammaGershgorin,
    lambdaMax: v.lambdaMax,
    method: v.method,
    size: v.size,
    pass: v.violations.length === 0,
    violations: v.violations,
    reasons: v.violations.map((x) => x.message),
    notes: v.notes,
    errorBar: v.violations.length === 0 ? v.errorBar : null,
    cost: v.cost,
    diagnostics: { ...v.diagnostics, route: v.route, gates: { etaMax: gates.etaMax, gammaMin: gates.gammaMin } },
  };
}

/** Where the certificate was taken, for messages: "L_W restricted to the 36 active coefficients", … */
export function describeOperator(o: { size: number; subspace: "restricted" | "full" | "range"; frameScale?: number }): string {
  const op = o.frameScale !== undefined && o.frameScale !== 1 ? `W L Wᵀ/${formatNumber(o.frameScale)}` : "L_W";
  if (o.subspace === "restricted") return `${op} restricted to the ${o.size} active coefficients`;
  if (o.subspace === "range") return `${op} on range(W)`;
  return `${op} (${o.size}×${o.size})`;
}

export function etaViolation(eta: number, etaMax: number, where: string, dominance: Certificate["dominance"], detail = ""): CertificateViolation {
  const kind = dominance === "scaled" ? " (optimally scaled: ρ(D⁻¹|L − D|) ≤ this)" : "";
  return { gate: "eta", value: eta, threshold: etaMax, message: `η_dd = ${formatNumber(eta)}${kind} > η_max = ${formatNumber(etaMax)}: ${where} is not diagonally dominant enough${detail}` };
}

/** The declared Hessian structure disagrees with L_apply on the probe (`probeStructure`): fail closed. */
export function structureViolation(probe: { error: number; tolerance: number }): CertificateViolation {
  return { gate: "structure", value: probe.error, threshold: probe.tolerance, message: "the declared Hessian structure does not match L_apply on a random probe: an op declares a wrong gramStructure — fail closed" };
}

export function gammaViolation(gamma: number, gammaMin: number, where: string, bound: string, restricted: boolean): CertificateViolation {
  const hint = restricted ? "a larger λ shrinks the active set and widens the restricted gap" : "the smooth part alone is (near-)singular: add a sparsity prox or regularisation";
  return { gate: "gamma", value: gamma, threshold: gammaMin, message: `γ = ${formatNumber(gamma)} (${bound}) < γ_min = ${formatNumber(gammaMin)}: ${where} is (near-)singular — ${hint}` };
}

export function emptySupportViolation(): CertificateViolation {
  return { gate: "support", value: 0, threshold: 1, message: "the active set is empty: the prox zeroed every coefficient, so there is nothing to certify (λ is too large for this problem)" };
}

/** A human label of a route, for messages and notes. */
export function routeLabel(route: GammaRoute, failureProbability: number): string {
  const p = failureProbability > 0 ? `, holds with probability ≥ 1 − ${failureProbability.toExponential(0)}` : ", proven";
  switch (route) {
    case "structured":
      return "a lower bound of λ_min from the declared structure";
    case "gershgorin":
      return `Gershgorin lower bound${p}`;
    case "scaled-gershgorin":
      return `Gershgorin after Collatz–Wielandt scaling${p}`;
    case "inertia":
      return `inertia of L_S − s·I by Cholesky${p}`;
    case "lanczos":
      return `Kuczyński–Woźniakowski bound after Lanczos${p}`;
    case "lanczos-congruence":
      return `incomplete-Cholesky congruence and Lanczos${p}`;
    case "inherited":
      return `inherited from a certified superset of the support (Cauchy interlacing)${p}`;
    case "none":
      return "no route proved a bound";
  }
}
