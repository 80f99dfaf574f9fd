import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CflowError } from "@cflow/core";
import { defineCommand } from "../command.js";
import { SET_FLAG_LIST, createSet, setExecution, setRunOptions, sharedAxes } from "../sweep/create-sweep.js";
import { type SweepExecution, executeSweep } from "../sweep/execute-sweep.js";
import { checkRedis } from "../sweep/redis-queue.js";
import type { SweepAxis } from "../sweep/grid.js";
import type { SweepRunOptions } from "../sweep/sweep-file.js";
import { UsageError } from "../usage-error.js";

export interface BatchCommandOptions {
  /** Files and glob patterns as given. */
  inputs: string[];
  inputParam: string;
  extraAxes: SweepAxis[];
  fixed: Record<string, string>;
  options: SweepRunOptions;
  out?: string;
  execution: SweepExecution;
}

export const batchCommand = defineCommand<BatchCommandOptions>({
  name: "batch",
  summary: "one certified run per input file (the spec reads it from --param input=<file>)",
  description:
    "Runs the spec once per file — files and glob patterns, expanded here, sorted, each file once — passing\n" +
    "its absolute path as the parameter `input` (--input-param renames it): the spec loads it with\n" +
    "loadArray(params.input, { dtype, maxElements }). Everything else is as cflow sweep: one capsule per run\n" +
    "under one directory with its sweep.toml, a local pool (--workers) or a Redis queue (--queue), a progress\n" +
    "line, a summary table, the sweep report, and `cflow sweep <dir>` to continue it.",
  positionals: [
    { name: "spec", required: true, description: "spec module (or a directory holding spec.ts) that reads params.input" },
    { name: "inputs", required: true, variadic: true, description: "input files or glob patterns (quote patterns: 'data/*.png')" },
  ],
  flags: [
    { name: "input-param", type: "string", value: "name", description: "the parameter that carries each run's input file (default: input)" },
    ...SET_FLAG_LIST,
  ],
  examples: [
    { command: "cflow batch denoise.ts 'scans/*.tif' --workers 2", description: "one run per TIFF in scans/, two at a time" },
    { command: "cflow batch spec.ts a.png b.png --input-param image --json", description: "the spec reads params.image" },
  ],
  exitCodes: ["OK", "RED", "CERT_FAIL", "TIMEOUT", "CANCELLED", "INPUT", "IO", "LOCKED", "UNAVAILABLE", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const inputParam = (args.flags["input-param"] as string | undefined) ?? "input";
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(inputParam)) throw new UsageError(`--input-param: "${inputParam}" is not a parameter name`, { path: "--input-param", expected: "a name such as input or image", found: inputParam }, "batch");
    const extraAxes = sharedAxes(args, "batch");
    const { options, fixed } = setRunOptions(args, cwd);
    if (inputParam in fixed) throw new UsageError(`--param ${inputParam}: the batch sets it to each input file`, { path: `--param ${inputParam}`, expected: `no --param ${inputParam} (or another --input-param)`, found: `--param ${inputParam}=${fixed[inputParam]}` }, "batch");
    return { inputs: args.positionals.inputs as string[], inputParam, extraAxes, fixed, options, out: args.flags.out as string | undefined, execution: setExecution(args, "batch") };
  },
  handler: async (o, ctx) => {
    const files = await inputFiles(o.inputs, ctx.cwd);
    // an unreachable queue is found before anything is created
    if (o.execution.queue) await checkRedis(o.execution.queue, o.execution.connectTimeoutMs);
    const axes: SweepAxis[] = [{ name: o.inputParam, kind: "param", values: files }, ...o.extraAxes];
    const { dir, sweep } = createSet({ kind: "batch", axes, fixed: o.fixed, options: o.options, out: o.out, cwd: ctx.cwd, inputParam: o.inputParam, command: "batch" });
    return executeSweep(dir, sweep, o.execution, ctx);
  },
});

/**
 * The batch's input files, absolute, sorted, each once: a plain path must be an existing file; a
 * glob pattern (tinyglobby) must match at least one file. Either mistake names what was given.
 */
async function inputFiles(inputs: readonly string[], cwd: string): Promise<string[]> {
  const { glob, isDynamicPattern } = await import("tinyglobby");
  const out = new Set<string>();
  for (const given of inputs) {
    if (isDynamicPattern(given)) {
      const found = await glob(given, { cwd, absolute: true, onlyFiles: true, expandDirectories: false });
      if (found.length === 0) throw new CflowError("BATCH_NO_INPUT", `${given}: the pattern matches no file`, { path: given, expected: "a glob matching at least one file", found: `nothing under ${cwd}` });
      for (const f of found) out.add(resolve(f));
      continue;
    }
    const file = resolve(cwd, given);
    if (!existsSync(file)) throw new CflowError("BATCH_NO_INPUT", `${file}: no such input file`, { path: file, expected: "an existing file, or a glob pattern", found: "nothing at this path" });
    if (!statSync(file).isFile()) throw new CflowError("BATCH_NO_INPUT", `${file}: not a file`, { path: file, expected: "an input file", found: "a directory" });
    out.add(file);
  }
  return [...out].sort();
}
