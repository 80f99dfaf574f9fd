import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";

/**
 * Frame type of a transform W (DESIGN §2): unitary WᵀW = I; tight WᵀW = cI; general an
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
 * without copies.
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
  forwardBuf(x: RealBuf, out: RealBuf): void;
  inverseBuf(u: RealBuf, out: RealBuf): void;
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
