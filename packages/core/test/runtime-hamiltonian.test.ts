// Reference problem 4c: the harmonic oscillator H(q, p) = ½qᵀQq + ½‖p‖² through the
// hamiltonianDamped family (F_Con: Störmer–Verlet leapfrog). Undamped, the energy error is
// O(Δt²) — halving Δt quarters it — and the trajectory follows the analytic solution to O(Δt²);
// damped, the energy decays.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";

const omega = [1, 2, 0.5];
const q0 = [1, -0.5, 0.3];
const p0 = [0, 0.8, -0.2];

const oscillator = (dt: number, damping: number) =>
  defineFlow(({ dtype }) => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    return {
      dtype,
      state: { q: { shape: [3], init: q0 }, p: { shape: [3], init: p0, conjugateOf: "q" } },
      data: { w2: conv(omega.map((w) => w * w)) },
      ops: { Q: { type: "diagonal", diag: "w2" } },
      terms: [{ kind: "physics" as const, atom: "quadraticForm", op: "Q", slot: "q" as const }],
      policies: { flow: { family: "hamiltonianDamped", dt, damping } },
    };
  });

const exactEnergy = 0.5 * omega.reduce((s, w, i) => s + w * w * q0[i] * q0[i] + p0[i] * p0[i], 0);

/** Runs to time T; returns the largest |E − E₀| and the largest deviation of q from the analytic solution. */
function run(dtype: Dtype, dt: number, T: number, damping = 0) {
  const { compiled } = compileFlow(oscillator(dt, damping), { dtype });
  const runner = new FlowRunner(compiled);
  expect(runner.dials.alpha).toBe(dt);
  const E0 = runner.energy;
  let maxEnergyError = 0;
  let maxQError = 0;
  const energies = [E0];
  const steps = Math.round(T / dt);
  for (let k = 1; k <= steps; k++) {
    const m = runner.step();
    energies.push(m.E);
    maxEnergyError = Math.max(maxEnergyError, Math.abs(m.E - E0));
    const x = runner.state;
    const t = k * dt;
    for (let i = 0; i < 3; i++) {
      const q = q0[i] * Math.cos(omega[i] * t) + (p0[i] / omega[i]) * Math.sin(omega[i] * t);
      maxQError = Math.max(maxQError, Math.abs(x[i] - q));
    }
  }
  compiled.dispose();
  return { E0, maxEnergyError, maxQError, energies };
}

describe.each(DTYPES)("leapfrog oscillator (%s)", (dtype: Dtype) => {
  it("starts at the exact energy H(q₀, p₀)", () => {
    const { E0 } = run(dtype, 0.05, 0.05);
    expect(Math.abs(E0 - exactEnergy) / exactEnergy).toBeLessThan(dtype === "float64" ? 1e-15 : 1e-7);
  });

  it("undamped: the energy error is O(Δt²) — halving Δt quarters it — and stays bounded over long times", () => {
    const T = 40;
    const a = run(dtype, 0.08, T);
    const b = run(dtype, 0.04, T);
    const c = run(dtype, 0.02, T);
    expect(a.maxEnergyError / exactEnergy).toBeLessThan(0.01);
    expect(a.maxEnergyError / b.maxEnergyError).toBeGreaterThan(3.6);
    expect(a.maxEnergyError / b.maxEnergyError).toBeLessThan(4.4);
    expect(b.maxEnergyError / c.maxEnergyError).toBeGreaterThan(3.6);
    expect(b.maxEnergyError / c.maxEnergyError).toBeLessThan(4.4);
    // the trajectory's error (a phase drift) also shrinks by 4
    expect(a.maxQError / b.maxQError).toBeGreaterThan(3.5);
    expect(a.maxQError / b.maxQError).toBeLessThan(4.5);
    // symplectic: no secular drift — the error over 4× the time is no larger
    const long = run(dtype, 0.08, 4 * T);
    expect(long.maxEnergyError).toBeLessThan(1.05 * a.maxEnergyError);
  });

  it("damped: the energy decays over every period and ends near e^{−γT}·E₀", () => {
    const gamma = 0.1;
    const dt = 0.02;
    const T = 30;
    const { E0, energies } = run(dtype, dt, T, gamma);
    // the slowest mode has period 2π/0.5; compare energies one period apart
    const period = Math.round((2 * Math.PI) / 0.5 / dt);
    for (let k = period; k < energies.length; k += 7) expect(energies[k]).toBeLessThan(energies[k - period]);
    // p ← e^{−γΔt}p removes energy at rate ≈ 2γ·kinetic, i.e. E(t) ≈ E₀e^{−γt} on average
    const ratio = energies[energies.length - 1] / E0;
    expect(ratio).toBeLessThan(Math.exp(-gamma * T) * 1.5);
    expect(ratio).toBeGreaterThan(Math.exp(-gamma * T) / 1.5);
  });
});
