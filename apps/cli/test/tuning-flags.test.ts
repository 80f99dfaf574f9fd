// The tuner's command-line controls: --per-band (λ_j seeded from band statistics) and --target
// (what λ moves toward), by the real binary on a small deblur; the run summary's target line and
// its over-regularised warning; a resumed run keeps both flags.
import { join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { cflow, tempDir } from "./helpers.js";

const SMALL = ["examples/deconv-2d", "--param", "size=32"];

describe("cflow run --per-band and --target", () => {
  const runs = join(tempDir("tuning-flags"), "runs");

  it("--per-band seeds λ_j from band statistics (adjacent ratios in [0.5, 2]) and records the flag", async () => {
    const r = await cflow(["run", ...SMALL, "--per-band", "--out", runs, "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout).result;
    const lj: number[] = result.dials.lambdaJ;
    expect(lj).toHaveLength(4);
    expect(lj.some((v) => v !== 1)).toBe(true);
    for (let j = 0; j + 1 < lj.length; j++) {
      expect(lj[j] / lj[j + 1]).toBeGreaterThanOrEqual(0.5 - 1e-9);
      expect(lj[j] / lj[j + 1]).toBeLessThanOrEqual(2 + 1e-9);
    }
    const seed = await queryRuns("SELECT payload->>'note' AS note FROM events WHERE event = 'TUNER_MOVE_TRY' ORDER BY t_wall_ms LIMIT 1", [result.run_dir]);
    expect(String(seed[0].note)).toMatch(/^seed: λ_j seeded from median\(\|W_j x\|\)/);
    expect((loadRunManifest(result.run_dir).extra as { cli: { per_band: boolean } }).cli.per_band).toBe(true);
  });

  it("without --per-band λ_j stay at the spec's weights", async () => {
    const r = await cflow(["run", ...SMALL, "--out", runs, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result.dials.lambdaJ).toEqual([1, 1, 1, 1]);
  });

  it("prints the target, σ and its source, the final discrepancy and, far above the noise, the over-regularised warning", async () => {
    const target = /^target: {2}discrepancy \(σ = ([0-9.e-]+) estimated, τ = 1\) · ‖Kx − y‖² = ([0-9.]+)·m·σ²$/m;
    // the default run tunes λ to Morozov's target: its discrepancy ends near 1, no warning
    const r = await cflow(["run", ...SMALL, "--out", runs]);
    expect(r.code).toBe(0);
    const ratio = Number(r.stdout.match(target)![2]);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.2);
    expect(r.stdout).not.toMatch(/^over-regularised/m);
    // from λ = 2 with 80 iterations the tuner gets one 20% move: the result keeps a handful of
    // coefficients, far above the noise, and the summary says so
    const o = await cflow(["run", ...SMALL, "--param", "lambda=2", "--max-iters", "80", "--out", runs]);
    expect(o.code).toBe(0);
    const high = Number(o.stdout.match(target)![2]);
    expect(high).toBeGreaterThan(2);
    expect(o.stdout).toMatch(new RegExp(`^over-regularised: discrepancy ${high.toPrecision(3).replace(".", "\\.")}× the noise level`, "m"));
  });

  it("--target gcv aims at GCV and records it in the manifest; --target none tunes without a target", async () => {
    const gcv = await cflow(["run", ...SMALL, "--target", "gcv", "--out", runs, "--json"]);
    expect(gcv.code).toBe(0);
    const res = JSON.parse(gcv.stdout).result;
    expect(res.target).toMatchObject({ name: "gcv", sigma_source: "estimated", df_method: "support size" });
    expect((loadRunManifest(res.run_dir).extra as { tuner_target: { name: string } }).tuner_target.name).toBe("gcv");
    const none = await cflow(["run", ...SMALL, "--target", "none", "--out", runs, "--json"]);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout).result.target).toBeNull();
  });

  it("refuses an unknown target with a usage error naming the choices", async () => {
    const r = await cflow(["run", ...SMALL, "--target", "morozov"]);
    expect(r.code).toBe(EXIT_CODES.USAGE.code);
    expect(r.stderr).toMatch(/--target/);
    expect(r.stderr).toMatch(/discrepancy/);
  });

  it("a resumed run keeps --per-band and --target", async () => {
    const first = await cflow(["run", ...SMALL, "--per-band", "--target", "sure", "--max-iters", "120", "--out", runs, "--json"]);
    expect(first.code).toBe(0);
    const dir = JSON.parse(first.stdout).result.run_dir;
    const more = await cflow(["resume", dir, "--continue-iterations", "30", "--json"]);
    expect(more.code).toBe(0);
    const res = JSON.parse(more.stdout).result;
    expect(res.target.name).toBe("sure");
    const cli = (loadRunManifest(dir).extra as { cli: { per_band: boolean; target: string } }).cli;
    expect(cli).toMatchObject({ per_band: true, target: "sure" });
  });
});
