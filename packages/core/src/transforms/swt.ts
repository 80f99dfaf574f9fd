// The stationary (undecimated, "à trous") wavelet transform with periodic extension, 1D and
// separable 2D, as a tight frame.
//
// Normalisation: PyWavelets' `swt(x, w, level=L, trim_approx=True, norm=True)` (1D) and
// `swt2(x, w, level=L, trim_approx=True, norm=True)` (2D): every filter is scaled by 1/√2, so each
// level splits the energy of its input approximation exactly between the new approximation and
// details (|Ĥ|² + |Ĝ|² = 1 per axis). The result is a Parseval frame: WᵀW = c·I with c = 1, while
// WWᵀ ≠ I (the coefficients are (L + 1)× (1D) or (3L + 1)× (2D) redundant). `inverse` is the
// canonical dual Wᵀ/c. Layout, each band the size of the signal:
//   1D  [cA_L, cD_L, …, cD_1]
//   2D  [cA_L, cH_L, cV_L, cD_L, …, cH_1, cV_1, cD_1]   (cH = pywt's 'da', cV 'ad', cD 'dd')
import type { Shape } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { filterBank, type WaveletFilters, type WaveletName, waveletFilters } from "./filters.js";
import { checkSignalShape, resolveLevels } from "./levels.js";
import { type Band, KernelTransform, type TransformOptions } from "./transform.js";

/** The registry key of the stationary transform of `wavelet`: "swtDb4", "swtHaar" (camelCase, as every key). */
export function swtName(wavelet: WaveletName): string {
  return `swt${wavelet[0].toUpperCase()}${wavelet.slice(1)}`;
}

export class SwtTransform extends KernelTransform {
  readonly frame = "tight" as const;
  /** Frame constant of the 1/√2-per-axis normalisation: WᵀW = 1·I (a Parseval frame). */
  readonly c = 1;
  readonly name: string;
  readonly levels: number;
  readonly bands: readonly Band[];
  readonly wavelet: WaveletFilters;
  private readonly bank: RealBuf;
  private work?: { s1: RealBuf; s2: RealBuf };

  constructor(wavelet: WaveletName, options: TransformOptions) {
    const name = swtName(wavelet);
    const op = `createTransform("${name}")`;
    checkSignalShape(op, options.shape);
    const w = waveletFilters(wavelet);
    const shape = [...options.shape];
    const size = shape.reduce((a, b) => a * b, 1);
    const levels = resolveLevels(op, shape, options.levels, w.length);
    super(options.dtype, shape, size * (shape.length === 1 ? levels + 1 : 3 * levels + 1));
    this.name = name;
    this.wavelet = w;
    this.levels = levels;
    this.bands = swtBands(shape, levels);
    this.bank = this.own(this.kernel.from(filterBank(w, Math.SQRT1_2, this.dtype)));
  }

  /** Undecimated: every band is on the signal's own grid. */
  translationStride(): readonly number[] {
    return this.shape.map(() => 1);
  }

  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    const F = this.wavelet.length;
    const n = this.size;
    const L = this.levels;
    const { s1, s2 } = this.workspace();
    let src = x;
    for (let l = 1; l <= L; l++) {
      const dil = 2 ** (l - 1);
      const base = this.bands.find((b) => b.level === l)!.offset;
      if (this.shape.length === 1) {
        // approximations alternate between s2 and the first half of s1, so no call writes what it reads
        const a = l === L ? out.sub(0, n) : l % 2 ? s2 : s1.sub(0, n);
        p.call("swtRows", 1, n, dil, src, this.bank, F, a, out.sub(base, n));
        src = a;
      } else {
        // rows (axis 1) into s1 = [lo | hi], then columns (axis 0) of each; the row pass has
        // consumed the previous approximation in s2 before the column pass overwrites it
        const [h, w] = this.shape;
        const lo = s1.sub(0, n);
        const hi = s1.sub(n, n);
        const a = l === L ? out.sub(0, n) : s2;
        p.call("swtRows", h, w, dil, src, this.bank, F, lo, hi);
        p.call("swtCols", h, w, dil, lo, this.bank, F, a, out.sub(base, n)); // 'aa', 'da' = cH
        p.call("swtCols", h, w, dil, hi, this.bank, F, out.sub(base + n, n), out.sub(base + 2 * n, n)); // 'ad' = cV, 'dd' = cD
        src = a;
      }
    }
  }

  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    // W⁻¹ = Wᵀ/c with c = 1
    this.emitAdjoint(p, u, out);
  }

  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    const F = this.wavelet.length;
    const n = this.size;
    const L = this.levels;
    const { s1, s2 } = this.workspace();
    let a = u.sub(0, n);
    for (let l = L; l >= 1; l--) {
      const dil = 2 ** (l - 1);
      const base = this.bands.find((b) => b.level === l)!.offset;
      if (this.shape.length === 1) {
        const dst = l === 1 ? out : l % 2 ? s2 : s1.sub(0, n);
        p.call("swtRowsAdjoint", 1, n, dil, a, u.sub(base, n), this.bank, F, dst);
        a = dst;
      } else {
        const [h, w] = this.shape;
        const lo = s1.sub(0, n);
        const hi = s1.sub(n, n);
        p.call("swtColsAdjoint", h, w, dil, a, u.sub(base, n), this.bank, F, lo);
        p.call("swtColsAdjoint", h, w, dil, u.sub(base + n, n), u.sub(base + 2 * n, n), this.bank, F, hi);
        const dst = l === 1 ? out : s2;
        p.call("swtRowsAdjoint", h, w, dil, lo, hi, this.bank, F, dst);
        a = dst;
      }
    }
  }

  private workspace(): { s1: RealBuf; s2: RealBuf } {
    if (!this.work) {
      // s1: 1D approximations, or the 2D row pass [lo | hi]; s2: approximations
      const n1 = (this.shape.length === 1 ? 1 : 2) * this.size;
      this.work = { s1: this.own(this.kernel.alloc(n1)), s2: this.own(this.kernel.alloc(this.size)) };
    }
    return this.work;
  }

  override dispose(): void {
    super.dispose();
    this.work = undefined;
  }
}

/** Layout of pywt's trimmed swt/swt2 output, flattened: cA_L, then each level's details, coarsest first. */
export function swtBands(shape: Shape, levels: number): Band[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const bands: Band[] = [{ level: 0, orientation: "a", offset: 0, shape: [...shape] }];
  let offset = n;
  for (let l = levels; l >= 1; l--) {
    if (shape.length === 1) {
      bands.push({ level: l, orientation: "d", offset, shape: [...shape] });
      offset += n;
    } else {
      for (const orientation of ["h", "v", "d"] as const) {
        bands.push({ level: l, orientation, offset, shape: [...shape] });
        offset += n;
      }
    }
  }
  return bands;
}
