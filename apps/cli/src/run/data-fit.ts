import type { CompiledFlow, RealArray } from "@cflow/core";
import { writeCapsuleFile } from "@cflow/recorder";

/** The capsule file `cflow run` and `resume` write the data fit to (SCHEMA.md, capsule layout). */
export const DATA_FIT_FILE = "artifacts/data_fit.json";

/** How far the final state is from one data term's target: r = op(x) − target. */
export interface DataFitTerm {
  /** The term's name, or `terms[i]`. */
  term: string;
  atom: string;
  op: string | null;
  target: string;
  /** Length of the target. */
  m: number;
  /** ‖r‖². */
  residual_norm2: number;
  /** √(‖r‖²/m). */
  rms: number;
}

/** `artifacts/data_fit.json`. */
export interface DataFit {
  terms: DataFitTerm[];
  /**
   * The noise level σ̂ of the first term's target: median(|d|)/0.6745 over its finest Haar
   * detail coefficients d (pairs of samples in 1D, 2 × 2 blocks in 2D); null when the target has
   * fewer than two samples along an axis or σ̂ is 0.
   */
  noise_sigma: number | null;
  /**
   * The discrepancy ratio ‖r‖²/(m σ̂²) of the first term: 1 is the discrepancy principle's target
   * (the residual is as large as the noise), well below 1 overfits the noise, above 1 underfits.
   */
  discrepancy: number | null;
}

/**
 * The data fit of a run's final state: for each data term with a target, the residual op(x) − y
 * (x itself without an op) through the compiled flow's own operators. Null when no data term
 * compares against a target of matching size (manifold slots, targets of other shapes).
 */
export function dataFit(compiled: CompiledFlow, state: Record<string, RealArray>): DataFit | null {
  const terms: DataFitTerm[] = [];
  let noise: number | null = null;
  for (const [i, t] of compiled.spec.terms.entries()) {
    if (t.kind !== "data" || typeof t.target !== "string") continue;
    const slotName = t.slot ?? (compiled.slots.length === 1 ? compiled.slots[0].name : undefined);
    const slot = compiled.slots.find((s) => s.name === slotName);
    const x = slotName === undefined ? undefined : state[slotName];
    const y = compiled.spec.data?.[t.target];
    if (!slot || slot.manifold !== null || !x || !y) continue;
    const op = t.op ? compiled.ops[t.op] : undefined;
    if (t.op && !op) continue;
    const image = op ? op.apply(x) : x;
    if (image.length !== y.length) continue;
    let r2 = 0;
    for (let k = 0; k < y.length; k++) {
      const d = image[k] - Number(y[k]);
      r2 += d * d;
    }
    if (terms.length === 0) noise = haarNoiseSigma(y, op ? op.outShape : slot.shape);
    terms.push({ term: t.name ?? `terms[${i}]`, atom: String(t.atom), op: t.op ?? null, target: t.target, m: y.length, residual_norm2: r2, rms: Math.sqrt(r2 / y.length) });
  }
  if (terms.length === 0) return null;
  const first = terms[0];
  return { terms, noise_sigma: noise, discrepancy: noise ? first.residual_norm2 / (first.m * noise * noise) : null };
}

/** Writes `artifacts/data_fit.json` (the caller holds the capsule's lock); nothing when there is no data fit. */
export function writeDataFit(runDir: string, compiled: CompiledFlow, state: Record<string, RealArray>): boolean {
  const fit = dataFit(compiled, state);
  if (!fit) return false;
  writeCapsuleFile(runDir, DATA_FIT_FILE, `${JSON.stringify(fit, null, 2)}\n`);
  return true;
}

/**
 * Donoho's noise estimate: the median absolute finest-scale Haar detail coefficient over 0.6745
 * (the median of |N(0, 1)|). 1D: (y₂ᵢ − y₂ᵢ₊₁)/√2; 2D: the diagonal detail of each 2 × 2 block,
 * (a − b − c + d)/2. Both are orthonormal, so white noise of level σ gives coefficients of level σ.
 */
export function haarNoiseSigma(y: ArrayLike<number>, shape: readonly number[]): number | null {
  const d: number[] = [];
  if (shape.length === 2 && shape[0] >= 2 && shape[1] >= 2) {
    const [h, w] = shape;
    for (let i = 0; i + 1 < h; i += 2) {
      for (let j = 0; j + 1 < w; j += 2) {
        const a = Number(y[i * w + j]);
        const b = Number(y[i * w + j + 1]);
        const c = Number(y[(i + 1) * w + j]);
        const e = Number(y[(i + 1) * w + j + 1]);
        d.push(Math.abs(a - b - c + e) / 2);
      }
    }
  } else if (shape.length === 1 && y.length >= 2) {
    for (let k = 0; k + 1 < y.length; k += 2) d.push(Math.abs(Number(y[k]) - Number(y[k + 1])) / Math.SQRT2);
  } else return null;
  d.sort((p, q) => p - q);
  const n = d.length;
  const median = n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
  return median > 0 ? median / 0.6745 : null;
}
