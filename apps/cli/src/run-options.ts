import { resolve } from "node:path";
import type { Dtype } from "@cflow/core";
import type { ParsedArgs } from "./command.js";
import { UsageError } from "./usage-error.js";

/** Options of every command that compiles a spec (run, cert, lint). */
export interface SpecOptions {
  /** Absolute path of the spec module. */
  spec: string;
  /** --dtype; undefined: the spec's dtype, else float64. */
  dtype?: Dtype;
  /** --seed; undefined: the spec's seed, else 0. */
  seed?: number;
  /** --plugin values as given (package names or paths relative to cwd). */
  plugins: string[];
  /** --param key=value pairs for spec factories. */
  params: Record<string, string>;
  /** --max-elements; undefined: the spec's policies.budgets.maxElements, else the machine default. */
  maxElements?: number;
}

/** Options of the commands that run a flow (run, resume). */
export interface BudgetOptions {
  /** --max-iters */
  maxIters?: number;
  /** --budget-time in milliseconds. */
  wallTimeMs?: number;
  /** --rtol, --atol: the optimality tolerances of flows that stop on optimality. */
  rtol?: number;
  atol?: number;
}

/** Options of the commands whose tuner the command line adjusts (run, cert). */
export interface TunerFlagOptions {
  /** --per-band: true; undefined: the spec's policies.tuner.perBand. */
  perBand?: boolean;
  /** --target (run only); undefined: the spec's policies.tuner.target. */
  target?: "discrepancy" | "sure" | "gcv" | "none";
}

export function tunerFlagOptions(args: ParsedArgs): TunerFlagOptions {
  return {
    ...(args.flags["per-band"] === true ? { perBand: true } : {}),
    ...(typeof args.flags.target === "string" ? { target: args.flags.target as NonNullable<TunerFlagOptions["target"]> } : {}),
  };
}

export function specOptions(args: ParsedArgs, cwd: string, command: string): SpecOptions {
  const f = args.flags;
  return {
    spec: resolve(cwd, String(args.positionals.spec)),
    dtype: f.dtype as Dtype | undefined,
    seed: f.seed as number | undefined,
    plugins: (f.plugin as string[] | undefined) ?? [],
    params: parseParams((f.param as string[] | undefined) ?? [], command),
    maxElements: f["max-elements"] as number | undefined,
  };
}

export function budgetOptions(args: ParsedArgs): BudgetOptions {
  return {
    maxIters: args.flags["max-iters"] as number | undefined,
    wallTimeMs: args.flags["budget-time"] as number | undefined,
    rtol: args.flags.rtol as number | undefined,
    atol: args.flags.atol as number | undefined,
  };
}

/** `key=value` pairs; a key given twice or a pair without `=` is a usage error. */
export function parseParams(pairs: readonly string[], command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    const key = eq > 0 ? p.slice(0, eq) : "";
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw new UsageError(`--param: cannot read "${p}" as key=value`, { path: "--param", expected: "key=value with a name as key (size=256)", found: p }, command);
    }
    if (key in out) throw new UsageError(`--param: ${key} is given twice`, { path: `--param ${key}`, expected: "each key once", found: `${out[key]} and ${p.slice(eq + 1)}` }, command);
    out[key] = p.slice(eq + 1);
  }
  return out;
}
