// One certificate of the demo's support (examples/deconv-2d at its defaults, float64): the spec's
// accelerated flow runs ITERS iterations at λ (the spec's 2e-3: the support the demo certifies
// first), then the fda hook certifies that support as the controller asks it (structure, shift
// classes, the default gates η_max = 6 on the scaled dominance and γ_min = 1e-6), three times: cold
// (the class rows are built), warm (same support: inherited), a drifted support after 50 more
// iterations at the same λ (a few coefficients entered: not inside, certified afresh from the cached
// class rows and the last Collatz–Wielandt vector), and a new support inside it after more
// iterations at a larger λ (inherited by interlacing). Then a support that is not inside the
// first: the class rows are reused, the γ routes run again.
//
//   cd packages/fda && npx tsx bench/run.ts demo-certificate
//
// Knobs: DEMO_CERT_LAMBDA (2e-3), DEMO_CERT_ITERS (30), DEMO_CERT_SIZE (512). DEMO_CERT_SHIFTS
// (e.g. "2e-6,5e-6,1e-5,2e-5"): after the cold certificate, the congruence route alone on its L̂_S at
// each of these shifts, dropping entries up to a third of the shift in row ℓ1 — what proving a larger
// γ costs (steps, θ_min of the preconditioned operator).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { activeIndices, type Certificate, type CertificateContext, compileFlow, type FlowDefinition, FlowRunner, rngKey } from "@cflow/core";
import { CertificateCache, congruenceGamma, fda } from "../src/index.js";

const env = (k: string, d: string) => process.env[k] ?? d;
const LAMBDA = Number(env("DEMO_CERT_LAMBDA", "2e-3"));
const ITERS = Number(env("DEMO_CERT_ITERS", "30"));
const SIZE = Number(env("DEMO_CERT_SIZE", "512"));
const SHIFTS = env("DEMO_CERT_SHIFTS", "").split(",").filter((x) => x !== "").map(Number);

const ms = (t: number) => (t >= 1000 ? `${(t / 1000).toFixed(2)} s` : `${t.toFixed(1)} ms`);

function line(label: string, cert: Certificate, wall: number, cpu: number): string {
  const routes = (cert.diagnostics.gammaRoutes as { route: string; gamma: number; ms: number }[] | undefined) ?? [];
  const tried = routes.map((r) => `${r.route} ${Number.isFinite(r.gamma) ? r.gamma.toExponential(2) : "—"} (${ms(r.ms)})`).join(", ");
  const d = cert.diagnostics as { assembleMs?: number; dominance?: { iterations: number; ms: number }; gammaRoutes?: unknown };
  if (process.env.DEMO_CERT_VERBOSE) console.error(label, JSON.stringify({ prepared: cert.diagnostics.prepared, assembleMs: d.assembleMs, dominance: d.dominance, routes: d.gammaRoutes, statement: cert.diagnostics.gammaStatement }));
  return `| ${label} | ${cert.size} | ${cert.pass ? "pass" : "fail"} | ${cert.etaDD.toFixed(3)} (${cert.dominance}) | ${Number.isFinite(cert.gamma) ? cert.gamma.toExponential(3) : "—"} | ${cert.route}${cert.failureProbability > 0 ? `, p ≤ ${cert.failureProbability}` : ""} | ${ms(wall)} | ${ms(cpu)} | ${tried || "—"} |`;
}

export default async function (): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
  const spec = (await import(pathToFileURL(join(root, "examples/deconv-2d/spec.ts")).href)) as { default: FlowDefinition };
  const { compiled } = compileFlow(spec.default, { dtype: "float64", seed: 1, params: { size: String(SIZE) } });
  const hook = fda();
  const runner = new FlowRunner(compiled);
  runner.setDials({ lambda: LAMBDA });
  const tFlow = performance.now();
  for (let k = 0; k < ITERS; k++) runner.step();
  const flowMs = performance.now() - tFlow;
  const ctxAt = (coefficients: Float64Array, iter: number): CertificateContext => ({
    L_apply: (v, out) => compiled.L_apply(v, out, runner.state),
    n: compiled.n,
    dtype: compiled.dtype,
    W: compiled.W,
    coefficients,
    translationInvariant: true,
    structure: compiled.hessianStructure(),
    gates: { etaMax: 6, gammaMin: 1e-6 },
    key: rngKey(iter),
  });
  const timed = (ctx: CertificateContext) => {
    const t = performance.now();
    const c0 = process.cpuUsage();
    const cert = hook.certify(ctx);
    const c = process.cpuUsage(c0);
    return { cert, wall: performance.now() - t, cpu: (c.user + c.system) / 1000 };
  };
  console.log(`\n### One certificate of the demo's support (deconv-2d ${SIZE}², λ = ${LAMBDA} after ${ITERS} iterations; ${ms(flowMs / ITERS)} per iteration)\n`);
  console.log("| certificate | \\|S\\| | verdict | η_dd ≤ | γ ≥ | route | wall | CPU | routes tried |");
  console.log("|---|---:|---|---:|---:|---|---:|---:|---|");
  const u0 = Float64Array.from(runner.coefficients());
  const cold = timed(ctxAt(u0, ITERS));
  console.log(line("cold (class rows built)", cold.cert, cold.wall, cold.cpu));
  if (SHIFTS.length > 0) shiftScan(ctxAt(u0, ITERS));
  const again = timed(ctxAt(u0, ITERS + 1));
  console.log(line("same support again", again.cert, again.wall, again.cpu));
  for (let k = 0; k < 50; k++) runner.step();
  const drifted = timed(ctxAt(Float64Array.from(runner.coefficients()), ITERS + 2));
  console.log(line("50 more iterations, same λ (drifted: not inside)", drifted.cert, drifted.wall, drifted.cpu));
  runner.setDials({ lambda: LAMBDA * 4 });
  for (let k = 0; k < ITERS; k++) runner.step();
  const inside = timed(ctxAt(Float64Array.from(runner.coefficients()), 2 * ITERS));
  console.log(line(`after λ ×4 (${ITERS} iterations)`, inside.cert, inside.wall, inside.cpu));
  runner.setDials({ lambda: LAMBDA / 1.2 });
  for (let k = 0; k < ITERS; k++) runner.step();
  const grown = timed(ctxAt(Float64Array.from(runner.coefficients()), 3 * ITERS));
  console.log(line(`after λ ÷1.2 (a support not inside)`, grown.cert, grown.wall, grown.cpu));
  runner.dispose();
  compiled.dispose();
}

/** The congruence route alone on the cold support's L̂_S at each shift of DEMO_CERT_SHIFTS (γ_min = shift/3 caps the dropped mass). */
function shiftScan(ctx: CertificateContext): void {
  const classRows = new CertificateCache().classRows(ctx);
  if (!classRows) throw new Error("demo-certificate: the demo's context has no shift-class rows");
  const R = classRows.rows.restrict(activeIndices(ctx.coefficients!));
  console.log(`\n#### The congruence route at larger shifts (|S| = ${R.matrix.n}; entries dropped up to shift/3 in row ℓ1)\n`);
  console.log("| shift | proven γ | steps | θ_min(P) | KW lower bound | entries kept | factor | Lanczos | route wall | route CPU |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of SHIFTS) {
    const c0 = process.cpuUsage();
    const g = congruenceGamma(R, { key: rngKey(7), shifts: [s], gammaMin: s / 3, dropBudget: 1 });
    const c = process.cpuUsage(c0);
    const d = g.detail as { kept: number; attempts: { steps?: number; thetaMin?: number; lowerBound?: number; factorMs?: number; lanczosMs?: number; factor?: string }[] };
    const a = d.attempts[0];
    const fmt = (x: number | undefined) => (x === undefined ? "—" : x.toExponential(2));
    console.log(`| ${s.toExponential(1)} | ${Number.isFinite(g.gamma) ? g.gamma.toExponential(3) : `none (${a.factor ?? "not decided"})`} | ${a.steps ?? "—"} | ${fmt(a.thetaMin)} | ${fmt(a.lowerBound)} | ${(100 * d.kept).toFixed(1)}% | ${a.factorMs === undefined ? "—" : ms(a.factorMs)} | ${a.lanczosMs === undefined ? "—" : ms(a.lanczosMs)} | ${ms(g.ms)} | ${ms((c.user + c.system) / 1000)} |`);
  }
  classRows.rows.release(R);
}
