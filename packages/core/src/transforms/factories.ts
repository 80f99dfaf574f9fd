// The registered wavelet transforms: one factory per wavelet for the orthogonal DWT ("db4") and
// for the stationary transform ("swtDb4"), each with a small probe configuration that registry
// validation runs (src/transforms/validate.ts).
import { WAVELET_NAMES } from "./filters.js";
import { DwtTransform } from "./dwt.js";
import { SwtTransform, swtName } from "./swt.js";
import type { TransformFactory } from "./transform.js";

function build(): Record<string, TransformFactory> {
  const out: Record<string, TransformFactory> = {};
  for (const w of WAVELET_NAMES) {
    out[w] = {
      create: (options) => new DwtTransform(w, options),
      probe: { shape: [16, 32], levels: 2 },
      description: `orthogonal periodised DWT (${w}), 1D/2D, unitary; coefficients as pywt.wavedec/wavedec2(mode='periodization')`,
    };
  }
  for (const w of WAVELET_NAMES) {
    out[swtName(w)] = {
      create: (options) => new SwtTransform(w, options),
      probe: { shape: [16, 8], levels: 2 },
      description: `stationary wavelet transform (${w}), periodic, 1D/2D, Parseval tight frame (c = 1); as pywt.swt/swt2(trim_approx=True, norm=True)`,
    };
  }
  return out;
}

/** Factories keyed "haar", "db2" … "db8", "sym4" … "sym8" (DWT) and "swtHaar" … "swtSym8" (SWT). */
export const waveletFactories: Readonly<Record<string, TransformFactory>> = build();
