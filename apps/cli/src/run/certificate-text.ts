import type { Certificate } from "@cflow/core";
import { formatNumber } from "../report/format.js";
import type { Style } from "../style.js";

export interface Gates {
  etaMax: number;
  gammaMin: number;
}

/**
 * A certificate in one line, and the reasons it leaves for the lines below it. A verdict the
 * gates explain reads `η_dd = 0.47 ≤ η_max = 0.9 · γ = 0.16 ≥ γ_min = 1e-6 · matrix-free on 1317
 * active coefficients` (with the failing gate in red, and `γ not evaluated (η_dd already fails)`
 * when a few rows already failed η_dd). A certificate that failed closed for another reason — an η_dd
 * known only as a sampled lower bound, a declaration that did not match the operator — shows no
 * gate values that would look like a pass: `not certified: <its first reason> · matrix-free on …`.
 */
export function certificateSummary(
  c: Pick<Certificate, "etaDD" | "gamma" | "method" | "size" | "pass" | "reasons">,
  gates: Gates,
  style: Style,
  restricted: boolean,
): { line: string; details: string[] } {
  const etaFails = c.etaDD > gates.etaMax;
  const gammaFails = Number.isFinite(c.gamma) && c.gamma < gates.gammaMin;
  const where = `${c.method} on ${c.size} ${restricted ? "active coefficients" : "unknowns"}`;
  const sep = style.dim(" · ");
  if (!c.pass && !etaFails && !gammaFails) {
    const [first, ...rest] = c.reasons;
    return { line: [`${style.red("not certified")}: ${first ?? "no reason recorded"}`, where].join(sep), details: rest };
  }
  const mark = (ok: boolean, s: string) => (ok ? style.green(s) : style.red(s));
  const line = [
    mark(!etaFails, `η_dd = ${formatNumber(c.etaDD)} ${etaFails ? ">" : "≤"} η_max = ${formatNumber(gates.etaMax)}`),
    Number.isFinite(c.gamma) ? mark(!gammaFails, `γ = ${formatNumber(c.gamma)} ${gammaFails ? "<" : "≥"} γ_min = ${formatNumber(gates.gammaMin)}`) : style.dim(etaFails ? "γ not evaluated (η_dd already fails)" : "γ not evaluated"),
    where,
  ].join(sep);
  return { line, details: c.pass ? [] : c.reasons };
}

/** A certificate as JSON output (no estimator internals). */
export function certificateJson(c: Certificate): Record<string, unknown> {
  return {
    eta_dd: c.etaDD,
    dominance: c.dominance,
    gamma: c.gamma,
    route: c.route,
    failure_probability: c.failureProbability,
    gamma_gershgorin: c.gammaGershgorin,
    lambda_max: c.lambdaMax,
    error_bar: c.errorBar ? c.errorBar.bound : null,
    method: c.method,
    size: c.size,
    pass: c.pass,
    reasons: c.reasons,
    ms: c.cost.ms,
  };
}

/**
 * The error bar of a passing certificate in one line — `error bar ‖x − x*_S‖ ≤ 4.4 (γ by
 * lanczos-congruence, holds with probability ≥ 1 − 1e-6)` — or null when it carries none.
 */
export function errorBarLine(c: Pick<Certificate, "errorBar">): string | null {
  const e = c.errorBar;
  if (!e) return null;
  const p = e.failureProbability > 0 ? `, holds with probability ≥ 1 − ${formatNumber(e.failureProbability)}` : ", proven";
  const how = e.route === "inherited" ? "γ inherited from a certified support containing S" : `γ by ${e.route}`;
  return `error bar ‖x − x*_S‖ ≤ ${formatNumber(e.bound)} (${how}${p})`;
}
