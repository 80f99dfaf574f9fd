import { CflowError } from "../errors.js";
import type { RealArray } from "../dtype.js";
import type { Op } from "../ops/op.js";
import { waveletFilters } from "../transforms/filters.js";
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

/** K x of each op `residualNormSq` has measured through: one array per op, reused by every reading. */
const images = new WeakMap<Op, RealArray>();

/** ‖K x − y‖² of a data term at a state (by slot). */
export function residualNormSq(term: DataTerm, state: Record<string, RealArray>): number {
  const x = state[term.slot.name];
  if (!x) throw new CflowError("BAD_STATE", `residualNormSq: the state has no slot "${term.slot.name}"`, { path: `state.${term.slot.name}`, expected: "the data term's slot", found: Object.keys(state).join(", ") });
  const op = term.op;
  let image = x;
  if (op) {
    image = op.apply(x, images.get(op));
    images.set(op, image);
  }
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
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.abs(values[i]);
  a.sort();
  const med = n % 2 ? a[n >> 1] : (a[(n >> 1) - 1] + a[n >> 1]) / 2;
  return med / 0.6744897501960817;
}

/**
 * Donoho's noise estimate σ̂ = median(|d|)/0.6745 over the finest detail band d of the data under
 * the periodised Daubechies-4 wavelet (PyWavelets' db4 filters, transforms/filters.ts): in 1D the
 * level-1 detail d_k = Σ_m h_m y_{(2k+m) mod n}, in 2D the level-1 diagonal band (h ⊗ h over each
 * 2×2-strided window). The transform is orthonormal, so white noise of level σ gives coefficients
 * of level σ; with four vanishing moments and a sharp high-pass, a blurred (smooth) signal leaves
 * far less in that band than Haar's 2-tap difference does (on the 128² blurred phantom σ̂ is 1.2%
 * above σ with db4, 5.6% with Haar). Null when y has fewer than two samples along an axis, more
 * than two axes, or σ̂ is 0.
 */
export function noiseLevel(y: ArrayLike<number>, shape: readonly number[]): number | null {
  const h = waveletFilters("db4").decHi;
  const F = h.length;
  let d: Float64Array;
  if (shape.length === 2 && shape[0] >= 2 && shape[1] >= 2) {
    const [rows, cols] = shape;
    const [hr, hc] = [rows >> 1, cols >> 1];
    // rows first: the high-pass of every row at even offsets, then down each column of that
    const t = new Float64Array(rows * hc);
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < hc; k++) {
        let acc = 0;
        for (let m = 0; m < F; m++) acc += h[m] * Number(y[i * cols + ((2 * k + m) % cols)]);
        t[i * hc + k] = acc;
      }
    }
    d = new Float64Array(hr * hc);
    for (let k = 0; k < hr; k++) {
      for (let j = 0; j < hc; j++) {
        let acc = 0;
        for (let m = 0; m < F; m++) acc += h[m] * t[((2 * k + m) % rows) * hc + j];
        d[k * hc + j] = acc;
      }
    }
  } else if (shape.length === 1 && y.length >= 2) {
    const n = y.length;
    d = new Float64Array(n >> 1);
    for (let k = 0; k < d.length; k++) {
      let acc = 0;
      for (let m = 0; m < F; m++) acc += h[m] * Number(y[(2 * k + m) % n]);
      d[k] = acc;
    }
  } else return null;
  // the high-pass of a constant is 0 up to the filter's rounding: noise-free data give null
  let peak = 0;
  for (let i = 0; i < y.length; i++) peak = Math.max(peak, Math.abs(Number(y[i])));
  const s = madNoiseLevel(d);
  return s > 1e-12 * peak ? s : null;
}
