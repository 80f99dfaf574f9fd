import type { AtomContext, AtomDef } from "../atom.js";
import { readAtomParams } from "./prox-term.js";
import { SortedProjectionTerm } from "./sorted-projection.js";

/** g = ι_{x ≥ 0, Σx = r} (the scaled probability simplex); prox: max(u − θ, 0) with Σ = r. */
export class SimplexTerm extends SortedProjectionTerm {
  readonly atom = "simplex";

  constructor(ctx: AtomContext, radius: number) {
    super(ctx, radius, { project: "projSimplex", indicator: "simplexIndicator" });
  }
}

export const simplexAtom: AtomDef = {
  name: "simplex",
  kind: "prox",
  description: "the constraint x ≥ 0, Σx = radius (probability simplex for radius 1); prox: shifted clip",
  op: "none",
  target: "none",
  transform: "none",
  params: {
    radius: { type: "number", description: "the sum Σx", default: 1, min: 0, exclusiveMin: true },
  },
  convex: true,
  space: "x",
  sparsity: false,
  create(ctx) {
    const params = readAtomParams(simplexAtom, ctx);
    return new SimplexTerm(ctx, params.radius as number);
  },
};
