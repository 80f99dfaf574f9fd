import type { Certificate } from "@cflow/core";
import { formatNumber } from "../report/format.js";
import type { Style } from "../style.js";

export interface Gates {
  etaMax: number;
  gammaMin: number;
}

/** `η_dd = 0.47 ≤ η_max = 0.9 · γ = 0.16 ≥ γ_min = 1e-6 · matrix-free on 1317 active coefficients` */
export function certificateLine(c: Pick<Certificate, "etaDD" | "gamma" | "method" | "size">, gates: Gates, style: Style, restricted: boolean): string {
  const etaOk = c.etaDD <= gates.etaMax;
  const gammaOk = c.gamma >= gates.gammaMin;
  const mark = (ok: boolean, s: string) => (ok ? style.green(s) : style.red(s));
  return [
    mark(etaOk, `η_dd = ${formatNumber(c.etaDD)} ${etaOk ? "≤" : ">"} η_max = ${formatNumber(gates.etaMax)}`),
    Number.isFinite(c.gamma)
      ? mark(gammaOk, `γ = ${formatNumber(c.gamma)} ${gammaOk ? "≥" : "<"} γ_min = ${formatNumber(gates.gammaMin)}`)
      : style.dim("γ not evaluated (η_dd already fails)"),
    `${c.method} on ${c.size} ${restricted ? "active coefficients" : "unknowns"}`,
  ].join(style.dim(" · "));
}

/** A certificate as JSON output (no estimator internals). */
export function certificateJson(c: Certificate): Record<string, unknown> {
  return { eta_dd: c.etaDD, gamma: c.gamma, gamma_gershgorin: c.gammaGershgorin, lambda_max: c.lambdaMax, method: c.method, size: c.size, pass: c.pass, reasons: c.reasons, ms: c.cost.ms };
}
