import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { SET_FLAG_LIST, createSet, setExecution, setRunOptions, sharedAxes } from "../sweep/create-sweep.js";
import { type SweepExecution, executeSweep } from "../sweep/execute-sweep.js";
import { checkRedis } from "../sweep/redis-queue.js";
import { type SweepAxis, parseGrid } from "../sweep/grid.js";
import { type SweepFile, type SweepRunOptions, isSweepDir, readSweepFile } from "../sweep/sweep-file.js";
import { UsageError } from "../usage-error.js";

export type SweepCommandOptions =
  | { continueDir: string; execution: SweepExecution }
  | { continueDir?: undefined; axes: SweepAxis[]; fixed: Record<string, string>; options: SweepRunOptions; out?: string; execution: SweepExecution };

/** The flags that define a new sweep (refused when continuing one). */
const DEFINING = ["grid", "seeds", "dtype", "param", "plugin", "deterministic", "max-iters", "budget-time", "max-elements", "redact-artifacts", "out"];

export const sweepCommand = defineCommand<SweepCommandOptions>({
  name: "sweep",
  summary: "certified runs over a grid of parameters, seeds and dtypes, on a local pool or a Redis queue",
  description:
    "One run per point of the Cartesian product of the --grid values (the first flag varies slowest), --seeds\n" +
    "and --dtype, each a normal capsule under one sweep directory whose sweep.toml names the grid, the spec\n" +
    "and every run's parameters and run id. --workers runs them on this machine, each in its own process;\n" +
    "--queue enqueues them in Redis for `cflow worker` processes on any machine that sees the directory.\n" +
    "Prints one progress line for the set, then a table (status, phase, iterations, E, η_dd, γ, λ, data fit,\n" +
    "wall time) and writes the sweep report (report.html). Given a sweep directory instead of a spec, it\n" +
    "continues that sweep: ended runs are kept, cancelled or killed ones resumed from their last checkpoint,\n" +
    "missing ones started. Exit 0 when every run ends GREEN, otherwise the most severe run's code.",
  positionals: [{ name: "spec", required: true, description: "spec module (or a directory holding spec.ts); or a sweep directory to continue" }],
  flags: [
    { name: "grid", type: "string", multiple: true, value: "key=v1,v2,...", description: "an axis of the sweep: the values of one spec parameter (repeatable)" },
    ...SET_FLAG_LIST,
  ],
  examples: [
    { command: "cflow sweep examples/deconv-1d --grid lambda=1e-3,2e-3,4e-3 --seeds 0..3 --param size=4096", description: "12 runs (λ × seed) on every core" },
    { command: "cflow sweep spec.ts --grid noise=0.01,0.05 --dtype float64,float32 --workers 2 --json", description: "4 runs, 2 at a time; the summary as JSON" },
    { command: "cflow sweep spec.ts --grid lambda=1e-3,1e-2 --deterministic --queue redis://127.0.0.1:6379/0", description: "enqueue for `cflow worker` processes and wait for them" },
    { command: "cflow sweep sweeps/<sweep_id>", description: "continue a cancelled or interrupted sweep" },
  ],
  exitCodes: ["OK", "RED", "CERT_FAIL", "TIMEOUT", "CANCELLED", "INPUT", "IO", "LOCKED", "UNAVAILABLE", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const execution = setExecution(args, "sweep");
    const target = resolve(cwd, String(args.positionals.spec));
    if (isSweepDir(target)) {
      const given = DEFINING.find((f) => args.flags[f] !== undefined);
      if (given) throw new UsageError(`--${given}: a sweep directory is continued with the options it was created with`, { path: `--${given}`, expected: "only --workers, --queue or --connect-timeout with a sweep directory", found: `--${given}` }, "sweep");
      return { continueDir: target, execution };
    }
    const axes = [...parseGrid((args.flags.grid as string[] | undefined) ?? [], "sweep"), ...sharedAxes(args, "sweep")];
    const { options, fixed } = setRunOptions(args, cwd);
    return { axes, fixed, options, out: args.flags.out as string | undefined, execution };
  },
  handler: async (o, ctx) => {
    // an unreachable queue is found before anything is created
    if (o.execution.queue) await checkRedis(o.execution.queue, o.execution.connectTimeoutMs);
    let dir: string;
    let sweep: SweepFile;
    if (o.continueDir !== undefined) {
      dir = o.continueDir;
      sweep = readSweepFile(dir);
    } else ({ dir, sweep } = createSet({ kind: "sweep", axes: o.axes, fixed: o.fixed, options: o.options, out: o.out, cwd: ctx.cwd, command: "sweep" }));
    return executeSweep(dir, sweep, o.execution, ctx);
  },
});
