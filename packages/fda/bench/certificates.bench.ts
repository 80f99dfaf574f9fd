// Matrix-free certificate cost at N = 2^16..2^20 on the convolution-like banded operator
// L = KᵀK + μI (Gaussian blur σ = 4, μ = 1e-2): per-call ms, operator applications and the
// share of time spent in them (timed inside L_apply). Lanczos may keep up to 120 vectors (1 GiB
// at 2^20; the default 256 MiB budget caps it at 32 there). The controller-level target (certificates ≤ 10% of a
// 200-iteration run at N = 2^20) is measured by the lead on reference problem 1.
import { type CertificateContext, type Dtype, rngKey, type TransformOp } from "@cflow/core";
import { type CertTransform, fda, type FdaOptions } from "../src/index.js";
import { blurNormalOperator } from "./convolution.js";
import { haarTransform } from "./haar.js";

function medianMs(fn: () => void, reps: number): number {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

interface Case {
  name: string;
  options: FdaOptions;
  W: CertTransform | null;
  coefficients: (n: number, dtype: Dtype) => Float32Array | Float64Array | null;
}

/** The bench's Haar must be orthonormal (W Wᵀ = I) for its rows to mean anything. */
function checkHaar(): void {
  const n = 256;
  const W = haarTransform(n, 6, "float64");
  const u = Float64Array.from({ length: n }, (_, i) => Math.cos(0.37 * i * i));
  const back = W.forward(W.adjoint(u));
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(back[i] - u[i]));
  if (err > 1e-12) throw new Error(`bench Haar transform is not orthonormal: ‖W Wᵀu − u‖∞ = ${err}`);
}

export default async function (): Promise<void> {
  checkHaar();
  const logs = process.env.FDA_BENCH_LOGS ? process.env.FDA_BENCH_LOGS.split(",").map(Number) : [16, 17, 18, 19, 20];
  const dtypes = (process.env.FDA_BENCH_DTYPES ?? "float64,float32").split(",") as Dtype[];
  console.log("\n### matrix-free certificates, L = KᵀK + 1e-2·I (circular Gaussian blur σ = 4, half-bandwidth 32)\n");
  console.log("| N | dtype | certificate | ms/call | L applications | ms/L apply (alone) | time in L | Lanczos steps (cap) | γ | λ_min ≥ (p ≥ 0.9999) | η_dd | rows | pass |");
  console.log("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
  for (const log of logs) {
    const n = 2 ** log;
    for (const dtype of dtypes) {
      if (dtype === "float32" && log !== 16 && log !== 20) continue;
      const L = blurNormalOperator(n, 4, 1e-2, dtype);
      const v = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      const out = v.slice();
      for (let i = 0; i < n; i++) v[i] = Math.sin(i);
      const msApply = medianMs(() => L.apply(v, out), 7);
      const W = haarTransform(n, 6, dtype);
      const mf: FdaOptions = { method: "matrix-free", lanczos: { maxIter: 120, basisBudgetBytes: 2 ** 30 } };
      const cases: Case[] = [
        { name: "full, probed rows (b = 32)", options: { ...mf, rows: { probing: { bandwidth: L.bandwidth, periodic: true } } }, W: null, coefficients: () => null },
        { name: "full, 32 sampled rows", options: { ...mf, rows: { sampleRows: 32 } }, W: null, coefficients: () => null },
        {
          name: "Haar(6) restricted to a (N/64), 32 sampled rows",
          options: { ...mf, rows: { sampleRows: 32 } },
          W,
          coefficients: (m, dt) => {
            const u = dt === "float64" ? new Float64Array(m) : new Float32Array(m);
            for (let i = 0; i < m / 64; i++) u[i] = 1;
            return u;
          },
        },
      ];
      for (const c of cases) {
        let inL = 0;
        const timedApply = (x: Float32Array | Float64Array, y: Float32Array | Float64Array) => {
          const s = performance.now();
          L.apply(x, y);
          inL += performance.now() - s;
        };
        const ctx: CertificateContext = {
          L_apply: timedApply,
          n,
          dtype,
          W: c.W as TransformOp | null,
          coefficients: c.coefficients(n, dtype),
          gates: { etaMax: 0.9, gammaMin: 1e-6 },
          key: rngKey(2024),
        };
        const t0 = performance.now();
        const cert = fda(c.options).certify(ctx);
        const ms = performance.now() - t0;
        const lz = cert.diagnostics.lanczos as { iterations: number; maxIterAllowed: number; gammaLowerBound: number | null };
        const lower = lz.gammaLowerBound;
        const share = inL / ms;
        console.log(
          `| 2^${log} | ${dtype} | ${c.name} | ${ms.toFixed(0)} | ${cert.cost.applications} | ${msApply.toFixed(2)} | ${(100 * share).toFixed(0)}% | ${lz.iterations} (${lz.maxIterAllowed}) | ${cert.gamma.toExponential(3)} | ${lower === null ? "—" : lower.toExponential(3)} | ${cert.etaDD.toFixed(3)} | ${cert.diagnostics.rows} | ${cert.pass} |`,
        );
      }
    }
  }
}
