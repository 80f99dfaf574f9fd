// F_Con: the conservative (symplectic) step of Hamiltonian flows — Störmer–Verlet leapfrog on
// (q, p) slot pairs for H(q, p) = f(q) + ½‖p‖²: half kick, drift, half kick, then damping
// p ← e^{−γΔt}p. The energy error of the undamped scheme is O(Δt²).
import type { CompiledFlow, SlotLayout } from "../compiler/types.js";
import type { Cell, PlanBuilder } from "../kernel/plan.js";
import type { Rotation, StepBuffers } from "../runtime/buffers.js";

/** The scalars of a leapfrog step. */
export interface ConCells {
  dt: Cell;
  negHalfDt: Cell;
  damping: Cell;
  /** ‖p⁺‖² per pair (the kinetic energy is half of it). */
  pNorm2: Cell[];
}

/** Position/momentum slot pairs of a flow (momentum slots declare `conjugateOf`). */
export function conjugatePairs(flow: CompiledFlow): { q: SlotLayout; p: SlotLayout }[] {
  const byName = new Map(flow.slots.map((s) => [s.name, s]));
  return flow.slots.filter((s) => s.conjugateOf).map((p) => ({ q: byName.get(p.conjugateOf!)!, p }));
}

/** Records one leapfrog step from rotation.cur into rotation.cand. */
export function emitCon(p: PlanBuilder, b: StepBuffers, r: Rotation, c: ConCells): void {
  const flow = b.flow;
  const pairs = conjugatePairs(flow);
  // g ← ∇f(q) from the image caches of the state buffer `from`
  const gradient = (from: Rotation["cur"], values: Cell[]) => {
    p.call("fill", flow.n, b.zero, b.g);
    flow.smooth.forEach((t, i) => {
      t.term.emitGradient(p, b.slot(b.X[from], t.slot), from, from, b.zero, b.slot(b.g, t.slot), values[i]);
    });
  };
  // half kick at q_k
  gradient(r.cur, b.fAtY);
  for (const { q, p: m } of pairs) {
    p.call("axpbyz", m.size, b.one, b.slot(b.X[r.cur], m), c.negHalfDt, b.slot(b.g, q), b.slot(b.X[r.cand], m));
    // drift
    p.call("axpbyz", q.size, b.one, b.slot(b.X[r.cur], q), c.dt, b.slot(b.X[r.cand], m), b.slot(b.X[r.cand], q));
  }
  // observe q_{k+1}: its image caches feed the second half kick and the next step
  flow.smooth.forEach((t, i) => t.term.emitObserve(p, b.slot(b.X[r.cand], t.slot), r.cand, b.fAtX[i]));
  gradient(r.cand, b.fAtX);
  pairs.forEach(({ q, p: m }, i) => {
    p.call("axpy", m.size, c.negHalfDt, b.slot(b.g, q), b.slot(b.X[r.cand], m));
    p.call("scale", m.size, c.damping, b.slot(b.X[r.cand], m));
    p.call("dot", m.size, b.slot(b.X[r.cand], m), b.slot(b.X[r.cand], m), c.pNorm2[i]);
  });
}
