import {
  type AtomContext,
  type AtomDef,
  type CacheIndex,
  type Cell,
  CflowError,
  type Op,
  type PlanBuilder,
  ProgramCache,
  type RealBuf,
  type SmoothTerm,
  defineAtom,
} from "@cflow/core";
import type { Graph } from "./graph.js";
import { GRAPH_PARAMS, checkGraphParams, graphFromParams } from "./graph-params.js";
import { GraphIncidenceOp } from "./incidence.js";
import { GraphLaplacianOp } from "./laplacian.js";

/**
 * ½·w xᵀLx = ½·w Σ_e w_e (x_i − x_j)², the graph Dirichlet energy (smoothness of a graph signal).
 * Keeps Lx per state buffer (current, previous, candidate) so the gradient at the momentum point
 * is a linear combination of cached images: one sparse product per step.
 */
export class DirichletEnergyTerm implements SmoothTerm {
  readonly kind = "smooth" as const;
  readonly atom = "dirichletEnergy";
  readonly quadratic = true;
  /** ∇² = wL, so the Lipschitz constant is w·λ_max(L) = w·‖B_w‖² (B_w the weighted incidence). */
  readonly lipschitz: { scale: number; normOp: Op | null };
  readonly laplacian: GraphLaplacianOp;
  private readonly incidence: GraphIncidenceOp;
  private readonly n: number;
  private readonly caches: [RealBuf, RealBuf, RealBuf];
  private readonly image: RealBuf;
  private readonly w: Cell;
  private readonly halfW: Cell;
  private readonly scratch: Cell;
  private readonly programs: ProgramCache;
  private readonly owned: RealBuf[] = [];

  constructor(ctx: AtomContext, graph: Graph) {
    this.n = ctx.slotShape.reduce((a, b) => a * b, 1);
    if (graph.nodes !== this.n) {
      throw new CflowError("SHAPE_MISMATCH", `${ctx.path}: the graph has ${graph.nodes} nodes but the slot has ${this.n} elements`, { path: `${ctx.path}.params`, expected: this.n, found: graph.nodes });
    }
    this.laplacian = new GraphLaplacianOp(graph, ctx.dtype);
    this.incidence = new GraphIncidenceOp(graph, true, ctx.dtype);
    const alloc = () => {
      const b = ctx.kernel.alloc(this.n);
      this.owned.push(b);
      return b;
    };
    this.caches = [alloc(), alloc(), alloc()];
    this.image = alloc();
    this.w = ctx.cells.cell(ctx.weight);
    this.halfW = ctx.cells.cell(ctx.weight / 2);
    this.scratch = ctx.cells.cell(0);
    this.programs = new ProgramCache(ctx.kernel);
    this.lipschitz = { scale: ctx.weight, normOp: this.incidence };
  }

  /** Records value ← ½w⟨x, h⟩ from h = Lx. */
  private emitValue(p: PlanBuilder, x: RealBuf, h: RealBuf, value: Cell): void {
    p.call("dot", this.n, x, h, value);
    p.call("scaleCell", this.halfW, value.ptr);
  }

  emitObserve(p: PlanBuilder, x: RealBuf, into: CacheIndex, value: Cell): void {
    this.laplacian.emitApply(p, x, this.caches[into]);
    this.emitValue(p, x, this.caches[into], value);
  }

  emitGradient(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell): void {
    // L y = L x_cur + β(L x_cur − L x_prev) by linearity
    p.call("momentum", this.n, beta, this.caches[cur], this.caches[prev], this.image);
    this.emitValue(p, y, this.image, value);
    p.call("axpy", this.n, this.w, this.image, g);
  }

  value(x: RealBuf): number {
    this.programs.run("value", [x], (p) => {
      this.laplacian.emitApply(p, x, this.image);
      this.emitValue(p, x, this.image, this.scratch);
    });
    return this.scratch.value;
  }

  addGradient(x: RealBuf, g: RealBuf): number {
    this.programs.run("gradient", [x, g], (p) => {
      this.laplacian.emitApply(p, x, this.image);
      this.emitValue(p, x, this.image, this.scratch);
      p.call("axpy", this.n, this.w, this.image, g);
    });
    return this.scratch.value;
  }

  addHessian(_x: RealBuf, v: RealBuf, out: RealBuf): void {
    this.programs.run("hessian", [v, out], (p) => {
      this.laplacian.emitApply(p, v, this.image);
      p.call("axpy", this.n, this.w, this.image, out);
    });
  }

  dispose(): void {
    this.programs.dispose();
    for (const b of this.owned) if (!b.isFreed) b.free();
    this.owned.length = 0;
    this.laplacian.dispose();
    this.incidence.dispose();
  }
}

/** `{ kind: "regularizer", atom: "dirichletEnergy", weight: 0.5, params: { graph: "edges", sources: "src", targets: "dst" } }` */
export const dirichletEnergy: AtomDef = defineAtom({
  name: "dirichletEnergy",
  kind: "smooth",
  description: "½·w xᵀLx = ½·w Σ_e w_e (x_i − x_j)² — graph Dirichlet energy (graph from edge data or the slot's lattice)",
  op: "none",
  target: "none",
  transform: "none",
  params: GRAPH_PARAMS,
  convex: true,
  checkParams: checkGraphParams,
  create(ctx) {
    const views = Object.fromEntries(Object.entries(ctx.data).map(([k, b]) => [k, b.view]));
    const n = ctx.slotShape.reduce((a, b) => a * b, 1);
    return new DirichletEnergyTerm(ctx, graphFromParams(ctx.params, views, { nodes: n, shape: ctx.slotShape, path: `${ctx.path}.params` }));
  },
});
