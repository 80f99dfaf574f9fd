import { compileFlow, dataTerms, defaultRegistry, noiseLevel, lintSpec, madNoiseLevel, normal, residualNormSq, rngKey } from "../src/index.js";
import { describe, expect, it } from "vitest";

describe("noiseLevel: Donoho's MAD estimate of white noise", () => {
  it.each([0.01, 0.3])("recovers σ = %f of Gaussian noise in 1D and 2D, on top of a smooth signal", (sigma) => {
    const n = 1 << 16;
    const z = normal(rngKey(7), n, "float64");
    const y1 = Float64Array.from(z, (v, i) => Math.sin((2 * Math.PI * i) / n) + sigma * v);
    expect(Math.abs(noiseLevel(y1, [n])! / sigma - 1)).toBeLessThan(0.03);
    const y2 = Float64Array.from(z, (v, i) => (i % 256) / 256 + Math.floor(i / 256) / 512 + sigma * v);
    expect(Math.abs(noiseLevel(y2, [256, 256])! / sigma - 1)).toBeLessThan(0.03);
  });

  it("is not pulled up by the edges of a blurred piecewise-constant image (Haar's 2-tap band is)", () => {
    const n = 256;
    const sigma = 0.01;
    const z = normal(rngKey(3), n * n, "float64");
    // a disc and a bar, blurred by a separable Gaussian (σ = 2 px, circular), plus white noise
    const g = Array.from({ length: 13 }, (_, t) => Math.exp(-((t - 6) ** 2) / 8));
    const gs = g.reduce((a, b) => a + b, 0);
    const x = Float64Array.from({ length: n * n }, (_, t) => {
      const [i, j] = [Math.floor(t / n) / n, (t % n) / n];
      return Number((i - 0.4) ** 2 + (j - 0.5) ** 2 < 0.05) + 0.5 * Number(Math.abs(i - 0.75) < 0.05);
    });
    const blur = (a: Float64Array, horizontal: boolean) =>
      Float64Array.from(a, (_, t) => {
        const [i, j] = [Math.floor(t / n), t % n];
        let acc = 0;
        for (let k = 0; k < 13; k++) acc += (g[k] / gs) * a[horizontal ? i * n + ((j + k - 6 + n) % n) : ((i + k - 6 + n) % n) * n + j];
        return acc;
      });
    const y = blur(blur(x, true), false).map((v, t) => v + sigma * z[t]);
    const haar: number[] = [];
    for (let i = 0; i < n; i += 2) for (let j = 0; j < n; j += 2) haar.push((y[i * n + j] - y[i * n + j + 1] - y[(i + 1) * n + j] + y[(i + 1) * n + j + 1]) / 2);
    // measured: Haar +1.8%, db4 −0.2% (the MAD's own spread over 16 384 coefficients is ~0.6%)
    expect(madNoiseLevel(haar) / sigma - 1).toBeGreaterThan(0.015);
    expect(Math.abs(noiseLevel(y, [n, n])! / sigma - 1)).toBeLessThan(0.006);
  });

  it("is null for noise-free piecewise-constant data and for shapes too small to pair", () => {
    expect(noiseLevel(Float64Array.from({ length: 64 }, (_, i) => (i < 32 ? 1 : 2)), [64])).toBeNull();
    expect(noiseLevel(Float64Array.of(1), [1])).toBeNull();
    expect(noiseLevel(Float64Array.of(1, 2, 3), [1, 3])).toBeNull();
  });
});

describe("madNoiseLevel", () => {
  it("is median(|v|)/Φ⁻¹(3/4), for odd and even counts", () => {
    expect(madNoiseLevel([3, -1, 2])).toBeCloseTo(2 / 0.6744897501960817, 14);
    expect(madNoiseLevel([-4, 1, 2, -3])).toBeCloseTo(2.5 / 0.6744897501960817, 14);
    expect(() => madNoiseLevel([])).toThrow(/no coefficients/);
  });
});

describe("dataTerms and the spec's noise levels", () => {
  const spec = (extra: Record<string, unknown> = {}) => ({
    name: "fit",
    state: { x: { shape: [8] } },
    data: { y: [1, 2, 3, 4, 5, 6, 7, 8] },
    terms: [{ kind: "data" as const, atom: "leastSquares", target: "y" }],
    ...extra,
  });

  it("finds the data term with its target, m, shape and the given σ (null when not given)", () => {
    const given = compileFlow(spec({ noise: { y: { sigma: 0.25 } } })).compiled;
    const [t] = dataTerms(given);
    expect(t).toMatchObject({ name: "terms[0]", targetName: "y", m: 8, shape: [8], sigma: 0.25, opName: null });
    expect(residualNormSq(t, { x: Float64Array.from({ length: 8 }, (_, i) => i) })).toBe(8);
    given.dispose();
    const none = compileFlow(spec()).compiled;
    expect(dataTerms(none)[0].sigma).toBeNull();
    none.dispose();
  });

  it("lint names the path, the value found and what was expected for a bad noise entry", () => {
    const unknown = lintSpec(spec({ noise: { z: { sigma: 0.1 } } }), { registry: defaultRegistry() });
    expect(unknown.findings.find((f) => f.path === "noise.z")?.message).toMatch(/no data array named "z"/);
    const bad = lintSpec(spec({ noise: { y: { sigma: -1 } } }), { registry: defaultRegistry() });
    const f = bad.findings.find((x) => x.path === "noise.y.sigma")!;
    expect(f.severity).toBe("error");
    expect(f.found).toBe("-1");
    expect(f.expected).toMatch(/> 0/);
    const target = lintSpec(spec({ policies: { tuner: { target: "morozov" } } }), { registry: defaultRegistry() });
    expect(target.findings.find((x) => x.path === "policies.tuner.target")?.severity).toBe("error");
    const tau = lintSpec(spec({ policies: { tuner: { tau: 0 } } }), { registry: defaultRegistry() });
    expect(tau.findings.find((x) => x.path === "policies.tuner.tau")?.found).toBe("0");
  });
});
