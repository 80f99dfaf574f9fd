import { CflowError, type RngKey, uniform } from "@cflow/core";
import type { Colouring } from "./colouring.js";
import type { SymmetricOperator } from "./wspace-operator.js";

/**
 * Per-row diagonal L_ii and off-diagonal absolute sum Σ_{j≠i}|L_ij| — what η_dd and the
 * Gershgorin bound are made of — for every row (`rows` null) or for the listed rows.
 */
export interface RowStats {
  rows: Int32Array | null;
  diag: Float64Array;
  offAbs: Float64Array;
}

/** Rows of an explicit symmetric matrix (row-major s×s). */
export function rowStatsFromDense(a: Float64Array, s: number): RowStats {
  const diag = new Float64Array(s);
  const offAbs = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    const row = i * s;
    let sum = 0;
    for (let j = 0; j < s; j++) if (j !== i) sum += Math.abs(a[row + j]);
    diag[i] = a[row + i];
    offAbs[i] = sum;
  }
  return { rows: null, diag, offAbs };
}

/** Exact rows by unit-vector products (row i = column i = L e_i for a symmetric operator): one application per row. */
export function exactRows(op: SymmetricOperator, rows: Int32Array): RowStats {
  const s = op.size;
  const e = new Float64Array(s);
  const y = new Float64Array(s);
  const diag = new Float64Array(rows.length);
  const offAbs = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    e[i] = 1;
    op.apply(e, y);
    e[i] = 0;
    let sum = 0;
    for (let j = 0; j < s; j++) if (j !== i) sum += Math.abs(y[j]);
    diag[k] = y[i];
    offAbs[k] = sum;
  }
  return { rows, diag, offAbs };
}

/**
 * Row statistics of every row from one probe per colour: (L v_c)_i is L_ii when c is i's
 * colour and Σ_{j of colour c} L_ij otherwise. Exact when the colouring is valid for the
 * operator; otherwise each off-diagonal sum is a lower bound (|Σ L_ij| ≤ Σ|L_ij|) and the
 * diagonal carries the same-colour entries of its row.
 */
export function probedRows(op: SymmetricOperator, colouring: Colouring): RowStats {
  const s = op.size;
  const { colours, count } = colouring;
  if (colours.length !== s) {
    throw new CflowError("SHAPE_MISMATCH", `probedRows: colouring covers ${colours.length} indices, the operator has ${s}`, { path: "rows.probing", expected: s, found: colours.length });
  }
  const v = new Float64Array(s);
  const y = new Float64Array(s);
  const diag = new Float64Array(s);
  const offAbs = new Float64Array(s);
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < s; i++) v[i] = colours[i] === c ? 1 : 0;
    op.apply(v, y);
    for (let i = 0; i < s; i++) {
      if (colours[i] === c) diag[i] = y[i];
      else offAbs[i] += Math.abs(y[i]);
    }
  }
  return { rows: null, diag, offAbs };
}

/** `r` distinct indices of [0, size), uniformly at random from the key (Floyd's algorithm), ascending. */
export function sampleRows(key: RngKey, size: number, r: number): Int32Array {
  const take = Math.min(r, size);
  const u = uniform(key, take, "float64");
  const chosen = new Set<number>();
  for (let k = 0; k < take; k++) {
    const j = size - take + k;
    const t = Math.floor(u[k] * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

export interface RowSummary {
  /** max_i Σ_{j≠i}|L_ij| / (|L_ii| + ε) over the rows seen. */
  etaDD: number;
  /** min_i (L_ii − Σ_{j≠i}|L_ij|) over the rows seen (Gershgorin; = |L_ii| − … for PSD operators). */
  gershgorin: number;
  /** The row attaining η_dd (position in the operator's index set), its diagonal and off-diagonal sum. */
  worst: { position: number; diag: number; offAbs: number } | null;
  epsilon: number;
}

/**
 * η_dd and the Gershgorin bound from row statistics. ε defaults to `epsilonRel` times the
 * largest |L_ii| seen (scale-free, so η_dd is unchanged by the frame normalisation).
 */
export function summarizeRows(stats: RowStats, options: { epsilon?: number; epsilonRel?: number } = {}): RowSummary {
  const { diag, offAbs, rows } = stats;
  let maxDiag = 0;
  for (let k = 0; k < diag.length; k++) maxDiag = Math.max(maxDiag, Math.abs(diag[k]));
  const epsilon = options.epsilon ?? (options.epsilonRel ?? 1e-12) * maxDiag;
  let etaDD = 0;
  let gershgorin = Infinity;
  let worst: RowSummary["worst"] = null;
  for (let k = 0; k < diag.length; k++) {
    const den = Math.abs(diag[k]) + epsilon;
    const ratio = offAbs[k] === 0 ? 0 : den > 0 ? offAbs[k] / den : Infinity;
    if (worst === null || ratio > etaDD) {
      etaDD = ratio;
      worst = { position: rows ? rows[k] : k, diag: diag[k], offAbs: offAbs[k] };
    }
    gershgorin = Math.min(gershgorin, diag[k] - offAbs[k]);
  }
  return { etaDD, gershgorin, worst, epsilon };
}
