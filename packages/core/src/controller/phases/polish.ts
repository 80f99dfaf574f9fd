import type { RunStatus } from "../../ports/sink.js";
import { writeCheckpoint } from "../checkpoint.js";
import { certificateDue, certify } from "../certify.js";
import type { RunContext } from "../context.js";
import type { ControllerState } from "../state.js";
import { rollback, setLastGood, setPhase, step } from "../stepping.js";
import { ENERGY_NOISE, stepRow } from "../telemetry.js";

/**
 * Phase 3: polish to the iteration budget (stop reason "budget"), until the step meets the
 * optimality tolerances `budgets.rtol`/`atol` ("converged", `FlowRunner.converged`) or until
 * the relative energy change falls below `budgets.tol` ("stalled"). A GREEN run is re-certified on the cadence's review points
 * (`certificateCadence`) — fail closed: a violated certificate rolls back to the last good state
 * and ends the run (CERT_FAIL); a non-finite energy rolls back and stops. Checkpoints every
 * `checkpointEvery` iterations.
 */
export async function polish(s: ControllerState, ctx: RunContext): Promise<ControllerState> {
  s.status = await polishLoop(s, ctx);
  return s;
}

async function polishLoop(s: ControllerState, ctx: RunContext): Promise<RunStatus> {
  const { maxIters, tol: budgetTol, wallTimeMs, rtol, atol } = ctx.config.budgets;
  const tol = budgetTol > 0 ? Math.max(budgetTol, ENERGY_NOISE[ctx.flow.dtype]) : 0;
  const every = ctx.settings.checkpointEvery;
  let prevE = ctx.runner.energy;
  while (ctx.runner.iter < maxIters) {
    await ctx.breathe();
    if (ctx.aborted) return "CANCELLED";
    if (ctx.overTime()) {
      ctx.timeout("wall_time", wallTimeMs, ctx.now());
      s.stopReason = "budget";
      return "TIMEOUT";
    }
    const m = step(s, ctx);
    const row = stepRow(s, ctx, m);
    if (!Number.isFinite(m.E)) {
      ctx.telemetry(row);
      // a regression: back to the last good state, and stop (fail closed)
      if (s.lastGood) rollback(s, ctx, s.lastGood, "NaN/Inf in the state or energy");
      ctx.emit("WARNING", { message: `non-finite energy at iteration ${m.iter}`, source: "controller" });
      s.stopReason = "non-finite";
      return s.phase === "GREEN" ? "FINISHED" : "ERROR";
    }
    // the certificate goes into this iteration's row, so it is evaluated before the row is recorded
    const review = certificateDue(s, ctx, m.iter);
    const certified = review ? certify(s, ctx, "polish", row, 0) : null;
    const cert = certified?.cert ?? null;
    ctx.telemetry(row);
    if (cert) {
      if (!cert.pass) {
        if (s.lastGood) rollback(s, ctx, s.lastGood, `certificate violated: ${cert.reasons.join("; ")}`);
        setPhase(s, ctx, "AMBER", "certificate violated during polish (fail closed)");
        return "CERT_FAIL";
      }
      s.certInterval = ctx.cadence.update(s.certInterval, review!.changed);
      setLastGood(s, ctx, certified!.hull);
    }
    if (every > 0 && m.iter % every === 0) await writeCheckpoint(s, ctx, s.phase === "GREEN");
    await ctx.flushIfDue();
    if (ctx.runner.converged(m, { rtol, atol })) {
      s.stopReason = "converged";
      return "FINISHED";
    }
    const rel = Math.abs(prevE - m.E) / Math.max(Math.abs(prevE), 1e-300);
    prevE = m.E;
    if (tol > 0 && rel < tol && m.iter > 1 && !m.restarted) {
      s.stopReason = "stalled";
      return "FINISHED";
    }
  }
  s.stopReason = "budget";
  return "FINISHED";
}
