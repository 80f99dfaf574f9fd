import type { Json } from "../ports/events.js";
import type { RunStatus } from "../ports/sink.js";
import type { TargetReading } from "../ports/tuner.js";
import type { RunContext } from "./context.js";
import { OVER_REGULARISED, overRegularised } from "./target.js";
import type { ControllerState } from "./state.js";
import { lyapunovTol } from "./telemetry.js";

/**
 * The run card (`run_card.json`, SCHEMA.md): the verdict of each check on the run as it ends —
 * η_dd and γ of the last certificate against the gates, the Lyapunov descent check over every
 * step, the largest invariant drift — with the counts of certificates, rollbacks and trials, and
 * with a task target its final reading (`target`: over-regularised when the discrepancy exceeds 2τ).
 */
export function runCard(s: ControllerState, ctx: RunContext, status: RunStatus, reading: TargetReading | null = null): Json {
  const last = ctx.journal.lastCertificate;
  const { etaMax, gammaMin, invariantTol } = ctx.config.certification;
  const checks: Json[] = [];
  if (last) {
    checks.push({ check: "eta_dd", pass: last.etaDD <= etaMax, value: last.etaDD, threshold: etaMax, reason: last.etaDD <= etaMax ? "diagonally dominant enough" : "η_dd above η_max" });
    checks.push({ check: "gamma", pass: last.gamma >= gammaMin, value: last.gamma, threshold: gammaMin, reason: last.gamma >= gammaMin ? "spectral gap above γ_min" : "spectral gap below γ_min" });
  }
  if (ctx.certify) checks.push({ check: "lyapunov", pass: s.lyapunovViolations === 0, value: s.lyapunovWorst, threshold: lyapunovTol(ctx), reason: `${s.lyapunovViolations} violation(s) of E(x_{k+1}) ≤ E(x_k) − α₀‖G‖² + tol·max(1, |E|)` });
  if (ctx.flow.invariants.length > 0) checks.push({ check: "invariants", pass: s.driftMax <= invariantTol, value: s.driftMax, threshold: invariantTol, reason: "max drift over the run" });
  const card: { [key: string]: Json } = { run_id: ctx.runId, status, phase: s.phase, certified: s.phase === "GREEN", checks, certificates: s.certificates, rollbacks: s.rollbacks, trials: s.trial };
  const target = ctx.tune?.taskTarget;
  if (target && reading) {
    const over = reading.discrepancy > OVER_REGULARISED * target.tau;
    card.target = { ...target.describe(), discrepancy: reading.discrepancy, value: reading.value, over_regularised: over, ...(over ? { warning: overRegularised(reading.discrepancy) } : {}) };
  }
  return card;
}
