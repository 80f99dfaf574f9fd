// The certificate line of `cflow run`: it never shows gate values that read as a pass on a
// certificate that failed, and it says why a certificate failed closed. `cflow cert` on a
// primal–dual flow prints its step-size certificate instead of an (empty) table of FDA attempts.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { certificateSummary, errorBarLine } from "../src/run/certificate-text.js";
import { createStyle } from "../src/style.js";
import { REPO_ROOT, cli } from "./helpers.js";

const gates = { etaMax: 0.9, gammaMin: 1e-6 };
const style = createStyle(false);
const base = { method: "matrix-free" as const, size: 65536 };

describe("certificateSummary", () => {
  it("a pass: both gates, green, no details", () => {
    const s = certificateSummary({ ...base, etaDD: 0.47, gamma: 0.16, pass: true, reasons: [] }, gates, style, true);
    expect(s.line).toBe("η_dd = 0.47 ≤ η_max = 0.9 · γ = 0.16 ≥ γ_min = 1.00e-6 · matrix-free on 65536 active coefficients");
    expect(s.details).toEqual([]);
  });

  it("a failing gate: the comparison that fails, and every reason below", () => {
    const reasons = ["η_dd = 13.13 > η_max = 0.9000: …", "γ = λ_min = 6.750e-12 < γ_min = 1.000e-6: …"];
    const s = certificateSummary({ ...base, method: "exact", size: 1024, etaDD: 13.13, gamma: 6.75e-12, pass: false, reasons }, gates, style, false);
    expect(s.line).toBe("η_dd = 13.13 > η_max = 0.9 · γ = 6.75e-12 < γ_min = 1.00e-6 · exact on 1024 unknowns");
    expect(s.details).toEqual(reasons);
  });

  it("η_dd already failing on a few rows: γ not evaluated, said as such", () => {
    const s = certificateSummary({ ...base, etaDD: 2.5, gamma: Number.NaN, pass: false, reasons: ["η_dd = 2.5 > …", "γ not evaluated: …"] }, gates, style, true);
    expect(s.line).toBe("η_dd = 2.5 > η_max = 0.9 · γ not evaluated (η_dd already fails) · matrix-free on 65536 active coefficients");
    expect(s.details).toHaveLength(2);
  });

  it("failed closed with η_dd a sampled lower bound below the gate: 'not certified' and the actual reason, no passing-looking gates", () => {
    const reason = "η_dd ≥ 0.000 on 8 sampled rows is only a lower bound; certifying η_dd needs every row, and 65536 > exactRowsLimit = 4096 — fail closed (γ not evaluated)";
    const s = certificateSummary({ ...base, etaDD: 0, gamma: Number.NaN, pass: false, reasons: [reason] }, gates, style, false);
    expect(s.line).toBe(`not certified: ${reason} · matrix-free on 65536 unknowns`);
    expect(s.line).not.toMatch(/≤ η_max|already fails/);
    expect(s.details).toEqual([]);
  });

  it("failed closed with both values inside the gates (an unconverged γ, a wrong declaration): the reason, not the values", () => {
    const reasons = ["γ not certified: Lanczos did not converge in 40 steps …", "note: …"];
    const s = certificateSummary({ ...base, etaDD: 0.3, gamma: 0.2, pass: false, reasons }, gates, style, true);
    expect(s.line).toBe(`not certified: ${reasons[0]} · matrix-free on 65536 active coefficients`);
    expect(s.details).toEqual(["note: …"]);
    const wrong = certificateSummary({ ...base, method: "structured", etaDD: Number.NaN, gamma: Number.NaN, pass: false, reasons: ["the declared Hessian structure … does not match L_apply"] }, gates, style, false);
    expect(wrong.line).toMatch(/^not certified: the declared Hessian structure … does not match L_apply · structured on 65536 unknowns$/);
  });
});

describe("errorBarLine", () => {
  it("says how γ was certified and with what probability the bound holds", () => {
    expect(errorBarLine({ errorBar: null })).toBeNull();
    expect(errorBarLine({ errorBar: { bound: 4.4, gradientMapping: 1e-3, route: "lanczos-congruence", failureProbability: 1e-6 } })).toBe(
      "error bar ‖x − x*_S‖ ≤ 4.4 (γ by lanczos-congruence, holds with probability ≥ 1 − 1.00e-6)",
    );
    expect(errorBarLine({ errorBar: { bound: 0.005348, gradientMapping: 2e-6, route: "inertia", failureProbability: 0 } })).toBe("error bar ‖x − x*_S‖ ≤ 0.005348 (γ by inertia, proven)");
    // a support inside one already certified: its γ is the larger support's
    expect(errorBarLine({ errorBar: { bound: 132.4, gradientMapping: 1e-4, route: "inherited", failureProbability: 0 } })).toBe(
      "error bar ‖x − x*_S‖ ≤ 132.4 (γ inherited from a certified support containing S, proven)",
    );
  });
});

describe("cflow cert on a primal–dual flow", () => {
  it("prints the step-size certificate: ‖K‖ bound, its route, τ and σ, each op's bound", async () => {
    const r = await cli(["cert", join(REPO_ROOT, "examples", "poisson-deblur")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^step sizes \(primalDual, θ = 1\): ‖K‖ ≤ 3 \(analytic\) · τ = 0\.33, σ = 0\.33$/m);
    expect(r.stdout).toMatch(/^ {2}tvIsotropic#1 +gradient +2\.828 +analytic$/m);
    expect(r.stdout).toContain("GREEN — στ‖K‖² < 1 on a proven bound of ‖K‖");
    expect(r.stdout).not.toContain("η_dd");
    const j = JSON.parse((await cli(["cert", join(REPO_ROOT, "examples", "poisson-deblur"), "--json"])).stdout).result;
    expect(j.step_sizes).toMatchObject({ op_norm_bound: expect.closeTo(3, 12), op_norm_route: "analytic", proven: true });
    // the stacked K's bound is √(Σ‖K_i‖²) over the ops' bounds (1 for the normalised blur, 2√2 for
    // the gradient), and the steps satisfy στ‖K‖² < 1
    expect(j.step_sizes.ops.map((o: { norm: number }) => o.norm)).toEqual([expect.closeTo(1, 12), expect.closeTo(2 * Math.SQRT2, 12)]);
    expect(j.step_sizes.tau * j.step_sizes.sigma * j.step_sizes.op_norm_bound ** 2).toBeLessThan(1);
  });

  it("says when the step sizes come from preconditioning instead of a norm", async () => {
    const r = await cli(["cert", join(REPO_ROOT, "examples", "salt-pepper")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("diagonal preconditioning from the row and column sums of |K|");
    expect(r.stdout).toContain("GREEN — τ and σ from the row and column sums of |K| (Pock–Chambolle) converge without a norm of K");
  });
});
