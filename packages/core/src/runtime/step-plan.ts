import type { CompiledFlow } from "../compiler/types.js";
import { PlanBuilder, type Program } from "../kernel/plan.js";
import { type ConCells, conjugatePairs, emitCon } from "../primitives/con.js";
import { emitDis, emitRetract } from "../primitives/dis.js";
import { emitMultiForward, emitMultiInverse } from "../primitives/multi.js";
import { emitProj } from "../primitives/proj.js";
import { type Rotation, StepBuffers, rotation } from "./buffers.js";
import type { FlowFamily } from "./families.js";

/** The stages of a forward–backward step, in order (Hamiltonian flows have the single stage "con"). */
export const STEP_STAGES = ["dis", "multiForward", "proj", "multiInverse", "observe"] as const;
export type StepStage = (typeof STEP_STAGES)[number] | "con";

export interface StepPlanOptions {
  /** Record ⟨∇f(y), x⁺ − y⟩ for the backtracking line search (a pass over three arrays). */
  lineSearch: boolean;
}

/**
 * A compiled flow's step as a fixed sequence of kernel calls over preallocated buffers: three
 * programs, one per rotation of the state buffers. For built-in atoms and ops each program is a
 * single call into the kernel; user-written ops and manifold slots add JavaScript steps.
 */
export class StepPlan {
  readonly buffers: StepBuffers;
  readonly programs: [Program, Program, Program];
  /**
   * One per rotation: observes its previous and current state buffers into the smooth terms'
   * image caches (after loading a state, or when another runner of the flow used the caches).
   */
  readonly observes: [Program, Program, Program];
  readonly con: ConCells | null;

  constructor(
    readonly flow: CompiledFlow,
    readonly family: FlowFamily,
    readonly options: StepPlanOptions = { lineSearch: true },
  ) {
    const b = (this.buffers = new StepBuffers(flow, family.metric === "diagonal"));
    const c = flow.cells;
    this.con =
      family.shape === "hamiltonian"
        ? { dt: c.cell(0), negHalfDt: c.cell(0), damping: c.cell(1), pNorm2: conjugatePairs(flow).map(() => c.cell(0)) }
        : null;
    const build = (v: number) => {
      const p = new PlanBuilder(flow.kernel);
      for (const stage of this.stages) this.emitStage(p, stage, rotation(v));
      return p.build();
    };
    this.programs = [build(0), build(1), build(2)];
    const observe = (v: number) => {
      const o = new PlanBuilder(flow.kernel);
      const r = rotation(v);
      for (const idx of [r.prev, r.cur]) flow.smooth.forEach((t, i) => t.term.emitObserve(o, b.slot(b.X[idx], t.slot), idx, b.fAtX[i]));
      return o.build();
    };
    this.observes = [observe(0), observe(1), observe(2)];
  }

  /** The stages this flow's step runs, in order. */
  get stages(): readonly StepStage[] {
    return this.con ? ["con"] : STEP_STAGES;
  }

  /** Records one stage of the step in rotation r: the step programs are these, concatenated. */
  private emitStage(p: PlanBuilder, stage: StepStage, r: Rotation): void {
    const { flow, family, buffers: b } = this;
    // the momentum point y: F_Dis writes it, the metrics read it
    const y = family.hasMomentum ? b.y : b.X[r.cur];
    switch (stage) {
      case "con":
        emitCon(p, b, r, this.con!);
        return;
      case "dis":
        emitDis(p, b, r, family.hasMomentum);
        return;
      case "multiForward":
        emitMultiForward(p, b, r);
        return;
      case "proj":
        if (family.prox) emitProj(p, b, r);
        return;
      case "multiInverse":
        emitMultiInverse(p, b, r);
        emitRetract(p, b, r);
        return;
      case "observe":
        // the candidate's energy and the image caches the next gradient combines, then the step metrics
        flow.smooth.forEach((t, i) => t.term.emitObserve(p, b.slot(b.X[r.cand], t.slot), r.cand, b.fAtX[i]));
        if (b.metricDiag) p.call("precondMetrics", flow.n, b.metricDiag, y, b.X[r.cand], b.metrics);
        else p.call("stepMetrics", flow.n, y, b.X[r.cand], b.X[r.cur], b.metrics);
        if (this.options.lineSearch) p.call("dotDiff", flow.n, b.g, b.X[r.cand], y, b.linear);
        return;
    }
  }

  /**
   * One program per stage of the step in rotation 0 (the same emission as the step programs), for
   * profiling where a step's time goes. Running them in order is one step; the caller disposes them.
   */
  stagePrograms(): { stage: StepStage; program: Program }[] {
    return this.stages.map((stage) => {
      const p = new PlanBuilder(this.flow.kernel);
      this.emitStage(p, stage, rotation(0));
      return { stage, program: p.build() };
    });
  }

  /** Kernel calls per step (1 for a flow of built-ins). */
  get kernelCalls(): number {
    return this.programs[0].kernelCalls;
  }

  dispose(): void {
    for (const p of this.programs) p.dispose();
    for (const p of this.observes) p.dispose();
    this.buffers.dispose();
  }
}
