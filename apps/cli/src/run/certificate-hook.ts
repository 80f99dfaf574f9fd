import { type FdaHook, fda } from "@cflow/fda";

/**
 * The certificate hook of `cflow run`, `resume` and `cert`. Above the exact path's size the
 * matrix-free η_dd is the maximum over sampled rows — a lower bound of the true one — so the CLI
 * samples more rows than the library default: a tuner walking λ down to the gate otherwise
 * accepts moves whose unsampled rows break it.
 */
export function certificateHook(): FdaHook {
  return fda({ rows: { sampleRows: 64 } });
}
