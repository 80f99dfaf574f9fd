import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { encodePng, encodeTiff } from "../src/data/image.js";
import { cli, cflow, startCflow, tempDir, writeSweepSpec } from "./helpers.js";

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
    const r = await cflow(["sweep", spec, "--grid", "weight=0.05,0.2", "--seeds", "3..4", "--dtype", "float64,float32", "--param", "n=128", "--workers", "2", "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = result(r);
    expect(s.runs).toHaveLength(8);
    expect(s.counts).toMatchObject({ total: 8, green: 8 });
    // the first flag varies slowest
    expect(s.runs.map((x) => `${x.point.weight}/${x.point.seed}/${x.point.dtype}`)).toEqual([
      "0.05/3/float64", "0.05/3/float32", "0.05/4/float64", "0.05/4/float32",
      "0.2/3/float64", "0.2/3/float32", "0.2/4/float64", "0.2/4/float32",
    ]);
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
    expect(toml.axes.map((a) => [a.name, a.values])).toEqual([["weight", ["0.05", "0.2"]], ["seed", ["3", "4"]], ["dtype", ["float64", "float32"]]]);
    expect(toml.runs.map((x) => x.run_id)).toEqual(s.runs.map((x) => x.run_id));
    expect(toml.runs[5]).toMatchObject({ index: 5, seed: 3, dtype: "float32", params: { n: "128", weight: "0.2" } });
    // the capsules are normal ones: cflow query over the sweep sees each run once
    const view = await runsView(s.sweep_dir);
    expect(view.map((v) => v.run_id)).toEqual([...s.runs.map((x) => x.run_id)].sort());
    expect(new Set(view.map((v) => v.status))).toEqual(new Set(["FINISHED"]));
    // seeds do not change this flow (no random probes at L = I); dtypes and weights do
    expect(s.runs[0].energy).toBe(s.runs[2].energy);
    expect(s.runs[0].energy).not.toBe(s.runs[4].energy);
    expect(s.report).toBe(join(s.sweep_dir, "report.html"));
    expect(readFileSync(s.report!, "utf8")).toContain(`href="${s.runs[3].run_id}/report.html"`);
  }, 180_000);

  it("prints one progress line for the set and a summary table; continuing an ended sweep keeps every run", async () => {
    const out = join(dir, "text");
    const r = await cflow(["sweep", spec, "--grid", "weight=0.05,0.1,0.2", "--workers", "2", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sweep \S+: 3 runs \(weight 3\), on 2 workers → /m);
    expect(r.stderr).toMatch(/sweep 1\/3 done · 1 green · 0 failed · \d running · \d queued · ETA \d+s/);
    expect(r.stderr).toMatch(/sweep 3\/3 done · 3 green · 0 failed · 0 running · 0 queued · \S+ total/);
    const header = r.stdout.split("\n")[0];
    for (const col of ["#", "weight", "status", "phase", "iters", "E", "η_dd", "γ", "λ", "fit", "wall", "exit"]) expect(header).toContain(col);
    expect(r.stdout).toMatch(/^2 {2}0\.2 +FINISHED {2}GREEN +300 /m);
    expect(r.stdout).toContain("3/3 runs GREEN");
    const sweepDir = join(out, readdirSync(out)[0]);
    const again = await cflow(["sweep", sweepDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("3 runs (weight 3), 3 already ended");
    expect(again.stdout).toContain("3/3 runs GREEN");
    expect((await runsView(sweepDir)).every((v) => v.resumes === 0)).toBe(true);
  }, 180_000);

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
  }, 180_000);

  it("SIGINT cancels the running runs (valid capsules); cflow sweep <dir> resumes them from their checkpoints", async () => {
    const out = join(dir, "cancel");
    const running = startCflow(["sweep", spec, "--grid", "weight=0.05,0.1", "--param", "iters=6000", "--deterministic", "--workers", "2", "--out", out]);
    // both runs are past their second checkpoint (iteration 250 of 6000)
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
    expect(result(again).runs.map((x) => [x.status, x.iters])).toEqual([["FINISHED", 6000], ["FINISHED", 6000]]);
    const view = await runsView(sweepDir);
    expect(view.map((v) => [v.status, v.resumes])).toEqual([["FINISHED", 1], ["FINISHED", 1]]);
  }, 300_000);
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
