// F_Multi⁺ (analysis, u = W z) and F_Multi⁻ (synthesis, x = W⁻¹u: Wᵀ for unitary transforms,
// Wᵀ/c for tight frames, the synthesis operator of a general frame). Slots without a W-space
// prox are not transformed: their prox (if any) works on the state directly.
import type { PlanBuilder } from "../kernel/plan.js";
import type { Rotation, StepBuffers } from "../runtime/buffers.js";

/** Records u_s ← W_s x_cand,s for every slot with a transform. */
export function emitMultiForward(p: PlanBuilder, b: StepBuffers, r: Rotation): void {
  for (const s of b.flow.slots) if (s.transform) s.transform.emitForward(p, b.slot(b.X[r.cand], s), b.coeffs(s));
}

/** Records x_cand,s ← W_s⁻¹ u_s for every slot with a transform. */
export function emitMultiInverse(p: PlanBuilder, b: StepBuffers, r: Rotation): void {
  for (const s of b.flow.slots) if (s.transform) s.transform.emitInverse(p, b.coeffs(s), b.slot(b.X[r.cand], s));
}
