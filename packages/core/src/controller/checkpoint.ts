import type { RunContext } from "./context.js";
import { callHook } from "./hooks.js";
import { type ControllerState, encodeState } from "./state.js";
import { coefficients } from "./stepping.js";

/**
 * Writes everything a deterministic continuation needs — the state record's encoding with the
 * runner's snapshot and the certificate hook's own state (`encodeState`; its stage is the one a
 * resumed run continues with) — to every
 * sink that records checkpoints. `good` marks a certified state (never one in the middle of an
 * attempt or trial). The same checkpoint is not written twice. Sinks that show the live state
 * (`RunSink.observe`) see it here too, even when no sink records checkpoints.
 */
export async function writeCheckpoint(s: ControllerState, ctx: RunContext, good: boolean): Promise<void> {
  if (!ctx.checkpoints && !ctx.live) return;
  const key = checkpointKey(s, ctx, good);
  if (key === ctx.lastCheckpoint) return;
  ctx.lastCheckpoint = key;
  ctx.showState(s.phase, "checkpoint");
  if (!ctx.checkpoints) return;
  const snap = ctx.runner.snapshot();
  const sparse = ctx.flow.prox.some((p) => p.term.sparsity);
  const hook = ctx.certify;
  const hookState = hook?.saveState ? { name: hook.name, state: callHook(hook.name, "saveState", () => hook.saveState!()) } : null;
  const enc = encodeState(s, snap, sparse ? coefficients(s, ctx) : null, ctx.flow, hookState);
  await ctx.checkpoint({
    iter: snap.iter,
    phase: s.phase,
    good: good && s.inFlight === null,
    arrays: enc.arrays,
    controllerState: enc.json,
    tunerState: enc.tunerState,
    rngKey: ctx.key,
  });
}

/** What makes a checkpoint different from the last one written. */
export function checkpointKey(s: ControllerState, ctx: RunContext, good: boolean): string {
  const f = s.inFlight;
  return `${ctx.runner.iter}:${s.stage}:${s.phase}:${good && f === null}:${f ? `${f.kind}:${f.done}` : ""}`;
}
