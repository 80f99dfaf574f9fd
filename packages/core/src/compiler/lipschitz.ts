import { estimateOpNorm } from "../ops/norm.js";
import type { Op } from "../ops/op.js";
import { type RngKey, foldIn } from "../rng.js";
import type { CompiledSmoothTerm, FlowLipschitz } from "./types.js";

/** Headroom on a power-iteration norm: it approaches ‖A‖ from below; the line search catches what is left. */
const POWER_ITERATION_MARGIN = 1.01;

/**
 * β, the Lipschitz constant of ∇f (docs/design.md §2.2): per slot the sum of the terms'
 * `scale·‖A‖^power`, with ‖A‖ from the op's analytic norm hint or from power iteration (each op
 * once), and the largest over slots. `method` says whether any norm was estimated.
 */
export function estimateLipschitz(smooth: readonly CompiledSmoothTerm[], key: RngKey): FlowLipschitz {
  if (smooth.length === 0) return { lipschitz: 0, lipschitzMethod: "none" };
  let estimated = false;
  const norms = new Map<Op, number>();
  const perSlot = new Map<string, number>();
  for (const t of smooth) {
    const { scale, normOp, power = 2 } = t.term.lipschitz;
    let L = scale;
    if (normOp) {
      let nrm = norms.get(normOp);
      if (nrm === undefined) {
        if (normOp.normHint !== undefined) nrm = normOp.normHint;
        else {
          nrm = estimateOpNorm(normOp, { key: foldIn(key, 0xb37a), maxIters: 200, tol: 1e-6 }).norm * POWER_ITERATION_MARGIN;
          estimated = true;
        }
        norms.set(normOp, nrm);
      }
      L = scale * nrm ** power;
    }
    perSlot.set(t.slot.name, (perSlot.get(t.slot.name) ?? 0) + L);
  }
  return { lipschitz: Math.max(...perSlot.values()), lipschitzMethod: estimated ? "power-iteration" : "analytic" };
}
