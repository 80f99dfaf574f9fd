import type { TermState } from "../atoms/atom.js";
import type { CompiledProxTerm } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Json } from "../ports/events.js";

/**
 * The states of a flow's non-smooth terms between proxes (the warm start of an iterative prox),
 * one entry per compiled prox term, null for a stateless one. Part of a runner snapshot: a
 * rollback restores it and a checkpoint carries it, so a resumed run repeats an uninterrupted one.
 */
export type TermStates = (TermState | null)[];

export function saveTermStates(prox: readonly CompiledProxTerm[]): TermStates {
  return prox.map((p) => p.term.saveState?.() ?? null);
}

export function loadTermStates(prox: readonly CompiledProxTerm[], states: TermStates): void {
  prox.forEach((p, i) => {
    const s = states[i];
    if (s && p.term.loadState) p.term.loadState(s);
  });
}

const arrayName = (prefix: string, i: number, key: string) => `${prefix}term.${i}.${key}`;

/** The arrays of `states` as checkpoint arrays, named `<prefix>term.<i>.<key>`. */
export function termStateArrays(states: TermStates, prefix: string): Record<string, RealArray> {
  const out: Record<string, RealArray> = {};
  states.forEach((s, i) => {
    if (s) for (const [key, a] of Object.entries(s.arrays)) out[arrayName(prefix, i, key)] = a;
  });
  return out;
}

/** The JSON part of `states` (scalars and the names of the arrays) for a checkpoint's controller state. */
export function termStateMeta(states: TermStates): Json {
  return states.map((s) => (s ? { scalars: { ...s.scalars }, arrays: Object.keys(s.arrays) } : null));
}

/** Rebuilds term states from `termStateMeta` and the checkpoint arrays written with the same prefix. */
export function termStatesFromCheckpoint(meta: Json | undefined, arrays: Record<string, RealArray>, prefix: string, where: string): TermStates {
  if (meta === undefined || meta === null) return [];
  if (!Array.isArray(meta)) throw new CflowError("BAD_CHECKPOINT", `${where}: term states must be a list, found ${JSON.stringify(meta)}`, { path: where, expected: "a list", found: meta });
  return meta.map((m, i) => {
    if (m === null) return null;
    const e = m as { scalars: Record<string, number>; arrays: string[] };
    const out: TermState = { arrays: {}, scalars: { ...e.scalars } };
    for (const key of e.arrays) {
      const a = arrays[arrayName(prefix, i, key)];
      if (!a) {
        throw new CflowError("BAD_CHECKPOINT", `${where}: array ${arrayName(prefix, i, key)} of term ${i}'s state is missing`, { path: where, expected: arrayName(prefix, i, key), found: Object.keys(arrays).join(", ") });
      }
      out.arrays[key] = a;
    }
    return out;
  });
}
