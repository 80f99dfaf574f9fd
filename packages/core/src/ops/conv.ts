import { type Dtype, type RealArray, type Shape, checkDtype, describeValue, isDtype } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import { Kernel, type RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { RealFft, isPowerOfTwo, nextPowerOfTwo } from "../kernel/realfft.js";
import { type ParamRule, withDefaults } from "../spec/params.js";
import { KernelOp, type Op, type OpFactory, type OpFactoryContext } from "./op.js";
import { type LinearStructure, circulantOfColumn, kroneckerStructure } from "./structure.js";

/**
 * Convolution operators ("same"-size output). A kernel of m taps is centred at c = ⌊m/2⌋:
 *   (A x)[i] = Σ_j k[j] · x[i − j + c]        (per axis in 2D, centre (⌊mh/2⌋, ⌊mw/2⌋)),
 * with x outside the signal wrapped (boundary "circular") or zero ("zero"). For odd m this is
 * numpy.convolve(x, k, "same") / scipy.ndimage.convolve(mode "wrap" | "constant"). The adjoint is
 * the correlation (Aᵀy)[i] = Σ_j k[j] · y[i + j − c] under the same boundary.
 */
export type ConvBoundary = "circular" | "zero";
export type ConvMethod = "auto" | "fft" | "direct";

export interface ConvOptions {
  /** Signal shape: [n] for conv1d, [h, w] for conv2d. Input and output have this shape. */
  shape: Shape;
  boundary: ConvBoundary;
  /** "fft", "direct", or "auto" (default): the cheaper by the cost model below. */
  method?: ConvMethod;
  dtype: Dtype;
}

export interface Conv2dOptions extends ConvOptions {
  /** [mh, mw] of a full (row-major) kernel; default: square. */
  kernelShape?: readonly number[];
}

/** A separable 2D kernel: `row` filters along the width, `col` along the height. */
export interface SeparableKernel {
  row: RealArray;
  col: RealArray;
}

// Cost model of "auto": nanoseconds measured on the benchmark machine (AMD EPYC Zen 4, Node 20;
// bench/kernel-fft.bench.ts). Only the ratio between the two methods matters. With these, a
// 512×512 image takes the FFT for a full 13×13 PSF (≈3 ms vs ≈9 ms direct) but the direct sum
// for its separable form (≈1.4 ms); a 2^20 signal with a 25-tap blur takes the direct sum
// (≈4 ms vs ≈14 ms for rfft + product + irfft).
/** Direct convolution: per output per kernel tap. */
const NS_PER_TAP = { float64: 0.2, float32: 0.11 };
/** FFT method: per real point per log2(size), forward + inverse together. */
const NS_PER_FFT_POINT = { float64: 0.65, float32: 0.33 };
/** FFT method: per real point, the spectral product and the padding/cropping copies. */
const NS_PER_FFT_EXTRA = { float64: 2, float32: 1 };

/** A convolution kernel normalised to 2D: h × w signals, mh × mw taps centred at (ch, cw). */
interface Geometry {
  h: number;
  w: number;
  mh: number;
  mw: number;
  ch: number;
  cw: number;
}

/**
 * A convolution operator on the kernel. Direct method: the conv1d / conv2d / convRows+convCols
 * kernels (the adjoint uses the flipped kernel). FFT method: the spectral product with the
 * kernel's spectrum k̂ (circular: on the signal itself, extents powers of two; zero: on the signal
 * padded to powers of two ≥ n + m − 1 per axis, which makes the circular product linear).
 */
export class ConvOp extends KernelOp {
  readonly kind: "conv1d" | "conv2d";
  readonly boundary: ConvBoundary;
  readonly translationInvariant: boolean;
  /** The method chosen ("auto" resolved). */
  readonly method: "fft" | "direct";
  /** Present for FFT circular convolutions: AᵀA = one spectral product with |k̂|² (2 FFTs instead of 4). */
  readonly gram?: () => Op;
  private readonly g: Geometry;
  private readonly taps: Float64Array;
  private readonly separable?: { row: Float64Array; col: Float64Array };
  private readonly norm: number;
  // direct
  private kFwd?: RealBuf;
  private kAdj?: RealBuf;
  private rowFwd?: RealBuf;
  private rowAdj?: RealBuf;
  private colFwd?: RealBuf;
  private colAdj?: RealBuf;
  private tmp?: RealBuf;
  // fft
  private fft?: RealFft;
  private fftShape: number[] = [];
  private spectrum?: RealBuf;
  private khat?: RealBuf;
  private padded?: RealBuf;

  constructor(kind: "conv1d" | "conv2d", kernel: ConvKernel, opts: ConvOptions) {
    super(opts.dtype, opts.shape, opts.shape);
    this.kind = kind;
    this.boundary = opts.boundary;
    this.translationInvariant = opts.boundary === "circular";
    this.g = geometry(kind, kernel, opts.shape);
    const { h, w } = this.g;
    this.taps = kernel.taps;
    this.separable = kernel.separable;
    this.method = chooseMethod(kind, this.g, opts, !!kernel.separable);

    const spectrum = this.method === "fft" ? this.setUpFft() : this.setUpDirect();

    if (this.boundary === "circular") {
      const pow2 = isPowerOfTwo(h) && isPowerOfTwo(w) && w >= 2;
      this.norm = maxMagnitude(spectrum ?? (pow2 ? this.hostSpectrum(kind === "conv1d" ? [w] : [h, w]) : circularSpectrum(this.taps, this.g)));
      if (this.method === "fft") this.gram = () => new ConvGramOp(`${kind}.gram`, opts.dtype, opts.shape, this.powerSpectrum(), this.norm ** 2);
    } else {
      let s = 0;
      for (const t of this.taps) s += Math.abs(t);
      this.norm = s;
    }
  }

  /**
   * diag(AᵀA) of a circular convolution: every column of A is the kernel wrapped onto the grid,
   * so each entry is Σ over grid positions of (the taps landing there)². Zero-boundary
   * convolutions have position-dependent column norms and do not offer it.
   */
  get gramDiagonal(): (() => Float64Array) | undefined {
    if (this.boundary !== "circular") return undefined;
    return () => {
      const { h, w, mh, mw } = this.g;
      const folded = new Float64Array(h * w);
      for (let a = 0; a < mh; a++) for (let b = 0; b < mw; b++) folded[(a % h) * w + (b % w)] += this.taps[a * mw + b];
      let s = 0;
      for (const v of folded) s += v * v;
      return new Float64Array(h * w).fill(s);
    };
  }

  /**
   * AᵀA of a circular convolution, a symmetric circulant: its first column is the circular
   * autocorrelation of the kernel wrapped onto the grid, g[d] = Σ_t a[t]·a[t + d] (for a separable
   * kernel, the Kronecker product of the two 1D autocorrelations). Null for zero boundaries (the
   * Gram is not shift-invariant near the edges) and for kernels of more than 4096 wrapped taps
   * (the pairs would cost more than the certificates save).
   */
  gramStructure(): LinearStructure | null {
    if (this.boundary !== "circular") return null;
    const { h, w, mh, mw, ch, cw } = this.g;
    if (this.separable) {
      const col = autocorrelation([h], wrapTaps(this.separable.col, mh, 1, ch, 0, h, 1));
      const row = autocorrelation([w], wrapTaps(this.separable.row, 1, mw, 0, cw, 1, w));
      return col && row ? kroneckerStructure([col, row]) : null;
    }
    return autocorrelation(this.kind === "conv1d" ? [w] : [h, w], wrapTaps(this.taps, mh, mw, ch, cw, h, w));
  }

  /** ‖A‖₂: exactly max|k̂| for circular convolutions, the bound Σ|k| (Young) for zero boundary. */
  override get normHint(): number {
    return this.norm;
  }

  /** Σ|k|: a bound on every row and column sum of |A| (each holds the taps at most once). */
  get tapsAbsSum(): number {
    let s = 0;
    for (const t of this.taps) s += Math.abs(t);
    return s;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    if (this.method === "fft") this.emitSpectral(p, x, out, "cmul");
    else this.emitDirect(p, x, out, false);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    if (this.method === "fft") this.emitSpectral(p, y, out, "cmulConj");
    else this.emitDirect(p, y, out, true);
  }

  private emitDirect(p: PlanBuilder, x: RealBuf, out: RealBuf, adjoint: boolean): void {
    const { h, w, mh, mw, ch, cw } = this.g;
    const circ = this.boundary === "circular" ? 1 : 0;
    // the adjoint is the convolution with the flipped kernel, centred at m − 1 − c
    const [ach, acw] = adjoint ? [mh - 1 - ch, mw - 1 - cw] : [ch, cw];
    if (this.separable) {
      const row = adjoint ? this.rowAdj! : this.rowFwd!;
      const col = adjoint ? this.colAdj! : this.colFwd!;
      p.call("convRows", h, w, x, mw, row, acw, this.tmp!, circ);
      p.call("convCols", h, w, this.tmp!, mh, col, ach, out, circ);
    } else if (this.kind === "conv1d") {
      p.call("conv1d", w, x, mw, adjoint ? this.kAdj! : this.kFwd!, acw, out, circ);
    } else {
      p.call("conv2d", h, w, x, mh, mw, adjoint ? this.kAdj! : this.kFwd!, ach, acw, out, circ);
    }
  }

  private emitSpectral(p: PlanBuilder, x: RealBuf, out: RealBuf, product: "cmul" | "cmulConj"): void {
    const fft = this.fft!;
    const X = this.spectrum!;
    if (this.boundary === "circular") {
      fft.emitForward(p, x, X);
      p.call(product, fft.bins, X, this.khat!, X);
      fft.emitInverse(p, X, out);
      return;
    }
    const { h, w } = this.g;
    const [H, W] = this.fftShape.length === 1 ? [1, this.fftShape[0]] : this.fftShape;
    const xp = this.padded!;
    p.call("convPad2d", h, w, x, H, W, xp);
    fft.emitForward(p, xp, X);
    p.call(product, fft.bins, X, this.khat!, X);
    fft.emitInverse(p, X, xp);
    p.call("convCrop2d", H, W, xp, h, w, out);
  }

  /** |k̂|² per bin, from the spectrum the op holds (in its dtype). */
  private powerSpectrum(): Float64Array {
    const khat = this.khat!.view;
    const power = new Float64Array(khat.length / 2);
    for (let i = 0; i < power.length; i++) power[i] = khat[2 * i] ** 2 + khat[2 * i + 1] ** 2;
    return power;
  }

  private setUpDirect(): undefined {
    const k = this.kernel;
    const dt = (a: Float64Array) => this.own(k.alloc(a.length).set(toDtype(a, this.dtype)));
    if (this.separable) {
      this.rowFwd = dt(this.separable.row);
      this.rowAdj = dt(this.separable.row.slice().reverse());
      this.colFwd = dt(this.separable.col);
      this.colAdj = dt(this.separable.col.slice().reverse());
      this.tmp = this.own(k.alloc(this.g.h * this.g.w));
    } else {
      // flipping both axes of a row-major kernel reverses it
      this.kFwd = dt(this.taps);
      this.kAdj = dt(this.taps.slice().reverse());
    }
    return undefined;
  }

  /** Plans the FFT method; returns k̂ on the FFT grid (float64). */
  private setUpFft(): Float64Array {
    const { h, w, mh, mw } = this.g;
    const shape2 = this.boundary === "circular" ? [h, w] : [nextPowerOfTwo(h + mh - 1), nextPowerOfTwo(Math.max(2, w + mw - 1))];
    this.fftShape = this.kind === "conv1d" ? [shape2[1]] : shape2;
    this.fft = this.own(new RealFft(this.kernel, this.fftShape, this.kind));
    this.spectrum = this.own(this.kernel.alloc(2 * this.fft.bins));
    const spectrum = this.hostSpectrum(this.fftShape);
    this.khat = this.own(this.kernel.alloc(2 * this.fft.bins).set(toDtype(spectrum, this.dtype)));
    if (this.boundary === "zero") this.padded = this.own(this.kernel.alloc(this.fft.size));
    return spectrum;
  }

  /** k̂ on a power-of-two grid, computed in float64 whatever the op's dtype (interleaved rfft bins). */
  private hostSpectrum(shape: number[]): Float64Array {
    const [H, W] = shape.length === 1 ? [1, shape[0]] : shape;
    const { mh, mw, ch, cw } = this.g;
    const k64 = Kernel.get("float64");
    const fft = new RealFft(k64, shape, this.kind);
    const centred = k64.alloc(H * W);
    const X = k64.alloc(2 * fft.bins);
    try {
      const v = centred.view;
      for (let a = 0; a < mh; a++) {
        for (let b = 0; b < mw; b++) {
          const r = (((a - ch) % H) + H) % H;
          const s = (((b - cw) % W) + W) % W;
          v[r * W + s] += this.taps[a * mw + b];
        }
      }
      fft.forward(centred, X);
      return X.view.slice() as Float64Array;
    } finally {
      centred.free();
      X.free();
      fft.dispose();
    }
  }
}

/** AᵀA of a circular FFT convolution: x ↦ IFFT(|k̂|² · FFT(x)), self-adjoint. */
class ConvGramOp extends KernelOp {
  private readonly fft: RealFft;
  private readonly X: RealBuf;
  private readonly power: RealBuf;

  constructor(
    readonly kind: string,
    dtype: Dtype,
    shape: Shape,
    power: Float64Array,
    private readonly norm: number,
  ) {
    super(dtype, shape, shape);
    this.fft = this.own(new RealFft(this.kernel, shape, kind));
    this.X = this.own(this.kernel.alloc(2 * this.fft.bins));
    this.power = this.own(this.kernel.alloc(power.length).set(toDtype(power, dtype)));
  }

  override get normHint(): number {
    return this.norm;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    this.fft.emitForward(p, x, this.X);
    p.call("cmulReal", this.fft.bins, this.X, this.power, this.X);
    this.fft.emitInverse(p, this.X, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    this.emitApply(p, y, out);
  }
}

/** The taps folded onto an h × w grid at their centred, wrapped positions: the nonzero entries of the convolution's first column. */
function wrapTaps(taps: Float64Array, mh: number, mw: number, ch: number, cw: number, h: number, w: number): Map<number, number> {
  const column = new Map<number, number>();
  for (let a = 0; a < mh; a++) {
    for (let b = 0; b < mw; b++) {
      const k = ((((a - ch) % h) + h) % h) * w + ((((b - cw) % w) + w) % w);
      column.set(k, (column.get(k) ?? 0) + taps[a * mw + b]);
    }
  }
  for (const [k, v] of column) if (v === 0) column.delete(k);
  return column;
}

/**
 * The circulant CᵀC of the circulant C with the given first column (flat positions on `grid`):
 * column g[p_u − p_v] = Σ a_u·a_v. Each pair adds its product to the offsets d and −d in the same
 * order, so the column comes out exactly symmetric. Null above 4096 nonzero taps.
 */
function autocorrelation(grid: number[], column: Map<number, number>): LinearStructure | null {
  const entries = [...column];
  if (entries.length > 4096) return null;
  const [h, w] = grid.length === 1 ? [1, grid[0]] : grid;
  const row = entries.map(([k]) => Math.floor(k / w));
  const col = entries.map(([k]) => k % w);
  const at = (dr: number, dc: number) => (((dr % h) + h) % h) * w + (((dc % w) + w) % w);
  const g = new Map<number, number>();
  const add = (k: number, v: number) => g.set(k, (g.get(k) ?? 0) + v);
  for (let u = 0; u < entries.length; u++) {
    add(0, entries[u][1] * entries[u][1]);
    for (let v = u + 1; v < entries.length; v++) {
      const p = entries[u][1] * entries[v][1];
      add(at(row[u] - row[v], col[u] - col[v]), p);
      add(at(row[v] - row[u], col[v] - col[u]), p);
    }
  }
  return circulantOfColumn(grid, g);
}

function toDtype(a: Float64Array, dtype: Dtype): RealArray {
  return dtype === "float64" ? a : Float32Array.from(a);
}

function maxMagnitude(spec: Float64Array): number {
  let m = 0;
  for (let i = 0; i < spec.length; i += 2) m = Math.max(m, Math.hypot(spec[i], spec[i + 1]));
  return m;
}

/**
 * The kernel's DFT on any h × w grid (interleaved, all h·w frequencies, without the centring
 * phase: only magnitudes are used), by the definition evaluated separably: O(mh·mw·w + h·w·mh).
 */
function circularSpectrum(taps: Float64Array, g: Geometry): Float64Array {
  const { h, w, mh, mw } = g;
  const cosW = Float64Array.from({ length: w }, (_, t) => Math.cos((2 * Math.PI * t) / w));
  const sinW = Float64Array.from({ length: w }, (_, t) => Math.sin((2 * Math.PI * t) / w));
  const cosH = Float64Array.from({ length: h }, (_, t) => Math.cos((2 * Math.PI * t) / h));
  const sinH = Float64Array.from({ length: h }, (_, t) => Math.sin((2 * Math.PI * t) / h));
  // R[a][ν] = Σ_b k[a, b] e^(−2πi bν/w)
  const R = new Float64Array(2 * mh * w);
  for (let a = 0; a < mh; a++) {
    for (let nu = 0; nu < w; nu++) {
      let re = 0;
      let im = 0;
      for (let b = 0; b < mw; b++) {
        const t = (b * nu) % w;
        re += taps[a * mw + b] * cosW[t];
        im -= taps[a * mw + b] * sinW[t];
      }
      R[2 * (a * w + nu)] = re;
      R[2 * (a * w + nu) + 1] = im;
    }
  }
  const out = new Float64Array(2 * h * w);
  for (let l = 0; l < h; l++) {
    for (let nu = 0; nu < w; nu++) {
      let re = 0;
      let im = 0;
      for (let a = 0; a < mh; a++) {
        const t = (a * l) % h;
        const c = cosH[t];
        const s = -sinH[t];
        const rr = R[2 * (a * w + nu)];
        const ri = R[2 * (a * w + nu) + 1];
        re += rr * c - ri * s;
        im += rr * s + ri * c;
      }
      out[2 * (l * w + nu)] = re;
      out[2 * (l * w + nu) + 1] = im;
    }
  }
  return out;
}

function chooseMethod(kind: string, g: Geometry, opts: ConvOptions, separable: boolean): "fft" | "direct" {
  const method = opts.method ?? "auto";
  const { h, w, mh, mw } = g;
  const fftPossible = opts.boundary === "zero" || (isPowerOfTwo(h) && isPowerOfTwo(w) && w >= 2);
  if (method === "direct") return "direct";
  if (method === "fft") {
    if (!fftPossible) {
      throw new CflowError("FFT_SIZE", `${kind}: a circular convolution by FFT needs power-of-two extents${kind === "conv1d" ? " ≥ 2" : " (width ≥ 2)"}, found shape [${opts.shape.join(", ")}]`, {
        path: `${kind}.method`,
        expected: "power-of-two extents",
        found: `[${opts.shape.join(", ")}]`,
        hint: 'use method "direct" or "auto", or a power-of-two grid',
      });
    }
    return "fft";
  }
  if (!fftPossible) return "direct";
  const dt = opts.dtype;
  const direct = h * w * (separable ? mh + mw : mh * mw) * NS_PER_TAP[dt];
  const H = opts.boundary === "circular" ? h : nextPowerOfTwo(h + mh - 1);
  const W = opts.boundary === "circular" ? w : nextPowerOfTwo(Math.max(2, w + mw - 1));
  const N = H * W;
  const fft = N * Math.log2(N) * NS_PER_FFT_POINT[dt] + N * NS_PER_FFT_EXTRA[dt];
  return fft < direct ? "fft" : "direct";
}

// ── construction and validation ───────────────────────────────────────────────────────────────

function checkOptions(operation: string, opts: ConvOptions, rank: 1 | 2): void {
  if (typeof opts !== "object" || opts === null) {
    throw new CflowError("BAD_OPTION", `${operation}: expected options { shape, boundary, method?, dtype }, found ${describeValue(opts)}`, { path: operation, found: describeValue(opts) });
  }
  if (!isDtype(opts.dtype)) {
    throw new CflowError("BAD_OPTION", `${operation}: dtype must be "float32" or "float64", found ${describeValue(opts.dtype)}`, { path: `${operation}.dtype`, expected: "float32 | float64", found: describeValue(opts.dtype) });
  }
  const shape = opts.shape;
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ShapeError(`${operation}.shape`, rank === 1 ? "[n] with n a positive integer" : "[h, w] with positive integers", Array.isArray(shape) ? [...shape] : describeValue(shape));
  }
  if (opts.boundary !== "circular" && opts.boundary !== "zero") {
    throw new CflowError("BAD_OPTION", `${operation}: boundary must be "circular" or "zero", found ${describeValue(opts.boundary)}`, { path: `${operation}.boundary`, expected: "circular | zero", found: describeValue(opts.boundary) });
  }
  const m = opts.method ?? "auto";
  if (m !== "auto" && m !== "fft" && m !== "direct") {
    throw new CflowError("BAD_OPTION", `${operation}: method must be "auto", "fft" or "direct", found ${describeValue(m)}`, { path: `${operation}.method`, expected: "auto | fft | direct", found: describeValue(m) });
  }
}

function checkTaps(operation: string, dtype: Dtype, k: unknown): Float64Array {
  if (!(k instanceof Float64Array || k instanceof Float32Array)) {
    throw new CflowError("BAD_KERNEL", `${operation}: expected the filter taps as a Float32Array or Float64Array, found ${describeValue(k)}`, { path: operation, expected: "a typed array of the op's dtype", found: describeValue(k) });
  }
  checkDtype(operation, dtype, k);
  if (k.length === 0) throw new ShapeError(operation, "at least one tap", 0);
  for (let i = 0; i < k.length; i++) {
    if (!Number.isFinite(k[i])) {
      throw new CflowError("BAD_KERNEL", `${operation}: tap ${i} is ${k[i]}; filter taps must be finite`, { path: `${operation}[${i}]`, expected: "a finite number", found: k[i] });
    }
  }
  return Float64Array.from(k);
}

/**
 * 1D convolution y = k ⊛ x ("same" size n, kernel centred at ⌊m/2⌋). `method` "auto" picks the
 * FFT (circular: n a power of two; zero: padded to a power of two ≥ n + m − 1) or the direct sum
 * by cost.
 */
export function conv1d(kernel: RealArray, opts: ConvOptions): ConvOp {
  return new ConvOp("conv1d", conv1dKernel(kernel, opts), opts);
}

/** The kernel of a convolution, validated with the options (what the constructors and the factories' declare check). */
interface ConvKernel {
  taps: Float64Array;
  mh: number;
  mw: number;
  separable?: { row: Float64Array; col: Float64Array };
}

function conv1dKernel(kernel: unknown, opts: ConvOptions): ConvKernel {
  checkOptions("conv1d", opts, 1);
  const taps = checkTaps("conv1d.kernel", opts.dtype, kernel);
  return { taps, mh: 1, mw: taps.length };
}

/**
 * 2D convolution of h × w images ("same" size, kernel centred at (⌊mh/2⌋, ⌊mw/2⌋)). The kernel is
 * a row-major array (square unless `kernelShape` says otherwise) or a separable pair
 * `{ row, col }` (the direct method then filters rows, then columns: mh + mw taps per pixel).
 */
export function conv2d(kernel: RealArray | SeparableKernel, opts: Conv2dOptions): ConvOp {
  return new ConvOp("conv2d", conv2dKernel(kernel, opts), opts);
}

function conv2dKernel(kernel: RealArray | SeparableKernel, opts: Conv2dOptions): ConvKernel {
  checkOptions("conv2d", opts, 2);
  if (kernel instanceof Float64Array || kernel instanceof Float32Array) {
    const taps = checkTaps("conv2d.kernel", opts.dtype, kernel);
    let shape = opts.kernelShape;
    if (shape === undefined) {
      const side = Math.round(Math.sqrt(taps.length));
      if (side * side !== taps.length) {
        throw new ShapeError("conv2d.kernel", "a square number of taps, or kernelShape [mh, mw]", taps.length, "pass kernelShape for a non-square kernel");
      }
      shape = [side, side];
    }
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1) || shape[0] * shape[1] !== taps.length) {
      throw new ShapeError("conv2d.kernelShape", `[mh, mw] with mh·mw = ${taps.length} taps`, Array.isArray(shape) ? [...shape] : describeValue(shape));
    }
    return { taps, mh: shape[0], mw: shape[1] };
  }
  if (typeof kernel !== "object" || kernel === null || !("row" in kernel) || !("col" in kernel)) {
    throw new CflowError("BAD_KERNEL", `conv2d: expected a kernel array or a separable pair { row, col }, found ${describeValue(kernel)}`, { path: "conv2d.kernel", expected: "RealArray | { row, col }", found: describeValue(kernel) });
  }
  const row = checkTaps("conv2d.kernel.row", opts.dtype, kernel.row);
  const col = checkTaps("conv2d.kernel.col", opts.dtype, kernel.col);
  const taps = new Float64Array(col.length * row.length);
  for (let a = 0; a < col.length; a++) for (let b = 0; b < row.length; b++) taps[a * row.length + b] = col[a] * row[b];
  return { taps, mh: col.length, mw: row.length, separable: { row, col } };
}

/** A convolution's shapes ("same" size) once its kernel, options and method are valid. */
function declareConv(kind: "conv1d" | "conv2d", k: ConvKernel, opts: ConvOptions): { inShape: Shape; outShape: Shape } {
  chooseMethod(kind, geometry(kind, k, opts.shape), opts, !!k.separable);
  return { inShape: opts.shape, outShape: opts.shape };
}

function geometry(kind: "conv1d" | "conv2d", k: { mh: number; mw: number }, shape: Shape): Geometry {
  const [h, w] = kind === "conv1d" ? [1, shape[0]] : [shape[0], shape[1]];
  return { h, w, mh: k.mh, mw: k.mw, ch: Math.floor(k.mh / 2), cw: Math.floor(k.mw / 2) };
}

// ── registry factories ────────────────────────────────────────────────────────────────────────

function dataArray(ctx: { data: Record<string, RealArray>; path: string }, param: string, name: unknown): RealArray {
  const a = typeof name === "string" ? ctx.data[name] : undefined;
  if (!a) {
    throw new CflowError("UNKNOWN_DATA", `${ctx.path}.${param}: no data array ${describeValue(name)}`, {
      path: `${ctx.path}.${param}`,
      expected: `one of ${Object.keys(ctx.data).join(", ") || "(no data)"}`,
      found: describeValue(name),
    });
  }
  return a;
}

const commonParams: Record<string, ParamRule> = {
  boundary: { type: "string", oneOf: ["circular", "zero"], default: "circular", description: "values outside the signal: wrapped or zero" },
  method: { type: "string", oneOf: ["auto", "fft", "direct"], default: "auto", description: "FFT or direct sum; auto picks the cheaper" },
};

export const conv1dFactory: OpFactory = {
  description: "1D convolution with a filter (same-size output, filter centred at ⌊m/2⌋), by FFT or direct sum",
  params: {
    shape: { type: "number[]", required: true, min: 1, description: "signal shape [n]" },
    kernel: { type: "string", required: true, description: "name of the data array holding the filter taps" },
    ...commonParams,
  },
  declare(params, ctx) {
    const { kernel, opts } = conv1dParams(params, ctx);
    return declareConv("conv1d", conv1dKernel(kernel, opts), opts);
  },
  create(params, ctx) {
    const { kernel, opts } = conv1dParams(params, ctx);
    return conv1d(kernel, opts);
  },
};

export const conv2dFactory: OpFactory = {
  description: "2D convolution with a point-spread function (same-size output, centred), full or separable, by FFT or direct sum",
  params: {
    shape: { type: "number[]", required: true, min: 1, description: "image shape [h, w]" },
    kernel: { type: "string", description: "name of the data array holding the row-major kernel (or give rowKernel and colKernel)" },
    kernelShape: { type: "number[]", min: 1, description: "[mh, mw] of the kernel (default square)" },
    rowKernel: { type: "string", description: "separable form: data array filtering along the width" },
    colKernel: { type: "string", description: "separable form: data array filtering along the height" },
    ...commonParams,
  },
  declare(params, ctx) {
    const { kernel, opts } = conv2dParams(params, ctx);
    return declareConv("conv2d", conv2dKernel(kernel, opts), opts);
  },
  create(params, ctx) {
    const { kernel, opts } = conv2dParams(params, ctx);
    return conv2d(kernel, opts);
  },
};

function conv1dParams(params: Record<string, unknown>, ctx: OpFactoryContext): { kernel: RealArray; opts: ConvOptions } {
  const p = withDefaults(conv1dFactory.params, params);
  return { kernel: dataArray(ctx, "kernel", p.kernel), opts: { shape: p.shape as number[], boundary: p.boundary as ConvBoundary, method: p.method as ConvMethod, dtype: ctx.dtype } };
}

function conv2dParams(params: Record<string, unknown>, ctx: OpFactoryContext): { kernel: RealArray | SeparableKernel; opts: Conv2dOptions } {
  const p = withDefaults(conv2dFactory.params, params);
  const opts = { shape: p.shape as number[], boundary: p.boundary as ConvBoundary, method: p.method as ConvMethod, dtype: ctx.dtype };
  const separable = p.rowKernel !== undefined || p.colKernel !== undefined;
  if (separable === (p.kernel !== undefined) || (separable && (p.rowKernel === undefined || p.colKernel === undefined))) {
    throw new CflowError("BAD_PARAM", `${ctx.path}: give either kernel or both rowKernel and colKernel`, {
      path: ctx.path,
      expected: "kernel | rowKernel + colKernel",
      found: Object.keys(params).join(", "),
    });
  }
  if (separable) return { kernel: { row: dataArray(ctx, "rowKernel", p.rowKernel), col: dataArray(ctx, "colKernel", p.colKernel) }, opts };
  return { kernel: dataArray(ctx, "kernel", p.kernel), opts: { ...opts, kernelShape: p.kernelShape as number[] | undefined } };
}

