// Every bundled example, run by the real binary at a small size: exit code, stdout, and the
// capsule's contents (manifest, telemetry and events through DuckDB, artifacts, report).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { encodePng } from "../src/data/image.js";
import { readNpy } from "../src/data/npy.js";
import { listExamples } from "../src/examples-catalog.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import { EXAMPLES, capsuleOf, cflow, cli, tempDir } from "./helpers.js";

interface Case {
  name: string;
  args: string[];
  code: number;
  status: string;
  phase: string;
  /** Arrays the report draws (artifacts/<name>.npy) and their shape. */
  images: Record<string, number[]>;
  why?: string;
  /** Primal–dual flows: how ‖K‖ was bounded (their certificate is the step sizes' convergence condition, no CERT_* event). */
  stepSizes?: "analytic" | "preconditioned";
}

const CASES: Case[] = [
  { name: "deconv-1d", args: ["--param", "size=4096"], code: 0, status: "FINISHED", phase: "GREEN", images: { input: [4096], result: [4096] } },
  { name: "deconv-2d", args: ["--param", "size=64"], code: 0, status: "FINISHED", phase: "GREEN", images: { input: [64, 64], result: [64, 64] } },
  { name: "lasso", args: ["--param", "rows=200", "--param", "cols=400", "--param", "k=5"], code: 0, status: "FINISHED", phase: "GREEN", images: { result: [400] } },
  { name: "tv-denoise", args: ["--param", "size=32"], code: 0, status: "FINISHED", phase: "GREEN", images: { input: [32, 32], result: [32, 32] } },
  { name: "hamiltonian", args: ["--param", "size=16", "--max-iters", "200"], code: 0, status: "FINISHED", phase: "GREEN", images: {} },
  // its cflow.config.ts, next to the spec, provides the graphTV atom
  { name: "graph-denoise", args: ["--param", "size=64"], code: 0, status: "FINISHED", phase: "GREEN", images: { input: [64], result: [64] } },
  { name: "naive-deconv", args: ["--param", "size=256"], code: EXIT_CODES.CERT_FAIL.code, status: "CERT_FAIL", phase: "AMBER", images: { input: [256], result: [256] }, why: "γ ≈ 0: no regulariser" },
  // manifold flows are certified in intrinsic tangent coordinates (the normal directions are not part of the operator)
  { name: "sphere-eigen", args: ["--param", "size=20"], code: 0, status: "FINISHED", phase: "GREEN", images: {} },
  { name: "so3-averaging", args: ["--param", "size=10"], code: 0, status: "FINISHED", phase: "GREEN", images: {} },
  { name: "poisson-deblur", args: ["--param", "size=32"], code: 0, status: "FINISHED", phase: "GREEN", images: { input: [32, 32], result: [32, 32] }, stepSizes: "analytic" },
  { name: "salt-pepper", args: ["--param", "size=32"], code: 0, status: "FINISHED", phase: "GREEN", images: { input: [32, 32], result: [32, 32] }, stepSizes: "preconditioned" },
];

describe("the bundled examples", () => {
  it("are exactly the examples/ directories, and `cflow examples` lists them", async () => {
    const names = listExamples(EXAMPLES).map((e) => e.name);
    expect(CASES.map((c) => c.name).sort()).toEqual(names);
    const listed = JSON.parse((await cli(["examples", "--json"])).stdout).result.map((e: { name: string }) => e.name);
    expect(listed).toEqual(names);
  });

  const runs = tempDir("examples-runs");
  it.concurrent.each(CASES)("cflow run examples/$name", async (c) => {
    const r = await cflow(["run", `examples/${c.name}`, ...c.args, "--out", runs]);
    expect({ code: r.code, stderr: r.code === c.code ? "" : r.stderr }).toEqual({ code: c.code, stderr: "" });
    expect(r.stdout).toMatch(new RegExp(`^${c.phase} · ${c.status} · \\d+ iterations`, "m"));
    expect(r.stdout).toMatch(/^certificate \(/m);
    const dir = capsuleOf(r);
    expect(dir.startsWith(runs)).toBe(true);

    const m = loadRunManifest(dir);
    expect(m).toMatchObject({ status: c.status, dtype: "float64", redact_artifacts: false, summary: { phase: c.phase } });
    expect((m.extra as { spec: { name: string } }).spec.name).toBe(c.name);
    expect(Object.keys(m.versions)).toEqual(expect.arrayContaining(["@cflow/core", "@cflow/cli", "@cflow/fda", "@cflow/recorder", "@cflow/tuner", "@cflow/manifolds"]));

    // a rollback returns to an earlier iteration: the record can go past the final one
    const [t] = await queryRuns("SELECT count(*) AS rows, max(iter) AS last FROM telemetry", dir);
    expect(t.rows).toBeGreaterThan(0);
    expect(t.last).toBeGreaterThanOrEqual(m.summary!.iters);
    const events = await queryRuns("SELECT event, payload FROM events", dir);
    expect(events[0].event).toBe("RUN_STARTED");
    const finished = events.filter((e) => e.event === "RUN_FINISHED");
    expect(finished).toHaveLength(1);
    expect(JSON.parse(String(finished[0].payload))).toMatchObject({ status: c.status, phase: c.phase });
    if (c.stepSizes) {
      const policy = events.find((e) => e.event === "FLOW_POLICY_APPLIED")!;
      expect(JSON.parse(String(policy.payload)).params.op_norm_route).toBe(c.stepSizes);
      expect(JSON.parse(String(finished[0].payload)).stop_reason).toBe("converged");
      expect(m.summary).toMatchObject({ stop_reason: "converged" });
      expect(r.stdout).toMatch(/^stopped: converged · optimality /m);
    } else {
      const certs = events.filter((e) => e.event === "CERT_PASS" || e.event === "CERT_FAIL");
      expect(certs.length).toBeGreaterThan(0);
      if (c.phase === "GREEN") expect(events.some((e) => e.event === "CERT_PASS")).toBe(true);
      else expect(certs.every((e) => e.event === "CERT_FAIL")).toBe(true);
    }

    if (c.name === "deconv-2d") {
      // inspect says where certifying went: the first explicit-matrix verdict's phases
      const ins = await cflow(["inspect", dir]);
      expect(ins.code).toBe(0);
      expect(ins.stdout).toMatch(/^Certificates \(\d+ passed, \d+ failed\) · [\d.]+ m?s, \d+% of the run$/m);
      expect(ins.stdout).toMatch(/feasibility .* exact, \d+, \S+ {2}[\d.]+ m?s \(.*assemble [\d.]+ m?s, dominance [\d.]+ m?s, γ [\d.]+ m?s\)$/m);
    }
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('id="chart-energy"');
    expect(html).toContain("<svg");
    for (const [name, shape] of Object.entries(c.images)) {
      const a = readNpy(join(dir, "artifacts", `${name}.npy`));
      expect(a.shape).toEqual(shape);
      expect(a.data.every(Number.isFinite)).toBe(true);
    }
    if (Object.keys(c.images).length === 0) expect(existsSync(join(dir, "artifacts", "result.npy"))).toBe(false);
  });

  it("naive-deconv fails on γ ≈ 0 (no regulariser to widen), deconv-2d is certified once λ is widened", async () => {
    const naive = await cflow(["cert", "examples/naive-deconv", "--param", "size=256", "--json"]);
    expect(naive.code).toBe(EXIT_CODES.CERT_FAIL.code);
    const n = JSON.parse(naive.stdout).result;
    expect(n).toMatchObject({ certified: false, phase: "AMBER" });
    // KᵀK of a circular blur is a declared circulant: closed-form certificates
    expect(n.attempts[0]).toMatchObject({ stage: "feasibility", pass: false, lambda: null, method: "structured", size: 256 });
    expect(n.attempts[0].gamma).toBeLessThan(1e-6);
    expect(n.attempts[0].reasons.join(" ")).toContain("singular");

    const d = await cflow(["cert", "examples/deconv-2d", "--param", "size=64"]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^GREEN — certified at attempt \d+ \(λ = /m);
    const rows = d.stdout.split("\n").filter((l) => /^\s+\d+\s+feasibility/.test(l));
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.at(-1)).toMatch(/pass$/);
    expect(rows[0]).toMatch(/fail$/);

    const tv = await cflow(["cert", "examples/tv-denoise", "--param", "size=32"]);
    expect(tv.code).toBe(0);
    expect(tv.stdout).toMatch(/^GREEN — certified at attempt 1; cflow run would polish from here \(no λ to tune\)$/m);
  });

  it("deconv-2d/image-spec.ts restores an image file of one's own; a non-square one is refused naming --param image", async () => {
    const dir = tempDir("own-image");
    const n = 64;
    const truth = Float64Array.from({ length: n * n }, (_, t) => {
      const [i, j] = [Math.floor(t / n) / n, (t % n) / n];
      return Math.round(255 * (0.2 + 0.5 * Number(i > 0.3 && i < 0.6 && j > 0.2 && j < 0.7) + 0.1 * Math.sin(12 * j) ** 2)) / 255;
    });
    writeFileSync(join(dir, "own.png"), encodePng(truth, [n, n]));
    const r = await cflow(["run", "examples/deconv-2d/image-spec.ts", "--param", `image=${join(dir, "own.png")}`, "--out", runs]);
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    const run = capsuleOf(r);
    expect((loadRunManifest(run).extra as { spec: { description: string } }).spec.description).toContain(`${n}×${n} image ${join(dir, "own.png")}`);
    // the input is this image blurred (σ = 2 px) plus noise 0.01: close to it, unlike the phantom
    const y = readNpy(join(run, "artifacts", "input.npy")).data;
    let se = 0;
    for (let i = 0; i < y.length; i++) se += (y[i] - truth[i]) ** 2;
    expect(Math.sqrt(se / y.length)).toBeLessThan(0.08);

    writeFileSync(join(dir, "wide.png"), encodePng(truth.subarray(0, n * 32), [32, n]));
    const bad = await cflow(["run", "examples/deconv-2d/image-spec.ts", "--param", `image=${join(dir, "wide.png")}`, "--out", runs]);
    expect(bad.code).toBe(EXIT_CODES.INPUT.code);
    expect(bad.stderr).toContain("--param image");
    expect(bad.stderr).toContain("32×64");
  });

  it("runs in float32 when asked (the spec is a factory of the dtype)", async () => {
    const r = await cflow(["run", "examples/deconv-2d", "--param", "size=32", "--dtype", "float32", "--out", runs, "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout).result;
    expect(loadRunManifest(result.run_dir).dtype).toBe("float32");
    expect(readNpy(join(result.run_dir, "artifacts", "result.npy")).dtype).toBe("float32");
  });
});
