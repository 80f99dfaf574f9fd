import type { FlagDef } from "./command.js";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagDef[] = [
  { name: "json", type: "boolean", description: "print one machine-readable JSON document on stdout (errors included)" },
  { name: "quiet", short: "q", type: "boolean", description: "print only results and errors (no progress, no chatter)" },
  { name: "help", short: "h", type: "boolean", description: "show this help" },
];

/** Flags shared by the commands that compile and run a spec. */
export const FLAGS = {
  dtype: { name: "dtype", type: "string", oneOf: ["float64", "float32"], value: "dtype", description: "dtype of every array and kernel of the run (default: the spec's, else float64)" },
  seed: { name: "seed", type: "integer", min: 0, value: "n", description: "seed of the run's RNG key (probes, Lanczos starts, tuner); default: the spec's, else 0" },
  deterministic: {
    name: "deterministic",
    type: "boolean",
    description: "no wall-clock decisions: a resumed run continues bit-identically to an uninterrupted one",
  },
  perBand: {
    name: "per-band",
    type: "boolean",
    description: "tune one λ_j per wavelet level, seeded from band statistics (sets policies.tuner.perBand)",
  },
  maxIters: { name: "max-iters", type: "integer", min: 1, value: "n", description: "iteration budget (overrides policies.budgets.maxIters)" },
  rtol: { name: "rtol", type: "number", min: 0, value: "x", description: "relative optimality tolerance: the run stops converged when the optimality measure meets it (overrides policies.budgets.rtol)" },
  atol: { name: "atol", type: "number", min: 0, value: "x", description: "absolute optimality tolerance, per √element (overrides policies.budgets.atol)" },
  budgetTime: {
    name: "budget-time",
    type: "duration",
    value: "time",
    description: "wall-time budget: 90s, 5m, 1500ms, 1h (a bare number is seconds); the run ends TIMEOUT when spent",
  },
  runId: {
    name: "run-id",
    type: "string",
    value: "id",
    description: "the run's id, its capsule directory's name (letters, digits, . _ -; default: a UTC timestamp and 48 random bits)",
  },
  target: {
    name: "target",
    type: "string",
    oneOf: ["discrepancy", "sure", "gcv", "none"],
    value: "name",
    description: "what the tuner moves λ toward among certified moves: discrepancy (Morozov, default), sure, gcv, none (sets policies.tuner.target)",
  },
  out: { name: "out", type: "string", value: "dir", description: "runs directory the capsule is written under (default: ./runs)" },
  maxElements: {
    name: "max-elements",
    type: "integer",
    min: 1,
    value: "n",
    description: "largest element count of one state slot, data array or decoded image (overrides policies.budgets.maxElements; default: 1/16 of the machine's memory over the bytes of one element)",
  },
  breakLock: {
    name: "break-lock",
    type: "boolean",
    description: "take the capsule's lock from a holder that cannot be checked (another host) or a live one — only when that process is gone",
  },
  redactArtifacts: {
    name: "redact-artifacts",
    type: "boolean",
    description: "keep no array data in the capsule: only summary statistics and minimal provenance",
  },
  plugin: {
    name: "plugin",
    type: "string",
    multiple: true,
    value: "module",
    description: "load a plugin (package name or path to a module whose default export is definePlugin(...))",
  },
  param: {
    name: "param",
    type: "string",
    multiple: true,
    value: "key=value",
    description: "parameter passed to a spec written as defineFlow(({ params }) => ...)",
  },
} satisfies Record<string, FlagDef>;
