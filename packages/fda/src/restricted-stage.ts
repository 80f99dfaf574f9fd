import { type Certificate, type CertificateViolation, type Json, split } from "@cflow/core";
import { type Dominance, dominance } from "./dominance.js";
import { errorBarFor } from "./error-bar.js";
import { formatNumber } from "./format.js";
import { gammaChain } from "./gamma-routes.js";
import { KernelCsrOperator } from "./kernel-csr-operator.js";
import { exactRowsMatrix, type RestrictedMatrix } from "./restricted-matrix.js";
import { gammaN, unitRoundoff } from "./rounding.js";
import { csrNonzeros, csrRowSums } from "./sparse-symmetric.js";
import { probeStructure } from "./structured.js";
import type { StageInput, VerdictStage } from "./stages.js";
import { certificate, describeOperator, etaViolation, GAMMA_NOT_EVALUATED, gammaViolation, routeLabel, structureViolation } from "./verdict.js";
import { type ApplicationCounter, wSpaceOperator } from "./wspace-operator.js";

/**
 * L̂_S, the explicit restricted matrix, with a bound on ‖L_S − L̂_S‖: from the shift-class rows
 * when the operator is a declared circulant on a periodised DWT (computed once per (L, W), then
 * any S up to `restrictMax`), else one operator application per row up to `exactRowsLimit` rows.
 * The application rows' perturbation is a model of L_apply's rounding — a dense product in the
 * run's dtype through Wᵀ, L and W: 3·γ_n(u)·‖L̂_S‖_F relative per column — since user code states
 * no rounding bound. Undefined when neither applies.
 */
function assemble(s: StageInput, counter: ApplicationCounter): { R: RestrictedMatrix; normBound: number; source: string; prepared?: Json; release?: () => void } | { structureMismatch: ReturnType<typeof probeStructure> } | undefined {
  const { ctx, options, active, m } = s;
  const size = active ? active.length : m;
  const method = options.method ?? "auto";
  if (method === "matrix-free") return undefined;
  // the class rows are built once per (L, W), by the first support of either stage they serve
  const tRows = performance.now();
  const classRows = ctx.structure && ctx.W && size <= (options.restrictMax ?? 20000) ? s.cache.classRows(ctx) : null;
  if (classRows) {
    // what this call spent before L̂_S: building the class rows and probing the declared structure (the first time only)
    const classRowsMs = performance.now() - tRows;
    let probeMs = 0;
    if (!s.cache.checked(ctx)) {
      const tProbe = performance.now();
      const probe = probeStructure(ctx, ctx.structure!);
      probeMs = performance.now() - tProbe;
      if (!probe.ok) return { structureMismatch: probe };
      s.cache.markChecked(ctx);
    }
    const all = active ?? Int32Array.from({ length: m }, (_, i) => i);
    const R = classRows.rows.restrict(all);
    return { R, normBound: classRows.normBound, source: `${classRows.rows.classes} shift-class rows`, prepared: { classRowsMs, probeMs }, release: () => classRows.rows.release(R) };
  }
  const redundantWithoutSupport = !active && ctx.W !== null && ctx.W.frame !== "general" && ctx.W.coeffSize !== ctx.n;
  if (redundantWithoutSupport || size > (method === "exact" ? Number.POSITIVE_INFINITY : (options.exactRowsLimit ?? 1024))) return undefined;
  const op = wSpaceOperator(ctx.L_apply, ctx.W, { n: ctx.n, dtype: ctx.dtype, active, counter });
  const all = active ?? Int32Array.from({ length: m }, (_, i) => i);
  const raw = exactRowsMatrix(op, all, { bound: { relErr: 0, norm: 0 }, limit: Number.POSITIVE_INFINITY });
  const { diag, off } = csrRowSums(raw.matrix);
  // ‖L̂‖_F ≤ √(Σ_i (|d_i| + off_i)²); max row sum ≥ λ_max(L̂)
  let frob = 0;
  let maxRow = 0;
  for (let i = 0; i < diag.length; i++) {
    maxRow = Math.max(maxRow, Math.abs(diag[i]) + off[i]);
    frob += (Math.abs(diag[i]) + off[i]) ** 2;
  }
  const relErr = 3 * gammaN(ctx.n, unitRoundoff(ctx.dtype)) * Math.sqrt(frob);
  const sq = Math.sqrt(size);
  const R: RestrictedMatrix = {
    ...raw,
    perturbation: (raw.perturbation + sq * relErr) * (1 + 2 ** -50),
    rowPerturbation: (raw.rowPerturbation + ((size + sq) / 2) * relErr) * (1 + 2 ** -50),
    parts: { ...raw.parts, rounding: raw.parts.rounding + sq * relErr },
  };
  return { R, normBound: maxRow * (1 + gammaN(size, 2 ** -53)) + R.perturbation, source: "one application per row" };
}

/**
 * The restricted-matrix verdict: η_dd = min(plain, optimally scaled) as rigorous upper bounds
 * (`dominance`), then γ by the routes of `gammaChain`, stopping once decided. A failed η gate
 * decides without γ. A pass is remembered for the supports inside this one.
 */
export const restrictedStage: VerdictStage = (s) => {
  const { ctx, active, m, t0 } = s;
  const counter: ApplicationCounter = { L: 0, W: 0 };
  const built = assemble(s, counter);
  if (!built) return undefined;
  const size = active ? active.length : m;
  const cost = () => ({ applications: counter.L, ms: performance.now() - t0 });
  if ("structureMismatch" in built) {
    const v = structureViolation(built.structureMismatch);
    return certificate({ method: "exact", size, etaDD: Number.NaN, dominance: "plain", ...GAMMA_NOT_EVALUATED, violations: [v], notes: [], cost: cost(), diagnostics: { probe: built.structureMismatch.json } }, ctx.gates);
  }
  try {
    return verdictOn(s, built, counter);
  } finally {
    // the verdict is made: the next restriction may write into this matrix's storage
    built.release?.();
  }
};

/** The verdict on an assembled L̂_S (dominance, then the γ routes). */
function verdictOn(s: StageInput, built: { R: RestrictedMatrix; normBound: number; source: string; prepared?: Json }, counter: ApplicationCounter): Certificate {
  const { ctx, options, active, m, t0 } = s;
  const size = active ? active.length : m;
  const subspace = active ? ("restricted" as const) : ("full" as const);
  const where = describeOperator({ size, subspace });
  // where the verdict's time goes (CERT_PASS/CERT_FAIL `phase_ms`, SCHEMA.md): the class rows' build and
  // the structure's probe (once per run), L̂_S, the dominance, the γ routes
  const prepared = built.prepared as { classRowsMs?: number; probeMs?: number } | undefined;
  const phases: { [phase: string]: number } = { ...(prepared ? { prepare: (prepared.classRowsMs ?? 0) + (prepared.probeMs ?? 0) } : {}), assemble: built.R.ms };
  const cost = () => ({ applications: counter.L, ms: performance.now() - t0, phases });
  const { R, normBound, source } = built;
  const { etaMax, gammaMin } = ctx.gates;
  // a support overlapping the last one first iterates from its Collatz–Wielandt vector; when that
  // neither passes the gate nor proves that no scaling can (ρ(|Ĵ|) above it, by the lower bound)
  // within 40 iterations, the iteration from 1 decides (a warm start can settle above the gate where
  // the cold one does not), and the smaller of the two upper bounds counts
  const start = active ? s.cache.perronStart(ctx, active) : null;
  // the Collatz–Wielandt products in the kernel, on one copy of L̂_S (the same bits: kernel-csr-operator.ts)
  const tDominance = performance.now();
  const inKernel = new KernelCsrOperator(R.matrix);
  const absOff = (w: Float64Array, out: Float64Array) => inKernel.absOffMultiply(w, out);
  let warm: Dominance | null;
  let cold: Dominance | null;
  try {
    warm = start ? dominance(R, { decide: etaMax, start, maxIter: 40, absOff }) : null;
    cold = warm && (warm.scaled <= etaMax || warm.scaledLower > etaMax * (1 + 2 ** -30)) ? null : dominance(R, { decide: etaMax, absOff });
  } finally {
    inKernel.dispose();
  }
  const dom = !cold || (warm && warm.scaled < cold.scaled) ? warm! : cold;
  phases.dominance = performance.now() - tDominance; // the copy into the kernel included
  if (active) s.cache.rememberPerron(ctx, active, dom.v, m);
  const scaled = dom.scaled <= dom.plain;
  const eta = scaled ? dom.scaled : dom.plain;
  const kind = scaled ? ("scaled" as const) : ("plain" as const);
  const diagnostics: { [key: string]: Json } = {
    subspace,
    source,
    nonzeros: csrNonzeros(R.matrix),
    ...(built.prepared ? { prepared: built.prepared } : {}),
    assembleMs: R.ms,
    perturbation: R.perturbation,
    dominance: { plain: dom.plain, scaled: dom.scaled, scaledLower: dom.scaledLower, iterations: (warm?.iterations ?? 0) + (cold?.iterations ?? 0), warmStart: warm !== null, ms: (warm?.ms ?? 0) + (cold?.ms ?? 0) },
  };
  const violations: CertificateViolation[] = [];
  const notes: string[] = [];
  if (!(eta <= etaMax)) {
    violations.push(etaViolation(eta, etaMax, where, kind, ` (plain η_dd ≤ ${formatNumber(dom.plain)})`));
    return certificate({ method: "exact", size, etaDD: eta, dominance: kind, ...GAMMA_NOT_EVALUATED, violations, notes: ["γ not evaluated: η_dd already fails the gate"], cost: cost(), diagnostics }, ctx.gates);
  }
  const [chainKey] = split(ctx.key, 1);
  const tGamma = performance.now();
  const chain = gammaChain(R, dom, gammaMin, chainKey, normBound, { failureProbability: options.failureProbability, ...options.routes });
  phases.gamma = performance.now() - tGamma;
  const g = chain.best;
  diagnostics.gammaRoutes = chain.tried;
  diagnostics.gammaStatement = g.statement;
  const gamma = g.gamma;
  const route = Number.isFinite(gamma) ? g.route : "none";
  const failureProbability = chain.failureProbability;
  if (!(gamma >= gammaMin)) {
    violations.push(gammaViolation(gamma, gammaMin, where, `${Number.isFinite(gamma) ? `best of the routes tried: ${routeLabel(g.route, failureProbability)}` : "no route proved a positive bound"}`, subspace === "restricted"));
  } else notes.push(`γ ≥ ${formatNumber(gamma)}: ${routeLabel(route, failureProbability)}`);
  const { bar, note } = violations.length === 0 ? errorBarFor(ctx, gamma, chain.sigma, route, failureProbability) : { bar: null, note: null };
  if (note) notes.push(note);
  if (violations.length === 0 && active) s.cache.remember(ctx, { active, etaDD: eta, dominance: kind, gamma, route, failureProbability, sigma: chain.sigma, size });
  const gersh = chain.tried.length > 0 ? Number((chain.tried[0] as { gamma: number }).gamma) : Number.NaN;
  return certificate({ method: "exact", size, etaDD: eta, dominance: kind, gamma, route, failureProbability, gammaGershgorin: gersh, lambdaMax: chain.sigma, violations, notes, errorBar: bar, cost: cost(), diagnostics }, ctx.gates);
}
