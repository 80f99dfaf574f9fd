import type { CompiledFlow } from "../compiler/types.js";
import { PlanBuilder, type Program } from "../kernel/plan.js";
import { type ConCells, conjugatePairs, emitCon } from "../primitives/con.js";
import { emitDis, emitRetract } from "../primitives/dis.js";
import { emitMultiForward, emitMultiInverse } from "../primitives/multi.js";
import { emitProj } from "../primitives/proj.js";
import { StepBuffers, rotation } from "./buffers.js";
import type { FlowFamily } from "./families.js";

/**
 * A compiled flow's step as a fixed sequence of kernel calls over preallocated buffers: three
 * programs, one per rotation of the state buffers. For built-in atoms and ops each program is a
 * single call into the kernel; user-written ops and manifold slots add JavaScript steps.
 */
export class StepPlan {
  readonly buffers: StepBuffers;
  readonly programs: [Program, Program, Program];
  /** Observes the current and previous state buffers of rotation 0 (after loading a state). */
  readonly observe: Program;
  readonly con: ConCells | null;

  constructor(
    readonly flow: CompiledFlow,
    readonly family: FlowFamily,
  ) {
    const b = (this.buffers = new StepBuffers(flow, family.metric === "diagonal"));
    const c = flow.cells;
    this.con =
      family.shape === "hamiltonian"
        ? { dt: c.cell(0), negHalfDt: c.cell(0), damping: c.cell(1), pNorm2: conjugatePairs(flow).map(() => c.cell(0)) }
        : null;
    const build = (v: number) => {
      const p = new PlanBuilder(flow.kernel);
      const r = rotation(v);
      if (this.con) {
        emitCon(p, b, r, this.con);
        return p.build();
      }
      // the four primitives, in order
      const y = emitDis(p, b, r, family.momentum);
      emitMultiForward(p, b, r);
      if (family.prox) emitProj(p, b, r);
      emitMultiInverse(p, b, r);
      emitRetract(p, b, r);
      // observe the candidate: its energy, and the image caches the next gradient combines
      flow.smooth.forEach((t, i) => t.term.emitObserve(p, b.slot(b.X[r.cand], t.slot), r.cand, b.fAtX[i]));
      if (b.metricDiag) p.call("precondMetrics", flow.n, b.metricDiag, y, b.X[r.cand], b.metrics);
      else p.call("stepMetrics", flow.n, y, b.X[r.cand], b.X[r.cur], b.metrics);
      p.call("dotDiff", flow.n, b.g, b.X[r.cand], y, b.linear);
      return p.build();
    };
    this.programs = [build(0), build(1), build(2)];
    const o = new PlanBuilder(flow.kernel);
    const r0 = rotation(0);
    for (const idx of [r0.prev, r0.cur]) flow.smooth.forEach((t, i) => t.term.emitObserve(o, b.slot(b.X[idx], t.slot), idx, b.fAtX[i]));
    this.observe = o.build();
  }

  /** Kernel calls per step (1 for a flow of built-ins). */
  get kernelCalls(): number {
    return this.programs[0].kernelCalls;
  }

  dispose(): void {
    for (const p of this.programs) p.dispose();
    this.observe.dispose();
    this.buffers.dispose();
  }
}
