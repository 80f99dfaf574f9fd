import { CflowError, type Json } from "@cflow/core";
import type { RunManifest, TomlValue } from "@cflow/recorder";

/** What `cflow resume` needs to rebuild a run, kept in the manifest's `[extra.cli]` table. */
export interface RunRecord {
  /** Absolute path of the spec module. */
  spec: string;
  params: Record<string, string>;
  /** `--plugin` values, paths made absolute. */
  plugins: string[];
  /** The config files whose plugins were loaded, in order. */
  configs: string[];
  /** Where package-name plugins were resolved from. */
  cwd: string;
  maxIters?: number;
  wallTimeMs?: number;
  /** `--rtol`, `--atol`, so a resumed run stops on the tolerances it started with. */
  rtol?: number;
  atol?: number;
  /** `--max-elements`, so a resumed run checks against the limit it started with. */
  maxElements?: number;
  /** `--per-band`, so a resumed run tunes as it started. */
  perBand?: boolean;
  /** `--target`, likewise. */
  target?: "discrepancy" | "sure" | "gcv" | "none";
}

/** The manifest's `extra`: the spec's identity (read by the report) and the command line. */
export function runExtra(record: RunRecord, spec: { name?: string; description?: string }, compileReport: unknown): { [key: string]: Json } {
  const cli: { [key: string]: Json } = { spec: record.spec, params: record.params, plugins: record.plugins, cwd: record.cwd };
  if (record.configs.length > 0) cli.configs = record.configs;
  if (record.maxIters !== undefined) cli.max_iters = record.maxIters;
  if (record.wallTimeMs !== undefined) cli.wall_time_ms = record.wallTimeMs;
  if (record.rtol !== undefined) cli.rtol = record.rtol;
  if (record.atol !== undefined) cli.atol = record.atol;
  if (record.maxElements !== undefined) cli.max_elements = record.maxElements;
  if (record.perBand !== undefined) cli.per_band = record.perBand;
  if (record.target !== undefined) cli.target = record.target;
  const specInfo: { [key: string]: Json } = { path: record.spec };
  if (spec.name) specInfo.name = spec.name;
  if (spec.description) specInfo.description = spec.description;
  // JSON round trip: the compile report holds typed arrays and non-finite numbers TOML cannot.
  return { spec: specInfo, cli, compileReport: JSON.parse(JSON.stringify(compileReport ?? null)) as Json };
}

/** Reads the record back from a manifest; refuses a capsule not written by `cflow run`. */
export function readRunRecord(manifest: RunManifest, manifestPath: string): RunRecord {
  const cli = (manifest.extra as Record<string, TomlValue | undefined>).cli as Record<string, TomlValue> | undefined;
  const bad = (what: string, found: unknown): never => {
    throw new CflowError("CAPSULE_NOT_FROM_CLI", `${manifestPath}: [extra.cli] ${what} — this run was not recorded by cflow run, so cflow resume cannot rebuild it`, {
      path: `${manifestPath} extra.cli`,
      expected: "a capsule written by cflow run (extra.cli.spec, params, plugins, cwd)",
      found,
      hint: "resume runs recorded from code with resumeRun(runDir) and runCertified(compiled, { resume })",
    });
  };
  if (!cli || typeof cli !== "object") return bad("is missing", "no [extra.cli] table");
  if (typeof cli.spec !== "string") return bad("has no spec path", cli.spec);
  if (typeof cli.cwd !== "string") return bad("has no cwd", cli.cwd);
  const params = (cli.params ?? {}) as Record<string, TomlValue>;
  const plugins = (cli.plugins ?? []) as TomlValue[];
  if (typeof params !== "object" || Array.isArray(params)) return bad("params is not a table", params);
  if (!Array.isArray(plugins) || !plugins.every((p) => typeof p === "string")) return bad("plugins is not a list of strings", plugins);
  return {
    spec: cli.spec,
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    plugins: plugins as string[],
    // capsules before configs were discovered next to the spec recorded one `config`
    configs: Array.isArray(cli.configs) ? cli.configs.filter((c): c is string => typeof c === "string") : typeof cli.config === "string" ? [cli.config] : [],
    cwd: cli.cwd,
    maxIters: typeof cli.max_iters === "number" ? cli.max_iters : undefined,
    wallTimeMs: typeof cli.wall_time_ms === "number" ? cli.wall_time_ms : undefined,
    rtol: typeof cli.rtol === "number" ? cli.rtol : undefined,
    atol: typeof cli.atol === "number" ? cli.atol : undefined,
    maxElements: typeof cli.max_elements === "number" ? cli.max_elements : undefined,
    perBand: typeof cli.per_band === "boolean" ? cli.per_band : undefined,
    target: typeof cli.target === "string" ? (cli.target as RunRecord["target"]) : undefined,
  };
}
