// Rotation averaging on SO(3) (docs/design.md §7, reference problem 4): the chordal L2 mean of N noisy
// observations R_i of one rotation,
//   E(R) = ½ Σ_i ‖R − R_i‖²_F / N   over R ∈ SO(3),
// written as least squares ½‖S vec(R) − r‖² with S the N stacked 9×9 identities (scaled by 1/√N)
// and r the stacked observations; the flow is Riemannian gradient descent with retraction.
import { defineFlow, normal, readFlowParams, rngKey, split } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "number of observed rotations N", default: 100, min: 1 },
  spread: { type: "number", description: "standard deviation of the observation noise (radians per axis)", default: 0.2, min: 0 },
  dataSeed: { type: "integer", description: "seed of the observations", default: 5, min: 0 },
} as const;

/** exp of the skew matrix of w (Rodrigues), row-major 3×3. */
function rotation(w: readonly number[]): number[] {
  const th = Math.hypot(w[0], w[1], w[2]);
  if (th === 0) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const [x, y, z] = w.map((v) => v / th);
  const c = Math.cos(th);
  const s = Math.sin(th);
  const C = 1 - c;
  return [c + x * x * C, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, c + y * y * C, y * z * C - x * s, z * x * C - y * s, z * y * C + x * s, c + z * z * C];
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  const o = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return o;
}

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const N = p.size;
  const truth = rotation([0.3, -0.8, 0.5]);
  const [keyNoise] = split(rngKey(p.dataSeed), 1);
  const g = normal(keyNoise, 3 * N, "float64");
  const scale = 1 / Math.sqrt(N);
  const r = dtype === "float64" ? new Float64Array(9 * N) : new Float32Array(9 * N);
  const S = dtype === "float64" ? new Float64Array(81 * N) : new Float32Array(81 * N);
  for (let i = 0; i < N; i++) {
    const Ri = multiply(rotation([p.spread * g[3 * i], p.spread * g[3 * i + 1], p.spread * g[3 * i + 2]]), truth);
    for (let k = 0; k < 9; k++) {
      r[9 * i + k] = scale * Ri[k];
      S[(9 * i + k) * 9 + k] = scale;
    }
  }
  return {
    name: "so3-averaging",
    description: `Chordal L2 mean of ${N} rotations observed with noise ${p.spread} rad, on SO(3).`,
    dtype,
    seed,
    state: { R: { shape: [3, 3], manifold: "so3", init: "random" } },
    data: { S, r },
    ops: { S: { type: "dense", matrix: "S", rows: 9 * N, cols: 9 } },
    terms: [{ kind: "data", atom: "leastSquares", op: "S", target: "r" }],
    policies: { flow: { family: "gradient" }, control: { validationIters: 50 }, budgets: { maxIters: 300 } },
  };
});
