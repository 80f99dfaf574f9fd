import { availableParallelism } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { FlagDef, ParsedArgs } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { makeDirectory, prepareOutDir } from "../out-dir.js";
import { budgetOptions, parseParams } from "../run-options.js";
import { resolveSpecFile } from "../spec/load-spec.js";
import { UsageError } from "../usage-error.js";
import { newRunId } from "@cflow/core";
import { type SweepAxis, gridPoints, parseDtypes, parseSeeds } from "./grid.js";
import { parseQueueUrl } from "./redis-queue.js";
import type { SweepExecution } from "./execute-sweep.js";
import { SWEEP_FILE_VERSION, type SweepFile, type SweepRunOptions, writeSweepFile } from "./sweep-file.js";

/** Flags `sweep` and `batch` share: where and how the runs go. */
export const SET_FLAGS = {
  out: { name: "out", type: "string", value: "dir", description: "directory the sweep directory is created in (default: ./sweeps)" },
  workers: { name: "workers", type: "integer", min: 1, value: "n", description: "runs at once on this machine, each in its own process (default: the number of cores)" },
  queue: {
    name: "queue",
    type: "string",
    value: "redis://host:port/db",
    description: "enqueue the runs in this Redis queue instead: `cflow worker --queue <same URL>` processes, on any machine that sees the sweep directory, run them",
  },
  connectTimeout: { name: "connect-timeout", type: "duration", value: "time", description: "how long to wait for Redis before giving up (exit 69; default 10s)" },
} satisfies Record<string, FlagDef>;

/** The axes `sweep` and `batch` share besides their own (`--grid`, the input files). */
export const AXIS_FLAGS = {
  seeds: { name: "seeds", type: "string", value: "a..b|a,b,...", description: "an axis of seeds: a range (both ends included) or a list" },
  dtype: { name: "dtype", type: "string", value: "dtypes", description: "float64, float32, or float64,float32 for an axis of both" },
} satisfies Record<string, FlagDef>;

/**
 * The flags of `sweep` and `batch` after their own: the shared axes, the `cflow run` flags every
 * run gets, and where the runs go.
 */
export const SET_FLAG_LIST: FlagDef[] = [
  AXIS_FLAGS.seeds,
  AXIS_FLAGS.dtype,
  FLAGS.param,
  FLAGS.plugin,
  FLAGS.deterministic,
  FLAGS.maxIters,
  FLAGS.budgetTime,
  FLAGS.maxElements,
  FLAGS.redactArtifacts,
  SET_FLAGS.out,
  SET_FLAGS.workers,
  SET_FLAGS.queue,
  SET_FLAGS.connectTimeout,
];

/** The shared axes given on the command line (`--seeds`, `--dtype`), after the command's own. */
export function sharedAxes(args: ParsedArgs, command: string): SweepAxis[] {
  const axes: SweepAxis[] = [];
  if (args.flags.seeds !== undefined) axes.push({ name: "seed", kind: "seed", values: parseSeeds(String(args.flags.seeds), command).map(String) });
  if (args.flags.dtype !== undefined) axes.push({ name: "dtype", kind: "dtype", values: parseDtypes(String(args.flags.dtype), command) });
  return axes;
}

/** The run options shared by every run of a new set, from the command line. */
export function setRunOptions(args: ParsedArgs, cwd: string): { options: SweepRunOptions; fixed: Record<string, string> } {
  const f = args.flags;
  const spec = resolveSpecFile(resolve(cwd, String(args.positionals.spec)));
  const plugins = ((f.plugin as string[] | undefined) ?? []).map((p) => (p.startsWith(".") || isAbsolute(p) ? resolve(cwd, p) : p));
  const budgets = budgetOptions(args);
  const options: SweepRunOptions = {
    spec,
    cwd,
    plugins,
    deterministic: f.deterministic === true,
    redactArtifacts: f["redact-artifacts"] === true,
    ...(budgets.maxIters !== undefined ? { maxIters: budgets.maxIters } : {}),
    ...(budgets.wallTimeMs !== undefined ? { wallTimeMs: budgets.wallTimeMs } : {}),
    ...(f["max-elements"] !== undefined ? { maxElements: f["max-elements"] as number } : {}),
  };
  return { options, fixed: parseParams((f.param as string[] | undefined) ?? [], "sweep") };
}

/** Where and how a set runs, from the command line. */
export function setExecution(args: ParsedArgs, command: string): SweepExecution {
  const f = args.flags;
  const queue = f.queue === undefined ? undefined : parseQueueUrl(String(f.queue), command);
  if (queue && f.workers !== undefined) {
    throw new UsageError("--workers and --queue both say where the runs go; give one", { path: "--workers", expected: "--workers n (this machine) or --queue URL (cflow worker processes)", found: "both" }, command);
  }
  return { workers: (f.workers as number | undefined) ?? availableParallelism(), queue, connectTimeoutMs: (f["connect-timeout"] as number | undefined) ?? 10_000 };
}

/**
 * Creates the set's directory under `--out` (default ./sweeps) and writes its sweep.toml: the
 * axes, the shared options and one entry per grid point with its run id (`<sweep id>.<index>`).
 */
export function createSet(o: { kind: "sweep" | "batch"; axes: SweepAxis[]; fixed: Record<string, string>; options: SweepRunOptions; out?: string; cwd: string; inputParam?: string; command: string }): { dir: string; sweep: SweepFile } {
  const points = gridPoints(o.axes, o.command);
  for (const p of points) {
    const clash = Object.keys(p.params).find((k) => k in o.fixed);
    if (clash) throw new UsageError(`${clash} is both swept and fixed (--param)`, { path: `--param ${clash}`, expected: "each parameter either swept or fixed", found: `--param ${clash}=${o.fixed[clash]} and an axis ${clash}` }, o.command);
  }
  const parent = prepareOutDir(o.out, { cwd: o.cwd, fallback: "sweeps", flag: "--out", what: "sweeps directory" });
  const sweepId = newRunId();
  const dir = join(parent, sweepId);
  makeDirectory(dir);
  const width = String(Math.max(0, points.length - 1)).length;
  const sweep: SweepFile = {
    version: SWEEP_FILE_VERSION,
    sweepId,
    kind: o.kind,
    createdAt: new Date().toISOString(),
    ...(o.inputParam ? { inputParam: o.inputParam } : {}),
    axes: o.axes,
    fixed: o.fixed,
    options: o.options,
    runs: points.map((p, index) => {
      const point: Record<string, string> = { ...p.params };
      if (p.seed !== undefined) point.seed = String(p.seed);
      if (p.dtype !== undefined) point.dtype = p.dtype;
      return {
        index,
        runId: `${sweepId}.${String(index).padStart(width, "0")}`,
        params: { ...o.fixed, ...p.params },
        point,
        ...(p.dtype ? { dtype: p.dtype } : {}),
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
      };
    }),
  };
  writeSweepFile(dir, sweep);
  return { dir, sweep };
}
