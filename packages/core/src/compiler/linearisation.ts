import { type Dtype, type RealArray, zeros } from "../dtype.js";
import { CflowError } from "../errors.js";
import { type LinearStructure, addStructures, blockDiagonalStructure, scaledIdentity } from "../ops/structure.js";
import { type FlowScratch, slotView } from "./layout.js";
import type { CompiledSmoothTerm, FlowEnergy, FlowLinearisation, SlotLayout } from "./types.js";

/**
 * The smooth part's Hessian — the core operator the certificates are taken on (docs/design.md
 * §2.5) — as an operator (`L_apply`), as a declared structure when every term has one
 * (`hessianStructure`), and in intrinsic tangent coordinates for flows with manifold slots
 * (`tangentOperator`).
 */
export function linearisation(a: {
  slots: readonly SlotLayout[];
  smooth: readonly CompiledSmoothTerm[];
  fGrad: FlowEnergy["fGrad"];
  n: number;
  x0: RealArray;
  dtype: Dtype;
  scratch: FlowScratch;
}): FlowLinearisation {
  const { slots, smooth, fGrad, n, x0, dtype, scratch } = a;
  const onManifold = slots.some((s) => s.manifold);

  const hessianAt = (at: RealArray, v: RealArray, out: RealArray) => {
    scratch.load(at, scratch.x, "L_apply (point)");
    scratch.load(v, scratch.v, "L_apply");
    scratch.out.view.fill(0);
    for (const t of smooth) t.term.addHessian(slotView(scratch.x, t.slot), slotView(scratch.v, t.slot), slotView(scratch.out, t.slot));
    out.set(scratch.out.view);
  };

  const L_apply = (v: RealArray, out: RealArray, at: RealArray = x0) => {
    hessianAt(at, v, out);
    if (!onManifold) return;
    // manifold slots: the Riemannian Hessian in tangent coordinates, by a central difference of
    // the Riemannian gradient along the retraction (exact to O(ε²)), projected back to T_x
    for (const s of slots) {
      if (!s.manifold) continue;
      const M = s.manifold;
      const x = at.subarray(s.offset, s.offset + s.size);
      const vs = M.projTangent(x, v.subarray(s.offset, s.offset + s.size));
      const nv = Math.hypot(...vs) || 1;
      const eps = (dtype === "float64" ? 1e-5 : 3e-2) / nv;
      const step = (sign: number) => {
        const xe = M.retract(x, vs.map((e) => sign * eps * e) as RealArray);
        const full = at.slice();
        full.set(xe, s.offset);
        const ge = fGrad(full).subarray(s.offset, s.offset + s.size);
        return M.projTangent(x, M.egradToRgrad(xe, ge));
      };
      const gp = step(1);
      const gm = step(-1);
      const hs = out.subarray(s.offset, s.offset + s.size);
      for (let i = 0; i < s.size; i++) hs[i] = (gp[i] - gm[i]) / (2 * eps);
    }
  };

  const hessianStructure = (): LinearStructure | null => {
    if (onManifold) return null;
    const blocks: LinearStructure[] = [];
    for (const s of slots) {
      let sum: LinearStructure | null = null;
      for (const t of smooth) {
        if (t.slot.name !== s.name) continue;
        const h = t.term.quadratic ? (t.term.hessianStructure?.() ?? null) : null;
        sum = h && sum ? addStructures(sum, h) : h;
        if (!sum) return null;
      }
      blocks.push(sum ?? scaledIdentity(s.size, 0));
    }
    return blocks.length === 1 ? blocks[0] : blockDiagonalStructure(blocks);
  };

  const tangentOperator = (at: RealArray) => {
    if (!onManifold) return null;
    for (const s of slots) {
      if (s.manifold && (!s.manifold.toAlgebra || !s.manifold.fromAlgebra)) {
        throw new CflowError("NO_TANGENT_BASIS", `state.${s.name}: manifold ${s.manifoldName} has no toAlgebra/fromAlgebra, so its certificates cannot be taken in tangent coordinates`, {
          path: `state.${s.name}.manifold`,
          expected: "a manifold adapter with toAlgebra and fromAlgebra",
          found: s.manifoldName,
        });
      }
    }
    const dims = slots.map((s) => (s.manifold ? s.manifold.dim : s.size));
    const ambient = zeros(dtype, n);
    const image = zeros(dtype, n);
    return {
      n: dims.reduce((p, q) => p + q, 0),
      apply(c: RealArray, out: RealArray) {
        let o = 0;
        slots.forEach((s, i) => {
          const cs = c.subarray(o, o + dims[i]);
          const x = at.subarray(s.offset, s.offset + s.size);
          ambient.set(s.manifold ? s.manifold.fromAlgebra!(x, cs) : cs, s.offset);
          o += dims[i];
        });
        L_apply(ambient, image, at);
        o = 0;
        slots.forEach((s, i) => {
          const img = image.subarray(s.offset, s.offset + s.size);
          const x = at.subarray(s.offset, s.offset + s.size);
          out.set(s.manifold ? s.manifold.toAlgebra!(x, img) : img, o);
          o += dims[i];
        });
      },
    };
  };

  return { L_apply, hessianStructure, tangentOperator };
}
