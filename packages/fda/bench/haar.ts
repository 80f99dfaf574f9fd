// Orthonormal periodic Haar transform in plain TS, coefficient layout [a_L, d_L, ..., d_1]
// (PyWavelets' wavedec order), as the narrow transform the certificates take.
import type { Dtype, RealArray } from "@cflow/core";
import type { CertTransform } from "../src/index.js";

export function haarTransform(n: number, levels: number, dtype: Dtype): CertTransform {
  const tmp = new Float64Array(n);
  const make = (): RealArray => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  return {
    name: "haar",
    frame: "unitary",
    c: 1,
    dtype,
    shape: [n],
    coeffSize: n,
    forward(x, out) {
      const u = out ?? make();
      tmp.set(x);
      let len = n;
      for (let l = 0; l < levels; l++) {
        const half = len / 2;
        for (let i = 0; i < half; i++) {
          const a = tmp[2 * i];
          const b = tmp[2 * i + 1];
          u[half + i] = (a - b) * Math.SQRT1_2;
          tmp[i] = (a + b) * Math.SQRT1_2;
        }
        len = half;
      }
      for (let i = 0; i < len; i++) u[i] = tmp[i];
      return u;
    },
    adjoint(u, out) {
      const x = out ?? make();
      let len = n >> levels;
      for (let i = 0; i < len; i++) tmp[i] = u[i];
      for (let l = 0; l < levels; l++) {
        for (let i = len - 1; i >= 0; i--) {
          const a = tmp[i];
          const d = u[len + i];
          tmp[2 * i] = (a + d) * Math.SQRT1_2;
          tmp[2 * i + 1] = (a - d) * Math.SQRT1_2;
        }
        len *= 2;
      }
      x.set(tmp);
      return x;
    },
  };
}
