// F_Proj(u; α) = prox_{α·g}(u): the implicit (backward) step on the non-smooth part, in W-space
// for terms acting through a transform and on the state otherwise (on a manifold slot: on the
// tangent step). The prox kernels fuse the statistics the step reports (nnz, g at the output).
import type { PlanBuilder } from "../kernel/plan.js";
import type { Rotation, StepBuffers } from "../runtime/buffers.js";

/** Records the prox of every non-smooth term, in place, with the step read from the α cell. */
export function emitProj(p: PlanBuilder, b: StepBuffers, r: Rotation): void {
  b.flow.prox.forEach((t, i) => {
    const target = t.term.space === "W" ? b.coeffs(t.slot) : b.slot(b.X[r.cand], t.slot);
    t.term.emitProx(p, target, b.alpha, target, b.proxStats[i]);
  });
}
