// A damped Hamiltonian flow (F_Con, docs/design.md §7 reference problem 4): a ring of n unit masses with
// springs to their neighbours (stiffness k) and to the ground (ω₀²),
//   H(q, p) = ½ qᵀK q + ½‖p‖²,   K = ω₀² I + k·(ring Laplacian),
// integrated by Störmer–Verlet leapfrog with friction p ← e^{−γΔt} p: the energy decays and the
// chain settles at rest from an initial bump.
import { defineFlow, readFlowParams } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "number of masses n", default: 128, min: 3 },
  stiffness: { type: "number", description: "spring constant k between neighbours", default: 1, min: 0, exclusiveMin: true },
  ground: { type: "number", description: "ground spring ω₀²", default: 0.5, min: 0, exclusiveMin: true },
  damping: { type: "number", description: "friction rate γ (0 conserves H)", default: 0.05, min: 0 },
} as const;

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const K = dtype === "float64" ? new Float64Array(n * n) : new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    K[i * n + i] += p.ground + 2 * p.stiffness;
    K[i * n + j] -= p.stiffness;
    K[j * n + i] -= p.stiffness;
  }
  const bump = Array.from({ length: n }, (_, i) => Math.exp(-(((i - n / 4) / (n / 32)) ** 2)));
  return {
    name: "hamiltonian",
    description: `Damped leapfrog on a ring of ${n} coupled oscillators (k = ${p.stiffness}, ω₀² = ${p.ground}, γ = ${p.damping}).`,
    dtype,
    seed,
    state: { q: { shape: [n], init: bump }, p: { shape: [n], conjugateOf: "q" } },
    data: { K },
    ops: { K: { type: "dense", matrix: "K", rows: n, cols: n } },
    terms: [
      { name: "potential", kind: "physics", atom: "quadraticForm", op: "K", slot: "q" },
      { name: "kinetic", kind: "physics", atom: "tikhonov", slot: "p" },
    ],
    policies: { flow: { family: "hamiltonianDamped", damping: p.damping }, budgets: { maxIters: 1000, tol: 0 } },
  };
});
