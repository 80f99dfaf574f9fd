// The playground's problems: four of the repository's examples (examples/*/spec.ts), imported as
// they are, with smaller default sizes so a run takes seconds in a page. The two image problems
// also take an image of one's own (a PNG decoded by the page) in place of their built-in one.
import { CflowError, type Dtype, type FlowDefinition, type ParamRule, compileFlow, defineFlow, readFlowParams } from "@cflow/core";
import deconv1dFlow, { PARAMS as DECONV_1D } from "@cflow/examples/deconv-1d/spec.ts";
import deconv2dFlow, { PARAMS as DECONV_2D, deconv2d } from "@cflow/examples/deconv-2d/spec.ts";
import lassoFlow, { PARAMS as LASSO } from "@cflow/examples/lasso/spec.ts";
import tvDenoiseFlow, { PARAMS as TV_DENOISE, tvDenoise } from "@cflow/examples/tv-denoise/spec.ts";

/** A grey-level image in [0, 1], `size × size`, row-major, the top row first. */
export interface GreyImage {
  name: string;
  size: number;
  pixels: Float64Array;
}

export interface PlaygroundExample {
  title: string;
  /** The example's parameter rules (its spec.ts's PARAMS): the page's inputs. */
  params: Readonly<Record<string, ParamRule>>;
  /** Defaults that differ from the example's own (sizes a page runs in seconds). */
  defaults: Record<string, number>;
  /** The parameter that sets the image side, for the problems that take an image of one's own. */
  imageSize?: string;
  flow: FlowDefinition;
  /** The flow on an image of one's own (only with `imageSize`). */
  withImage?(image: GreyImage): FlowDefinition;
}

export const EXAMPLES = {
  "deconv-2d": {
    title: "2D deconvolution (wavelet-L1, Shepp–Logan)",
    params: DECONV_2D,
    defaults: { size: 128, levels: 3 },
    imageSize: "size",
    flow: deconv2dFlow,
    withImage: (image) => defineFlow(({ dtype, seed, params }) => deconv2d(image, readFlowParams(params, DECONV_2D), dtype, seed)),
  },
  "deconv-1d": {
    title: "1D deconvolution (wavelet-L1)",
    params: DECONV_1D,
    defaults: { size: 4096 },
    flow: deconv1dFlow,
  },
  "tv-denoise": {
    title: "TV denoising",
    params: TV_DENOISE,
    defaults: { size: 128 },
    imageSize: "size",
    flow: tvDenoiseFlow,
    withImage: (image) => defineFlow(({ dtype, seed, params }) => tvDenoise(image, readFlowParams(params, TV_DENOISE), dtype, seed)),
  },
  lasso: {
    title: "Lasso (sparse regression)",
    params: LASSO,
    defaults: { rows: 200, cols: 500 },
    flow: lassoFlow,
  },
} satisfies Record<string, PlaygroundExample>;

export type ExampleName = keyof typeof EXAMPLES;

export function isExampleName(name: string): name is ExampleName {
  return Object.hasOwn(EXAMPLES, name);
}

/** What the page asks the worker to run. */
export interface RunRequest {
  example: ExampleName;
  params: Record<string, number>;
  dtype: Dtype;
  seed: number;
  /** An image of one's own (image problems only), resized by the page to `params[imageSize]`. */
  image?: GreyImage;
}

/** The example's parameters as the page starts with them: its defaults, with the playground's sizes. */
export function defaultParams(name: ExampleName): Record<string, number> {
  const ex: PlaygroundExample = EXAMPLES[name];
  const out: Record<string, number> = {};
  for (const [key, rule] of Object.entries(ex.params)) {
    const d = ex.defaults[key] ?? rule.default;
    if (typeof d === "number") out[key] = d;
  }
  return out;
}

/** Compiles the flow a request describes (the kernel must be loaded: `initKernel` in a browser). */
export function compileRequest(r: RunRequest): ReturnType<typeof compileFlow> {
  const ex: PlaygroundExample = EXAMPLES[r.example];
  let flow = ex.flow;
  if (r.image) {
    if (!ex.withImage || !ex.imageSize) throw new CflowError("BAD_OPTION", `${r.example} takes no image of one's own`, { path: "image", expected: "no image", found: r.image.name });
    if (r.image.size !== r.params[ex.imageSize]) {
      throw new CflowError("BAD_OPTION", `${r.image.name} was scaled to ${r.image.size}×${r.image.size}, but ${ex.imageSize} is ${r.params[ex.imageSize]}`, { path: `params.${ex.imageSize}`, expected: r.image.size, found: r.params[ex.imageSize] });
    }
    flow = ex.withImage(r.image);
  }
  // parameters travel as text, as from the command line (numbers print and parse back exactly)
  const params = Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, String(v)]));
  return compileFlow(flow, { dtype: r.dtype, seed: r.seed, params });
}
