import type { RealArray } from "../dtype.js";
import type { FlowEvent, Json, Phase } from "../ports/events.js";
import type { RunStatus, RunSummary } from "../ports/sink.js";
import type { Dials, TrialOutcome } from "../ports/tuner.js";
import { writeCheckpoint } from "./checkpoint.js";
import { certify } from "./certify.js";
import type { CertificateRecord, RunContext } from "./context.js";
import { runCard } from "./run-card.js";
import type { ControllerState } from "./state.js";
import { OVER_REGULARISED, overRegularised, readTarget } from "./target.js";
import { summarize } from "./state-summary.js";
import { setPhase } from "./stepping.js";

export interface RunResult {
  runId: string;
  status: RunStatus;
  phase: Phase;
  /** Final state by slot. */
  state: Record<string, RealArray>;
  /** Final flat state. */
  x: RealArray;
  iters: number;
  energy: number;
  /** The last `RESULT_KEEP.certificates` certificates of this session (the capsule holds all). */
  certificates: CertificateRecord[];
  tunerHistory: TrialOutcome[];
  /** The last `RESULT_KEEP.events` events of this session (the capsule holds all). */
  events: FlowEvent[];
  /** How many there were: certificates and rollbacks of the whole run (earlier sessions of a resumed one included), events of this session. */
  counts: { certificates: number; events: number; rollbacks: number };
  runCard: Json;
  dials: Dials;
  /** Why the iterations ended (converged, budget, stalled, diverged, non-finite); null when the status says it (CERT_FAIL, CANCELLED, ERROR). */
  stopReason?: string | null;
  /** Its optimality measure at the end. */
  optimality?: number | null;
}

/**
 * Ends the run. A run cut short (CANCELLED, TIMEOUT) is checkpointed first, where it stands —
 * in the middle of a certification attempt or a tuner trial included — so a resumed run
 * continues from there and its record (rows and events up to the checkpoint) is the
 * uninterrupted run's. An ERROR leaves the previous checkpoint as the resume point (the state
 * may be half a step). Then, whatever the status, a GREEN run certifies the state it reports
 * (the "final" certificate; a failure reports AMBER), and the sinks finish.
 */
export async function finish(s: ControllerState, ctx: RunContext, status: RunStatus): Promise<RunResult> {
  const runner = ctx.runner as RunContext["runner"] | undefined;
  const x = runner ? runner.state : ctx.flow.x0;
  if (runner && (status === "CANCELLED" || status === "TIMEOUT")) await writeCheckpoint(s, ctx, s.phase === "GREEN");
  s.inFlight = null; // what follows belongs to no attempt or trial
  const reading = runner && status !== "ERROR" ? readTarget(s, ctx) : null;
  if (runner && ctx.certify && s.phase === "GREEN" && status !== "ERROR") {
    try {
      const { cert } = certify(s, ctx, "final", undefined, 0, reading);
      if (!cert.pass) setPhase(s, ctx, "AMBER", "final certificate failed");
    } catch {
      // the final certificate is best-effort evidence; its absence shows in the run card
    }
  }
  if (status === "CANCELLED") ctx.emit("CANCELLED", { reason: ctx.signal?.reason instanceof Error ? ctx.signal.reason.message : String(ctx.signal?.reason ?? "aborted") });
  const tau = ctx.tune?.taskTarget?.tau ?? 1;
  // the plain warning of issue 12: a certified result that explains the data far worse than the noise does
  if (reading && reading.discrepancy > OVER_REGULARISED * tau) ctx.emit("WARNING", { message: overRegularised(reading.discrepancy), source: "tuner" });
  const card = runCard(s, ctx, status, reading);
  // the error bar of the state the run reports: its final certificate's, when that passed
  const last = ctx.journal.lastCertificate;
  const lastBar = s.phase === "GREEN" && last?.pass && last.errorBar ? last.errorBar : null;
  const energy = runner ? runner.energy : Number.NaN;
  // a budget spent in feasibility or tuning ends the iterations too
  if (status === "TIMEOUT" && s.stopReason === null) s.stopReason = "budget";
  const reason = status === "FINISHED" || status === "TIMEOUT" ? s.stopReason : null;
  const optimality = s.optimality !== null && Number.isFinite(s.optimality) ? s.optimality : null;
  const fin: { [key: string]: Json } = { status, phase: s.phase, iters: runner?.iter ?? 0 };
  if (Number.isFinite(energy)) fin.final_energy = energy;
  if (reason) fin.stop_reason = reason;
  if (optimality !== null) fin.optimality = optimality;
  ctx.emit("RUN_FINISHED", fin);
  // a finished run's last state is final
  if (runner && status !== "CANCELLED" && status !== "TIMEOUT" && status !== "ERROR") {
    s.stage = "done";
    await writeCheckpoint(s, ctx, s.phase === "GREEN");
  }
  const state = ctx.flow.unflatten(x);
  const summary: RunSummary = {
    status,
    phase: s.phase,
    iters: runner?.iter ?? 0,
    finalEnergy: Number.isFinite(energy) ? energy : null,
    tWallMs: ctx.now(),
    runCard: card,
    ...(lastBar ? { errorBar: lastBar } : {}),
    stateSummary: Object.fromEntries(Object.entries(state).map(([k, v]) => [k, summarize(v)])),
    finalState: state,
    ...(reason ? { stopReason: reason } : {}),
    ...(optimality !== null ? { optimality } : {}),
  };
  await ctx.finish(summary);
  const dials = runner ? runner.dials : { lambda: null, lambdaJ: null, alpha: 0 };
  runner?.dispose();
  const j = ctx.journal;
  return {
    runId: ctx.runId,
    status,
    phase: s.phase,
    state,
    x,
    iters: summary.iters,
    energy,
    certificates: j.certificates.items,
    tunerHistory: j.tunerHistory,
    events: j.events.items,
    counts: { certificates: s.certificates, events: j.events.count, rollbacks: s.rollbacks },
    runCard: card,
    dials,
    stopReason: reason,
    optimality,
  };
}
