import type { BudgetsSpec, CertificationSpec, ControlSpec, FlowPolicySpec, LensSpec, MultiscaleSpec, SparsitySpec, TunerSpec } from "./types.js";

/**
 * The defaults of every policy — the one place they live, read by lint, the compiler, the
 * controller (`resolveRun`) and the hooks (the tuner's options, the certificate gates).
 */
export const DEFAULTS = {
  flow: { family: "accelerated", restart: "function", stepScale: 1, lineSearch: "auto", damping: 0, dt: undefined, theta: 1, strongConvexity: 0, preconditioning: "none" } as Required<Omit<FlowPolicySpec, "dt">> & { dt: number | undefined },
  multiscale: { mode: "off", startLevels: 1, every: 20, residualDrop: 1e-3 } as Required<MultiscaleSpec>,
  tuner: {
    enabled: true,
    policy: "gapDial",
    perBand: false,
    seed: { statistic: "median", k: 1 },
    widenFactor: 2,
    minStepDivisor: 8,
    target: "discrepancy",
    tau: 1,
    traceProbes: 8,
  } as Required<Omit<TunerSpec, "seed">> & { seed: { statistic: "median" | "mad"; k: number } },
  control: {
    maxAttempts: 12,
    validationIters: 10,
    moveCap: 0.2,
    ratioBounds: [0.5, 2],
    noImprove: 5,
    lambdaCap: 1e6,
    maxRollbacks: 3,
  } as Required<ControlSpec>,
  sparsity: { mode: "global", tau: 0 } as Required<SparsitySpec>,
  lens: { candidates: [], keepFraction: 0.05 } as Required<LensSpec>,
  /**
   * η_max = 6 bounds the optimally scaled dominance ρ(D⁻¹|L − D|) of the restricted operator (a
   * coupling guard; positivity is γ's job): measured on deconv-2d, ρ ≤ 4.94 at the best λ and 4.32
   * at Morozov's (BENCHMARKS.md "Certified-quality frontier"). γ_min = 1e-6 is the smallest gap
   * worth calling "not singular" for a problem scaled to λ_max ≈ 1 — a relative condition number of
   * 1e6, about where float32 iterates stop making progress. hull = 0.3 is measured on deconv-2d
   * (BENCHMARKS.md "Certificate hulls").
   */
  certification: { etaMax: 6, gammaMin: 1e-6, every: 50, hull: 0.3, lyapunovTol: 1e-9, invariantTol: 1e-6 } as Required<CertificationSpec>,
  // maxElements undefined: the machine default (spec/element-limit.ts).
  budgets: { maxIters: 500, maxTrials: 20, wallTimeMs: 0, tol: 1e-10, rtol: 1e-6, atol: 0, maxElements: undefined } as Required<Omit<BudgetsSpec, "maxElements">> & { maxElements: number | undefined },
} as const;

/** Flow families that split non-smooth terms h(Kx) through the conjugate prox of h (atoms/dual-split.ts). */
export const PRIMAL_DUAL_FAMILIES: readonly string[] = ["primalDual"];
