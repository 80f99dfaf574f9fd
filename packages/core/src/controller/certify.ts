import type { Certificate } from "../ports/certificates.js";
import { type RealArray, zeros } from "../dtype.js";
import type { Json } from "../ports/events.js";
import type { TelemetryRow } from "../ports/telemetry.js";
import type { TargetReading } from "../ports/tuner.js";
import { foldIn } from "../rng.js";
import { activeIndices, newlyActive } from "../active-set.js";
import { certificateHull } from "./certificate-hull.js";
import type { CertificateRecord, RunContext } from "./context.js";
import { sameDials } from "./dials.js";
import { callHook } from "./hooks.js";
import type { ControllerState, Saved } from "./state.js";
import { coefficients } from "./stepping.js";
import { targetFields } from "./target.js";
import { rowFor } from "./telemetry.js";

/** A verdict of the current state, and the hull its certificate was taken on (null: the state's own support). */
export interface Certified {
  cert: Certificate;
  hull: RealArray | null;
}

/**
 * Certifies the current iterate with the certificate hook: the smooth part's Hessian (on a
 * manifold flow, the chart-aware operator in intrinsic tangent coordinates), restricted to the
 * support of the exact W-space coefficients when the flow has a sparsity prox, under the run's
 * gates. A tuning or polish certificate of a constant operator whose support the last good
 * certificate does not cover is first taken on a hull of the support (`certificateHull`,
 * `certification.hull`): passing, it covers this support and the next ones inside the hull;
 * failing, the support alone decides (a hull never turns a passing support into a failure), and
 * the stage's later certificates take their supports alone (`hullFailedIn`).
 * Emits one CERT_PASS or CERT_FAIL (with the task target's `reading` of the state, when given;
 * the verdict's cost counts every evaluation it took, and its time all of this function's work) and puts η_dd and γ in `row` — the row of the step it
 * is evaluated at — or records a row of its own.
 */
export function certify(s: ControllerState, ctx: RunContext, stage: CertificateRecord["stage"], row: TelemetryRow | undefined, attempt: number, reading: TargetReading | null = null): Certified {
  const t0 = performance.now();
  const hook = ctx.certify!;
  const r = ctx.runner;
  const flow = ctx.flow;
  const x = r.state;
  const d = r.dials;
  const tangent = flow.tangentOperator(x);
  const sparse = flow.prox.some((p) => p.term.sparsity);
  const u = sparse && !tangent ? coefficients(s, ctx) : null;
  const forward = tangent ? null : forwardStep(ctx, x, d.alpha, u);
  const key = foldIn(ctx.key, r.iter);
  const evaluate = (coeffs: RealArray | null, active: Int32Array | null, k: typeof key): Certificate =>
    callHook(hook.name, "certify", () =>
      hook.certify({
        L_apply: tangent ? (v, out) => tangent.apply(v, out) : (v, out) => flow.L_apply(v, out, x),
        n: tangent ? tangent.n : flow.n,
        dtype: flow.dtype,
        W: tangent ? null : flow.W,
        coefficients: coeffs,
        active,
        translationInvariant: !tangent && translationInvariant(ctx),
        structure: tangent ? null : flow.hessianStructure(),
        gates: { etaMax: ctx.config.certification.etaMax, gammaMin: ctx.config.certification.gammaMin },
        key: k,
        step: forward?.step ?? null,
      }),
    );
  const hullStage = u !== null && forward !== null && (stage === "tuning" || stage === "polish") && constantOperator(ctx);
  const tryHull = hullStage && s.hullFailedIn !== stage;
  // the support, scanned once: its size, what the last certificate covers, and the hook's active set
  const active = u ? activeOf(u) : null;
  const isCovered = hullStage && covered(s, active!);
  // a support inside the last good certificate's hull stays covered by it (the same constant operator)
  const inHull = isCovered && s.certifiedHull !== null;
  const hull = tryHull && !isCovered ? certificateHull(flow, u!, forward!.wz(), d.alpha, ctx.config.certification.hull) : null;
  let cert: Certificate | null = null;
  let tried: Certificate | null = null;
  if (hull) {
    const h = evaluate(hull, activeOf(hull), foldIn(key, 1));
    if (h.pass) cert = h;
    else {
      tried = h;
      s.hullFailedIn = stage as "tuning" | "polish";
    }
  }
  if (!cert) cert = evaluate(u, active, key);
  // the verdict's cost: the applications of every evaluation (a failed hull's included) and all
  // the time certification took — the forward step at x (the support, the error bar's gradient
  // mapping), the hull and the evaluations
  const phases = addPhases(tried?.cost.phases, cert.cost.phases);
  cert = { ...cert, cost: { applications: cert.cost.applications + (tried?.cost.applications ?? 0), ms: performance.now() - t0, ...(phases ? { phases } : {}) } };
  const onHull = hull !== null && tried === null;
  s.certificates++;
  ctx.journal.lastCertificate = cert;
  ctx.journal.certificates.push({ iter: r.iter, phase: s.phase, stage, certificate: cert });
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
    ...(active ? { active: active.length } : {}),
    ...(hull ? { hull_size: activeOf(hull).length, hull_pass: onHull } : {}),
    alpha: d.alpha,
    ms: cert.cost.ms,
    ...(phases ? { phase_ms: phases } : {}),
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
  return { cert, hull: !cert.pass ? null : onHull ? hull : inHull ? s.certifiedHull : null };
}

/**
 * The forward step from the runner's state x: W z, z = x − α∇f(x) (the prox's input, in the run's
 * dtype; `FlowRunner.forwardMap`), and for the certificate's error bar α and ‖G_α(x)‖ = ‖x − T x‖/α,
 * T the forward–backward map x ↦ Wᵀ prox_{αg}(W(x − α∇f(x))), measured in W-space
 * (‖W x − prox(W z)‖/α; equal to the x-space norm for a unitary W) — null for a transform that is
 * not unitary (the error bar's argument is in the coordinates the prox acts on). `coeffs`, when
 * given, are x's exact W-space coefficients (`coefficients`: W x up to the rounding of the
 * synthesis), read instead of transforming x again. W z is formed again when the hull asks
 * (`wz()`, before the next step: z stays in the runner's buffer until then).
 */
function forwardStep(ctx: RunContext, x: RealArray, alpha: number, coeffs: RealArray | null): { wz: () => RealArray; step: { alpha: number; gradientMapping: number } | null } {
  const f = ctx.flow;
  const W = f.W;
  const map = ctx.runner.forwardMap(alpha);
  const wz = () => (W ? W.forward(map.z.toArray()) : map.z.toArray());
  if (W && W.frame !== "unitary") return { wz, step: null };
  // x's coefficients when not given: W x, in an array of the run reused by every certificate
  const u = coeffs ?? (W ? W.forward(x, (ctx.stepScratch ??= zeros(f.dtype, W.coeffSize))) : x);
  return { wz, step: { alpha, gradientMapping: Math.sqrt(squaredDistance(u, map.next.view)) / alpha } };
}

/** ‖u − v‖², summed in float64 (its own function: forwardStep's body deoptimising would not send it back to the interpreter). */
function squaredDistance(u: RealArray, v: RealArray): number {
  let sq = 0;
  for (let i = 0; i < u.length; i++) sq += (u[i] - v[i]) ** 2;
  return sq;
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

/** A dial moved, the support grew beyond the certified one (or its hull), or the operator depends on the state. */
function changedSince(s: ControllerState, ctx: RunContext, base: Saved): boolean {
  if (!constantOperator(ctx)) return true;
  const b = base.snap;
  if (!sameDials(ctx.runner.dials, { lambda: b.lambda, lambdaJ: b.lambdaJ, alpha: b.alpha })) return true;
  return base.coefficients !== null && !covered(s, activeOf(coefficients(s, ctx)));
}

/** Every smooth term quadratic and no manifold slot: the Hessian does not depend on the state. */
function constantOperator(ctx: RunContext): boolean {
  const f = ctx.flow;
  return f.smooth.every((t) => t.term.quadratic) && f.slots.every((sl) => sl.manifold === null);
}

/** The support `active` lies inside the one the last good certificate was taken on (its hull, or its own support). */
function covered(s: ControllerState, active: Int32Array): boolean {
  const certified = s.certifiedHull ?? s.lastGood?.coefficients ?? null;
  return certified !== null && newlyActive(active, certified) === 0;
}

/**
 * The support of coefficients the controller holds (the runner's shared copy of an iterate's, a
 * saved state's, a hull): read-only arrays, so their active indices are computed once per array.
 */
const supports = new WeakMap<RealArray, Int32Array>();

function activeOf(u: RealArray): Int32Array {
  let a = supports.get(u);
  if (!a) supports.set(u, (a = activeIndices(u)));
  return a;
}

/** The hook's time by phase over a failed hull's evaluation and the one that decided (null when neither timed its phases). */
function addPhases(a: { [phase: string]: number } | undefined, b: { [phase: string]: number } | undefined): { [phase: string]: number } | null {
  if (!a && !b) return null;
  const out: { [phase: string]: number } = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}
