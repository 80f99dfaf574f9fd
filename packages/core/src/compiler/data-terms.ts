import { CflowError } from "../errors.js";
import type { RealArray } from "../dtype.js";
import type { Op } from "../ops/op.js";
import type { CompiledFlow, SlotLayout } from "./types.js";

/**
 * A data term of a compiled flow that compares the state against a target array: ½‖K x − y‖²
 * (or x itself without an op) — what the discrepancy principle, SURE and GCV, and the capsule's
 * data fit measure.
 */
export interface DataTerm {
  /** The term's name, or `terms[i]`. */
  name: string;
  /** Index in `spec.terms`. */
  index: number;
  atom: string;
  slot: SlotLayout;
  /** The op's name (null: the state is compared directly). */
  opName: string | null;
  op: Op | null;
  targetName: string;
  /** The target y, as given in the spec's data. */
  y: ArrayLike<number>;
  /** Length of y. */
  m: number;
  /** Shape of y (the op's output shape, or the slot's). */
  shape: readonly number[];
  /** σ of the noise in y when the spec gives it (`noise.<target>.sigma`), else null. */
  sigma: number | null;
}

/**
 * The data terms with a target of matching size, in spec order: Euclidean slots only, ops that
 * resolve, targets as long as the op's image. Manifold slots and mismatched shapes are left out.
 */
export function dataTerms(compiled: CompiledFlow): DataTerm[] {
  const out: DataTerm[] = [];
  for (const [i, t] of compiled.spec.terms.entries()) {
    if (t.kind !== "data" || typeof t.target !== "string") continue;
    const slotName = t.slot ?? (compiled.slots.length === 1 ? compiled.slots[0].name : undefined);
    const slot = compiled.slots.find((s) => s.name === slotName);
    const y = compiled.spec.data?.[t.target];
    if (!slot || slot.manifold !== null || !y) continue;
    const op = t.op ? compiled.ops[t.op] : undefined;
    if (t.op && !op) continue;
    const shape = op ? op.outShape : slot.shape;
    if (shape.reduce((a, c) => a * c, 1) !== y.length) continue;
    const sigma = compiled.spec.noise?.[t.target]?.sigma;
    out.push({ name: t.name ?? `terms[${i}]`, index: i, atom: String(t.atom), slot, opName: t.op ?? null, op: op ?? null, targetName: t.target, y, m: y.length, shape, sigma: typeof sigma === "number" ? sigma : null });
  }
  return out;
}

/** ‖K x − y‖² of a data term at a state (by slot). */
export function residualNormSq(term: DataTerm, state: Record<string, RealArray>): number {
  const x = state[term.slot.name];
  if (!x) throw new CflowError("BAD_STATE", `residualNormSq: the state has no slot "${term.slot.name}"`, { path: `state.${term.slot.name}`, expected: "the data term's slot", found: Object.keys(state).join(", ") });
  const image = term.op ? term.op.apply(x) : x;
  let r2 = 0;
  for (let k = 0; k < term.m; k++) {
    const d = image[k] - Number(term.y[k]);
    r2 += d * d;
  }
  return r2;
}

/** median(|v|)/0.6745: the MAD estimate of a Gaussian noise level from (mostly-noise) coefficients. */
export function madNoiseLevel(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new CflowError("EMPTY_OPERATOR", "madNoiseLevel: no coefficients", { path: "madNoiseLevel", expected: "≥ 1 value", found: 0 });
  const a = Float64Array.from({ length: n }, (_, i) => Math.abs(values[i])).sort();
  const med = n % 2 ? a[n >> 1] : (a[(n >> 1) - 1] + a[n >> 1]) / 2;
  return med / 0.6744897501960817;
}

/**
 * Donoho's noise estimate σ̂ = median(|d|)/0.6745 over the finest diagonal wavelet band d of the
 * data, Haar's: in 1D (y₂ᵢ − y₂ᵢ₊₁)/√2, in 2D the diagonal detail (a − b − c + d)/2 of each 2 × 2
 * block. Both are orthonormal, so white noise of level σ gives coefficients of level σ, and a
 * blurred (smooth) signal leaves almost nothing else in that band. Null when y has fewer than
 * two samples along an axis, more than two axes, or σ̂ is 0.
 */
export function haarNoiseLevel(y: ArrayLike<number>, shape: readonly number[]): number | null {
  const d: number[] = [];
  if (shape.length === 2 && shape[0] >= 2 && shape[1] >= 2) {
    const [h, w] = shape;
    for (let i = 0; i + 1 < h; i += 2) {
      for (let j = 0; j + 1 < w; j += 2) {
        d.push((Number(y[i * w + j]) - Number(y[i * w + j + 1]) - Number(y[(i + 1) * w + j]) + Number(y[(i + 1) * w + j + 1])) / 2);
      }
    }
  } else if (shape.length === 1 && y.length >= 2) {
    for (let k = 0; k + 1 < y.length; k += 2) d.push((Number(y[k]) - Number(y[k + 1])) / Math.SQRT2);
  } else return null;
  const s = madNoiseLevel(d);
  return s > 0 ? s : null;
}
