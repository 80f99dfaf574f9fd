import { type CompiledFlow, type RealArray, dataTerms, noiseLevel, residualNormSq } from "@cflow/core";
import { writeCapsuleFile } from "@cflow/recorder";

/** The capsule file `cflow run` and `resume` write the data fit to (SCHEMA.md, capsule layout). */
export const DATA_FIT_FILE = "artifacts/data_fit.json";

/** How far the final state is from one data term's target: r = op(x) − target. */
export interface DataFitTerm {
  /** The term's name, or `terms[i]`. */
  term: string;
  atom: string;
  op: string | null;
  target: string;
  /** Length of the target. */
  m: number;
  /** ‖r‖². */
  residual_norm2: number;
  /** √(‖r‖²/m). */
  rms: number;
}

/** `artifacts/data_fit.json`. */
export interface DataFit {
  terms: DataFitTerm[];
  /**
   * The noise level σ of the first term's target: the spec's `noise.<target>.sigma`, else the
   * estimate σ̂ = median(|d|)/0.6745 over its finest db4 detail coefficients d (core's
   * `noiseLevel`); null when neither is available.
   */
  noise_sigma: number | null;
  /** "given" (the spec's), "estimated" (σ̂), or null. */
  noise_sigma_source: "given" | "estimated" | null;
  /**
   * The discrepancy ratio ‖r‖²/(m σ̂²) of the first term: 1 is the discrepancy principle's target
   * (the residual is as large as the noise), well below 1 overfits the noise, above 1 underfits.
   */
  discrepancy: number | null;
}

/**
 * The data fit of a run's final state: for each data term with a target (core's `dataTerms`), the
 * residual op(x) − y through the compiled flow's own operators. Null when no data term compares
 * against a target of matching size (manifold slots, targets of other shapes).
 */
export function dataFit(compiled: CompiledFlow, state: Record<string, RealArray>): DataFit | null {
  const found = dataTerms(compiled);
  if (found.length === 0) return null;
  const terms: DataFitTerm[] = found.map((t) => {
    const r2 = residualNormSq(t, state);
    return { term: t.name, atom: t.atom, op: t.opName, target: t.targetName, m: t.m, residual_norm2: r2, rms: Math.sqrt(r2 / t.m) };
  });
  const first = found[0];
  const noise = first.sigma ?? noiseLevel(first.y, first.shape);
  return {
    terms,
    noise_sigma: noise,
    noise_sigma_source: noise === null ? null : first.sigma !== null ? "given" : "estimated",
    discrepancy: noise ? terms[0].residual_norm2 / (terms[0].m * noise * noise) : null,
  };
}

/** Writes `artifacts/data_fit.json` (the caller holds the capsule's lock); nothing when there is no data fit. */
export function writeDataFit(runDir: string, compiled: CompiledFlow, state: Record<string, RealArray>): boolean {
  const fit = dataFit(compiled, state);
  if (!fit) return false;
  writeCapsuleFile(runDir, DATA_FIT_FILE, `${JSON.stringify(fit, null, 2)}\n`);
  return true;
}
