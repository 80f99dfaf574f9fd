// @cflow/fda's public API: the certificate hook `fda()` and the certificate toolkit it is built from
// (estimators, γ routes, dominance, error bars), each name listed. Dense linear algebra (power
// iteration, symmetric eigenproblems) is core's: `@cflow/core/linalg`.

// ── the certificate hook and its verdict ──────────────────────────────────────────────────────
export { FDA_STAGES, fda, type FdaHook, type FdaOptions } from "./fda.js";
export { certificate, describeOperator, emptySupportViolation, etaViolation, gammaViolation, routeLabel, type Verdict } from "./verdict.js";
export { emptySupportStage, inheritedStage, type StageInput, structuredStage, type VerdictStage } from "./stages.js";
export { restrictedStage } from "./restricted-stage.js";
export { matrixFreeStage } from "./matrix-free-stage.js";
export { CertificateCache, type CertifiedSupport } from "./certificate-cache.js";
export { isSubset, resolveActive } from "./active-set.js";
export { sameStructure, structureOperator } from "./structure-operator.js";
export { estimateEtaGammaInW, type EstimateOptions, type EtaGammaEstimate, type RowEstimatorOptions } from "./estimate.js";
export { checkGates, DEFAULT_FAILURE_PROBABILITY, DEFAULT_GATES, type GateOutcome, type Gates } from "./gates.js";
export { descentConstant, type DescentOptions, descentViolation, traceDescent } from "./descent.js";
export { type ErrorBar, errorBarFor, type ErrorBarInput, forwardBackwardErrorBar } from "./error-bar.js";
export { discrepancyRatio, estimateNoiseLevel, finestDiagonalBand, madNoiseLevel, type MorozovChoice, morozovChoice } from "./discrepancy.js";

// ── the operator certificates are taken on, and its rows ──────────────────────────────────────
export { type ApplicationCounter, type CertTransform, frameScale, type LApply, wSpaceOperator, xSpaceOperator } from "./wspace-operator.js";
export { exactRows, probedRows, type RowStats, rowStatsFromDense, type RowSummary, sampleRows, summarizeRows } from "./row-stats.js";
export { bandedColouring, type Colouring, type ProbingSpec, restrictColouring } from "./colouring.js";
export { type Dominance, dominance, type DominanceOptions } from "./dominance.js";
export { structuredCertificate, type StructuredOptions } from "./structured.js";
export { circulantSpectrum, type CirculantSpectrum } from "./circulant-spectrum.js";
export { convolutionGram } from "./convolution-gram.js";
export { type ClassBound, ClassColumns, classRowBound, isShiftCovariant, type ShiftCovariantTransform } from "./class-bound.js";
export { bandIndexOf } from "./shift-class-geometry.js";
export { type PeriodisedWavelet, ShiftClassRows, type ShiftClassRowsOptions, type ShiftInvariantOperator } from "./shift-class-rows.js";
export { type ApplicationBound, composeBounds, directConvolutionBound, filterBankPassBound, gammaN, periodisedDwtBound, tapRoundingBound, unitRoundoff, type WaveletTaps } from "./rounding.js";

// ── restricted matrices and γ routes ──────────────────────────────────────────────────────────
export { exactRowsMatrix, type RestrictedMatrix } from "./restricted-matrix.js";
export { CooBuilder, csrFromDense, csrMultiply, csrNonzeros, csrRowSums, csrToDense, dropNegligible, type Sparsified, type SplitCsr, splitMultiply, type SymmetricCsr } from "./sparse-symmetric.js";
export { fillReducingOrdering, foldedChain, nestedDissection, type OrderingOptions, type Permutation } from "./nested-dissection.js";
export { type CholeskyResult, sparseCholesky } from "./sparse-cholesky.js";
export { type GammaCertificate, type GammaRoute, gershgorinGamma, lambdaMaxUpper } from "./gamma-certificate.js";
export { inertiaGamma, type InertiaOptions } from "./inertia-gamma.js";
export { lanczos, type LanczosOptions, type LanczosResult, probabilisticLowerBound } from "./lanczos.js";
export { kwLowerBound, lanczosGamma, type LanczosGammaOptions } from "./lanczos-gamma.js";
export { congruenceGamma, type CongruenceOptions } from "./congruence-gamma.js";
export { type GammaChain, gammaChain, type GammaRouteOptions } from "./gamma-routes.js";
export { estimateLipschitz } from "./lipschitz.js";
