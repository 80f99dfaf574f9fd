import type { BudgetsSpec, CertificationSpec, FlowPolicySpec, GapDialSpec, LensSpec, MultiscaleSpec, SparsitySpec } from "./types.js";

/** The policy defaults of DESIGN §2 — one place, shared by lint, compiler and controller. */
export const DEFAULTS = {
  flow: { family: "accelerated", restart: "function", stepScale: 1, lineSearch: "auto", damping: 0, dt: undefined } as Required<Omit<FlowPolicySpec, "dt">> & { dt: number | undefined },
  multiscale: { mode: "off", startLevels: 1, every: 20, residualDrop: 1e-3 } as Required<MultiscaleSpec>,
  gapDial: {
    enabled: true,
    maxAttempts: 12,
    widenFactor: 2,
    lambdaCap: 1e6,
    moveCap: 0.2,
    ratioBounds: [0.5, 2],
    noImprove: 5,
    validationIters: 10,
    seed: { statistic: "median", k: 1 },
    policy: "gap-dial",
  } as Required<GapDialSpec> & { seed: { statistic: "median" | "mad"; k: number } },
  sparsity: { mode: "global", tau: 0 } as Required<SparsitySpec>,
  lens: { candidates: [], keepFraction: 0.05 } as Required<LensSpec>,
  certification: { etaMax: 6, gammaMin: 1e-6, every: 50, lyapunovTol: 1e-9, invariantTol: 1e-6 } as Required<CertificationSpec>,
  // maxElements undefined: the machine default (spec/element-limit.ts).
  budgets: { maxIters: 500, maxTrials: 20, wallTimeMs: 0, tol: 1e-10, maxElements: undefined } as Required<Omit<BudgetsSpec, "maxElements">> & { maxElements: number | undefined },
  /** Rollbacks allowed per run before tuning stops. */
  maxRollbacks: 3,
} as const;
