// The deconvolution of docs/design.md §7 at test size: 32×32, circular Gaussian blur σ = 2, noise 0.01,
// db4 with 4 levels, λ = 2e-3 — compiled in either dtype, optionally with a user-written probe op.
import { type CompiledFlow, compileFlow, conv2d, type Dtype, type FlowSpec, type Op, type PoliciesSpec, type RealArray, resolveFlow } from "@cflow/core";
import { deconvolution } from "../src/deconvolution.js";
import { ProbeOp } from "./test-hooks.js";

export const STORY_SIZE = 32;

/**
 * Tuner and controller settings of the story: the restricted certificates of the 2D problem pass
 * once λ has grown ×256–×512 (README "λ the restricted certificates need"), which the default ×2
 * over M = 8 attempts (×128) cannot reach; ×4 reaches it at attempt 6.
 */
export const STORY_TUNER = { widenFactor: 4 } as const;
export const STORY_CONTROL = { maxAttempts: 12, validationIters: 30 } as const;

export interface StoryOptions {
  dtype: Dtype;
  /** λ of the wavelet-L1 term; null: naive least squares. Default 2e-3. */
  lambda?: number | null;
  policies?: PoliciesSpec;
  /** Replace the blur by a ProbeOp around it (the JavaScript path of user-written ops). */
  probe?: boolean;
}

export interface Story {
  spec: FlowSpec;
  compiled: CompiledFlow;
  probe: ProbeOp | null;
}

export function storyPolicies(extra: PoliciesSpec = {}): PoliciesSpec {
  return {
    ...extra,
    flow: { family: "accelerated", restart: "function", ...extra.flow },
    budgets: { maxIters: 600, ...extra.budgets },
    tuner: { ...STORY_TUNER, ...extra.tuner },
    control: { ...STORY_CONTROL, ...extra.control },
  };
}

export function compileStory(o: StoryOptions): Story {
  const def = deconvolution({ shape: [STORY_SIZE, STORY_SIZE], sigma: 2, noise: 0.01, lambda: o.lambda === undefined ? 2e-3 : o.lambda, levels: 4, policies: storyPolicies(o.policies) });
  let spec = resolveFlow(def, { dtype: o.dtype, seed: 1 });
  let probe: ProbeOp | null = null;
  if (o.probe) {
    const psf = spec.data!.psf as RealArray;
    spec = {
      ...spec,
      ops: {
        K: ({ dtype }: { dtype: Dtype }) => {
          probe = new ProbeOp(conv2d(psf, { shape: [STORY_SIZE, STORY_SIZE], boundary: "circular", dtype }));
          return probe as unknown as Op;
        },
      },
    };
  }
  const { compiled } = compileFlow(spec, { dtype: o.dtype, seed: 1 });
  return { spec: compiled.spec, compiled, probe };
}
