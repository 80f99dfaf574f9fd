// The orthogonal periodised discrete wavelet transform, 1D and separable 2D, as a unitary W.
//
// Coefficients equal PyWavelets' `wavedec(x, w, mode='periodization', level=L)` (1D) and
// `wavedec2(x, w, mode='periodization', level=L)` (2D) — to rounding for Haar and dbN, to ~6e-12
// relative for symN, whose pywt table is less accurate than ours (filters.ts) — flattened in their
// list order:
//   1D  [cA_L, cD_L, cD_{L−1}, …, cD_1]
//   2D  [cA_L, cH_L, cV_L, cD_L, …, cH_1, cV_1, cD_1], each band row-major
// where pywt's cH is its 'da' band (detail along axis 0, approximation along axis 1), cV 'ad' and
// cD 'dd' (pywt/_multidim.py: dwt2 returns coefs['aa'], (coefs['da'], coefs['ad'], coefs['dd'])).
// A level-ℓ band of size s_ℓ = size/2^ℓ (1D) or size/4^ℓ (2D) sits at offset s_ℓ (1D detail), or
// s_ℓ, 2s_ℓ, 3s_ℓ (2D cH, cV, cD): the approximation of each level is the prefix of the array.
import type { Shape } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { filterBank, type WaveletFilters, type WaveletName, waveletFilters } from "./filters.js";
import { checkSignalShape, resolveLevels } from "./levels.js";
import { type Band, KernelTransform, type TransformOptions } from "./transform.js";

export class DwtTransform extends KernelTransform {
  readonly frame = "unitary" as const;
  readonly c = 1;
  readonly name: string;
  readonly levels: number;
  readonly bands: readonly Band[];
  readonly wavelet: WaveletFilters;
  private readonly bank: RealBuf;
  private work?: { s1: RealBuf; s2: RealBuf };

  constructor(wavelet: WaveletName, options: TransformOptions) {
    const op = `createTransform("${wavelet}")`;
    checkSignalShape(op, options.shape);
    const w = waveletFilters(wavelet);
    const shape = [...options.shape];
    super(options.dtype, shape, shape.reduce((a, b) => a * b, 1));
    this.name = wavelet;
    this.wavelet = w;
    this.levels = resolveLevels(op, shape, options.levels, w.length);
    this.bands = dwtBands(shape, this.levels);
    this.bank = this.own(this.kernel.from(filterBank(w, 1, this.dtype)));
  }

  /** Periodised decimation: a level-ℓ band samples every 2^ℓ-th position (the approximation 2^levels). */
  translationStride(band: Band): readonly number[] {
    const e = band.level === 0 ? this.levels : band.level;
    return this.shape.map(() => 2 ** e);
  }

  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    const F = this.wavelet.length;
    const { s1, s2 } = this.workspace();
    if (this.shape.length === 1) {
      let len = this.shape[0];
      let src = x;
      for (let l = 1; l <= this.levels; l++) {
        const half = len / 2;
        // ping-pong: odd levels write s1 (≤ N/2), even levels s2 (≤ N/4); the last level writes out
        const a = l === this.levels ? out.sub(0, half) : (l % 2 ? s1 : s2).sub(0, half);
        p.call("dwtRows", 1, len, src, this.bank, F, a, out.sub(half, half));
        src = a;
        len = half;
      }
      return;
    }
    let [h, w] = this.shape;
    let src = x;
    for (let l = 1; l <= this.levels; l++) {
      const s = (h / 2) * (w / 2);
      // rows (axis 1) into s1 = [lo | hi], then columns (axis 0) of each half
      const lo = s1.sub(0, h * (w / 2));
      const hi = s1.sub(h * (w / 2), h * (w / 2));
      p.call("dwtRows", h, w, src, this.bank, F, lo, hi);
      const a = l === this.levels ? out.sub(0, s) : s2.sub(0, s);
      p.call("dwtCols", h, w / 2, lo, this.bank, F, a, out.sub(s, s)); // 'aa', 'da' = cH
      p.call("dwtCols", h, w / 2, hi, this.bank, F, out.sub(2 * s, s), out.sub(3 * s, s)); // 'ad' = cV, 'dd' = cD
      src = a;
      h /= 2;
      w /= 2;
    }
  }

  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    const F = this.wavelet.length;
    const { s1, s2 } = this.workspace();
    if (this.shape.length === 1) {
      let len = this.shape[0] / 2 ** this.levels;
      let a = u.sub(0, len);
      for (let l = this.levels; l >= 1; l--) {
        // level l rebuilds 2·len reals: even levels into s1 (≤ N/2), odd ones ≥ 3 into s2 (≤ N/4)
        const dst = l === 1 ? out : (l % 2 ? s2 : s1).sub(0, 2 * len);
        p.call("idwtRows", 1, 2 * len, a, u.sub(len, len), this.bank, F, dst);
        a = dst;
        len *= 2;
      }
      return;
    }
    let h = this.shape[0] / 2 ** this.levels;
    let w = this.shape[1] / 2 ** this.levels;
    let a = u.sub(0, h * w);
    for (let l = this.levels; l >= 1; l--) {
      const s = h * w;
      const lo = s1.sub(0, 2 * s);
      const hi = s1.sub(2 * s, 2 * s);
      p.call("idwtCols", 2 * h, w, a, u.sub(s, s), this.bank, F, lo);
      p.call("idwtCols", 2 * h, w, u.sub(2 * s, s), u.sub(3 * s, s), this.bank, F, hi);
      const dst = l === 1 ? out : s2.sub(0, 4 * s);
      p.call("idwtRows", 2 * h, 2 * w, lo, hi, this.bank, F, dst);
      a = dst;
      h *= 2;
      w *= 2;
    }
  }

  /** Wᵀ = W⁻¹: the synthesis bank is the time-reversed analysis bank, so synthesis is the exact transpose. */
  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    this.emitInverse(p, u, out);
  }

  /** Working buffers, allocated on first use (creating a transform to check a spec costs nothing). */
  private workspace(): { s1: RealBuf; s2: RealBuf } {
    if (!this.work) {
      const n = this.size;
      // 1D: s1 holds level approximations up to N/2, s2 up to N/4. 2D: s1 the row pass (N), s2 approximations (N/4).
      const [n1, n2] = this.shape.length === 1 ? [n / 2, Math.max(1, n / 4)] : [n, n / 4];
      this.work = { s1: this.own(this.kernel.alloc(n1)), s2: this.own(this.kernel.alloc(n2)) };
    }
    return this.work;
  }

  override dispose(): void {
    super.dispose();
    this.work = undefined;
  }
}

/** The coefficient layout of `wavedec`/`wavedec2` flattened: approximation, then coarsest to finest details. */
export function dwtBands(shape: Shape, levels: number): Band[] {
  const f = 2 ** levels;
  if (shape.length === 1) {
    const n = shape[0] / f;
    const bands: Band[] = [{ level: 0, orientation: "a", offset: 0, shape: [n] }];
    for (let l = levels; l >= 1; l--) {
      const s = shape[0] / 2 ** l;
      bands.push({ level: l, orientation: "d", offset: s, shape: [s] });
    }
    return bands;
  }
  const bands: Band[] = [{ level: 0, orientation: "a", offset: 0, shape: [shape[0] / f, shape[1] / f] }];
  for (let l = levels; l >= 1; l--) {
    const bs = [shape[0] / 2 ** l, shape[1] / 2 ** l];
    const s = bs[0] * bs[1];
    bands.push({ level: l, orientation: "h", offset: s, shape: bs }, { level: l, orientation: "v", offset: 2 * s, shape: bs }, { level: l, orientation: "d", offset: 3 * s, shape: bs });
  }
  return bands;
}
