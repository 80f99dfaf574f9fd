import { CflowError, type RealArray, conv1d, conv2d } from "@cflow/core";
import { composeBounds, directConvolutionBound, unitRoundoff } from "./rounding.js";
import type { ShiftInvariantOperator } from "./shift-class-rows.js";

/**
 * KᵀK for a circular convolution K with the given taps, as the certificates apply it: float64,
 * direct summation on the kernel (core `conv1d`/`conv2d`, method "direct"), so that its rounding
 * has the elementary bound of `directConvolutionBound` for each of K and Kᵀ (an FFT's would
 * depend on the transform's twiddle accuracy). A float32 run's taps widen to float64 exactly: the
 * copy is the same operator. Stencil radius m_d − 1 per axis (taps m_d along axis d).
 */
export function convolutionGram(kernel: RealArray, options: { shape: readonly number[]; kernelShape?: readonly number[] }): ShiftInvariantOperator & { dispose(): void } {
  const shape = [...options.shape];
  const taps = Float64Array.from(kernel);
  let kshape: number[];
  if (shape.length === 1) kshape = [taps.length];
  else if (shape.length === 2) {
    const side = Math.round(Math.sqrt(taps.length));
    kshape = options.kernelShape ? [...options.kernelShape] : [side, side];
  } else throw new CflowError("BAD_OPTION", `convolutionGram: shape must be 1D or 2D, found [${shape.join(", ")}]`, { path: "convolutionGram.shape", expected: "[n] or [h, w]", found: `[${shape.join(", ")}]` });
  if (kshape.reduce((a, b) => a * b, 1) !== taps.length) {
    throw new CflowError("SHAPE_MISMATCH", `convolutionGram: ${taps.length} taps do not fill a kernel of shape [${kshape.join(", ")}]`, { path: "convolutionGram.kernelShape", expected: taps.length, found: `[${kshape.join(", ")}]` });
  }
  const K =
    shape.length === 1
      ? conv1d(taps, { shape, boundary: "circular", method: "direct", dtype: "float64" })
      : conv2d(taps, { shape, kernelShape: kshape, boundary: "circular", method: "direct", dtype: "float64" });
  const one = directConvolutionBound(taps, unitRoundoff("float64"));
  const n = shape.reduce((a, b) => a * b, 1);
  const tmp = new Float64Array(n);
  return {
    shape,
    radius: kshape.map((m) => m - 1),
    bound: composeBounds(one, one),
    apply(v: Float64Array, out: Float64Array) {
      K.apply(v, tmp);
      K.adjoint(tmp, out);
    },
    dispose() {
      K.dispose();
    },
  };
}
