import { type CertificateContext, createTransform, type GammaRoute, type Json, type LinearStructure, type TransformOp } from "@cflow/core";
import { isSubset } from "./active-set.js";
import { ArrayPool } from "./array-pool.js";
import { decodeCacheState, describeTransform, encodeCacheState, sameTransform, type TransformDescription } from "./certificate-cache-state.js";
import { ClassColumns, isShiftCovariant } from "./class-bound.js";
import { type PeriodisedWavelet, ShiftClassRows } from "./shift-class-rows.js";
import { sameStructure, structureOperator } from "./structure-operator.js";

/** A certified support and what any subset of it inherits. */
export interface CertifiedSupport {
  active: Int32Array;
  /** Upper bound of the dominance (plain or scaled) on the support. */
  etaDD: number;
  dominance: "plain" | "scaled";
  /** λ_min(L_S) ≥ gamma, proven or with the stated failure probability. */
  gamma: number;
  route: GammaRoute;
  failureProbability: number;
  /** λ_max(L_S) ≤ sigma (proven). */
  sigma: number;
  /** Operator size it was certified on. */
  size: number;
}

interface OperatorEntry {
  /** Null for an entry restored from a checkpoint until the run's transform matching `transform` meets it. */
  W: TransformOp | null;
  transform: TransformDescription;
  structure: LinearStructure;
  rows: ShiftClassRows | null;
  /** The class bound's shift-class columns of W L Wᵀ (class-bound.ts), computed through L_apply as active sets touch them. */
  columns: ClassColumns;
  /** ‖L‖ ≥ λ_max(L_S) for every S (proven). */
  normBound: number;
  supports: CertifiedSupport[];
  /** The declared structure was checked against L_apply on a probe. */
  checked: boolean;
  /** The last Collatz–Wielandt vector, by W-space coefficient (0: not met yet): the next support's start. */
  perron: Float64Array | null;
}

/**
 * What one certificate hook keeps across its evaluations, per operator: the shift-class rows of
 * W L Wᵀ (computed once per (L, W) and read by every attempt of both the restricted and the
 * matrix-free stage), the class bound's shift-class columns (computed once per class touched, for
 * supports too large to sum from the rows), and the supports it certified —
 * for any S ⊆ S₀ certified, λ_min(L_S) ≥ λ_min(L_S₀) (Cauchy interlacing: L_S is a principal
 * submatrix of L_S₀), λ_max(L_S) ≤ λ_max(L_S₀), and both dominance measures are monotone (the row
 * sums of |L_S − D| only lose terms; ρ of a principal submatrix of a non-negative matrix is at most
 * ρ of the matrix, Perron–Frobenius), so S inherits S₀'s certificate without work.
 *
 * An operator is identified by the transform object and its declared Hessian structure (compared
 * entry by entry) — only constant operators (`translationInvariant` contexts with a structure) are
 * cached, so a cached certificate is always of the same matrix. `save` and `restore` carry the
 * cache through a checkpoint (certificate-cache-state.ts): a restored entry belongs to the first
 * transform of the same description (name, frame, shape, levels, size, dtype) it meets.
 */
export class CertificateCache {
  private readonly entries: OperatorEntry[] = [];
  /**
   * The structure's check (`probeStructure`) leaves its arrays here for the class rows' build that
   * follows it on the first certificate (array-pool.ts); `classRows` lets them go.
   */
  readonly arrays = new ArrayPool();
  /** Supports kept per operator (the most recent first). */
  constructor(private readonly keep = 8) {}

  private entry(ctx: CertificateContext): OperatorEntry | null {
    const W = ctx.W;
    const s = ctx.structure ?? null;
    if (!W || !s || !ctx.translationInvariant) return null;
    for (const e of this.entries) if (e.W === W && sameStructure(e.structure, s)) return e;
    for (const e of this.entries) {
      if (e.W === null && sameTransform(W, e.transform) && sameStructure(e.structure, s)) {
        e.W = W;
        return e;
      }
    }
    const e: OperatorEntry = { W, transform: describeTransform(W), structure: s, rows: null, columns: new ClassColumns(), normBound: Number.POSITIVE_INFINITY, supports: [], checked: false, perron: null };
    this.entries.push(e);
    if (this.entries.length > 4) this.entries.shift();
    return e;
  }

  /** Whether the operator's declared structure was already checked against L_apply. */
  checked(ctx: CertificateContext): boolean {
    return this.entry(ctx)?.checked ?? false;
  }

  markChecked(ctx: CertificateContext): void {
    const e = this.entry(ctx);
    if (e) e.checked = true;
  }

  /** The certified support containing `active`, if any. */
  inherited(ctx: CertificateContext, active: Int32Array): CertifiedSupport | null {
    const e = this.entry(ctx);
    if (!e) return null;
    for (const s of e.supports) if (isSubset(active, s.active)) return s;
    return null;
  }

  /**
   * A start for the Collatz–Wielandt iteration on `active`: the last vector met on this operator,
   * read at the support's coefficients, and where it was not in the last support the median of
   * those read (a typical entry: 1, the largest, inflates its neighbours' ratios), or null.
   */
  perronStart(ctx: CertificateContext, active: Int32Array): Float64Array | null {
    const p = this.entry(ctx)?.perron;
    if (!p) return null;
    const known = Float64Array.from(active, (i) => p[i]).filter((x) => x > 0).sort();
    const fill = known.length > 0 ? known[known.length >> 1] : 1;
    return Float64Array.from(active, (i) => (p[i] > 0 ? p[i] : fill));
  }

  /** Keeps the Collatz–Wielandt vector `v` of the support `active` for the next one. */
  rememberPerron(ctx: CertificateContext, active: Int32Array, v: Float64Array, m: number): void {
    const e = this.entry(ctx);
    if (!e) return;
    const p = new Float64Array(m);
    for (let k = 0; k < active.length; k++) p[active[k]] = v[k];
    e.perron = p;
  }

  remember(ctx: CertificateContext, support: CertifiedSupport): void {
    const e = this.entry(ctx);
    if (!e) return;
    e.supports = [support, ...e.supports.filter((s) => !isSubset(s.active, support.active))].slice(0, this.keep);
  }

  /**
   * What later certificates read from this cache, as JSON: per operator its certified supports,
   * whether its structure was checked and the last Collatz–Wielandt vector (the shift-class rows
   * and the class bound's columns are not kept: they are rebuilt, identically, on first use).
   */
  save(): Json {
    return encodeCacheState({ operators: this.entries.map((e) => ({ transform: e.transform, structure: e.structure, checked: e.checked, supports: e.supports, perron: e.perron })) });
  }

  /** Replaces this cache's contents by a `save` result (`where`: its path, for errors). */
  restore(state: Json, where: string): void {
    const ops = decodeCacheState(state, where).operators;
    this.entries.length = 0;
    for (const o of ops) this.entries.push({ W: null, transform: o.transform, structure: o.structure, rows: null, columns: new ClassColumns(), normBound: Number.POSITIVE_INFINITY, supports: o.supports, checked: o.checked, perron: o.perron });
  }

  /**
   * The class bound's column store of the context's operator (class-bound.ts), or null when the
   * operator is not cached (no declared structure, or not translation-invariant). Columns are
   * computed through L_apply: callers check the declared structure against it first (`checked`).
   */
  classColumns(ctx: CertificateContext): ClassColumns | null {
    return this.entry(ctx)?.columns ?? null;
  }

  /**
   * The shift-class rows of the context's operator (built on first use, in float64: a float32 run's
   * W is rebuilt with float64 taps and the taps' difference joins the perturbation bound), or null
   * when the context has no periodised unitary DWT and circulant structure on its grid.
   */
  classRows(ctx: CertificateContext): { rows: ShiftClassRows; normBound: number } | null {
    try {
      return this.rowsOf(ctx);
    } finally {
      this.arrays.clear();
    }
  }

  private rowsOf(ctx: CertificateContext): { rows: ShiftClassRows; normBound: number } | null {
    const e = this.entry(ctx);
    if (!e) return null;
    if (e.rows) return { rows: e.rows, normBound: e.normBound };
    const W = ctx.W as TransformOp & Partial<PeriodisedWavelet>;
    if (!isShiftCovariant(W) || W.frame !== "unitary" || W.coeffSize !== ctx.n || typeof W.levels !== "number" || !W.wavelet) return null;
    const op = structureOperator(e.structure, W.shape);
    if (!op) return null;
    const W64 = W.dtype === "float64" ? W : createTransform(W.name, { shape: [...W.shape], levels: W.levels, dtype: "float64" });
    try {
      e.rows = ShiftClassRows.build(op, W64 as unknown as PeriodisedWavelet, { runDtype: ctx.dtype, arrays: this.arrays });
    } finally {
      if (W64 !== W) W64.dispose();
    }
    e.normBound = op.bound.norm;
    return { rows: e.rows, normBound: e.normBound };
  }
}
