// F_Dis(x; α) = x − α∇f(x): the explicit (forward) step on the smooth part (preconditioned flows:
// x − αD⁻¹∇f(x) with a diagonal metric D). On a manifold slot it
// is a Riemannian gradient step: the candidate's range then holds the tangent step
// ξ = −α·grad_R f(x), which F_Proj may shrink and `emitRetract` maps back onto the manifold.
import type { RealArray } from "../dtype.js";
import type { PlanBuilder } from "../kernel/plan.js";
import type { Rotation, StepBuffers } from "../runtime/buffers.js";

/**
 * Records: y ← x_cur + β(x_cur − x_prev) when the flow has momentum (else y is x_cur),
 * g ← ∇f(y) (each term also writes f_i(y)), x_cand ← y − α·g (y − α·D⁻¹g with a diagonal
 * metric). y is b.y with momentum, else x_cur itself.
 */
export function emitDis(p: PlanBuilder, b: StepBuffers, r: Rotation, hasMomentum: boolean): void {
  const flow = b.flow;
  const n = flow.n;
  const xCur = b.X[r.cur];
  const y = hasMomentum ? b.y : xCur;
  if (hasMomentum) p.call("momentum", n, b.momentum, xCur, b.X[r.prev], y);
  const beta = hasMomentum ? b.momentum : b.zero;
  const only = flow.smooth.length === 1 ? flow.smooth[0] : null;
  if (only?.term.emitGradientSet && only.slot.size === n) {
    // the only smooth term spans the state: it writes ∇f straight into g
    only.term.emitGradientSet(p, y, r.cur, r.prev, beta, b.g, b.fAtY[0]);
  } else {
    p.call("fill", n, b.zero, b.g);
    flow.smooth.forEach((t, i) => {
      t.term.emitGradient(p, b.slot(y, t.slot), r.cur, r.prev, beta, b.slot(b.g, t.slot), b.fAtY[i]);
    });
  }
  const cand = b.X[r.cand];
  if (b.metricDiagInv) p.call("precondStep", n, b.negAlpha, y, b.metricDiagInv, b.g, cand);
  else p.call("axpbyz", n, b.one, y, b.negAlpha, b.g, cand);
  for (const s of flow.slots) {
    const M = s.manifold;
    if (!M) continue;
    const xs = b.slot(y, s);
    const gs = b.slot(b.g, s);
    const cs = b.slot(cand, s);
    p.js(() => {
      const x = xs.view;
      const rg = M.egradToRgrad(x, gs.view) as RealArray;
      const a = -b.alpha.value;
      const out = cs.view;
      for (let i = 0; i < out.length; i++) out[i] = a * rg[i];
    });
  }
}

/** Records, for manifold slots: x_cand ← retract(x_cur, ξ) where ξ is the (proximal) tangent step. */
export function emitRetract(p: PlanBuilder, b: StepBuffers, r: Rotation): void {
  for (const s of b.flow.slots) {
    const M = s.manifold;
    if (!M) continue;
    const xs = b.slot(b.X[r.cur], s);
    const cs = b.slot(b.X[r.cand], s);
    p.js(() => {
      const next = M.retract(xs.view, cs.view.slice());
      cs.view.set(next);
    });
  }
}
