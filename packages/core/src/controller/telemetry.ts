import type { Certificate, TracePoint } from "../ports/certificates.js";
import type { TelemetryRow } from "../ports/telemetry.js";
import type { StepMetrics } from "../runtime/runner.js";
import { callHook } from "./hooks.js";
import type { RunContext } from "./context.js";
import { type ControllerState, trialOf } from "./state.js";

/**
 * Relative rounding floor of an energy summed (in f64) from arrays of the run's dtype: 16 ulps
 * of 1. Energy changes below it are noise, so it floors the descent check's slack and the
 * convergence tolerance — float32 energies wander by ~1e-7 relative and would otherwise never
 * meet a 1e-10 tolerance and report rounding as Lyapunov violations.
 */
export const ENERGY_NOISE = { float64: 16 * 2 ** -52, float32: 16 * 2 ** -23 } as const;

/** Relative slack of the descent check: the certification policy's, floored at the dtype's energy noise. */
export function lyapunovTol(ctx: RunContext): number {
  return Math.max(ctx.config.certification.lyapunovTol, ENERGY_NOISE[ctx.flow.dtype]);
}

/**
 * The telemetry row of a step, with the Lyapunov descent check of it (not yet recorded): the
 * check compares the step with the previous one in the state's trace and counts a violation.
 */
export function stepRow(s: ControllerState, ctx: RunContext, m: StepMetrics): TelemetryRow {
  const cert = ctx.certify;
  const monotone = ctx.runner.family.monotone(ctx.config.flow.restart);
  // A momentum step measures ‖x⁺ − y‖/α at the extrapolated y, not G(x_k) = (x_k − x⁺)/α: the
  // sufficient decrease α₀‖G(x_k)‖² is then unknown and only monotonicity (gradNorm 0) is checked.
  const point: TracePoint = { iter: m.iter, E: m.E, gradNorm: m.momentum > 0 ? 0 : m.gradNorm, alpha: m.alpha, restarted: m.restarted };
  const warnings: string[] = [];
  const prev = s.trace;
  if (prev && cert && Number.isFinite(m.E)) {
    const tol = lyapunovTol(ctx) * Math.max(1, Math.abs(prev.E));
    const v = callHook(cert.name, "descentViolation", () => cert.descentViolation(prev, point, { monotone, tol }));
    if (v > 0) {
      s.lyapunovViolations++;
      s.lyapunovWorst = Math.max(s.lyapunovWorst, v);
      warnings.push(`lyapunov descent violated by ${v.toExponential(2)}`);
    }
  }
  s.trace = point;
  if (m.backtracks > 0) warnings.push(`line search halved α ${m.backtracks}×`);
  const row = rowFor(s, ctx, m, null);
  row.warnings = warnings;
  return row;
}

/** The row of the current iterate: of a step (`m`), or of a certificate evaluation (`cert`). */
export function rowFor(s: ControllerState, ctx: RunContext, m: StepMetrics | null, cert: Certificate | null): TelemetryRow {
  const r = ctx.runner;
  const d = r.dials;
  return {
    phase: s.phase,
    iter: r.iter,
    trialId: trialOf(s),
    tWallMs: ctx.now(),
    alpha: d.alpha,
    lambda: d.lambda,
    lambdaJ: d.lambdaJ,
    E: m ? m.E : r.energy,
    gradNorm: m ? m.gradNorm : Number.NaN,
    etaDD: cert ? cert.etaDD : null,
    gamma: cert && Number.isFinite(cert.gamma) ? cert.gamma : null,
    errorBar: cert?.errorBar ? cert.errorBar.bound : null,
    sparsityWx: m ? m.sparsityWx : null,
    invariantDriftMax: invariantDrift(s, ctx),
    phiResidual: m ? physicsResidual(ctx) : null,
    lensName: null,
    levelActiveMax: r.levelActiveMax,
    sparsityMode: ctx.flow.prox.some((p) => p.term.sparsity) ? ctx.config.sparsity.mode : null,
    flowFamily: r.family.name,
    warnings: [],
    notes: m ? null : "certificate evaluation",
    optimality: m ? m.optimality : null,
  };
}

/**
 * The largest drift of the spec's invariants at the current iterate — |q(x) − q(x₀)| for a
 * conserved quantity, |residual(x)| for a constraint — tracked in the state's `driftMax`; null
 * without invariants.
 */
export function invariantDrift(s: ControllerState, ctx: RunContext): number | null {
  const inv = ctx.flow.invariants;
  if (inv.length === 0) return null;
  const state = ctx.flow.unflatten(ctx.runner.state);
  let d = 0;
  inv.forEach((v, i) => {
    if (!v.check || v.kind === "symmetry") return;
    const q = v.check(state);
    d = Math.max(d, Math.abs(v.kind === "conserved" ? q - ctx.invariantBase[i] : q));
  });
  s.driftMax = Math.max(s.driftMax, d);
  return d;
}

/** Energy of the physics terms (½‖residual‖² for least-squares physics) after the step, or null without any. */
function physicsResidual(ctx: RunContext): number | null {
  const cells = ctx.runner.plan.buffers.fAtX;
  let sum: number | null = null;
  ctx.flow.smooth.forEach((t, i) => {
    if (t.kind === "physics") sum = (sum ?? 0) + cells[i].value;
  });
  return sum;
}
