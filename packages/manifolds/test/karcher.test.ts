// Reference problem 4b (docs/design.md §7): rotation averaging on SO(3). Noisy samples Rᵢ = R₀ Exp(εᵢ)
// of a known rotation; the Karcher mean by Riemannian gradient descent written here,
// R ← exp_R((1/N) Σ log_R Rᵢ) (the negative gradient of (1/2N) Σ dist²), must recover R₀ within the
// statistical error of the noise, and satisfy the optimality condition Σ Log(R̂ᵀRᵢ) = 0 measured
// with a quaternion logarithm written independently in this file.
import { DTYPES, type Dtype, type RealArray } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { SO3 } from "../src/so3.js";
import { expmSeries, frob, mm, tr } from "./helpers.js";
import { mulberry32, randn } from "@cflow/test-kit";

const hat = (w: number[]) => [0, -w[2], w[1], w[2], 0, -w[0], -w[1], w[0], 0];

/** Rotation vector of a rotation matrix via Shepperd's quaternion extraction. */
function quaternionLog(r: ArrayLike<number>): number[] {
  const t = r[0] + r[4] + r[8];
  let w: number, x: number, y: number, z: number;
  if (t > 0) {
    const s = 2 * Math.sqrt(t + 1);
    [w, x, y, z] = [s / 4, (r[7] - r[5]) / s, (r[2] - r[6]) / s, (r[3] - r[1]) / s];
  } else if (r[0] > r[4] && r[0] > r[8]) {
    const s = 2 * Math.sqrt(1 + r[0] - r[4] - r[8]);
    [w, x, y, z] = [(r[7] - r[5]) / s, s / 4, (r[1] + r[3]) / s, (r[2] + r[6]) / s];
  } else if (r[4] > r[8]) {
    const s = 2 * Math.sqrt(1 + r[4] - r[0] - r[8]);
    [w, x, y, z] = [(r[2] - r[6]) / s, (r[1] + r[3]) / s, s / 4, (r[5] + r[7]) / s];
  } else {
    const s = 2 * Math.sqrt(1 + r[8] - r[0] - r[4]);
    [w, x, y, z] = [(r[3] - r[1]) / s, (r[2] + r[6]) / s, (r[5] + r[7]) / s, s / 4];
  }
  if (w < 0) [w, x, y, z] = [-w, -x, -y, -z];
  const nv = Math.hypot(x, y, z);
  if (nv === 0) return [0, 0, 0];
  const angle = 2 * Math.atan2(nv, w);
  return [(angle * x) / nv, (angle * y) / nv, (angle * z) / nv];
}

const angleBetween = (a: ArrayLike<number>, b: ArrayLike<number>) => frob(quaternionLog(mm(tr(a, 3, 3), b, 3, 3, 3)));

describe.each(DTYPES)("rotation averaging on SO(3) (%s)", (dtype: Dtype) => {
  it("recovers a known rotation from noisy samples within the statistical error", () => {
    const rand = mulberry32(99);
    const n = 200;
    const sigma = 0.2;
    const r0 = expmSeries(hat([0.9, -2.1, 1.4]), 3);
    const eps: number[][] = [];
    const samples: RealArray[] = [];
    for (let i = 0; i < n; i++) {
      const e = [sigma * randn(rand), sigma * randn(rand), sigma * randn(rand)];
      eps.push(e);
      const ri = mm(r0, expmSeries(hat(e), 3), 3, 3, 3);
      samples.push(dtype === "float64" ? Float64Array.from(ri) : Float32Array.from(ri));
    }

    const m = new SO3({ shape: [3, 3], dtype });
    const r = samples[0].slice() as RealArray;
    const mean = r.slice() as RealArray;
    let step = Infinity;
    let iterations = 0;
    for (; iterations < 100 && step > (dtype === "float64" ? 1e-14 : 1e-6); iterations++) {
      mean.fill(0);
      for (const s of samples) {
        const l = m.log(r, s);
        for (let k = 0; k < 9; k++) mean[k] += l[k] / n;
      }
      step = Math.sqrt(m.metric(r, mean, mean));
      m.exp(r, mean, r);
    }
    expect(iterations).toBeLessThan(30);

    // First-order optimality, measured with the independent quaternion log.
    const grad = [0, 0, 0];
    for (const s of samples) {
      const w = quaternionLog(mm(tr(r, 3, 3), s, 3, 3, 3));
      for (let k = 0; k < 3; k++) grad[k] += w[k] / n;
    }
    expect(frob(grad)).toBeLessThan(dtype === "float64" ? 1e-13 : 2e-6);

    // The error is the mean noise ε̄ (to third order in σ): |ε̄| ≈ σ√(3/N) ≈ 0.0245 here.
    const epsBar = [0, 1, 2].map((k) => eps.reduce((s, e) => s + e[k], 0) / n);
    const err = angleBetween(r, r0);
    expect(err).toBeLessThan(3 * sigma * Math.sqrt(3 / n));
    expect(angleBetween(r, mm(r0, expmSeries(hat(epsBar), 3), 3, 3, 3))).toBeLessThan(0.02 * frob(epsBar));
  });
});
