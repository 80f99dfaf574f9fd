// The lens probe (docs/design.md §2.9): which candidate transform represents a sample most
// sparsely. Both budgets count coefficients relative to the signal dimension dim(x), as sparsity
// does (docs/design.md §2.4) — so a redundant frame gets no extra allowance.
import { type RealArray, checkArray, shapeSize } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import type { TransformOp } from "./transform.js";

export interface LensOptions {
  /** Fraction k of dim(x) kept when measuring compressibility (default 0.05, as policies.lens). */
  keepFraction?: number;
  /** Fraction of dim(x) kept for the reconstruction-error score (default: keepFraction). */
  targetSparsity?: number;
}

export interface LensScore {
  name: string;
  /** Share of the coefficient energy ‖Wx‖² held by the ⌈k·dim(x)⌉ largest |coefficients|. */
  compressibility: number;
  /** ‖W⁻¹(u_s) − x‖ / ‖x‖ with u_s the ⌈targetSparsity·dim(x)⌉ largest coefficients of Wx. */
  reconstructionError: number;
  /** 1 for the winner. */
  rank: number;
}

export interface LensResult {
  winner: string;
  /** Best first. */
  scores: LensScore[];
  keepFraction: number;
  targetSparsity: number;
}

function checkFraction(name: string, v: number): void {
  if (!(typeof v === "number" && v > 0 && v <= 1)) {
    throw new CflowError("BAD_OPTION", `lensProbe: ${name} must be in (0, 1], found ${String(v)}`, { path: `lensProbe.${name}`, expected: "a number in (0, 1]", found: v });
  }
}

/**
 * Indices of the `k` largest |u_i|, ties between equal magnitudes broken by the lower index (so
 * the selection never depends on the sort's stability).
 */
function largest(u: RealArray, k: number): Uint8Array {
  const keep = new Uint8Array(u.length);
  if (k >= u.length) return keep.fill(1);
  const mags = Float64Array.from(u, Math.abs).sort();
  const tau = mags[u.length - k];
  let above = 0;
  for (let i = 0; i < u.length; i++) if (Math.abs(u[i]) > tau) above++;
  let ties = k - above;
  for (let i = 0; i < u.length; i++) {
    const m = Math.abs(u[i]);
    if (m > tau || (m === tau && ties-- > 0)) keep[i] = 1;
  }
  return keep;
}

/**
 * Ranks candidate transforms (created for the sample's shape and dtype) by compressibility, higher
 * first; then by reconstruction error at the target sparsity, lower first; then by name, so equal
 * scores always resolve the same way.
 */
export function lensProbe(candidates: readonly TransformOp[], sample: RealArray, options: LensOptions = {}): LensResult {
  const keepFraction = options.keepFraction ?? 0.05;
  const targetSparsity = options.targetSparsity ?? keepFraction;
  checkFraction("keepFraction", keepFraction);
  checkFraction("targetSparsity", targetSparsity);
  if (candidates.length === 0) throw new CflowError("BAD_OPTION", "lensProbe: no candidate transforms", { path: "lensProbe.candidates", expected: "at least one transform", found: 0 });
  const names = new Set<string>();
  for (const W of candidates) {
    if (names.has(W.name)) throw new CflowError("BAD_OPTION", `lensProbe: candidate "${W.name}" appears twice`, { path: "lensProbe.candidates", expected: "distinct names", found: W.name });
    names.add(W.name);
    checkArray(`lensProbe(${W.name})`, W.dtype, W.shape, sample);
  }
  const n = sample.length;
  if (candidates.some((W) => shapeSize(W.shape) !== n)) throw new ShapeError("lensProbe", n, candidates.map((W) => shapeSize(W.shape)).join(" / "));
  let xx = 0;
  for (let i = 0; i < n; i++) xx += sample[i] * sample[i];
  const kKeep = Math.max(1, Math.ceil(keepFraction * n));
  const kSparse = Math.max(1, Math.ceil(targetSparsity * n));

  const scores = candidates.map((W) => {
    const u = W.forward(sample);
    let total = 0;
    let captured = 0;
    const keep = largest(u, kKeep);
    for (let i = 0; i < u.length; i++) {
      const e = u[i] * u[i];
      total += e;
      if (keep[i]) captured += e;
    }
    const sparse = largest(u, kSparse);
    for (let i = 0; i < u.length; i++) if (!sparse[i]) u[i] = 0;
    const y = W.inverse(u);
    let err = 0;
    for (let i = 0; i < n; i++) err += (y[i] - sample[i]) ** 2;
    return {
      name: W.name,
      compressibility: total > 0 ? captured / total : 1,
      reconstructionError: xx > 0 ? Math.sqrt(err / xx) : Math.sqrt(err),
      rank: 0,
    };
  });
  scores.sort((a, b) => b.compressibility - a.compressibility || a.reconstructionError - b.reconstructionError || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  scores.forEach((s, i) => (s.rank = i + 1));
  return { winner: scores[0].name, scores, keepFraction, targetSparsity };
}
