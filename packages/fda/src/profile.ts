import { type Certificate, CflowError, type Json } from "@cflow/core";
import { DEFAULT_GATES } from "./gates.js";
import { formatNumber } from "./format.js";

/** One check of a certification profile: `evidence[metric] op threshold`. */
export interface ProfileCheck {
  /** Name in the run card (e.g. "eta_dd"). */
  check: string;
  /** Evidence key it reads (default: `check`). */
  metric?: string;
  op: "<=" | ">=";
  threshold: number;
  /** A missing measurement fails a required check; an optional one is reported as not measured (default true). */
  required?: boolean;
  /** What the check guards, appended to failure reasons. */
  description?: string;
}

/** Which checks a run must pass, with their tolerances — evaluated at GREEN and at the end (run_card.json). */
export interface CertificationProfile {
  name: string;
  checks: readonly ProfileCheck[];
}

/** Measured values by metric name; null/undefined = not measured. */
export type Evidence = { [metric: string]: number | null | undefined };

export interface Verdict {
  check: string;
  pass: boolean;
  value: number | null;
  threshold: number;
  op: "<=" | ">=";
  reason: string;
}

/** Validates a profile (unique names, known operators, finite thresholds) and returns it frozen. */
export function defineProfile(profile: CertificationProfile): CertificationProfile {
  const path = `profile ${JSON.stringify(profile?.name)}`;
  if (!profile || typeof profile.name !== "string" || profile.name === "") {
    throw new CflowError("BAD_PROFILE", "defineProfile: a profile needs a non-empty name", { path: "profile.name", expected: "non-empty string", found: profile?.name });
  }
  if (!Array.isArray(profile.checks) || profile.checks.length === 0) {
    throw new CflowError("BAD_PROFILE", `defineProfile: ${path} has no checks`, { path: `${path}.checks`, expected: "at least one check", found: profile.checks });
  }
  const seen = new Set<string>();
  profile.checks.forEach((c, i) => {
    const at = `${path}.checks[${i}]`;
    if (typeof c.check !== "string" || c.check === "") throw new CflowError("BAD_PROFILE", `defineProfile: ${at}.check must be a non-empty name`, { path: `${at}.check`, expected: "non-empty string", found: c.check });
    if (seen.has(c.check)) throw new CflowError("BAD_PROFILE", `defineProfile: ${at} repeats the check "${c.check}"`, { path: `${at}.check`, expected: "unique check names", found: c.check });
    seen.add(c.check);
    if (c.op !== "<=" && c.op !== ">=") throw new CflowError("BAD_PROFILE", `defineProfile: ${at}.op is ${JSON.stringify(c.op)}; expected "<=" or ">="`, { path: `${at}.op`, expected: '"<=" | ">="', found: c.op });
    if (typeof c.threshold !== "number" || Number.isNaN(c.threshold)) {
      throw new CflowError("BAD_PROFILE", `defineProfile: ${at}.threshold is ${c.threshold}; expected a number`, { path: `${at}.threshold`, expected: "number", found: c.threshold });
    }
  });
  return Object.freeze({ name: profile.name, checks: Object.freeze(profile.checks.map((c) => Object.freeze({ ...c }))) });
}

/**
 * The standard profile: the two feasibility gates (required) and, when measured, Lyapunov
 * descent (largest violation 0 — the tolerance lives in the descent check), invariant drift and
 * the physics residual.
 */
export function defaultProfile(t: { etaMax?: number; gammaMin?: number; invariantTol?: number; phiTol?: number } = {}): CertificationProfile {
  return defineProfile({
    name: "default",
    checks: [
      { check: "eta_dd", op: "<=", threshold: t.etaMax ?? DEFAULT_GATES.etaMax, description: "diagonal dominance of the (restricted) core operator" },
      { check: "gamma", op: ">=", threshold: t.gammaMin ?? DEFAULT_GATES.gammaMin, description: "spectral gap of the (restricted) core operator" },
      { check: "descent_violation_max", op: "<=", threshold: 0, required: false, description: "Lyapunov descent E(x⁺) ≤ E(x) − α₀‖G‖² + tol" },
      { check: "invariant_drift_max", op: "<=", threshold: t.invariantTol ?? 1e-6, required: false, description: "conserved quantities and constraints" },
      { check: "phi_residual", op: "<=", threshold: t.phiTol ?? 1e-3, required: false, description: "physics residual" },
    ],
  });
}

/** The certificate's measurements under the default metric names (`gamma_converged` is 1 or 0). */
export function evidenceFromCertificate(cert: Certificate): Evidence {
  const converged = cert.diagnostics.gammaConverged;
  return {
    eta_dd: cert.etaDD,
    gamma: cert.gamma,
    gamma_gershgorin: cert.gammaGershgorin,
    lambda_max: cert.lambdaMax,
    ...(typeof converged === "boolean" ? { gamma_converged: converged ? 1 : 0 } : {}),
  };
}

/** One verdict per check, in profile order. NaN fails any check; a missing optional value passes as "not measured". */
export function evaluateProfile(profile: CertificationProfile, evidence: Evidence): Verdict[] {
  return profile.checks.map((c) => {
    const raw = evidence[c.metric ?? c.check];
    const base = { check: c.check, threshold: c.threshold, op: c.op };
    const about = c.description ? ` (${c.description})` : "";
    if (raw === null || raw === undefined) {
      const required = c.required ?? true;
      return { ...base, pass: !required, value: null, reason: required ? `not measured: ${c.metric ?? c.check} is required${about}` : "not measured (optional)" };
    }
    const ok = c.op === "<=" ? raw <= c.threshold : raw >= c.threshold;
    const name = c.metric ?? c.check;
    const reason = ok
      ? `${name} = ${formatNumber(raw)} ${c.op === "<=" ? "≤" : "≥"} ${formatNumber(c.threshold)}`
      : `${name} = ${formatNumber(raw)} violates ${c.op === "<=" ? "≤" : "≥"} ${formatNumber(c.threshold)}${about}`;
    return { ...base, pass: ok, value: Number.isFinite(raw) ? raw : null, reason };
  });
}

/** One evaluation of the profile (at GREEN, at the end, after a move...). */
export interface ProfileEvaluation {
  stage: string;
  iter: number;
  verdicts: Verdict[];
}

/**
 * The `run_card.json` document: the profile and every evaluation with its verdicts; `pass` is
 * true when the last evaluation passed every check. Non-finite values appear as null (JSON).
 */
export function runCard(profile: CertificationProfile, evaluations: readonly ProfileEvaluation[]): Json {
  const last = evaluations[evaluations.length - 1];
  return {
    profile: profile.name,
    checks: profile.checks.map((c) => ({ check: c.check, metric: c.metric ?? c.check, op: c.op, threshold: c.threshold, required: c.required ?? true })),
    pass: last !== undefined && last.verdicts.every((v) => v.pass),
    evaluations: evaluations.map((e) => ({
      stage: e.stage,
      iter: e.iter,
      pass: e.verdicts.every((v) => v.pass),
      verdicts: e.verdicts.map((v) => ({ check: v.check, pass: v.pass, value: v.value, threshold: v.threshold, op: v.op, reason: v.reason })),
    })),
  };
}
