import { type Dtype, type RealArray, type Shape, checkArray, outArray, shapeSize } from "../dtype.js";
import { Kernel, type RealBuf } from "../kernel/kernel.js";
import { CellBank, type PlanBuilder } from "../kernel/plan.js";
import { KernelResources, type Releasable } from "../kernel/resources.js";
import { checkBuf } from "../ops/op.js";

/**
 * Frame type of a transform W (docs/design.md §2.3): unitary WᵀW = I; tight WᵀW = cI; general an
 * analysis/synthesis pair with `inverse` the synthesis operator.
 */
export type FrameType = "unitary" | "tight" | "general";

/** One band of the coefficient layout: where it sits in W-space and what it is. */
export interface Band {
  /** Decomposition level: 0 for the approximation, 1..levels for details (1 = finest). */
  level: number;
  /** "a" approximation; "d" 1D detail; "h" | "v" | "d" the 2D horizontal/vertical/diagonal details; "x" for transforms without scales. */
  orientation: "a" | "d" | "h" | "v" | "x";
  /** Offset of the band's first coefficient in the flat coefficient array. */
  offset: number;
  /** Shape of the band (row-major inside the flat array). */
  shape: Shape;
}

/**
 * A linear transform W from signal space (shape) to coefficient space (coeffSize reals), with
 * its frame type and constant. `forward` is the analysis W; `inverse` the synthesis operator
 * that undoes it (Wᵀ for unitary, Wᵀ/c for tight frames). The buffer methods run on the kernel
 * without copies; the `emit…` methods record the same computation into a plan (how the runtime
 * uses W: F_Multi⁺ and F_Multi⁻). `out` never aliases the input.
 */
export interface TransformOp {
  readonly name: string;
  readonly frame: FrameType;
  /** Frame constant: WᵀW = c·I (1 for unitary). */
  readonly c: number;
  readonly levels: number;
  readonly shape: Shape;
  readonly coeffSize: number;
  readonly dtype: Dtype;
  /** The coefficient layout: approximation first, then details from coarsest to finest. */
  readonly bands: readonly Band[];
  forward(x: RealArray, out?: RealArray): RealArray;
  inverse(u: RealArray, out?: RealArray): RealArray;
  /** Wᵀu. */
  adjoint(u: RealArray, out?: RealArray): RealArray;
  forwardBuf(x: RealBuf, out: RealBuf): void;
  inverseBuf(u: RealBuf, out: RealBuf): void;
  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void;
  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void;
  /** Wᵀu (the adjoint; equals c·inverse for tight frames, inverse for unitary ones). */
  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void;
  /**
   * Shift covariance, when W has it (periodised wavelets): the sample stride, per dimension, of a
   * band's coefficient grid — circularly shifting x by `stride[d]` samples along d shifts that
   * band's coefficients by one. Lets certificates treat rows of W L Wᵀ as translates of a few
   * representatives. Absent for transforms without it (DCT, general frames).
   */
  translationStride?(band: Band): readonly number[];
  dispose(): void;
}

export interface TransformOptions {
  shape: Shape;
  /** Decomposition levels (ignored by transforms without scales). */
  levels?: number;
  dtype: Dtype;
}

/**
 * A registered transform: how to create it, and a small configuration used to validate it when
 * it is registered (reconstruction and frame-constant probes).
 */
export interface TransformFactory {
  create(options: TransformOptions): TransformOp;
  probe: { shape: Shape; levels?: number };
  description?: string;
}

/**
 * Base for transforms running on the kernel. Subclasses implement the three `emit…` methods (one
 * definition of each computation); buffer and JS-array methods are derived from them.
 */
export abstract class KernelTransform implements TransformOp {
  abstract readonly name: string;
  abstract readonly frame: FrameType;
  abstract readonly c: number;
  abstract readonly levels: number;
  abstract readonly bands: readonly Band[];
  readonly kernel: Kernel;
  readonly size: number;
  protected readonly cells: CellBank;
  private readonly resources: KernelResources;
  private scratchX?: RealBuf;
  private scratchU?: RealBuf;

  constructor(
    readonly dtype: Dtype,
    readonly shape: Shape,
    readonly coeffSize: number,
  ) {
    this.kernel = Kernel.get(dtype);
    this.size = shapeSize(shape);
    this.cells = new CellBank(this.kernel);
    this.resources = new KernelResources(this.kernel);
  }

  abstract emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void;
  abstract emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void;
  abstract emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void;

  forwardBuf(x: RealBuf, out: RealBuf): void {
    checkBuf(`${this.name}.forward`, this, x, this.size);
    checkBuf(`${this.name}.forward (out)`, this, out, this.coeffSize);
    this.resources.run("forward", [x, out], (p) => this.emitForward(p, x, out));
  }

  inverseBuf(u: RealBuf, out: RealBuf): void {
    checkBuf(`${this.name}.inverse`, this, u, this.coeffSize);
    checkBuf(`${this.name}.inverse (out)`, this, out, this.size);
    this.resources.run("inverse", [u, out], (p) => this.emitInverse(p, u, out));
  }

  adjointBuf(u: RealBuf, out: RealBuf): void {
    checkBuf(`${this.name}.adjoint`, this, u, this.coeffSize);
    checkBuf(`${this.name}.adjoint (out)`, this, out, this.size);
    this.resources.run("adjoint", [u, out], (p) => this.emitAdjoint(p, u, out));
  }

  forward(x: RealArray, out?: RealArray): RealArray {
    checkArray(`${this.name}.forward`, this.dtype, this.shape, x);
    const u = outArray(`${this.name}.forward`, this.dtype, [this.coeffSize], out);
    const [bx, bu] = this.scratch();
    bx.view.set(x);
    this.forwardBuf(bx, bu);
    u.set(bu.view);
    return u;
  }

  inverse(u: RealArray, out?: RealArray): RealArray {
    return this.toSignal("inverse", u, out, (bu, bx) => this.inverseBuf(bu, bx));
  }

  adjoint(u: RealArray, out?: RealArray): RealArray {
    return this.toSignal("adjoint", u, out, (bu, bx) => this.adjointBuf(bu, bx));
  }

  /** Allocates a kernel buffer owned by this transform (freed by dispose). */
  protected own<B extends Releasable>(b: B): B {
    return this.resources.own(b);
  }

  dispose(): void {
    this.resources.dispose();
    this.cells.dispose();
    this.scratchX = this.scratchU = undefined;
  }

  private toSignal(what: string, u: RealArray, out: RealArray | undefined, run: (bu: RealBuf, bx: RealBuf) => void): RealArray {
    checkArray(`${this.name}.${what}`, this.dtype, [this.coeffSize], u);
    const x = outArray(`${this.name}.${what}`, this.dtype, this.shape, out);
    const [bx, bu] = this.scratch();
    bu.view.set(u);
    run(bu, bx);
    x.set(bx.view);
    return x;
  }

  private scratch(): [RealBuf, RealBuf] {
    if (!this.scratchX || !this.scratchU) {
      this.scratchX = this.own(this.kernel.alloc(this.size));
      this.scratchU = this.own(this.kernel.alloc(this.coeffSize));
    }
    return [this.scratchX, this.scratchU];
  }
}
