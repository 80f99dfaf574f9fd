import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CflowError, type Dtype } from "@cflow/core";
import { checkRunId } from "@cflow/recorder";
import { parse, stringify } from "smol-toml";
import type { SweepAxis } from "./grid.js";

/** The file naming a sweep, in its directory (SCHEMA.md, "Sweeps"). */
export const SWEEP_FILE = "sweep.toml";
export const SWEEP_FILE_VERSION = 1;

/** The `cflow run` options every run of a sweep shares. */
export interface SweepRunOptions {
  /** Absolute path of the spec module. */
  spec: string;
  /** Where relative names resolved (package plugins, the spec). */
  cwd: string;
  /** `--plugin` values, paths made absolute. */
  plugins: string[];
  deterministic: boolean;
  redactArtifacts: boolean;
  maxIters?: number;
  wallTimeMs?: number;
  maxElements?: number;
}

/** One run of the sweep: its capsule's name and what it is given. */
export interface SweepRun {
  index: number;
  runId: string;
  /** Every `--param` the run gets: the fixed ones and its grid values. */
  params: Record<string, string>;
  /** Its values on the sweep's axes, by axis name (the report's coordinates). */
  point: Record<string, string>;
  /** Absent: the spec's (else float64). */
  dtype?: Dtype;
  /** Absent: the spec's (else 0). */
  seed?: number;
}

export interface SweepFile {
  version: number;
  sweepId: string;
  /** `sweep` (a grid) or `batch` (one run per input file). */
  kind: "sweep" | "batch";
  createdAt: string;
  /** For batches: the parameter that names each run's input file. */
  inputParam?: string;
  axes: SweepAxis[];
  /** The `--param` values every run gets. */
  fixed: Record<string, string>;
  options: SweepRunOptions;
  runs: SweepRun[];
}

/** Writes `sweep.toml` (atomically: a temporary sibling renamed into place). */
export function writeSweepFile(dir: string, s: SweepFile): void {
  const o = s.options;
  const doc = {
    version: s.version,
    sweep_id: s.sweepId,
    kind: s.kind,
    created_at: s.createdAt,
    ...(s.inputParam ? { input_param: s.inputParam } : {}),
    spec: o.spec,
    cwd: o.cwd,
    axes: s.axes.map((a) => ({ name: a.name, kind: a.kind, values: a.values })),
    fixed: s.fixed,
    options: {
      plugins: o.plugins,
      deterministic: o.deterministic,
      redact_artifacts: o.redactArtifacts,
      ...(o.maxIters !== undefined ? { max_iters: o.maxIters } : {}),
      ...(o.wallTimeMs !== undefined ? { wall_time_ms: o.wallTimeMs } : {}),
      ...(o.maxElements !== undefined ? { max_elements: o.maxElements } : {}),
    },
    runs: s.runs.map((r) => ({ index: r.index, run_id: r.runId, ...(r.dtype ? { dtype: r.dtype } : {}), ...(r.seed !== undefined ? { seed: r.seed } : {}), point: r.point, params: r.params })),
  };
  const file = join(dir, SWEEP_FILE);
  const tmp = join(dir, `.${SWEEP_FILE}.tmp`);
  writeFileSync(tmp, `# cflow sweep: the grid and every run of it (SCHEMA.md, "Sweeps")\n${stringify(doc)}\n`);
  renameSync(tmp, file);
}

/** Whether `dir` holds a sweep. */
export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, SWEEP_FILE));
}

/** Reads and checks `sweep.toml`; anything malformed is an error naming the file and the key. */
export function readSweepFile(dir: string): SweepFile {
  const file = join(dir, SWEEP_FILE);
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    const reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new CflowError("SWEEP_FILE_BAD", `${file}: cannot be read: ${reason}`, { path: file, expected: "the sweep.toml cflow sweep or cflow batch wrote", found: reason });
  }
  const bad = (key: string, expected: string, found: unknown): never => {
    throw new CflowError("SWEEP_FILE_BAD", `${file}: ${key} is not ${expected}`, { path: `${file} ${key}`, expected, found: JSON.stringify(found) ?? String(found) });
  };
  const str = (v: unknown, key: string) => (typeof v === "string" ? v : bad(key, "a string", v));
  const table = (v: unknown, key: string) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(key, "a table", v));
  const strings = (v: unknown, key: string) => {
    const t = table(v, key);
    return Object.fromEntries(Object.entries(t).map(([k, x]) => [k, str(x, `${key}.${k}`)]));
  };
  const version = doc.version;
  if (typeof version !== "number" || version < 1 || version > SWEEP_FILE_VERSION) bad("version", `a sweep file version from 1 to ${SWEEP_FILE_VERSION}`, version);
  const kind = doc.kind === "sweep" || doc.kind === "batch" ? doc.kind : bad("kind", '"sweep" or "batch"', doc.kind);
  const opts = table(doc.options ?? {}, "options");
  const num = (v: unknown, key: string) => (v === undefined ? undefined : typeof v === "number" ? v : bad(key, "a number", v));
  const axes = Array.isArray(doc.axes) ? doc.axes : bad("axes", "an array of tables", doc.axes);
  const runs = Array.isArray(doc.runs) ? doc.runs : bad("runs", "an array of tables", doc.runs);
  return {
    version: version as number,
    sweepId: str(doc.sweep_id, "sweep_id"),
    kind,
    createdAt: str(doc.created_at, "created_at"),
    ...(doc.input_param !== undefined ? { inputParam: str(doc.input_param, "input_param") } : {}),
    axes: axes.map((a, i) => {
      const t = table(a, `axes[${i}]`);
      const k = t.kind === "param" || t.kind === "seed" || t.kind === "dtype" ? t.kind : bad(`axes[${i}].kind`, '"param", "seed" or "dtype"', t.kind);
      return { name: str(t.name, `axes[${i}].name`), kind: k, values: (Array.isArray(t.values) ? t.values : bad(`axes[${i}].values`, "an array", t.values)).map(String) };
    }),
    fixed: strings(doc.fixed ?? {}, "fixed"),
    options: {
      spec: str(doc.spec, "spec"),
      cwd: str(doc.cwd, "cwd"),
      plugins: (Array.isArray(opts.plugins) ? opts.plugins : []).map((p, i) => str(p, `options.plugins[${i}]`)),
      deterministic: opts.deterministic === true,
      redactArtifacts: opts.redact_artifacts === true,
      maxIters: num(opts.max_iters, "options.max_iters"),
      wallTimeMs: num(opts.wall_time_ms, "options.wall_time_ms"),
      maxElements: num(opts.max_elements, "options.max_elements"),
    },
    runs: runs.map((r, i) => {
      const t = table(r, `runs[${i}]`);
      const runId = str(t.run_id, `runs[${i}].run_id`);
      try {
        checkRunId(runId, `${file} runs[${i}].run_id`);
      } catch {
        bad(`runs[${i}].run_id`, "a run id (one path segment)", runId);
      }
      return {
        index: typeof t.index === "number" ? t.index : bad(`runs[${i}].index`, "an integer", t.index),
        runId,
        params: strings(t.params ?? {}, `runs[${i}].params`),
        point: strings(t.point ?? {}, `runs[${i}].point`),
        ...(t.dtype !== undefined ? { dtype: (t.dtype === "float64" || t.dtype === "float32" ? t.dtype : bad(`runs[${i}].dtype`, "float64 or float32", t.dtype)) as Dtype } : {}),
        ...(t.seed !== undefined ? { seed: typeof t.seed === "number" ? t.seed : bad(`runs[${i}].seed`, "an integer", t.seed) } : {}),
      };
    }),
  };
}
