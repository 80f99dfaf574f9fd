// The live state a sink can ask for (RunSink.observe, controller/context.ts `showState`): called
// after every certificate evaluation and at every checkpoint point, in the feasibility phase
// too, with the iterate of that iteration in the user's slots — checked against the closed form
// of gradient descent on ½‖x − y‖² — and never built when no sink asks for it.
import { jacobiEigen } from "@cflow/test-kit";
import { describe, expect, it, vi } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { runCertified } from "../src/controller/run-certified.js";
import type { Dtype } from "../src/dtype.js";
import type { Certificate, CertificateContext, CertificateHook, TracePoint } from "../src/ports/certificates.js";
import type { FlowEvent } from "../src/ports/events.js";
import type { RunSink, StateView } from "../src/ports/sink.js";

const N = 12;
/** Gradient descent with α = 0.5/L on ½‖x − y‖² (L = 1) from x₀ = 0: x_k = (1 − 2^−k) y. */
const STEP = 0.5;
const y = Float64Array.from({ length: N }, (_, i) => Math.sin(i + 1) * 3);

function compile(dtype: Dtype) {
  return compileFlow(
    {
      dtype,
      state: { x: { shape: [3, 4] } },
      data: { y: dtype === "float32" ? Float32Array.from(y) : y },
      terms: [{ kind: "data", atom: "leastSquares", target: "y" }],
      policies: { flow: { family: "gradient", stepScale: STEP, lineSearch: "never" }, tuner: { enabled: false }, budgets: { maxIters: 40, tol: 0, rtol: 0 } },
    },
    { dtype },
  ).compiled;
}

/**
 * Exact certificates of the Hessian (dense, by the Jacobi eigen-solver of @cflow/test-kit) that
 * fail while `failing()` holds; the Lyapunov check of the monotone families' descent lemma.
 */
function denseCertificates(failing: () => boolean): CertificateHook {
  return {
    name: "dense",
    certify(c: CertificateContext): Certificate {
      const rows: number[][] = [];
      const Arr = c.dtype === "float32" ? Float32Array : Float64Array;
      const e = new Arr(c.n);
      const out = new Arr(c.n);
      for (let j = 0; j < c.n; j++) {
        e.fill(0);
        e[j] = 1;
        c.L_apply(e, out);
        rows.push(Array.from(out));
      }
      const off = rows.map((r, i) => r.reduce((s, v, j) => (j === i ? s : s + Math.abs(v)), 0));
      const etaDD = Math.max(...off.map((o, i) => o / (Math.abs(rows[i][i]) + 1e-300)));
      const values = jacobiEigen(rows).values;
      const gamma = Math.min(...values);
      const fail = failing();
      const pass = !fail && etaDD <= c.gates.etaMax && gamma >= c.gates.gammaMin;
      return {
        etaDD,
        dominance: "plain",
        gamma,
        // a dense eigen-decomposition: exact up to rounding (a test hook, not a certificate route)
        route: "inertia",
        failureProbability: 0,
        gammaGershgorin: Math.min(...off.map((o, i) => Math.abs(rows[i][i]) - o)),
        lambdaMax: Math.max(...values),
        method: "exact",
        size: c.n,
        pass,
        violations: pass ? [] : [{ gate: fail ? "descent" : "gamma", value: gamma, threshold: c.gates.gammaMin, message: fail ? "failing on purpose (test)" : "gates not met" }],
        reasons: fail ? ["failing on purpose (test)"] : pass ? [] : ["gates not met"],
        notes: [],
        errorBar: null,
        cost: { applications: c.n, ms: 0 },
        diagnostics: {},
      };
    },
    descentViolation(prev: TracePoint, next: TracePoint, o: { monotone: boolean; tol: number; beta?: number }): number {
      if (!o.monotone || next.restarted) return 0;
      const a0 = o.beta === undefined ? next.alpha / 2 : next.alpha * (1 - (next.alpha * o.beta) / 2);
      return Math.max(0, next.E - (prev.E - a0 * next.gradNorm ** 2 + o.tol));
    },
  };
}

/** What a sink saw, in order: events and state views (copied: the views are not the sink's to keep). */
type Seen = { kind: "event"; e: FlowEvent } | { kind: "state"; iter: number; phase: string; at: string; slots: Record<string, Float64Array> };

function liveSink(seen: Seen[]): RunSink {
  return {
    name: "live",
    event: (e) => seen.push({ kind: "event", e }),
    observe: (v: StateView) => seen.push({ kind: "state", iter: v.iter, phase: v.phase, at: v.at, slots: Object.fromEntries(Object.entries(v.slots).map(([k, a]) => [k, Float64Array.from(a)])) }),
  };
}

const tol = (dtype: Dtype) => (dtype === "float64" ? 1e-14 : 1e-6);

function expectIterate(x: Float64Array, k: number, dtype: Dtype): void {
  expect(x.length).toBe(N);
  const shrink = 1 - 2 ** -k;
  for (let i = 0; i < N; i++) expect(Math.abs(x[i] - shrink * y[i]), `x_${k}[${i}]`).toBeLessThanOrEqual(tol(dtype) * Math.abs(y[i]));
}

describe("the live state (RunSink.observe)", () => {
  it.each(["float64", "float32"] as const)("is shown the feasibility certificate's iterate while AMBER, then GREEN's, the polish's and the end's (%s)", async (dtype) => {
    const compiled = compile(dtype);
    const seen: Seen[] = [];
    const r = await runCertified(compiled, { certify: denseCertificates(() => false), sinks: [liveSink(seen)], checkpointEvery: 15 });
    compiled.dispose();
    expect(r.status).toBe("FINISHED");
    const views = seen.filter((s) => s.kind === "state");
    // the start (a checkpoint point, though no sink records checkpoints), then the feasibility certificate after validationIters = 10
    expect(views[0]).toMatchObject({ iter: 0, phase: "AMBER", at: "checkpoint" });
    expectIterate(views[0].slots.x, 0, dtype);
    const feasibility = seen.findIndex((s) => s.kind === "event" && s.e.event === "CERT_PASS" && s.e.payload.stage === "feasibility");
    expect(feasibility).toBeGreaterThan(0);
    const certEvent = seen[feasibility] as Extract<Seen, { kind: "event" }>;
    expect(certEvent.e.iter).toBe(10);
    // right after its event: the state it certified, of that iteration, shown in AMBER (GREEN follows)
    expect(seen[feasibility + 1]).toMatchObject({ kind: "state", iter: 10, phase: "AMBER", at: "certificate" });
    expectIterate((seen[feasibility + 1] as Extract<Seen, { kind: "state" }>).slots.x, 10, dtype);
    const green = seen.findIndex((s) => s.kind === "event" && s.e.event === "PHASE_CHANGED" && s.e.payload.to === "GREEN");
    expect(green).toBe(feasibility + 2);
    expect(seen[green + 1]).toMatchObject({ kind: "state", iter: 10, phase: "GREEN", at: "checkpoint" });
    // every view is the iterate of its iteration: the polish's checkpoints (every 15), its certificates and the end
    for (const v of views) expectIterate(v.slots.x, v.iter, dtype);
    expect(views.filter((v) => v.at === "checkpoint").map((v) => v.iter)).toEqual([0, 10, 15, 30, 40]);
    expect(views.filter((v) => v.at === "certificate").map((v) => v.iter)).toEqual(r.certificates.map((c) => c.iter));
    expect(r.certificates.map((c) => c.stage)).toEqual(expect.arrayContaining(["feasibility", "final"]));
  });

  it("is shown the iterate of a failing feasibility certificate: a run that never leaves AMBER is live too", async () => {
    const compiled = compile("float64");
    const seen: Seen[] = [];
    const r = await runCertified(compiled, { certify: denseCertificates(() => true), sinks: [liveSink(seen)] });
    compiled.dispose();
    expect(r.status).toBe("CERT_FAIL");
    const views = seen.filter((s) => s.kind === "state");
    expect(views.map((v) => [v.iter, v.phase, v.at])).toEqual([
      [0, "AMBER", "checkpoint"],
      [10, "AMBER", "certificate"],
      [10, "AMBER", "checkpoint"], // the end
    ]);
    for (const v of views) expectIterate(v.slots.x, v.iter, "float64");
    const fail = seen.findIndex((s) => s.kind === "event" && s.e.event === "CERT_FAIL");
    expect(seen[fail + 1]).toMatchObject({ kind: "state", iter: 10, at: "certificate" });
  });

  it("an observer's error ends the run, tagged with the sink and the method", async () => {
    const compiled = compile("float64");
    const thrower: RunSink = {
      name: "display",
      observe: (v) => {
        if (v.at === "certificate") throw new Error("canvas gone");
      },
    };
    await expect(runCertified(compiled, { certify: denseCertificates(() => false), sinks: [thrower] })).rejects.toMatchObject({ code: "HOOK_FAILED", details: { hook: "display.observe" } });
    compiled.dispose();
  });

  it("builds no view when no sink asks for it", async () => {
    const compiled = compile("float64");
    const unflatten = vi.spyOn(compiled, "unflatten");
    const quiet: RunSink = { name: "quiet", event() {} };
    const r = await runCertified(compiled, { certify: denseCertificates(() => false), sinks: [quiet], checkpointEvery: 15 });
    expect(r.status).toBe("FINISHED");
    // the result's slots only (finish): no view at the certificates or checkpoint points
    expect(unflatten).toHaveBeenCalledTimes(1);
    unflatten.mockClear();
    await runCertified(compiled, { certify: denseCertificates(() => false), sinks: [quiet, liveSink([])], checkpointEvery: 15 });
    expect(unflatten.mock.calls.length).toBeGreaterThan(5);
    compiled.dispose();
  });
});
