import type { Certificate } from "../ports/certificates.js";
import { type RealArray, zeros } from "../dtype.js";
import type { Json } from "../ports/events.js";
import type { TelemetryRow } from "../ports/telemetry.js";
import type { TargetReading } from "../ports/tuner.js";
import { foldIn } from "../rng.js";
import { newlyActive } from "./certificate-cadence.js";
import type { CertificateRecord, RunContext } from "./context.js";
import { sameDials } from "./dials.js";
import { callHook } from "./hooks.js";
import type { ControllerState, Saved } from "./state.js";
import { coefficients } from "./stepping.js";
import { targetFields } from "./target.js";
import { rowFor } from "./telemetry.js";

/**
 * Certifies the current iterate with the certificate hook: the smooth part's Hessian (on a
 * manifold flow, the chart-aware operator in intrinsic tangent coordinates), restricted to the
 * support of the exact W-space coefficients when the flow has a sparsity prox, under the run's
 * gates. Emits CERT_PASS or CERT_FAIL (with the task target's `reading` of the state, when given) and puts η_dd and γ in `row` — the row of the step it is
 * evaluated at — or records a row of its own.
 */
export function certify(s: ControllerState, ctx: RunContext, stage: CertificateRecord["stage"], row: TelemetryRow | undefined, attempt: number, reading: TargetReading | null = null): Certificate {
  const hook = ctx.certify!;
  const r = ctx.runner;
  const flow = ctx.flow;
  const x = r.state;
  const tangent = flow.tangentOperator(x);
  const sparse = flow.prox.some((p) => p.term.sparsity);
  const cert = callHook(hook.name, "certify", () =>
    hook.certify({
      L_apply: tangent ? (v, out) => tangent.apply(v, out) : (v, out) => flow.L_apply(v, out, x),
      n: tangent ? tangent.n : flow.n,
      dtype: flow.dtype,
      W: tangent ? null : flow.W,
      coefficients: sparse && !tangent ? coefficients(s, ctx) : null,
      translationInvariant: !tangent && translationInvariant(ctx),
      structure: tangent ? null : flow.hessianStructure(),
      gates: { etaMax: ctx.config.certification.etaMax, gammaMin: ctx.config.certification.gammaMin },
      key: foldIn(ctx.key, r.iter),
      step: tangent ? null : stepAt(ctx, x, r.dials.alpha),
    }),
  );
  s.certificates++;
  ctx.journal.lastCertificate = cert;
  ctx.journal.certificates.push({ iter: r.iter, phase: s.phase, stage, certificate: cert });
  const d = r.dials;
  const payload: { [key: string]: Json } = {
    stage,
    eta_dd: cert.etaDD,
    ...(Number.isFinite(cert.gamma) ? { gamma: cert.gamma } : {}),
    ...(Number.isFinite(cert.gammaGershgorin) ? { gamma_gershgorin: cert.gammaGershgorin } : {}),
    dominance: cert.dominance,
    route: cert.route,
    failure_probability: cert.failureProbability,
    ...(cert.errorBar ? { error_bar: cert.errorBar.bound } : {}),
    method: cert.method,
    size: cert.size,
    alpha: d.alpha,
    ms: cert.cost.ms,
  };
  if (d.lambda !== null) payload.lambda = d.lambda;
  if (reading) Object.assign(payload, targetFields(reading));
  if (!cert.pass) Object.assign(payload, { reasons: cert.reasons, attempt });
  ctx.emit(cert.pass ? "CERT_PASS" : "CERT_FAIL", payload);
  if (row) {
    row.etaDD = cert.etaDD;
    row.gamma = Number.isFinite(cert.gamma) ? cert.gamma : null;
    row.errorBar = cert.errorBar ? cert.errorBar.bound : null;
  } else ctx.telemetry(rowFor(s, ctx, null, cert));
  ctx.showState(s.phase, "certificate", x);
  return cert;
}

/**
 * The step at x for the certificate's error bar: α and ‖G_α(x)‖ = ‖x − T x‖/α, T the forward–backward
 * map x ↦ Wᵀ prox_{αg}(W(x − α∇f(x))), measured in W-space (‖W x − prox(W(x − α∇f(x)))‖/α; equal
 * to the x-space norm for a unitary W). Null for a transform that is not unitary (the error bar's
 * argument is in the coordinates the prox acts on).
 */
function stepAt(ctx: RunContext, x: RealArray, alpha: number): { alpha: number; gradientMapping: number } | null {
  const f = ctx.flow;
  const W = f.W;
  if (W && W.frame !== "unitary") return null;
  // the run's arrays for it, reused by every certificate: x-space, and W x and the prox in W-space
  const sc = (ctx.stepScratch ??= { z: zeros(f.dtype, x.length), u: W ? zeros(f.dtype, W.coeffSize) : null, next: zeros(f.dtype, f.coeffSize) });
  // z = x − α∇f(x), evaluated in f64 and stored in the dtype
  const z = f.fGrad(x, sc.z);
  for (let i = 0; i < x.length; i++) z[i] = x[i] - alpha * z[i];
  const u = W ? W.forward(x, sc.u!) : x;
  const next = f.gProx(W ? W.forward(z, sc.next) : z, alpha, sc.next);
  let sq = 0;
  for (let i = 0; i < u.length; i++) sq += (u[i] - next[i]) ** 2;
  return { alpha, gradientMapping: Math.sqrt(sq) / alpha };
}

/** One slot on a shift-covariant transform, and every smooth term's Hessian constant and shift-invariant. */
function translationInvariant(ctx: RunContext): boolean {
  const f = ctx.flow;
  return f.slots.length === 1 && f.W !== null && typeof f.W.translationStride === "function" && f.smooth.length > 0 && f.smooth.every((t) => t.term.translationInvariantHessian === true);
}

/**
 * Whether the polish re-certifies at iteration `iter` (the rule is `certificateCadence`'s), and
 * whether the flow changed since the certified state — the last good one: every GREEN
 * certificate that passes makes its state the last good one, and rollbacks return to it.
 */
export function certificateDue(s: ControllerState, ctx: RunContext, iter: number): { changed: boolean } | null {
  if (s.phase !== "GREEN" || !ctx.certify) return null;
  const cadence = ctx.cadence;
  const base = s.lastGood;
  const since = base ? iter - base.snap.iter : iter;
  if (!cadence.isReview(since)) return null;
  const changed = !base || changedSince(s, ctx, base);
  return cadence.due(s.certInterval, since, changed) ? { changed } : null;
}

/** A dial moved, the support grew beyond the certified one, or the operator depends on the state. */
function changedSince(s: ControllerState, ctx: RunContext, base: Saved): boolean {
  const f = ctx.flow;
  const constantOperator = f.smooth.every((t) => t.term.quadratic) && f.slots.every((sl) => sl.manifold === null);
  if (!constantOperator) return true;
  const b = base.snap;
  if (!sameDials(ctx.runner.dials, { lambda: b.lambda, lambdaJ: b.lambdaJ, alpha: b.alpha })) return true;
  return base.coefficients !== null && newlyActive(coefficients(s, ctx), base.coefficients) > 0;
}
