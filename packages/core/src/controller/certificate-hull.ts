import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { zeros } from "../dtype.js";

/**
 * Support hysteresis. A certificate of the restricted operator on a support U covers every
 * support S ⊆ U while the operator is constant (the restricted operator of S is a principal
 * submatrix of that of U: λ_min no smaller by Cauchy interlacing, each dominance measure no
 * larger — certificate-cadence.ts). A sparse flow's support flickers near the threshold and
 * drifts while the iterate settles, so a certificate of the support alone is outgrown within a few
 * iterations; a certificate of a hull — the support plus the coefficients whose forward step lands
 * within a factor 1 − δ of their threshold — covers most of the supports that follow.
 *
 * The hull is S ∪ supp(prox_{αg}(W z / (1 − δ))), z = x − α∇f(x) the forward step from the
 * iterate: for a soft threshold t, |W z|_i > (1 − δ)·t. Its added coefficients carry that prox's
 * value (non-zero; the certificate reads only the support). Whatever the prox, it contains S, so a
 * certificate of it is one of the state's support. Null when it adds nothing.
 *
 * `u` the iterate's W-space coefficients (its support S), `wz` = W z in the run's dtype.
 */
export function certificateHull(flow: CompiledFlow, u: RealArray, wz: RealArray, alpha: number, delta: number): RealArray | null {
  if (!(delta > 0 && delta < 1)) return null;
  const scaled = zeros(flow.dtype, wz.length);
  const s = 1 / (1 - delta);
  for (let i = 0; i < wz.length; i++) scaled[i] = wz[i] * s;
  const p = flow.gProx(scaled, alpha);
  const hull = zeros(flow.dtype, u.length);
  hull.set(u);
  let added = 0;
  for (let i = 0; i < u.length; i++) {
    if (u[i] === 0 && p[i] !== 0) {
      hull[i] = p[i];
      added++;
    }
  }
  return added > 0 ? hull : null;
}
