import type { Certificate } from "../../ports/certificates.js";
import { writeCheckpoint } from "../checkpoint.js";
import { certify } from "../certify.js";
import type { RunContext } from "../context.js";
import { applyDials, checkMove, dialsJson, sameDials, tunerContext } from "../dials.js";
import { readTarget } from "../target.js";
import { callHook } from "../hooks.js";
import type { ControllerState } from "../state.js";
import { rollback, save, setLastGood, setPhase, warmUp } from "../stepping.js";

/**
 * Phase 1: the certificate feasibility sweep. The tuner seeds the dials, then each attempt runs
 * a warm-up of `control.validationIters` iterations and certifies; a failed certificate is
 * remediated by the tuner (widen λ, reduce α), at most `control.maxAttempts` attempts. GREEN
 * moves on to tuning; not certified ends the run (CERT_FAIL), as does a spent budget (TIMEOUT).
 * Without a certificate hook the run goes on uncertified (AMBER) and never tunes.
 */
export async function feasibility(s: ControllerState, ctx: RunContext): Promise<ControllerState> {
  const verdict = await sweep(s, ctx);
  if (verdict === "TIMEOUT") s.status = "TIMEOUT";
  else if (verdict === "RED" || (verdict === "AMBER" && ctx.certify)) s.status = "CERT_FAIL";
  else if (ctx.settings.stopAfterCertification) s.status = verdict === "GREEN" ? "FINISHED" : "CERT_FAIL";
  else s.stage = "tuning";
  return s;
}

async function sweep(s: ControllerState, ctx: RunContext): Promise<"GREEN" | "AMBER" | "RED" | "TIMEOUT"> {
  if (!ctx.certify) return "AMBER"; // nothing can certify: run uncertified, never tune
  const tuner = ctx.tune;
  const control = ctx.config.control;
  // a resumed run cut mid-attempt finishes that attempt: the tuner was seeded before it
  const resumed = s.inFlight?.kind === "attempt" ? s.inFlight.attempt : null;
  if (tuner && resumed === null) {
    const tc = tunerContext(s, ctx);
    s.tunerState = callHook(tuner.name, "init", () => tuner.policy.init(tc));
    const seeded = callHook(tuner.name, "seed", () => tuner.policy.seed(s.tunerState, tc));
    s.tunerState = seeded.state;
    applyDials(s, ctx, seeded.dials);
    // a seed that leaves the dials as they are is no move
    if (!sameDials(tc.dials, seeded.dials)) ctx.emit("TUNER_MOVE_TRY", { trial: 0, from: dialsJson(tc.dials), to: dialsJson(seeded.dials), note: `seed: ${seeded.note}` });
  }
  for (let attempt = resumed ?? 1; ; attempt++) {
    const flight = s.inFlight?.kind === "attempt" ? s.inFlight : { kind: "attempt" as const, attempt, done: 0, start: save(s, ctx) };
    s.inFlight = flight;
    if (ctx.overTime()) {
      ctx.timeout("wall_time", ctx.config.budgets.wallTimeMs, ctx.now());
      return "TIMEOUT";
    }
    const warm = await warmUp(s, ctx, control.validationIters);
    if (warm === "cap") {
      // the iteration budget is spent before the flow could be certified: TIMEOUT in AMBER
      ctx.timeout("iterations", ctx.config.budgets.maxIters, ctx.runner.iter);
      return "TIMEOUT";
    }
    s.inFlight = null;
    if (warm === "nonfinite") {
      // no certificate of a non-finite state: back to where the attempt started, and fail closed
      rollback(s, ctx, flight.start, "NaN/Inf in the state or energy before certification");
      ctx.emit("WARNING", { message: `non-finite energy during certification attempt ${attempt}: the run stops uncertified`, source: "controller" });
      return "AMBER";
    }
    const { cert, hull } = certify(s, ctx, "feasibility", undefined, attempt, readTarget(s, ctx));
    if (cert.pass) {
      setPhase(s, ctx, "GREEN", `certified at attempt ${attempt}`);
      setLastGood(s, ctx, hull);
      s.stage = "tuning";
      await writeCheckpoint(s, ctx, true);
      return "GREEN";
    }
    if (!tuner) {
      ctx.emit("WARNING", { message: "not certified and no tuner hook to widen λ or reduce α: the run stops in AMBER", source: "controller" });
      return "AMBER";
    }
    if (attempt >= control.maxAttempts) {
      setPhase(s, ctx, "RED", `not certified after ${attempt} attempts`);
      ctx.emit("WARNING", { message: `not certified after M = ${control.maxAttempts} remediation attempts: RED, run aborted`, source: "controller" });
      return "RED";
    }
    if (!remediate(s, ctx, cert, attempt)) return "AMBER";
  }
}

/** The tuner's remediation of a failed certificate, gated like any move; false when there is none. */
function remediate(s: ControllerState, ctx: RunContext, failed: Certificate, attempt: number): boolean {
  const tuner = ctx.tune!;
  const tc = tunerContext(s, ctx);
  const r = callHook(tuner.name, "remediate", () => tuner.policy.remediate(s.tunerState, tc, failed, attempt));
  s.tunerState = r.state;
  const refused = r.dials ? checkMove(ctx, tc.dials, r.dials, "remediation") : null;
  if (!r.dials || refused) {
    ctx.emit("WARNING", { message: `not certified and no remediation left (${refused ?? r.note}): the run stops in AMBER`, source: r.dials ? "controller" : "tuner" });
    return false;
  }
  applyDials(s, ctx, r.dials);
  ctx.emit("TUNER_MOVE_TRY", { trial: 0, from: dialsJson(tc.dials), to: dialsJson(r.dials), note: `remediation ${attempt}: ${r.note}` });
  return true;
}
