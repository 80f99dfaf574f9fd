// The polish's certificate cadence in real runs (the rule: packages/core/src/controller/
// certificate-cadence.ts). A constant operator with nothing changing is re-certified ever more
// rarely (the interval doubles up to 32 × every); an operator that depends on the state is
// re-certified at every review point; a sparse flow is re-certified as soon as its support grows
// beyond the certified one — checked against the supports the certificates were taken on.
import { compileFlow, type CertificateHook, defineFlow, type Dtype, type FlowEvent, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { describe, expect, test } from "vitest";
import { compileStory } from "./story-problem.js";
import { DTYPES, MemorySink } from "./test-hooks.js";

/** Iterations of the polish's certificates. */
const polishCerts = (events: FlowEvent[]) => events.filter((e) => e.event.startsWith("CERT_") && e.payload.stage === "polish").map((e) => e.iter);

/** A denoising of 64 samples, `data` the smooth term: leastSquares (constant Hessian) or huber (not). */
function denoise(data: "leastSquares" | "huber", dtype: Dtype, maxIters: number) {
  const def = defineFlow(({ dtype: dt }) => {
    const v = Array.from({ length: 64 }, (_, i) => Math.sin(i / 5) + (i % 13 === 0 ? 2 : 0));
    const y = dt === "float64" ? Float64Array.from(v) : Float32Array.from(v);
    return {
      name: `denoise-${data}`,
      dtype: dt,
      state: { x: { shape: [64] } },
      data: { y },
      terms: [
        { kind: "data", atom: data, target: "y", ...(data === "huber" ? { params: { delta: 0.5 } } : {}) },
        { kind: "regularizer", atom: "tikhonov", weight: 0.5 },
      ],
      policies: { tuner: { enabled: false }, certification: { every: 10 }, budgets: { maxIters, tol: 0, rtol: 0 } },
    };
  });
  return compileFlow(def, { dtype, seed: 1 }).compiled;
}

describe.each(DTYPES)("certificate cadence (%s)", (dtype) => {
  test("a constant operator, nothing changing: the interval doubles from 10 to 320 (10 certificates in 2000 iterations, not 199)", async () => {
    const compiled = denoise("leastSquares", dtype, 2000);
    const res = await runCertified(compiled, { certify: fda() });
    compiled.dispose();
    expect(res).toMatchObject({ status: "FINISHED", phase: "GREEN", iters: 2000 });
    // GREEN after the 10-iteration warm-up; then gaps 10, 20, 40, 80, 160, 320, 320, ...
    expect(res.certificates[0]).toMatchObject({ iter: 10, stage: "feasibility" });
    expect(polishCerts(res.events)).toEqual([20, 40, 80, 160, 320, 640, 960, 1280, 1600, 1920]);
    // the state reported is certified on its own
    expect(res.certificates.at(-1)).toMatchObject({ iter: 2000, stage: "final" });
    expect(res.counts.certificates).toBe(12);
    expect(res.runCard).toMatchObject({ certificates: 12 });
  });

  test("an operator that depends on the state (Huber): re-certified at every review point", async () => {
    const compiled = denoise("huber", dtype, 300);
    const res = await runCertified(compiled, { certify: fda() });
    compiled.dispose();
    expect(res).toMatchObject({ status: "FINISHED", phase: "GREEN" });
    expect(polishCerts(res.events)).toEqual(Array.from({ length: 29 }, (_, i) => 20 + 10 * i));
  });

  test("a sparse flow whose support grows (levels unlocked): re-certified when it grows, else ever more rarely", async () => {
    const every = 20;
    const { spec, compiled } = compileStory({
      dtype,
      lambda: 1,
      policies: { multiscale: { mode: "fixed", startLevels: 1, every: 150 }, certification: { every }, budgets: { maxIters: 1500, tol: 0, rtol: 0 } },
    });
    // the support each certificate was taken on, in the order of the CERT events
    const supports: Uint8Array[] = [];
    const inner = fda();
    const hook: CertificateHook = {
      name: "support-capture",
      certify(ctx) {
        supports.push(Uint8Array.from(ctx.coefficients!, (c) => (c !== 0 ? 1 : 0)));
        return inner.certify(ctx);
      },
      descentViolation: (a, b, o) => inner.descentViolation(a, b, o),
    };
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: hook, sinks: [sink] });
    compiled.dispose();
    expect(res).toMatchObject({ status: "FINISHED", phase: "GREEN", iters: 1500 });
    const certs = res.events.filter((e) => e.event.startsWith("CERT_"));
    expect(certs).toHaveLength(supports.length);
    expect(res.events.filter((e) => e.event === "SCALE_ACTIVATED")).toHaveLength(3);

    // replay the rule on the certified supports: from the GREEN certificate, each polish
    // certificate falls on a review point; it finds the support grown (then the interval restarts
    // at `every`) or comes exactly one interval after the last one (then the interval doubles)
    const grew = (now: Uint8Array, base: Uint8Array) => now.some((v, i) => v === 1 && base[i] === 0);
    let base = certs.findIndex((e) => e.payload.stage === "feasibility");
    let interval = every;
    let resets = 0;
    certs.forEach((e, i) => {
      if (e.payload.stage !== "polish") return;
      const since = e.iter - certs[base].iter;
      expect(since % every, `certificate at ${e.iter}`).toBe(0);
      if (grew(supports[i], supports[base])) {
        expect(since).toBeLessThanOrEqual(interval);
        interval = every;
        resets++;
      } else {
        expect(since, `certificate at ${e.iter}`).toBe(interval);
        interval = Math.min(2 * interval, 32 * every);
      }
      base = i;
    });
    // after the last one, no review point was due before the end
    expect(certs[base].iter + interval).toBeGreaterThan(1500);
    // the unlocks grew the support, and the certificates saw it
    expect(resets).toBeGreaterThanOrEqual(1);
    expect(polishCerts(res.events).length).toBeLessThan((1500 - 30) / every / 3);
  });
});
