/** The longest interval between two polish certificates, in units of `certification.every`. */
export const MAX_INTERVAL_FACTOR = 32;

/**
 * When the polish phase re-certifies. A certificate is of one state: its operator — the smooth
 * part's Hessian L in W-space, restricted to the active set S of the state's coefficients when the
 * flow has a sparsity prox. Between two certificates the flow moves the state, so the controller
 * re-certifies when something the certificate depends on has changed, and otherwise ever more
 * rarely:
 *
 * - review points fall every `every` iterations (`policies.certification.every`) after the last
 *   certificate;
 * - at a review point the flow is re-certified when it has changed since the certified state: a
 *   dial (α, λ, λ_j) moved, a coefficient outside the certified support — or the hull of it the
 *   certificate was taken on (certificate-hull.ts) — became active, or the
 *   operator is not constant (a smooth term that is not quadratic, or a manifold flow's tangent
 *   operator, both depend on x). The interval then restarts at `every`;
 * - otherwise it is re-certified once `interval` iterations have passed since the last
 *   certificate, and the interval doubles, up to `MAX_INTERVAL_FACTOR × every`.
 *
 * Why a support that only shrank needs no new certificate: with L constant, the restricted
 * operator of S′ ⊆ S is a principal submatrix of that of S, so its smallest eigenvalue is no
 * smaller (Cauchy interlacing), each of its rows is a row of S's with fewer off-diagonal terms
 * (η_dd and the Gershgorin bound no worse) and the spectral radius of its scaled off-diagonal
 * part is no larger (Perron–Frobenius): the certificate of S covers S′. So at every review point
 * the current state is covered by a certificate, in the worst case as often as a fixed cadence of
 * `every`. Between review points the state is not re-examined; the state a run reports is
 * certified on its own at the end (the controller's final certificate).
 */
export interface CertificateCadence {
  readonly every: number;
  /** The longest interval, `MAX_INTERVAL_FACTOR × every`. */
  readonly maxInterval: number;
  /** The interval to start from: `every`. */
  init(): number;
  /** Whether an iteration `since` iterations after the last certificate is a review point (a positive multiple of `every`). */
  isReview(since: number): boolean;
  /** At a review point `since` iterations after the last certificate: whether to certify now. */
  due(interval: number, since: number, changed: boolean): boolean;
  /** The interval after a certificate taken at a review point: back to `every` after a change, else doubled (capped). */
  update(interval: number, changed: boolean): number;
  /** A recorded interval brought into [every, maxInterval] (a resumed run given another `every`). */
  restore(interval: number): number;
}

/**
 * The cadence as pure functions of the interval (the state record holds it: `certInterval`).
 */
export function certificateCadence(every: number): CertificateCadence {
  const maxInterval = MAX_INTERVAL_FACTOR * every;
  return {
    every,
    maxInterval,
    init: () => every,
    isReview: (since) => since > 0 && since % every === 0,
    due: (interval, since, changed) => changed || since >= interval,
    update: (interval, changed) => (changed ? every : Math.min(2 * interval, maxInterval)),
    restore: (interval) => Math.min(Math.max(interval, every), maxInterval),
  };
}
