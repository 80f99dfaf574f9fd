import {
  type Certificate,
  type CertificateContext,
  type CertificateViolation,
  type ErrorBar,
  type Json,
  type LinearStructure,
  applyStructure,
  describeStructure,
  gridCoordinates,
  rademacher,
  scaledIdentity,
  structureSize,
} from "@cflow/core";
import { ArrayPool } from "./array-pool.js";
import { circulantSpectrum } from "./circulant-spectrum.js";
import { errorBarFor } from "./error-bar.js";
import { formatNumber } from "./format.js";
import { summarizeRows } from "./row-stats.js";
import { certificate, describeOperator, etaViolation, gammaViolation } from "./verdict.js";

export interface StructuredOptions {
  epsilon?: number;
  epsilonRel?: number;
}

/** Row classes of the (restricted) operator: every row equals one of these, up to a permutation. */
interface Rows {
  /** A row of each class, in the certificate's index space. */
  index: Int32Array;
  diag: Float64Array;
  /** Σ_{j≠i}|L_ij| — exact, or an upper bound when `exact` is false. */
  off: Float64Array;
  exact: boolean;
}

/** Every eigenvalue lies in [lo, hi] (rounding margins included). */
interface Spectrum {
  lo: number;
  hi: number;
  /** lo is λ_min itself up to the rounding margin (false: a lower bound, e.g. by interlacing). */
  exact: boolean;
  margin: number;
}

/** Above this many stencil look-ups the restricted circulant rows are bounded by the full row. */
const RESTRICTED_ROW_BUDGET = 2 ** 27;

/**
 * The certificates of an operator that declares its structure (`ctx.structure`): η_dd and γ in
 * closed form, at any size, with no sampled rows.
 * - scaled identity s·I: η_dd = 0, γ = s (also in W-space for a unitary W: W(sI)Wᵀ = sI);
 * - diagonal: η_dd = 0, γ = min of the (active) diagonal;
 * - circulant: every row is a translate of the first column c, so η_dd = Σ_{j≠0}|c_j|/|c_0| from
 *   one row, and the eigenvalues are the DFT of c (`circulantSpectrum`, with a rounding margin);
 *   restricted to an active set, each active row's off-diagonal sum over active neighbours comes
 *   from the stencil, and γ ≥ max(λ_min(L), Gershgorin of the restricted rows) (Cauchy interlacing);
 * - block-diagonal: the union of the blocks' rows and spectra;
 * - Kronecker A ⊗ B: rows are products of the factors' rows (diag a·b, |row| sums multiply) and
 *   eigenvalues products of theirs (bounded by the products of the factors' ranges).
 * The declaration is checked against L_apply on one random probe; a mismatch fails closed.
 * Returns null when the context has no structure, or one this route does not cover (a transform
 * other than a unitary one around a scaled identity — the shift-class and row routes handle those).
 */
export function structuredCertificate(ctx: CertificateContext, active: Int32Array | null, options: StructuredOptions = {}): Certificate | null {
  const s = ctx.structure;
  if (!s || structureSize(s) !== ctx.n) return null;
  const W = ctx.W;
  let op: LinearStructure;
  if (W === null) op = s;
  else if (s.kind === "scaledIdentity" && W.frame === "unitary" && W.coeffSize === ctx.n) op = scaledIdentity(W.coeffSize, s.scale);
  else return null;
  const t0 = performance.now();
  const { etaMax, gammaMin } = ctx.gates;
  const described = describeStructure(s);
  const probe = probeStructure(ctx, s);
  const m = structureSize(op);
  const size = active ? active.length : m;
  const subspace = active ? ("restricted" as const) : ("full" as const);
  const where = describeOperator({ size, subspace });
  const diagnostics: { [key: string]: Json } = { structure: described, subspace, n: ctx.n, coeffSize: m, dtype: ctx.dtype, probe: probe.json };
  const verdict = (e: { etaDD: number; gamma: number; gammaGershgorin: number; lambdaMax: number | null }, violations: CertificateViolation[], notes: string[], errorBar: ErrorBar | null = null): Certificate =>
    certificate(
      { ...e, method: "structured", size, dominance: "plain", route: Number.isNaN(e.gamma) ? "none" : "structured", failureProbability: 0, violations, notes, errorBar, cost: { applications: 1, ms: performance.now() - t0 }, diagnostics },
      ctx.gates,
    );
  if (!probe.ok) {
    diagnostics.etaVerified = false;
    return verdict({ etaDD: Number.NaN, gamma: Number.NaN, gammaGershgorin: Number.NaN, lambdaMax: null }, [
      {
        gate: "structure",
        value: probe.error,
        threshold: probe.tolerance,
        message: `the declared Hessian structure (${described}) does not match L_apply on a random probe (relative error ${probe.error.toExponential(2)} > ${probe.tolerance.toExponential(0)}): an op declares a wrong gramStructure — fail closed`,
      },
    ], []);
  }
  if (size === 0) return null; // the empty-support stage says so
  const rows = rowsOf(op, active);
  const spectrum = spectrumOf(op, active);
  if (!spectrum) return null; // a grid the closed form does not cover (see circulantSpectrum)
  const summary = summarizeRows({ rows: rows.index, diag: rows.diag, offAbs: rows.off }, { epsilon: options.epsilon, epsilonRel: options.epsilonRel });
  // restricted: interlacing gives λ_min(L_S) ≥ λ_min(L); the restricted rows' Gershgorin bound may be higher
  const gamma = active ? Math.max(spectrum.lo, summary.gershgorin) : spectrum.lo;
  const worstRow = summary.worst ? { index: summary.worst.position, diag: summary.worst.diag, offAbs: summary.worst.offAbs } : null;
  Object.assign(diagnostics, {
    rows: "exact",
    rowClasses: rows.index.length,
    etaRows: rows.exact ? "every row, in closed form from the declared structure" : "an upper bound over every row (each row's off-diagonal mass over all its neighbours)",
    etaVerified: true,
    epsilon: summary.epsilon,
    gammaSource:
      spectrum.exact
        ? `λ_min of the declared structure in closed form, minus its rounding margin ${spectrum.margin.toExponential(2)}`
        : gamma === spectrum.lo
          ? "a lower bound of λ_min: the full operator's λ_min minus its rounding margin (Cauchy interlacing for the active set)"
          : "a lower bound of λ_min: the Gershgorin bound of the restricted rows",
    spectralMargin: spectrum.margin,
    ...(worstRow ? { worstRow } : {}),
  });
  const violations: CertificateViolation[] = [];
  if (!(summary.etaDD <= etaMax)) {
    const row = worstRow ? ` — worst row ${worstRow.index}: Σ_{j≠i}|L_ij| = ${formatNumber(worstRow.offAbs)} against |L_ii| = ${formatNumber(Math.abs(worstRow.diag))}` : "";
    violations.push(etaViolation(summary.etaDD, etaMax, where, "plain", row));
  }
  if (!(gamma >= gammaMin)) violations.push(gammaViolation(gamma, gammaMin, where, "a lower bound of λ_min from the declared structure", subspace === "restricted"));
  const { bar, note } = errorBarFor(ctx, gamma, spectrum.hi, "structured", 0);
  return verdict({ etaDD: summary.etaDD, gamma, gammaGershgorin: summary.gershgorin, lambdaMax: spectrum.hi }, violations, note ? [note] : [], bar);
}

/**
 * The declaration against the operator: ‖L v − S v‖∞ ≤ tol·‖S‖_∞·‖v‖∞ on one Rademacher probe v
 * (±1 from one random word per 32 entries). A consistency check, not a probability bound: where
 * L − S has an entry δ = (L − S)_ij, flipping v_j moves (Lv − Sv)_i by 2δ, so for any signs of the
 * other entries one of the two values of v_j gives |(Lv − Sv)_i| ≥ |δ| — row i shows the lie with
 * probability ≥ 1/2, and always when it is the row's only wrong entry (a wrong diagonal, a wrong
 * pair of a sparse operator). Every row of a wrong circulant is wrong, each a translate of the
 * first. Against the tolerance a ±1 probe also sees more than a Gaussian one: ‖v‖∞ = 1, where
 * n Gaussian draws reach √(2 ln n) and scale the bar up with them.
 */
export function probeStructure(ctx: CertificateContext, s: LinearStructure, arrays: ArrayPool = new ArrayPool()): { ok: boolean; error: number; tolerance: number; json: Json } {
  const n = ctx.n;
  const f64 = ctx.dtype === "float64";
  const v = rademacher(ctx.key, f64 ? arrays.take(n) : new Float32Array(n));
  const out = f64 ? arrays.take(n) : new Float32Array(n);
  ctx.L_apply(v, out);
  const ref = applyStructure(s, v, arrays.take(n));
  let err = 0;
  let vmax = 0;
  for (let i = 0; i < n; i++) {
    err = Math.max(err, Math.abs(out[i] - ref[i]));
    vmax = Math.max(vmax, Math.abs(v[i]));
  }
  const scale = maxAbsRowSum(s) * vmax;
  const relative = scale > 0 ? err / scale : err;
  const tolerance = ctx.dtype === "float64" ? 1e-9 : 1e-4;
  const ok = Number.isFinite(relative) && relative <= tolerance;
  arrays.give(ref, ...(v instanceof Float64Array && out instanceof Float64Array ? [v, out] : []));
  return { ok, error: relative, tolerance, json: { relativeError: relative, tolerance, pass: ok } };
}

function maxAbsRowSum(s: LinearStructure): number {
  switch (s.kind) {
    case "scaledIdentity":
      return Math.abs(s.scale);
    case "diagonal": {
      let m = 0;
      for (const d of s.diagonal) m = Math.max(m, Math.abs(d));
      return m;
    }
    case "circulant": {
      let m = 0;
      for (const v of s.stencil.values) m += Math.abs(v);
      return m;
    }
    case "blockDiagonal":
      return Math.max(...s.blocks.map((b) => maxAbsRowSum(b.structure)));
    case "kronecker":
      return s.factors.reduce((p, f) => p * maxAbsRowSum(f), 1);
  }
}

/** The active indices inside [offset, offset + size), made local; null stays null (all rows). */
function slice(active: Int32Array | null, offset: number, size: number): Int32Array | null {
  if (!active) return null;
  const out: number[] = [];
  for (const i of active) if (i >= offset && i < offset + size) out.push(i - offset);
  return Int32Array.from(out);
}

function rowsOf(s: LinearStructure, active: Int32Array | null): Rows {
  const n = structureSize(s);
  switch (s.kind) {
    case "scaledIdentity": {
      const i = active ? active[0] : 0;
      return { index: Int32Array.of(i), diag: Float64Array.of(s.scale), off: Float64Array.of(0), exact: true };
    }
    case "diagonal": {
      const index = active ?? Int32Array.from({ length: n }, (_, i) => i);
      return { index, diag: Float64Array.from(index, (i) => s.diagonal[i]), off: new Float64Array(index.length), exact: true };
    }
    case "circulant":
      return circulantRows(s.shape, s.stencil, active);
    case "blockDiagonal": {
      const parts: Rows[] = [];
      for (const b of s.blocks) {
        const local = slice(active, b.offset, structureSize(b.structure));
        if (local && local.length === 0) continue;
        const r = rowsOf(b.structure, local);
        parts.push({ ...r, index: r.index.map((i) => i + b.offset) });
      }
      return concatRows(parts);
    }
    case "kronecker": {
      // rows of A ⊗ B: L_(ij),(ij) = a_ii·b_jj and Σ_kl |L_(ij),(kl)| = (|a_ii| + off_a)(|b_jj| + off_b); restricted: every row's full sums (an upper bound)
      let acc: Rows = { index: Int32Array.of(0), diag: Float64Array.of(1), off: Float64Array.of(0), exact: true };
      for (const f of s.factors) {
        const r = rowsOf(f, null);
        const m = structureSize(f);
        const k = acc.index.length * r.index.length;
        const next: Rows = { index: new Int32Array(k), diag: new Float64Array(k), off: new Float64Array(k), exact: acc.exact && r.exact };
        let p = 0;
        for (let a = 0; a < acc.index.length; a++) {
          for (let b = 0; b < r.index.length; b++, p++) {
            const d = acc.diag[a] * r.diag[b];
            next.index[p] = acc.index[a] * m + r.index[b];
            next.diag[p] = d;
            next.off[p] = acc.off[a] === 0 && r.off[b] === 0 ? 0 : (Math.abs(acc.diag[a]) + acc.off[a]) * (Math.abs(r.diag[b]) + r.off[b]) - Math.abs(d);
          }
        }
        acc = next;
      }
      return { ...acc, exact: acc.exact && active === null };
    }
  }
}

/** Rows of a symmetric circulant: one class (all of them), or each active row over its active neighbours. */
function circulantRows(shape: readonly number[], st: { offsets: Int32Array; values: Float64Array }, active: Int32Array | null): Rows {
  let c0 = 0;
  let off = 0;
  for (let k = 0; k < st.offsets.length; k++) {
    if (st.offsets[k] === 0) c0 = st.values[k];
    else off += Math.abs(st.values[k]);
  }
  if (!active || active.length * st.offsets.length > RESTRICTED_ROW_BUDGET) {
    return { index: Int32Array.of(active ? active[0] : 0), diag: Float64Array.of(c0), off: Float64Array.of(off), exact: !active };
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const mask = new Uint8Array(n);
  for (const i of active) mask[i] = 1;
  const stencil = Array.from(st.offsets, (o) => gridCoordinates(shape, o));
  const offs = new Float64Array(active.length);
  for (let r = 0; r < active.length; r++) {
    const ci = gridCoordinates(shape, active[r]);
    let sum = 0;
    for (let k = 0; k < stencil.length; k++) {
      if (st.offsets[k] === 0) continue;
      // L_ij = c[i − j]: the neighbour of row i through offset s is j = i − s
      let j = 0;
      for (let d = 0; d < shape.length; d++) {
        let t = ci[d] - stencil[k][d];
        if (t < 0) t += shape[d];
        j = j * shape[d] + t;
      }
      if (mask[j]) sum += Math.abs(st.values[k]);
    }
    offs[r] = sum;
  }
  return { index: active, diag: new Float64Array(active.length).fill(c0), off: offs, exact: true };
}

function concatRows(parts: Rows[]): Rows {
  const k = parts.reduce((a, p) => a + p.index.length, 0);
  const out: Rows = { index: new Int32Array(k), diag: new Float64Array(k), off: new Float64Array(k), exact: parts.every((p) => p.exact) };
  let at = 0;
  for (const p of parts) {
    out.index.set(p.index, at);
    out.diag.set(p.diag, at);
    out.off.set(p.off, at);
    at += p.index.length;
  }
  return out;
}

/** Bounds on every eigenvalue of the (restricted) operator, or null when a circulant's grid is not covered. */
function spectrumOf(s: LinearStructure, active: Int32Array | null): Spectrum | null {
  switch (s.kind) {
    case "scaledIdentity":
      return { lo: s.scale, hi: s.scale, exact: true, margin: 0 };
    case "diagonal": {
      let lo = Infinity;
      let hi = -Infinity;
      const visit = (d: number) => {
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      };
      if (active) for (const i of active) visit(s.diagonal[i]);
      else for (const d of s.diagonal) visit(d);
      return { lo, hi, exact: true, margin: 0 };
    }
    case "circulant": {
      const c = circulantSpectrum(s.shape, s.stencil);
      return c ? { lo: c.min - c.margin, hi: c.max + c.margin, exact: active === null, margin: c.margin } : null;
    }
    case "blockDiagonal": {
      let out: Spectrum | null = null;
      for (const b of s.blocks) {
        const local = slice(active, b.offset, structureSize(b.structure));
        if (local && local.length === 0) continue;
        const sp = spectrumOf(b.structure, local);
        if (!sp) return null;
        out = out ? { lo: Math.min(out.lo, sp.lo), hi: Math.max(out.hi, sp.hi), exact: out.exact && sp.exact, margin: Math.max(out.margin, sp.margin) } : sp;
      }
      return out;
    }
    case "kronecker": {
      // eigenvalues of A ⊗ B are the products a·b: within the products of the factors' ranges
      let acc: Spectrum = { lo: 1, hi: 1, exact: true, margin: 0 };
      for (const f of s.factors) {
        const sp = spectrumOf(f, null);
        if (!sp) return null;
        const p = [acc.lo * sp.lo, acc.lo * sp.hi, acc.hi * sp.lo, acc.hi * sp.hi];
        // with every factor's range non-negative the smallest product is λ_min itself (up to the margins)
        acc = { lo: Math.min(...p), hi: Math.max(...p), exact: acc.exact && sp.exact && acc.lo >= 0 && sp.lo >= 0, margin: Math.max(acc.margin, sp.margin) };
      }
      return acc;
    }
  }
}
