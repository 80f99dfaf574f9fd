// deconv-2d on an image of your own: the same energy, blur, noise and policies as spec.ts, with
// the phantom replaced by a grayscale image file (PNG, JPEG or TIFF; colour is converted to grey):
//   cflow run examples/deconv-2d/image-spec.ts --param image=photo.png
// The image is the ground truth x_true in [0, 1]; y = K x_true + noise is made here, so the
// artifacts (input.npy, result.npy) can be scored against the file. Its side sets `size`.
import { CflowError, defineFlow, readFlowParams } from "@cflow/core";
import { loadArray } from "@cflow/cli";
import { PARAMS as PHANTOM_PARAMS, deconv2d } from "./spec.ts";

export const PARAMS = {
  ...PHANTOM_PARAMS,
  image: { type: "string", description: "the ground-truth image file (PNG, JPEG, TIFF; square, side divisible by 2^levels)", required: true },
} as const;

export default defineFlow(({ dtype, seed, params, maxElements }) => {
  const p = readFlowParams(params, PARAMS);
  const img = loadArray(p.image, { dtype: "float64", maxElements });
  const [h, w] = img.shape;
  const block = 2 ** p.levels;
  if (img.shape.length !== 2 || h !== w || h % block !== 0) {
    throw new CflowError("BAD_IMAGE", `${p.image}: the image is ${img.shape.join("×")}; deconv-2d needs a square grayscale image whose side is a multiple of 2^levels = ${block}`, {
      path: "--param image",
      expected: `a square image, side divisible by ${block}`,
      found: img.shape.join("×"),
    });
  }
  return deconv2d({ pixels: img.data as Float64Array, name: `image ${p.image}` }, { ...p, size: h }, dtype, seed);
});
