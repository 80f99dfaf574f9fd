import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { encodePng, encodeTiff } from "../src/data/image.js";
import { EXAMPLES, cli, cflow, startCflow, tempDir, writeSweepSpec } from "./helpers.js";

interface RunJson {
  index: number;
  run_id: string;
  run_dir: string;
  point: Record<string, string>;
  status: string | null;
  phase: string | null;
  iters: number | null;
  energy: number | null;
  eta_dd: number | null;
  gamma: number | null;
  discrepancy: number | null;
  exit_code: number | null;
  error: { code: string; message: string } | null;
  report: string | null;
}

function result(r: { stdout: string; stderr: string }): { exit_code: number; sweep_dir: string; runs: RunJson[]; report: string | null; counts: { total: number; green: number } } {
  try {
    return (JSON.parse(r.stdout) as { result: ReturnType<typeof result> }).result;
  } catch {
    throw new Error(`not a JSON document:\n${r.stdout}\n${r.stderr}`);
  }
}

async function runsView(dir: string): Promise<{ run_id: string; status: string; resumes: number }[]> {
  const q = await cflow(["query", "SELECT run_id, status, resumes FROM runs ORDER BY run_id", dir, "--json"]);
  expect(q.code, q.stderr).toBe(0);
  return (JSON.parse(q.stdout) as { result: { run_id: string; status: string; resumes: number }[] }).result;
}

describe("cflow sweep on the local pool", () => {
  const dir = tempDir("sweep");
  const spec = writeSweepSpec(dir);

  it("runs the Cartesian product of --grid, --seeds and --dtype: one capsule each, sweep.toml naming them, a summary, the report", async () => {
    const out = join(dir, "grid");
    const r = await cflow(["sweep", spec, "--grid", "weight=0.05,0.2", "--seeds", "3..4", "--dtype", "float32", "--param", "n=128", "--workers", "2", "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = result(r);
    expect(s.runs).toHaveLength(4);
    expect(s.counts).toMatchObject({ total: 4, green: 4 });
    // the first flag varies slowest
    expect(s.runs.map((x) => `${x.point.weight}/${x.point.seed}/${x.point.dtype}`)).toEqual(["0.05/3/float32", "0.05/4/float32", "0.2/3/float32", "0.2/4/float32"]);
    for (const x of s.runs) {
      expect(x).toMatchObject({ status: "FINISHED", phase: "GREEN", iters: 300, exit_code: 0, error: null });
      expect(x.eta_dd).toBe(0); // L = I: no off-diagonal mass
      expect(x.gamma).toBeGreaterThan(0.99);
      expect(x.discrepancy).toBeGreaterThan(0);
      expect(x.report).toBe(join(x.run_dir, "report.html"));
      const m = parse(readFileSync(join(x.run_dir, "manifest.toml"), "utf8")) as { dtype: string; seed: number; extra: { cli: { params: Record<string, string> } } };
      expect([m.dtype, m.seed, m.extra.cli.params]).toEqual([x.point.dtype, Number(x.point.seed), { n: "128", weight: x.point.weight }]);
    }
    // sweep.toml names the grid, the spec and each run's parameters and run id
    const toml = parse(readFileSync(join(s.sweep_dir, "sweep.toml"), "utf8")) as Record<string, unknown> & { runs: { index: number; run_id: string; params: Record<string, string>; seed: number; dtype: string }[]; axes: { name: string; values: unknown[] }[] };
    expect(toml.kind).toBe("sweep");
    expect(toml.spec).toBe(spec);
    expect(toml.fixed).toEqual({ n: "128" });
    expect(toml.axes.map((a) => [a.name, a.values])).toEqual([["weight", ["0.05", "0.2"]], ["seed", ["3", "4"]], ["dtype", ["float32"]]]);
    expect(toml.runs.map((x) => x.run_id)).toEqual(s.runs.map((x) => x.run_id));
    expect(toml.runs[3]).toMatchObject({ index: 3, seed: 4, dtype: "float32", params: { n: "128", weight: "0.2" } });
    // the capsules are normal ones: cflow query over the sweep sees each run once
    const view = await runsView(s.sweep_dir);
    expect(view.map((v) => v.run_id)).toEqual([...s.runs.map((x) => x.run_id)].sort());
    expect(new Set(view.map((v) => v.status))).toEqual(new Set(["FINISHED"]));
    // seeds do not change this flow (no random probes at L = I); weights do
    expect(s.runs[0].energy).toBe(s.runs[1].energy);
    expect(s.runs[0].energy).not.toBe(s.runs[2].energy);
    expect(s.report).toBe(join(s.sweep_dir, "report.html"));
    expect(readFileSync(s.report!, "utf8")).toContain(`href="${s.runs[3].run_id}/report.html"`);
  });

  it("prints one progress line for the set and a summary table; continuing an ended sweep keeps every run", async () => {
    const out = join(dir, "text");
    const r = await cflow(["sweep", spec, "--grid", "weight=0.05,0.2", "--workers", "2", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sweep \S+: 2 runs \(weight 2\), on 2 workers → /m);
    expect(r.stderr).toMatch(/sweep 1\/2 done · 1 green · 0 failed · 1 running · 0 queued · ETA \d+s/);
    expect(r.stderr).toMatch(/sweep 2\/2 done · 2 green · 0 failed · 0 running · 0 queued · \S+ total/);
    const header = r.stdout.split("\n")[0];
    for (const col of ["#", "weight", "status", "phase", "iters", "E", "η_dd", "γ", "λ", "fit", "wall", "exit"]) expect(header).toContain(col);
    expect(r.stdout).toMatch(/^1 {2}0\.2 +FINISHED {2}GREEN +300 /m);
    expect(r.stdout).toContain("2/2 runs GREEN");
    const sweepDir = join(out, readdirSync(out)[0]);
    const again = await cflow(["sweep", sweepDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("2 runs (weight 2), 2 already ended");
    expect(again.stdout).toContain("2/2 runs GREEN");
    expect((await runsView(sweepDir)).every((v) => v.resumes === 0)).toBe(true);
    // cflow report redraws the sweep report, here or elsewhere (links stay relative to it)
    const rep = await cflow(["report", sweepDir, "--out", join(dir, "elsewhere.html"), "--json"]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout).result).toEqual({ report: join(dir, "elsewhere.html"), runs: 2, capsules: 2 });
    const html = readFileSync(join(dir, "elsewhere.html"), "utf8");
    const first = readdirSync(sweepDir).filter((n) => n.endsWith(".0"))[0];
    expect(html).toContain(`href="text/${readdirSync(out)[0]}/${first}/report.html"`);
  });

  it("a run that crashes and a run refused for a bad parameter mark only themselves failed; the set exits with the worst code", async () => {
    const out = join(dir, "failing");
    const r = await cflow(["sweep", spec, "--grid", "crash=0,1", "--grid", "weight=0.1,-1", "--workers", "2", "--out", out, "--json"]);
    const s = result(r);
    const byPoint = Object.fromEntries(s.runs.map((x) => [`${x.point.crash}/${x.point.weight}`, x]));
    expect(byPoint["0/0.1"]).toMatchObject({ status: "FINISHED", phase: "GREEN", exit_code: 0 });
    expect(byPoint["0/-1"]).toMatchObject({ status: null, exit_code: 6, error: { code: "PARAM_INVALID" } });
    expect(byPoint["0/-1"].error!.message).toContain("weight");
    expect(byPoint["1/0.1"]).toMatchObject({ status: null, exit_code: 1, error: { code: "RUN_CRASHED" } });
    expect(byPoint["1/-1"]).toMatchObject({ status: null, exit_code: 6, error: { code: "PARAM_INVALID" } });
    // INTERNAL (a crash) is worse than INPUT (a refused parameter)
    expect(s.exit_code).toBe(1);
    expect(r.code).toBe(1);
  });

  it("SIGINT cancels the running runs (valid capsules); cflow sweep <dir> resumes them from their checkpoints", async () => {
    const out = join(dir, "cancel");
    const running = startCflow(["sweep", spec, "--grid", "weight=0.05,0.1", "--param", "iters=40000", "--deterministic", "--workers", "2", "--out", out]);
    // both runs are past their second checkpoint; the budget is large enough (~10 s of work per run
    // on an idle machine) that the first run cannot finish while the second worker is still starting
    for (;;) {
      const d = existsSync(out) ? readdirSync(out)[0] : undefined;
      const caps = d ? readdirSync(join(out, d)).filter((n) => existsSync(join(out, d, n, "checkpoints"))) : [];
      if (caps.length === 2 && caps.every((c) => readdirSync(join(out, d!, c, "checkpoints")).length >= 2)) break;
      await sleep(20);
    }
    running.kill("SIGINT");
    const r = await running.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toMatch(/CANCELLED/);
    const sweepDir = join(out, readdirSync(out)[0]);
    expect((await runsView(sweepDir)).map((v) => v.status)).toEqual(["CANCELLED", "CANCELLED"]);
    const again = await cflow(["sweep", sweepDir, "--workers", "2", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(result(again).runs.map((x) => [x.status, x.iters])).toEqual([["FINISHED", 40000], ["FINISHED", 40000]]);
    const view = await runsView(sweepDir);
    expect(view.map((v) => [v.status, v.resumes])).toEqual([["FINISHED", 1], ["FINISHED", 1]]);
  });
});

describe("cflow sweep: each run is `cflow run` with the set's options", () => {
  const dir = tempDir("sweep-options");
  const spec = join(EXAMPLES, "deconv-1d");
  const runFlags = ["--param", "size=1024", "--per-band", "--target", "sure", "--rtol", "0.001", "--atol", "0.0001", "--max-iters", "60", "--deterministic"];
  type Manifest = { status: string; summary: { iters: number; final_energy: number }; extra: { cli: Record<string, unknown>; tuner_target: { name: string } } };
  const manifest = (runDir: string) => parse(readFileSync(join(runDir, "manifest.toml"), "utf8")) as unknown as Manifest;
  const card = (runDir: string) => JSON.parse(readFileSync(join(runDir, "run_card.json"), "utf8")) as Record<string, unknown>;

  it("forwards --per-band, --target, --rtol, --atol (and the budgets) to every run: the same capsule as cflow run with those flags", async () => {
    const r = await cflow(["sweep", spec, ...runFlags, "--seeds", "0..1", "--workers", "2", "--out", join(dir, "sweeps"), "--json"]);
    const s = result(r);
    expect(s.runs).toHaveLength(2);
    const toml = parse(readFileSync(join(s.sweep_dir, "sweep.toml"), "utf8")) as { options: Record<string, unknown> };
    expect(toml.options).toMatchObject({ per_band: true, target: "sure", rtol: 0.001, atol: 0.0001, max_iters: 60, deterministic: true });
    const single = await cflow(["run", spec, ...runFlags, "--seed", "0", "--out", join(dir, "runs"), "--json"]);
    const one = (JSON.parse(single.stdout) as { result: { run_dir: string; exit_code: number; dials: { lambdaJ: number[] | null } } }).result;
    const member = manifest(s.runs[0].run_dir);
    const alone = manifest(one.run_dir);
    expect(member.extra.cli).toMatchObject({ per_band: true, target: "sure", rtol: 0.001, atol: 0.0001, max_iters: 60 });
    expect(member.extra.cli).toEqual(alone.extra.cli);
    expect(member.extra.tuner_target.name).toBe("sure");
    expect([member.status, member.summary.iters, member.summary.final_energy]).toEqual([alone.status, alone.summary.iters, alone.summary.final_energy]);
    expect(s.runs[0].exit_code).toBe(one.exit_code);
    const { run_id: _a, ...memberCard } = card(s.runs[0].run_dir);
    const { run_id: _b, ...aloneCard } = card(one.run_dir);
    expect(memberCard).toEqual(aloneCard);
    // --per-band: one λ_j per wavelet level, not all equal
    expect(new Set(one.dials.lambdaJ).size).toBeGreaterThan(1);
    // continuing the sweep keeps its options: they cannot be given again
    const again = await cli(["sweep", s.sweep_dir, "--target", "gcv", "--json"]);
    expect(again.code).toBe(2);
    expect((JSON.parse(again.stdout) as { error: { path: string } }).error.path).toBe("--target");
  });
});

describe("cflow sweep: a pool process runs member after member, each starting clean", () => {
  const dir = tempDir("sweep-reuse");
  // the factory notes which process ran it; with leak=1 it keeps a kernel buffer it never frees; with
  // slowExit=ms its process takes that long to exit (busy in an 'exit' listener)
  const spec = join(dir, "pid-spec.ts");
  writeFileSync(
    spec,
    `import { appendFileSync } from "node:fs";
import { defineFlow, readFlowParams } from "@cflow/core";
import { Kernel } from "@cflow/core/kernel";
export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, {
    log: { type: "string", description: "file the factory appends its pid to" },
    leak: { type: "integer", description: "1: keep 4096 reals of kernel memory", default: 0, min: 0 },
    slowExit: { type: "integer", description: "ms the process spends exiting", default: 0, min: 0 },
  });
  appendFileSync(p.log, process.pid + "\\n");
  if (p.leak === 1) Kernel.get(dtype).alloc(4096);
  if (p.slowExit > 0) process.once("exit", () => { const t = Date.now(); while (Date.now() - t < p.slowExit); });
  const y = new (dtype === "float64" ? Float64Array : Float32Array)(64);
  for (let i = 0; i < 64; i++) y[i] = Math.sin(i / 5);
  return {
    name: "pid", dtype, seed,
    state: { x: { shape: [64] } },
    data: { y },
    terms: [{ kind: "data", atom: "leastSquares", target: "y" }, { kind: "regularizer", atom: "l1", weight: 0.05 }],
    policies: { tuner: { enabled: false }, budgets: { maxIters: 50, tol: 0 } },
  };
});
`,
  );
  const pids = (log: string) => readFileSync(log, "utf8").trim().split("\n");

  it("one process runs every member of a 1-worker sweep, with results equal run to run", async () => {
    const log = join(dir, "clean.log");
    const r = await cflow(["sweep", spec, "--param", `log=${log}`, "--seeds", "0..2", "--workers", "1", "--out", join(dir, "clean"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(pids(log)).size).toBe(1);
    expect(pids(log)).toHaveLength(3);
    const energies = result(r).runs.map((x) => x.energy);
    expect(energies[1]).toBe(energies[0]);
    expect(energies[2]).toBe(energies[0]);
  });

  it("pool processes slow to exit at the end (past the pool's 1 s before SIGKILL) still let the sweep finish and report", async () => {
    // the pool awaits its idle processes' exit without holding this one open: Node would end the
    // sweep with code 13 (an unsettled await) once the SIGKILL timer had fired
    const log = join(dir, "slow.log");
    const r = await cflow(["sweep", spec, "--param", `log=${log}`, "--param", "slowExit=3000", "--seeds", "0..1", "--workers", "2", "--out", join(dir, "slow"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(result(r).counts).toMatchObject({ total: 2, green: 2 });
  });

  it("a member that leaves kernel memory behind has its process replaced: no process runs more than two members", async () => {
    const log = join(dir, "leak.log");
    const r = await cflow(["sweep", spec, "--param", `log=${log}`, "--param", "leak=1", "--seeds", "0..3", "--workers", "1", "--out", join(dir, "leak"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const seen = pids(log);
    expect(seen).toHaveLength(4);
    const counts = [...new Set(seen)].map((p) => seen.filter((x) => x === p).length);
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
  });
});

describe("cflow sweep: usage errors name the flag", () => {
  const dir = tempDir("sweep-usage");
  const spec = writeSweepSpec(dir);
  it.each([
    [["--grid", "weight"], "--grid", "key=v1,v2"],
    [["--grid", "weight=1,,2"], "--grid weight", "none empty"],
    [["--grid", "weight=1", "--grid", "weight=2"], "--grid weight", "each key once"],
    [["--seeds", "5..2"], "--seeds", "a range such as 0..7"],
    [["--dtype", "float16"], "--dtype", "float64, float32"],
    [["--workers", "2", "--queue", "redis://127.0.0.1:1/0"], "--workers", "--queue URL"],
    [["--grid", "n=8,16", "--param", "n=8"], "--param n", "either swept or fixed"],
  ])("%j", async (flags, path, expected) => {
    const r = await cli(["sweep", spec, ...flags, "--out", join(dir, "never"), "--json"]);
    expect(r.code).toBe(2);
    const e = (JSON.parse(r.stdout) as { error: { path: string; expected: string } }).error;
    expect(e.path).toBe(path);
    expect(e.expected).toContain(expected);
  });
});

describe("cflow batch: one run per input file", () => {
  const dir = tempDir("batch");
  const spec = join(dir, "denoise.ts");
  writeFileSync(
    spec,
    `import { defineFlow } from "@cflow/core";
import { loadArray } from "@cflow/cli";
export default defineFlow(({ dtype, seed, params, maxElements }) => {
  const img = loadArray(params.input, { dtype, maxElements });
  return {
    name: "batch-denoise", dtype, seed,
    state: { x: { shape: img.shape } },
    data: { y: img.data },
    terms: [
      { kind: "data", atom: "leastSquares", target: "y" },
      { kind: "regularizer", atom: "l1", weight: 0.02 },
    ],
    policies: { tuner: { enabled: false }, budgets: { maxIters: 60, tol: 0, rtol: 0 } },
  };
});
`,
  );
  const imgs = join(dir, "imgs");
  const w = 16;
  const h = 12;
  const ramp = Float64Array.from({ length: w * h }, (_, i) => ((i * 37) % 101) / 100);

  it("reads each file (PNG 8/16-bit, float TIFF, colour JPEG) from params.input; globs expand, sorted, each file once", async () => {
    const { mkdirSync } = await import("node:fs");
    const jpeg = (await import("jpeg-js")).default;
    mkdirSync(imgs, { recursive: true });
    writeFileSync(join(imgs, "a.png"), encodePng(ramp, [h, w]));
    writeFileSync(join(imgs, "b.png"), encodePng(ramp, [h, w], { bitDepth: 16 }));
    writeFileSync(join(imgs, "c.tif"), encodeTiff(ramp, [h, w]));
    const rgba = Buffer.alloc(w * h * 4, 255);
    for (let i = 0; i < w * h; i++) rgba.set([Math.round(ramp[i] * 255), 128, 40], 4 * i);
    writeFileSync(join(imgs, "d.jpg"), jpeg.encode({ data: rgba, width: w, height: h }, 95).data);
    const r = await cflow(["batch", spec, "imgs/*.png", "imgs/c.tif", "imgs/d.jpg", "imgs/a.png", "--dtype", "float32", "--workers", "2", "--out", join(dir, "out"), "--json"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const s = result(r);
    expect(s.runs.map((x) => x.point.input)).toEqual(["a.png", "b.png", "c.tif", "d.jpg"].map((f) => join(imgs, f)));
    for (const x of s.runs) {
      expect(x).toMatchObject({ status: "FINISHED", phase: "GREEN", iters: 60, exit_code: 0 });
      const fit = JSON.parse(readFileSync(join(x.run_dir, "artifacts", "data_fit.json"), "utf8")) as { terms: { m: number }[] };
      expect(fit.terms[0].m).toBe(w * h);
      expect(readFileSync(join(x.run_dir, "artifacts", "result.npy")).toString("latin1")).toContain(`'shape': (${h}, ${w})`);
    }
    const toml = parse(readFileSync(join(s.sweep_dir, "sweep.toml"), "utf8")) as { kind: string; input_param: string; runs: { params: { input: string } }[] };
    expect(toml.kind).toBe("batch");
    expect(toml.input_param).toBe("input");
    expect(toml.runs[2].params.input).toBe(join(imgs, "c.tif"));
  });

  it("a pattern matching nothing or a missing file is an error naming it; --param input is refused", async () => {
    const none = await cli(["batch", spec, "nothing/*.png", "--json"], { cwd: dir });
    expect(none.code).toBe(6);
    expect(JSON.parse(none.stdout).error).toMatchObject({ code: "BATCH_NO_INPUT", path: "nothing/*.png" });
    const missing = await cli(["batch", spec, "imgs/zzz.png", "--json"], { cwd: dir });
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: "BATCH_NO_INPUT", path: join(dir, "imgs", "zzz.png") });
    const clash = await cli(["batch", spec, "imgs/a.png", "--param", "input=x", "--json"], { cwd: dir });
    expect(clash.code).toBe(2);
    expect(JSON.parse(clash.stdout).error.path).toBe("--param input");
  });
});
