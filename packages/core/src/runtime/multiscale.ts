import type { ResolvedPolicies } from "../spec/policies.js";

/** How many detail levels (coarsest first) the schedule has unlocked, and when it last did. */
export interface MultiscaleState {
  [key: string]: number;
  active: number;
  lastUnlock: number;
  levels: number;
}

type Policy = ResolvedPolicies["multiscale"];

/**
 * Coarse-to-fine unlocking of wavelet levels: the run starts with the `startLevels` coarsest
 * detail levels active (the finer ones are held at zero) and unlocks one more level every
 * `every` iterations (fixed) or when the relative energy decrease of an iteration falls below
 * `residualDrop` (residual-driven). Pure functions over plain state, so checkpoints hold it.
 */
export function multiscaleInit(policy: Policy, levels: number): MultiscaleState {
  return { active: Math.max(0, Math.min(levels, policy.startLevels)), lastUnlock: 0, levels };
}

/**
 * After an accepted iteration: the next state, and the unlocked level in PyWavelets numbering
 * (1 = finest, `levels` = coarsest) or null.
 */
export function multiscaleUpdate(
  policy: Policy,
  s: MultiscaleState,
  o: { iter: number; prevEnergy: number; energy: number },
): { state: MultiscaleState; unlocked: number | null } {
  if (s.active >= s.levels || policy.mode === "off") return { state: s, unlocked: null };
  let due = false;
  if (policy.mode === "fixed") due = o.iter - s.lastUnlock >= policy.every;
  else {
    const drop = (o.prevEnergy - o.energy) / Math.max(Math.abs(o.prevEnergy), 1e-300);
    due = Number.isFinite(drop) && drop < policy.residualDrop;
  }
  if (!due) return { state: s, unlocked: null };
  const active = s.active + 1;
  return { state: { active, lastUnlock: o.iter, levels: s.levels }, unlocked: s.levels - active + 1 };
}
