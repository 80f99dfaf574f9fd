// @cflow/core's public API: what a user writing and running flows, or a plugin author adding
// ops, atoms, transforms, manifolds and policies, needs — each name listed. Kernel plumbing
// (Kernel, buffers, plans, cells) is behind `@cflow/core/kernel`, dense linear algebra behind
// `@cflow/core/linalg`, contract probes for plugins behind `@cflow/core/testing`.

// ── errors, dtypes, shapes ───────────────────────────────────────────────────────────────────
export { CflowError, DtypeError, ShapeError } from "./errors.js";
export { DTYPES, type Dtype, type RealArray, type Shape, bytesPerElement, checkArray, checkDtype, describeValue, dtypeOf, isDtype, outArray, sameShape, shapeSize, zeros } from "./dtype.js";

// ── random numbers (counter-based: a key, split and folded, never a hidden state) ────────────
export { type RngKey, foldIn, normal, rademacher, randomBits, rngKey, split, uniform } from "./rng.js";

// ── the spec: define, lint, parameters, limits ──────────────────────────────────────────────
export { type AsyncFlowFactory, type FlowDefinition, type FlowFactory, defineFlow, isFlowFactory, resolveFlow, resolveFlowAsync } from "./spec/define.js";
export type {
  AnyFlowSpec,
  AtomName,
  BudgetsSpec,
  ControlSpec,
  CertificationSpec,
  DataValue,
  FlowContext,
  FlowFamilyName,
  FlowPolicySpec,
  FlowSpec,
  InvariantSpec,
  LensSpec,
  MultiscaleSpec,
  OpRef,
  OpSpec,
  PoliciesSpec,
  ProxAtomName,
  SlotSpec,
  SmoothAtomName,
  SparsitySpec,
  TermKind,
  TermSpec,
  TransformSpec,
  TunerSpec,
} from "./spec/types.js";
export { type Finding, type LintOptions, type LintReport, type OpUse, lintSpec } from "./spec/lint.js";
export { type ParamRule, checkParam, withDefaults } from "./spec/params.js";
export { readFlowParams } from "./spec/flow-params.js";
export { DEFAULTS } from "./spec/defaults.js";
export { type ElementLimit, checkElementCount, defaultMaxElements, elementLimit } from "./spec/element-limit.js";

// ── registry and plugins ────────────────────────────────────────────────────────────────────
export { type Entry, type NamespaceName, type PluginFailure, type PluginLoadReport, type Provider, type RegisterOptions, Registry, type RegistryValidators, type Table, camelCaseKey } from "./registry/registry.js";
export { type Plugin, definePlugin } from "./registry/plugin.js";
export type { PolicyDef, PolicyKind } from "./registry/policy.js";
export { corePlugin, defaultRegistry } from "./registry/default.js";
export { nearestName } from "./registry/nearest.js";

// ── ops: linear operators, and the base class of kernel ops ─────────────────────────────────
export { KernelOp, type Op, type OpFactory, type OpFactoryContext, isOp } from "./ops/op.js";
export { type JsOpLike } from "./ops/js-op.js";
export { type IdentityOp, identityOp } from "./ops/identity.js";
export { type ScalingOp, scalingOp } from "./ops/scaling.js";
export { type DiagonalOp, diagonalOp } from "./ops/diagonal.js";
export { type DenseOp, denseOp } from "./ops/dense.js";
export { CsrOp, type CsrMatrix, csrOp } from "./ops/csr.js";
export { type MaskOp, maskOp } from "./ops/mask.js";
export { type SubsampleOp, subsampleOp } from "./ops/subsample.js";
export { type GradientOp } from "./ops/gradient.js";
export { type Conv2dOptions, type ConvBoundary, type ConvMethod, type ConvOp, type ConvOptions, type SeparableKernel, conv1d, conv2d } from "./ops/conv.js";
export { gaussianKernel1d, gaussianKernel2d, gaussianRadius } from "./ops/gaussian.js";
export { type ComposeOp, compose } from "./ops/compose.js";
export { type SumOp, sumOp } from "./ops/sum.js";
export { type VstackOp, vstack } from "./ops/vstack.js";
export { type OpNormEstimate, type OpNormOptions, estimateOpNorm } from "./ops/norm.js";
export {
  type CirculantStencil,
  type LinearStructure,
  addStructures,
  applyStructure,
  blockDiagonalStructure,
  circulantOfColumn,
  circulantStructure,
  describeStructure,
  diagonalStructure,
  gridCoordinates,
  kroneckerStructure,
  scaleStructure,
  scaledIdentity,
  structureSize,
} from "./ops/structure.js";

// ── transforms (W): wavelets, DCT, the identity, lens; the base class of kernel transforms ───
export { type Band, type FrameType, KernelTransform, type TransformFactory, type TransformOp, type TransformOptions } from "./transforms/transform.js";
export { createTransform } from "./transforms/create.js";
export { WAVELET_NAMES, type WaveletFilters, type WaveletName, isWaveletName, waveletFilters } from "./transforms/filters.js";
export { type LensOptions, type LensResult, type LensScore, lensProbe } from "./transforms/lens.js";

// ── atoms: the terms of an energy, and the base classes of plugin atoms ─────────────────────
export { type AtomContext, type AtomDef, type CacheIndex, type Need, type ProxCells, type ProxTerm, type SmoothTerm, type Term, type TermState, defineAtom } from "./atoms/atom.js";
export { MoreauScratch, emitMoreauConjugate } from "./atoms/conjugate.js";
export { KernelProxTerm, type ProxParams } from "./atoms/prox/prox-term.js";
export { LinearLossTerm, type PointwiseLoss } from "./atoms/smooth/linear-loss.js";
export { QuadraticFormTerm } from "./atoms/smooth/quadratic-form.js";
export {
  huber as huberAtom,
  leastSquares as leastSquaresAtom,
  logistic as logisticAtom,
  quadraticForm as quadraticFormAtom,
  tikhonov as tikhonovAtom,
  weightedLeastSquares as weightedLeastSquaresAtom,
} from "./atoms/smooth/index.js";
export {
  boxAtom,
  elasticNetAtom,
  groupL1Atom,
  l1Atom,
  l1BallAtom,
  l1DataAtom,
  l2BallAtom,
  nonnegAtom,
  poissonAtom,
  simplexAtom,
  tvAnisotropicAtom,
  tvIsotropicAtom,
  waveletL1Atom,
} from "./atoms/prox/index.js";

// ── manifolds (the port a manifold plugin implements) ───────────────────────────────────────
export type { Manifold, ManifoldFactory } from "./ports/manifold.js";

// ── the compiler ────────────────────────────────────────────────────────────────────────────
export { type CompileOptions, compileFlow } from "./compiler/compile.js";
export { SpecLintError } from "./compiler/lint-error.js";
export { type DataTerm, dataTerms, noiseLevel, madNoiseLevel, residualNormSq } from "./compiler/data-terms.js";
export type {
  CompileReport,
  CompiledFlow,
  CompiledProxTerm,
  CompiledSmoothTerm,
  FlowEnergy,
  FlowIdentity,
  FlowKernelResources,
  FlowLayout,
  FlowLinearisation,
  FlowLipschitz,
  LipschitzMethod,
  SlotLayout,
  TermEnergy,
  TransformValidationRow,
} from "./compiler/types.js";

// ── running a flow: the step, the runner, flow families ─────────────────────────────────────
export { runFlowStep } from "./runtime/step.js";
export { FlowRunner, type RunnerOptions, type RunnerSnapshot, type StepMetrics } from "./runtime/runner.js";
export { type CandidateOutcome, type FamilyState, type FlowFamily, type FlowFamilyPolicy, builtinFamilies, familyPolicy } from "./runtime/families.js";
export { type OpNormBound, type PrimalDualMetrics, type PrimalDualOptions, PrimalDualRunner, type StopReason, type StopRule } from "./runtime/primal-dual.js";
export type { TermStates } from "./runtime/term-state.js";

// ── the certified controller and its hooks (ports FDA, tuner and recorder implement) ────────
export { type ResumeState, type RunCertifiedOptions, runCertified } from "./controller/run-certified.js";
export { type CertificateRecord, RESULT_KEEP } from "./controller/context.js";
export type { RunResult } from "./controller/finish.js";
export { type RunConfig, resolveRun } from "./controller/run-config.js";
export { type RunHooks, checkHooks, tunerHookFromRegistry } from "./controller/hooks.js";
export { newRunId } from "./controller/run-id.js";
export { FLOW_EVENTS, type EventPort, type FlowEvent, type FlowEventName, type Json, type Phase } from "./ports/events.js";
export type { TelemetryRow } from "./ports/telemetry.js";
export type { Checkpoint, ResumePoint, RunSink, RunStartInfo, RunStatus, RunSummary, StateView } from "./ports/sink.js";
export { activeIndices, newlyActive } from "./active-set.js";
export type { Certificate, CertificateContext, CertificateHook, CertificateViolation, ErrorBar, GammaRoute, TracePoint } from "./ports/certificates.js";
export type { BandStat, DialLimits, Dials, TargetReading, TaskTarget, TrialOutcome, TunerContext, TunerHook, TunerPolicy, TunerPolicyDef } from "./ports/tuner.js";

// ── loading the kernel (a browser awaits initKernel() once before anything touches kernel memory) ──
export { type KernelInitOptions, initKernel } from "./kernel/kernel.js";
export type { KernelWasmSource } from "./kernel/wasm-source.js";

// ── types of kernel memory that appear in the interfaces above (values: @cflow/core/kernel) ──
export type { F64Buf, I32Buf, RealBuf } from "./kernel/kernel.js";
export type { Cell, CellBank, PlanBuilder } from "./kernel/plan.js";
