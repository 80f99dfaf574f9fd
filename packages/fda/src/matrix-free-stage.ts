import type { Json } from "@cflow/core";
import { type ClassColumns, classRowBound, isShiftCovariant } from "./class-bound.js";
import { type PlainDominance, plainDominance } from "./dominance.js";
import { type EtaGammaEstimate, estimateEtaGammaInW, NO_SPECTRUM, type RowEstimatorOptions } from "./estimate.js";
import { gershgorinGamma } from "./gamma-certificate.js";
import { checkGates, DEFAULT_FAILURE_PROBABILITY } from "./gates.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import type { StageInput, VerdictStage } from "./stages.js";
import type { ShiftClassRows } from "./shift-class-rows.js";
import { csrNonzeros } from "./sparse-symmetric.js";
import { probeStructure } from "./structured.js";
import { certificate, describeOperator, etaViolation, GAMMA_NOT_EVALUATED, structureViolation } from "./verdict.js";
import { frameScale } from "./wspace-operator.js";

/**
 * The verdict for supports too large for the restricted stage: rows and Lanczos on the operator.
 * Cheap verdicts first — a few exact rows whose η_dd already exceeds the gate fail it for certain
 * (a sample is a lower bound); for a shift-invariant L on a periodised W, every restricted row is
 * known (η_dd bracketed, and a Gershgorin γ that may already decide) — then the row estimator and
 * Lanczos. With a declared structure the rows come from the hook's cache, per (L, W), and the
 * quick rows are skipped: the shift-class rows the restricted stage reads (built once, from the
 * structure; their row sums over S bracket η_dd, the lower bound deciding a certain failure) while
 * L̂_S stays under `rowSumsMaxEntries`, else the class bound's columns (computed once per class
 * touched, through L_apply). η_dd counts only when every row is known (exact rows, escalated up to
 * `exactRowsLimit`, the class rows or the class bound); γ is the Gershgorin bound of known rows or
 * the Kuczyński–Woźniakowski bound of Lanczos at the stated failure probability.
 */
export const matrixFreeStage: VerdictStage = (s) => {
  const { ctx, options, active, t0 } = s;
  const { etaMax, gammaMin } = ctx.gates;
  const failureProbability = options.failureProbability ?? DEFAULT_FAILURE_PROBABILITY;
  const configured = typeof options.rows === "function" ? options.rows(ctx) : options.rows;
  let applications = 0;
  const estimate = (rows: RowEstimatorOptions | undefined, skipGamma: boolean): EtaGammaEstimate => {
    const e = estimateEtaGammaInW(ctx.L_apply, ctx.W, {
      key: ctx.key,
      n: ctx.n,
      dtype: ctx.dtype,
      activeSet: active,
      method: "matrix-free",
      epsilon: options.epsilon,
      epsilonRel: options.epsilonRel,
      lanczos: { ...options.lanczos, confidence: 1 - failureProbability },
      rows,
      skipGamma,
      ...((options.stopWhenDecided ?? true) ? { gammaGate: gammaMin } : {}),
    });
    applications += e.cost.applications;
    return e;
  };
  // η_dd over some rows exceeds the gate: a lower bound of the true η_dd, so the failure is certain
  const certainEtaFailure = (where: string, size: number, eta: number, rows: string, diagnostics: { [key: string]: Json }) =>
    certificate(
      {
        method: "matrix-free",
        size,
        etaDD: eta,
        dominance: "plain",
        ...GAMMA_NOT_EVALUATED,
        violations: [etaViolation(eta, etaMax, where, "plain", ` — exact on ${rows} (a lower bound: the failure is certain)`)],
        notes: ["γ not evaluated: η_dd already fails the gate"],
        cost: { applications, ms: performance.now() - t0 },
        diagnostics: { ...diagnostics, etaRows: `${rows} (a lower bound: the failure is certain)` },
      },
      ctx.gates,
    );
  const finish = (est: EtaGammaEstimate, etaSound: boolean, extra: { [key: string]: Json }) => {
    const g = checkGates(est, ctx.gates, { etaSound, failureProbability });
    // no proven upper bound of λ_max here (a Ritz value is a lower one): no error bar on this route
    const note = g.violations.length === 0 && ctx.step ? "no error bar: the matrix-free route proves no upper bound of λ_max(L_S)" : null;
    return certificate(
      {
        method: "matrix-free",
        size: est.size,
        etaDD: est.etaDD,
        dominance: "plain",
        gamma: g.gamma,
        route: g.route,
        failureProbability: g.failureProbability,
        gammaGershgorin: est.gammaGershgorin,
        lambdaMax: est.lambdaMax,
        violations: g.violations,
        notes: note ? [...g.notes, note] : g.notes,
        errorBar: null,
        cost: { applications, ms: performance.now() - t0 },
        diagnostics: { ...est.diagnostics, gammaResidual: est.gammaResidual, probingValid: est.probingValid, ritzMin: est.gamma, ...extra },
      },
      ctx.gates,
    );
  };
  // a shift-invariant L on a periodised W: every restricted row from the shift-class rows of the
  // declared structure (built once per (L, W) and shared with the restricted stage), else from the
  // class bound's shift-class columns; with a declared structure (checked against L_apply once) both
  // are kept per (L, W), so the quick rows would cost more than the classes do after the first certificate
  const W = ctx.W;
  const shiftClasses = ctx.translationInvariant === true && W !== null && isShiftCovariant(W);
  const all = shiftClasses ? (active ?? Int32Array.from({ length: W.coeffSize }, (_, i) => i)) : null;
  let columns: ClassColumns | null = null;
  let classRows: ShiftClassRows | null = null;
  if (shiftClasses && ctx.structure && s.cache.classColumns(ctx)) {
    if (!s.cache.checked(ctx)) {
      // its arrays go to the class rows' build just below
      const probe = probeStructure(ctx, ctx.structure, s.cache.arrays);
      applications += 1;
      if (!probe.ok) {
        return certificate(
          { method: "matrix-free", size: active ? active.length : s.m, etaDD: Number.NaN, dominance: "plain", ...GAMMA_NOT_EVALUATED, violations: [structureViolation(probe)], notes: [], cost: { applications, ms: performance.now() - t0 }, diagnostics: { probe: probe.json } },
          ctx.gates,
        );
      }
      s.cache.markChecked(ctx);
    }
    const built = s.cache.classRows(ctx);
    if (built && built.rows.expectedEntriesOf(all!) <= (options.rowSumsMaxEntries ?? 1e7)) classRows = built.rows;
    else columns = s.cache.classColumns(ctx);
  }
  if (options.quick !== false && !columns && !classRows) {
    const pre = estimate({ sampleRows: options.quickRows ?? 8 }, true);
    if (pre.size > 0 && pre.etaDD > etaMax) {
      return certainEtaFailure(describeOperator(pre), pre.size, pre.etaDD, `${pre.diagnostics.rowsComputed} sampled rows`, pre.diagnostics);
    }
  }
  // every row known (η_dd's upper bound and Gershgorin's γ from them): a failing η, or a passing one
  // whose Gershgorin γ clears γ_min, is decided without further application; else only Lanczos
  // remains (sampling rows would add nothing)
  const fromRows = (size: number, etaUpper: number, gershgorinLower: number, extra: { [key: string]: Json }) => {
    const fromClasses = { etaDD: etaUpper, gammaGershgorin: gershgorinLower, rows: "exact" as const };
    if (etaUpper > etaMax || gershgorinLower >= gammaMin) {
      const decided: EtaGammaEstimate = {
        method: "matrix-free",
        size,
        subspace: active ? "restricted" : "full",
        frameScale: frameScale(W!),
        ...NO_SPECTRUM,
        cost: { applications, ms: performance.now() - t0 },
        diagnostics: {},
        ...fromClasses,
      };
      return finish(decided, true, extra);
    }
    const est = estimate({ sampleRows: 0 }, false);
    return finish({ ...est, ...fromClasses, diagnostics: { ...est.diagnostics, rows: "exact" } }, true, extra);
  };
  if (classRows) {
    const rows = classRows;
    const where = describeOperator({ size: all!.length, subspace: active ? "restricted" : "full" });
    // L̂ on S, its plain η_dd bracketed, handed to `decide`; released after (the verdict is made from
    // sums of it, and the next restriction may write into its storage)
    const summed = <T>(S: Int32Array, decide: (R: RestrictedMatrix, pd: PlainDominance) => T): T => {
      const R = rows.restrict(S);
      try {
        return decide(R, plainDominance(R));
      } finally {
        rows.release(R);
      }
    };
    // a large support's failure is usually visible on one slab of the domain (an eighth of every
    // band): the rows of L_S's principal submatrix there bound L_S's row sums from below, so a slab
    // row above the gate makes the failure certain at an eighth of the walk; else every row is summed
    if (all!.length >= (options.slabRows ?? 8192)) {
      const slab = rows.slab(all!, 1 / 8);
      const failed = summed(slab, (Rs, pd) => {
        if (!(pd.plainLower > etaMax)) return null;
        const rowsSaid = `the ${slab.length} rows of a slab (an eighth of every band), from ${rows.classes} shift-class rows`;
        return certainEtaFailure(where, all!.length, pd.plainLower, rowsSaid, { classRows: { etaLower: pd.plainLower, slabRows: slab.length, classes: rows.classes, storedEntries: csrNonzeros(Rs.matrix), assembleMs: Rs.ms, ms: performance.now() - t0 } });
      });
      if (failed) return failed;
    }
    const tRows = performance.now();
    return summed(all!, (R, pd) => {
      const rowsJson: { [key: string]: Json } = { classRows: { etaUpper: pd.plain, etaLower: pd.plainLower, classes: rows.classes, storedEntries: csrNonzeros(R.matrix), perturbation: R.perturbation, assembleMs: R.ms, ms: performance.now() - tRows } };
      const rowsSaid = `every row, from ${rows.classes} shift-class rows`;
      // the lower bound of η_dd exceeds the gate: the failure is certain
      if (pd.plainLower > etaMax) return certainEtaFailure(where, all!.length, pd.plainLower, rowsSaid, rowsJson);
      return fromRows(all!.length, pd.plain, gershgorinGamma(R).gamma, { ...rowsJson, etaRows: rowsSaid });
    });
  }
  if (shiftClasses) {
    const classBound = classRowBound(ctx.L_apply, W, { n: ctx.n, dtype: ctx.dtype, active: all!, epsilonRel: options.epsilonRel, failAbove: etaMax, ...(columns ? { columns } : {}) });
    applications += classBound.applications;
    const { etaUpper, etaLower, gershgorinLower, classes, evaluated, ms } = classBound;
    const cbJson: { [key: string]: Json } = { classBound: { etaUpper, etaLower, gershgorinLower, classes, evaluated, applications: classBound.applications, ms } };
    if (!classBound.complete) {
      // a row of the classes evaluated already fails the gate: certain, whatever the other classes hold
      const rows = `every row of ${evaluated} of the ${classes} shift classes touched`;
      return certainEtaFailure(describeOperator({ size: all!.length, subspace: active ? "restricted" : "full" }), all!.length, etaLower, rows, cbJson);
    }
    return fromRows(all!.length, classBound.etaUpper, classBound.gershgorinLower, { ...cbJson, etaRows: `every row, from ${classBound.classes} shift-class rows` });
  }
  let est = estimate(configured, false);
  const known = est.rows === "exact" || (est.rows === "probed" && est.probingValid === true);
  if (!known && est.etaDD <= etaMax && est.size <= (options.exactRowsLimit ?? 4096)) {
    est = estimate({ sampleRows: est.size }, false);
    return finish(est, true, { etaRows: "exact (escalated from a sampled lower bound)" });
  }
  return finish(est, known, { etaRows: est.rows });
};
