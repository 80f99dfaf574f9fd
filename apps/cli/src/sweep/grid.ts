import type { Dtype } from "@cflow/core";
import { UsageError } from "../usage-error.js";

/** One axis of a sweep: a spec parameter, the seed or the dtype, with the values it takes. */
export interface SweepAxis {
  name: string;
  kind: "param" | "seed" | "dtype";
  values: string[];
}

/** One point of the grid: what a run gets on top of the options every run shares. */
export interface GridPoint {
  /** Values of the parameter axes. */
  params: Record<string, string>;
  seed?: number;
  dtype?: Dtype;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const DTYPES: readonly Dtype[] = ["float64", "float32"];
/** More runs than this in one sweep is almost certainly a typo in a range (`--seeds 0..100000`). */
export const MAX_SWEEP_RUNS = 10_000;

/** `--grid key=v1,v2,...` values as axes, in the order given; a key twice or an empty value is a usage error. */
export function parseGrid(specs: readonly string[], command: string): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const g of specs) {
    const eq = g.indexOf("=");
    const name = eq > 0 ? g.slice(0, eq) : "";
    if (!NAME.test(name)) throw new UsageError(`--grid: cannot read "${g}" as key=v1,v2,...`, { path: "--grid", expected: "key=v1,v2,... with a parameter name as key (lambda=1e-3,2e-3)", found: g }, command);
    const values = g.slice(eq + 1).split(",").map((v) => v.trim());
    if (values.some((v) => v === "")) throw new UsageError(`--grid ${name}: an empty value`, { path: `--grid ${name}`, expected: "comma-separated values, none empty", found: g.slice(eq + 1) }, command);
    if (axes.some((a) => a.name === name)) throw new UsageError(`--grid ${name} is given twice`, { path: `--grid ${name}`, expected: "each key once (list all its values in one --grid)", found: "two --grid flags" }, command);
    if (new Set(values).size !== values.length) throw new UsageError(`--grid ${name}: a value is listed twice`, { path: `--grid ${name}`, expected: "distinct values", found: values.join(",") }, command);
    axes.push({ name, kind: "param", values });
  }
  return axes;
}

/**
 * `--seeds`: a range `a..b` (both included) or a list `0,3,5` of non-negative integers.
 */
export function parseSeeds(text: string, command: string): number[] {
  const bad = (why: string) => new UsageError(`--seeds: ${why}`, { path: "--seeds", expected: "a range such as 0..7 (both ends included) or a list such as 0,3,5 of integers ≥ 0", found: text }, command);
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  let seeds: number[];
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a) throw bad(`the range ends (${b}) before it starts (${a})`);
    if (b - a + 1 > MAX_SWEEP_RUNS) throw bad(`${b - a + 1} seeds is more than a sweep runs (${MAX_SWEEP_RUNS})`);
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else {
    const parts = text.split(",").map((s) => s.trim());
    if (!parts.every((p) => /^\d+$/.test(p))) throw bad("cannot read it");
    seeds = parts.map(Number);
  }
  if (!seeds.every(Number.isSafeInteger)) throw bad("a seed is too large");
  if (new Set(seeds).size !== seeds.length) throw bad("a seed is listed twice");
  return seeds;
}

/** `--dtype float64,float32` (one or both). */
export function parseDtypes(text: string, command: string): Dtype[] {
  const values = text.split(",").map((s) => s.trim());
  for (const v of values) {
    if (!DTYPES.includes(v as Dtype)) throw new UsageError(`--dtype: unknown dtype "${v}"`, { path: "--dtype", expected: "float64, float32 or float64,float32", found: v }, command);
  }
  if (new Set(values).size !== values.length) throw new UsageError("--dtype: a dtype is listed twice", { path: "--dtype", expected: "distinct dtypes", found: text }, command);
  return values as Dtype[];
}

/**
 * The Cartesian product of the axes, the first axis varying slowest (as nested loops in the order
 * the flags were given). A sweep over no axis is one run.
 */
export function gridPoints(axes: readonly SweepAxis[], command: string): GridPoint[] {
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_SWEEP_RUNS) {
    throw new UsageError(`the grid has ${total} points, more than a sweep runs (${MAX_SWEEP_RUNS})`, { path: "--grid", expected: `at most ${MAX_SWEEP_RUNS} runs`, found: axes.map((a) => `${a.name}: ${a.values.length}`).join(" × ") }, command);
  }
  let points: GridPoint[] = [{ params: {} }];
  for (const axis of axes) {
    const next: GridPoint[] = [];
    for (const p of points) {
      for (const v of axis.values) {
        if (axis.kind === "seed") next.push({ ...p, seed: Number(v) });
        else if (axis.kind === "dtype") next.push({ ...p, dtype: v as Dtype });
        else next.push({ ...p, params: { ...p.params, [axis.name]: v } });
      }
    }
    points = next;
  }
  return points;
}
