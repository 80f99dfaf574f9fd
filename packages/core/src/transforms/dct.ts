import { type Shape, describeValue, isDtype } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { type Band, KernelTransform, type TransformFactory, type TransformOptions } from "./transform.js";

/**
 * The orthonormal DCT-II, X[k] = s_k Σ_m x[m] cos(π(2m+1)k/2n) with s_0 = √(1/n), s_k = √(2/n),
 * of a 1D signal [n] or separably of a 2D image [h, w] (rows, then columns). Unitary (WᵀW = I,
 * c = 1): the inverse and the adjoint are both the DCT-III. One band of orientation "x" (no
 * scales). Power-of-two extents run through one real FFT each (Makhoul's reordering), others
 * through the O(n²) sum.
 */
export class DctTransform extends KernelTransform {
  readonly name = "dct";
  readonly frame = "unitary" as const;
  readonly c = 1;
  readonly levels = 0;
  readonly bands: readonly Band[];
  private readonly plan: RealBuf;
  private readonly work: RealBuf;

  constructor(options: TransformOptions) {
    const { shape, dtype } = checkDctOptions(options);
    super(dtype, shape, shape.reduce((a, b) => a * b, 1));
    this.bands = [{ level: 0, orientation: "x", offset: 0, shape: [...shape] }];
    const e = this.kernel.exports;
    if (shape.length === 1) {
      this.plan = this.own(this.kernel.alloc(e.dctPlanSize(shape[0])));
      this.work = this.own(this.kernel.alloc(e.dctWorkSize(shape[0])));
      e.dctPlan(shape[0], this.plan.ptr);
    } else {
      this.plan = this.own(this.kernel.alloc(e.dct2PlanSize(shape[0], shape[1])));
      this.work = this.own(this.kernel.alloc(e.dct2WorkSize(shape[0], shape[1])));
      e.dct2Plan(shape[0], shape[1], this.plan.ptr);
    }
  }

  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    if (this.shape.length === 1) p.call("dct", this.shape[0], x, out, this.plan, this.work);
    else p.call("dct2", this.shape[0], this.shape[1], x, out, this.plan, this.work);
  }

  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    if (this.shape.length === 1) p.call("idct", this.shape[0], u, out, this.plan, this.work);
    else p.call("idct2", this.shape[0], this.shape[1], u, out, this.plan, this.work);
  }

  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    this.emitInverse(p, u, out);
  }
}

function checkDctOptions(options: TransformOptions): { shape: Shape; dtype: TransformOptions["dtype"] } {
  if (typeof options !== "object" || options === null) {
    throw new CflowError("BAD_OPTION", `dct: expected options { shape, dtype }, found ${describeValue(options)}`, { path: "dct", found: describeValue(options) });
  }
  if (!isDtype(options.dtype)) {
    throw new CflowError("BAD_OPTION", `dct: dtype must be "float32" or "float64", found ${describeValue(options.dtype)}`, { path: "dct.dtype", expected: "float32 | float64", found: describeValue(options.dtype) });
  }
  const shape = options.shape;
  if (!Array.isArray(shape) || (shape.length !== 1 && shape.length !== 2) || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ShapeError("dct.shape", "[n] or [h, w] with positive integer extents", Array.isArray(shape) ? [...shape] : describeValue(shape));
  }
  return { shape, dtype: options.dtype };
}

/** Registry entry "dct"; the probe shape mixes a power-of-two extent (FFT path) and another (direct sum). */
export const dctFactory: TransformFactory = {
  create: (options) => new DctTransform(options),
  probe: { shape: [16, 12] },
  description: "orthonormal DCT-II (1D or separable 2D), unitary; FFT-based for power-of-two extents",
};
