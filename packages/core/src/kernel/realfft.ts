import { type Shape, shapeSize } from "../dtype.js";
import { CflowError, DtypeError, ShapeError } from "../errors.js";
import type { Kernel, RealBuf } from "./kernel.js";
import type { PlanBuilder } from "./plan.js";

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0 && n <= 2 ** 30;
}

/** The smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The real FFT of one signal shape on a kernel — [n] (rfft, n/2 + 1 bins) or [h, w] (rfft2,
 * h × (w/2 + 1) bins) — with its plan and work buffers allocated and filled once. Extents must be
 * powers of two, the last one ≥ 2. Conventions are numpy's: forward unnormalised, inverse scaled
 * by 1/size. The inverse ignores the imaginary parts of the self-conjugate bins.
 */
export class RealFft {
  /** Reals in a signal. */
  readonly size: number;
  /** Complex bins in a spectrum (a spectrum buffer holds 2·bins reals). */
  readonly bins: number;
  private readonly plan: RealBuf;
  private readonly work: RealBuf;

  constructor(
    readonly kernel: Kernel,
    readonly shape: Shape,
    operation = "RealFft",
  ) {
    if (shape.length !== 1 && shape.length !== 2) {
      throw new CflowError("FFT_SIZE", `${operation}: a real FFT takes a 1D or 2D shape, found [${shape.join(", ")}]`, { path: operation, expected: "[n] or [h, w]", found: `[${shape.join(", ")}]` });
    }
    shape.forEach((d, i) => {
      const last = i === shape.length - 1;
      if (!isPowerOfTwo(d) || (last && d < 2)) {
        throw new CflowError("FFT_SIZE", `${operation}: FFT extents must be powers of two${last ? " ≥ 2" : ""}, found ${d} in shape [${shape.join(", ")}]`, {
          path: operation,
          expected: last ? "a power of two ≥ 2" : "a power of two",
          found: d,
          hint: `pad to ${nextPowerOfTwo(Math.max(2, Math.ceil(Number(d) || 1)))} or use a direct method`,
        });
      }
    });
    const e = kernel.exports;
    this.size = shapeSize(shape);
    if (shape.length === 1) {
      const n = shape[0];
      this.bins = n / 2 + 1;
      this.plan = kernel.alloc(e.rfftPlanSize(n));
      this.work = kernel.alloc(e.rfftWorkSize(n));
      e.rfftPlan(n, this.plan.ptr);
    } else {
      const [h, w] = shape;
      this.bins = h * (w / 2 + 1);
      this.plan = kernel.alloc(e.rfft2PlanSize(h, w));
      this.work = kernel.alloc(e.rfft2WorkSize(h, w));
      e.rfft2Plan(h, w, this.plan.ptr);
    }
  }

  /** Records X ← FFT(x) (x: size reals, X: 2·bins reals; x is only read). */
  emitForward(p: PlanBuilder, x: RealBuf, X: RealBuf): void {
    if (this.shape.length === 1) p.call("rfft", this.shape[0], x, X, this.plan, this.work);
    else p.call("rfft2", this.shape[0], this.shape[1], x, X, this.plan, this.work);
  }

  /** Records x ← IFFT(X) (X is only read). */
  emitInverse(p: PlanBuilder, X: RealBuf, x: RealBuf): void {
    if (this.shape.length === 1) p.call("irfft", this.shape[0], X, x, this.plan, this.work);
    else p.call("irfft2", this.shape[0], this.shape[1], X, x, this.plan, this.work);
  }

  /** X ← FFT(x), called directly (set-up work such as transforming a filter once). */
  forward(x: RealBuf, X: RealBuf): void {
    this.check("RealFft.forward", x, this.size);
    this.check("RealFft.forward (out)", X, 2 * this.bins);
    const e = this.kernel.exports;
    if (this.shape.length === 1) e.rfft(this.shape[0], x.ptr, X.ptr, this.plan.ptr, this.work.ptr);
    else e.rfft2(this.shape[0], this.shape[1], x.ptr, X.ptr, this.plan.ptr, this.work.ptr);
  }

  inverse(X: RealBuf, x: RealBuf): void {
    this.check("RealFft.inverse", X, 2 * this.bins);
    this.check("RealFft.inverse (out)", x, this.size);
    const e = this.kernel.exports;
    if (this.shape.length === 1) e.irfft(this.shape[0], X.ptr, x.ptr, this.plan.ptr, this.work.ptr);
    else e.irfft2(this.shape[0], this.shape[1], X.ptr, x.ptr, this.plan.ptr, this.work.ptr);
  }

  private check(operation: string, b: RealBuf, n: number): void {
    if (b.kernel !== this.kernel) throw new DtypeError(operation, this.kernel.dtype, b.kernel.dtype);
    if (b.length !== n) throw new ShapeError(operation, n, b.length);
  }

  dispose(): void {
    if (!this.plan.isFreed) this.plan.free();
    if (!this.work.isFreed) this.work.free();
  }

  get isFreed(): boolean {
    return this.plan.isFreed;
  }

  /** KernelOp.own compatibility: releases the buffers. */
  free(): void {
    this.dispose();
  }
}
