import { type Certificate, CflowError, type Dtype, DtypeError, type Json, type RealArray, type RngKey, ShapeError, shapeSize, split } from "@cflow/core";
import { resolveActive } from "./active-set.js";
import { bandedColouring, type ProbingSpec, restrictColouring } from "./colouring.js";
import { symmetricEigenvalues } from "@cflow/core/linalg";
import { type LanczosOptions, lanczos } from "./lanczos.js";
import { exactRows, probedRows, type RowStats, rowStatsFromDense, sampleRows, summarizeRows } from "./row-stats.js";
import { type ApplicationCounter, type CertTransform, frameScale, type LApply, type SymmetricOperator, wSpaceOperator, xSpaceOperator } from "./wspace-operator.js";

/** How η_dd and the Gershgorin bound of the matrix-free path are estimated (README "η_dd estimator"). */
export interface RowEstimatorOptions {
  /**
   * Locality of the W-space operator, when known: coloured probing gives every row from one
   * application per colour, exactly when the colouring is valid. Without it rows are sampled.
   */
  probing?: ProbingSpec | null;
  /** Rows computed exactly (one application each) when sampling (default 32). */
  sampleRows?: number;
  /**
   * Rows computed exactly to check the probed ones (default 8: if a fraction f of the rows were
   * misprobed, all r checks miss them with probability (1 − f)^r — 5% for f = 31% at r = 8).
   */
  spotCheckRows?: number;
  /** Confidence of the stated sampling quantile (default 0.95). */
  confidence?: number;
}

export interface EstimateOptions {
  /** Randomness for Lanczos starts and row samples. */
  key: RngKey;
  /** x-space length: required without a transform, checked against W.shape with one. */
  n?: number;
  /** The run's dtype: required without a transform, checked against W.dtype with one. */
  dtype?: Dtype;
  /** Active set (coefficient indices) to restrict to. Give this or `coefficients`, or neither (full L_W). */
  activeSet?: ArrayLike<number> | null;
  /** Coefficients after the prox: the active set is {i : |u_i| > activeTol}. */
  coefficients?: RealArray | null;
  /** Default 0: exactly the non-zero coefficients. */
  activeTol?: number;
  /** "auto" (default): exact when the operator size is at most `exactThreshold`. */
  method?: "auto" | "exact" | "matrix-free";
  /** Default 1024 (forming and diagonalising a 1024² matrix takes ~1 s in plain TS). */
  exactThreshold?: number;
  /** Absolute ε of η_dd; default `epsilonRel` × max_i |L_ii|. */
  epsilon?: number;
  /** Default 1e-12. */
  epsilonRel?: number;
  lanczos?: Omit<LanczosOptions, "key" | "gate">;
  /**
   * γ_min of the gate, to stop Lanczos as soon as it is decided: failed once the smallest Ritz
   * value (an upper bound of λ_min) is below it, passed once it minus its residual is above.
   */
  gammaGate?: number;
  rows?: RowEstimatorOptions;
  /**
   * Matrix-free path only: skip Lanczos (γ and λ_max come back NaN, unconverged) — for a quick
   * row-based verdict when η_dd alone already decides, or a Gershgorin bound suffices for γ.
   */
  skipGamma?: boolean;
}

/** The fields of an estimate that ran no Lanczos and kept no row (an empty support, a verdict from row bounds alone). */
export const NO_SPECTRUM = Object.freeze({ gamma: Number.NaN, lambdaMax: null, gammaConverged: false, gammaResidual: Number.NaN, gammaLowerBound: null, worstRow: null, probingError: null, probingValid: null } as const);

/** The certificates of (restricted, frame-normalised) L_W, before gates (README "Certificates"). */
export interface EtaGammaEstimate extends Omit<Certificate, "pass" | "reasons" | "violations" | "notes" | "errorBar" | "route" | "failureProbability" | "dominance"> {
  /** Where η_dd / Gershgorin come from: every row exactly ("exact"), one probe per colour ("probed"), or a sample of exact rows ("sampled"). */
  rows: "exact" | "probed" | "sampled";
  /** γ is λ_min to the Lanczos tolerance (always true on the exact path). */
  gammaConverged: boolean;
  /** ‖L̂y − γy‖ of the Ritz pair behind γ (0 on the exact path). */
  gammaResidual: number;
  /**
   * A lower bound of λ_min: γ itself on the exact path; on the matrix-free path the
   * Kuczyński–Woźniakowski bound, holding with probability ≥ the Lanczos confidence (null while
   * too few steps were taken for it).
   */
  gammaLowerBound: number | null;
  /**
   * The space γ is taken over: the active set ("restricted"), all of W-space ("full"), or
   * range(W) for a redundant tight frame without sparsity ("range": W L Wᵀ/c has m − n structural
   * zero eigenvalues off range(W) that the flow never visits, and on range(W) its spectrum is L's).
   */
  subspace: "restricted" | "full" | "range";
  /** The frame constant L_W was divided by (c for tight frames, else 1). */
  frameScale: number;
  /** The row attaining η_dd: its index in coefficient space (x-space without W), L_ii and Σ_{j≠i}|L_ij|. */
  worstRow: { index: number; diag: number; offAbs: number } | null;
  /** Probed path: max relative row error on the spot-checked rows (0 when the colouring is valid), else null. */
  probingError: number | null;
  /** The probing colouring reproduced the spot-checked rows (null when not probing). */
  probingValid: boolean | null;
}

/**
 * Certificates of the core operator in W-space, L̂ = E_Sᵀ W L Wᵀ E_S / s (docs/design.md §2.5): η_dd,
 * the spectral gap γ = λ_min, the Gershgorin lower bound and λ_max — on the active set S when
 * one is given (a sparsity prox), else on the whole operator; s is the frame scale
 * (`frameScale`). Exact (dense matrix formed by applications, Householder + QL) up to
 * `exactThreshold`, matrix-free above (Lanczos with full reorthogonalisation; probed or
 * sampled rows).
 */
export function estimateEtaGammaInW(L_apply: LApply, W: CertTransform | null, options: EstimateOptions): EtaGammaEstimate {
  const t0 = performance.now();
  const { n, dtype } = resolveSpace(W, options);
  const m = W ? W.coeffSize : n;
  const active = resolveActive(options, m, "estimateEtaGammaInW");
  const size = active ? active.length : m;
  const scaleC = frameScale(W);
  const counter: ApplicationCounter = { L: 0, W: 0 };
  const rowOp = wSpaceOperator(L_apply, W, { n, dtype, active, counter });
  const redundant = W !== null && W.frame !== "general" && m !== n;
  const subspace: EtaGammaEstimate["subspace"] = active ? "restricted" : redundant ? "range" : "full";
  // Unitary and tight W: spec(W L Wᵀ / c) on range(W) = spec(L), so γ and λ_max come from L itself (cheaper, and free of the m − n structural zeros).
  const spectralInX = !active && W !== null && W.frame !== "general";
  const specOp = spectralInX ? xSpaceOperator(L_apply, { n, dtype, counter }) : rowOp;
  const threshold = options.exactThreshold ?? 1024;
  const method = options.method === undefined || options.method === "auto" ? (Math.max(size, specOp.size) <= threshold ? "exact" : "matrix-free") : options.method;
  const base = { method, size, subspace, frameScale: scaleC } as const;
  const diagnostics: { [key: string]: Json } = { subspace, frame: W ? W.frame : "identity", frameScale: scaleC, n, coeffSize: m, dtype };

  if (size === 0) {
    diagnostics.emptyActiveSet = true;
    return {
      ...base,
      ...NO_SPECTRUM,
      etaDD: 0,
      gammaGershgorin: Number.NaN,
      rows: "exact",
      cost: { applications: 0, ms: performance.now() - t0 },
      diagnostics,
    };
  }

  const [lanczosKey, rowKey, spotKey] = split(options.key, 3);
  let rowStats: RowStats;
  let rowsKind: EtaGammaEstimate["rows"];
  let gamma: number;
  let lambdaMax: number;
  let gammaConverged: boolean;
  let gammaResidual: number;
  let gammaLowerBound: number | null;
  let probingError: number | null = null;
  let probingValid: boolean | null = null;

  if (method === "exact") {
    const a = denseMatrix(rowOp);
    diagnostics.asymmetry = symmetrize(a, size);
    rowStats = rowStatsFromDense(a, size);
    rowsKind = "exact";
    let spec = a;
    if (spectralInX) {
      spec = denseMatrix(specOp);
      symmetrize(spec, specOp.size);
    }
    const eig = symmetricEigenvalues(spec, specOp.size);
    gamma = eig[0];
    lambdaMax = eig[eig.length - 1];
    gammaConverged = true;
    gammaResidual = 0;
    gammaLowerBound = gamma;
  } else {
    const lz = options.skipGamma
      ? { min: Number.NaN, max: Number.NaN, converged: false, minResidual: Number.NaN, lowerBound: Number.NaN, iterations: 0, maxIterAllowed: 0, invariant: false, decided: false, maxResidual: Number.NaN }
      : lanczos(specOp, {
      ...(dtype === "float32" ? { absTol: 1e-6 } : {}),
      ...options.lanczos,
      key: lanczosKey,
      ...(options.gammaGate !== undefined ? { gate: options.gammaGate } : {}),
    });
    gamma = lz.min;
    lambdaMax = lz.max;
    gammaConverged = lz.converged;
    gammaResidual = lz.minResidual;
    gammaLowerBound = Number.isFinite(lz.lowerBound) ? lz.lowerBound : null;
    diagnostics.lanczos = {
      iterations: lz.iterations,
      maxIterAllowed: lz.maxIterAllowed,
      converged: lz.converged,
      invariant: lz.invariant,
      decided: lz.decided,
      gammaResidual: lz.minResidual,
      gammaLowerBound,
      confidence: options.lanczos?.confidence ?? 0.9999,
      lambdaMaxResidual: lz.maxResidual,
    };
    const ro = options.rows ?? {};
    if (ro.probing) {
      const colouring =
        "bandwidth" in ro.probing ? bandedColouring(size, ro.probing.bandwidth, ro.probing.periodic ?? false) : restrictColouring(checkColours(ro.probing.colours, m), active);
      rowStats = probedRows(rowOp, colouring);
      rowsKind = "probed";
      const spot = exactRows(rowOp, sampleRows(spotKey, size, ro.spotCheckRows ?? 8));
      probingError = rowError(rowStats, spot);
      probingValid = probingError <= (dtype === "float64" ? 1e-8 : 1e-4);
      const r = spot.diag.length;
      diagnostics.probing = {
        colours: colouring.count,
        spotCheckRows: r,
        maxRelativeRowError: probingError,
        valid: probingValid,
        statement: `${r} rows checked exactly: a colouring wrong on ≥ ${(100 * (1 - 0.05 ** (1 / Math.max(r, 1)))).toPrecision(3)}% of rows is caught with probability ≥ 95%`,
      };
    } else {
      const r = ro.sampleRows ?? 32;
      const rows = sampleRows(rowKey, size, r);
      rowStats = exactRows(rowOp, rows);
      rowsKind = rows.length === size ? "exact" : "sampled";
      // a sample of no rows states nothing (a caller that knows every row another way asks for none)
      if (rowsKind === "sampled" && rows.length > 0) {
        const confidence = ro.confidence ?? 0.95;
        // P(no sampled row among the top fraction q) = (1 − q)^r ≤ e^{−qr} = 1 − confidence.
        const q = Math.min(1, Math.log(1 / (1 - confidence)) / rows.length);
        diagnostics.sampling = {
          rows: rows.length,
          of: size,
          confidence,
          exceedFraction: q,
          statement: `η_dd is the exact maximum over ${rows.length} of ${size} rows drawn uniformly: a lower bound of the true η_dd; with probability ≥ ${confidence}, at most ${(100 * q).toPrecision(3)}% of rows have a larger ratio`,
        };
      }
    }
  }

  const summary = summarizeRows(rowStats, { epsilon: options.epsilon, epsilonRel: options.epsilonRel });
  const worstRow = summary.worst ? { index: active ? active[summary.worst.position] : summary.worst.position, diag: summary.worst.diag, offAbs: summary.worst.offAbs } : null;
  diagnostics.rows = rowsKind;
  diagnostics.rowsComputed = rowStats.diag.length;
  diagnostics.epsilon = summary.epsilon;
  diagnostics.gammaConverged = gammaConverged;
  diagnostics.wApplications = counter.W;
  if (worstRow) diagnostics.worstRow = worstRow;
  return {
    ...base,
    etaDD: summary.etaDD,
    gamma,
    gammaGershgorin: summary.gershgorin,
    lambdaMax,
    rows: rowsKind,
    gammaConverged,
    gammaResidual,
    gammaLowerBound,
    worstRow,
    probingError,
    probingValid,
    cost: { applications: counter.L, ms: performance.now() - t0 },
    diagnostics,
  };
}

function resolveSpace(W: CertTransform | null, options: EstimateOptions): { n: number; dtype: Dtype } {
  if (W === null) {
    if (options.n === undefined || !Number.isInteger(options.n) || options.n < 1) {
      throw new CflowError("BAD_OPTION", `estimateEtaGammaInW: without a transform options.n (the state length) is required, found ${options.n}`, { path: "options.n", expected: "integer ≥ 1", found: options.n });
    }
    if (options.dtype === undefined) {
      throw new CflowError("BAD_OPTION", "estimateEtaGammaInW: without a transform options.dtype is required", { path: "options.dtype", expected: "float32 | float64", found: "undefined" });
    }
    return { n: options.n, dtype: options.dtype };
  }
  const n = shapeSize(W.shape);
  if (options.n !== undefined && options.n !== n) throw new ShapeError(`estimateEtaGammaInW: options.n vs ${W.name ?? "W"}.shape`, n, options.n);
  if (options.dtype !== undefined && options.dtype !== W.dtype) throw new DtypeError(`estimateEtaGammaInW: ${W.name ?? "W"}`, options.dtype, W.dtype);
  if (!Number.isInteger(W.coeffSize) || W.coeffSize < n) {
    throw new CflowError("BAD_FRAME", `estimateEtaGammaInW: ${W.name ?? "W"}.coeffSize is ${W.coeffSize}; a frame needs at least the state length ${n}`, { path: `${W.name ?? "W"}.coeffSize`, expected: `integer ≥ ${n}`, found: W.coeffSize });
  }
  return { n, dtype: W.dtype };
}

function checkColours(colours: ArrayLike<number>, m: number): ArrayLike<number> {
  if (colours.length !== m) throw new ShapeError("estimateEtaGammaInW: rows.probing.colours", m, colours.length, "one colour per W-space index");
  return colours;
}

/** The operator as an explicit row-major matrix, one application per column. */
function denseMatrix(op: SymmetricOperator): Float64Array {
  const s = op.size;
  const a = new Float64Array(s * s);
  const e = new Float64Array(s);
  const y = new Float64Array(s);
  for (let j = 0; j < s; j++) {
    e[j] = 1;
    op.apply(e, y);
    e[j] = 0;
    for (let i = 0; i < s; i++) a[i * s + j] = y[i];
  }
  return a;
}

/** (A + Aᵀ)/2 in place; returns max|A_ij − A_ji| / max|A_ij| (how far the operator is from symmetric). */
function symmetrize(a: Float64Array, s: number): number {
  let asym = 0;
  let amax = 0;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i * s + j];
      const y = a[j * s + i];
      asym = Math.max(asym, Math.abs(x - y));
      amax = Math.max(amax, Math.abs(x), Math.abs(y));
      a[i * s + j] = a[j * s + i] = (x + y) / 2;
    }
    amax = Math.max(amax, Math.abs(a[i * s + i]));
  }
  return amax > 0 ? asym / amax : 0;
}

/** max over the checked rows of (|ΔΣ_{j≠i}| + |ΔL_ii|) / (Σ_{j≠i}|L_ij| + |L_ii|). */
function rowError(probed: RowStats, exact: RowStats): number {
  let err = 0;
  const rows = exact.rows as Int32Array;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const den = exact.offAbs[k] + Math.abs(exact.diag[k]);
    const num = Math.abs(probed.offAbs[i] - exact.offAbs[k]) + Math.abs(probed.diag[i] - exact.diag[k]);
    err = Math.max(err, den > 0 ? num / den : num > 0 ? Infinity : 0);
  }
  return err;
}
