// Synthetic but realistic report data: a 2D deconvolution that starts AMBER, is remediated to
// GREEN by the Gap Dial, rolls back once, and finishes GREEN. Built in code (no capsule needed).
import type { EventRecord, ReportData, TelemetryRecord } from "../src/report/report-data.js";

export const RUN_ID = "2025-01-01T00-00-00Z-deconv-2d-ab12";

export interface FixtureOptions {
  iters?: number;
  size?: number;
}

/** A 64×64 phantom (a bright disc and a darker square on a gradient) and its noisy "input". */
export function phantom(size: number): { clean: Float64Array; noisy: Float64Array } {
  const clean = new Float64Array(size * size);
  const noisy = new Float64Array(size * size);
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v = 0.1 + (0.2 * x) / size;
      if ((x - size * 0.35) ** 2 + (y - size * 0.4) ** 2 < (size * 0.18) ** 2) v = 0.9;
      if (x > size * 0.6 && x < size * 0.85 && y > size * 0.55 && y < size * 0.8) v = 0.55;
      clean[y * size + x] = v;
      noisy[y * size + x] = v + 0.15 * rand();
    }
  }
  return { clean, noisy };
}

export function syntheticReportData(o: FixtureOptions = {}): ReportData {
  const iters = o.iters ?? 600;
  const size = o.size ?? 64;
  const greenAt = 80;
  const rollbackAt = 300;
  const regreenAt = 320;
  const telemetry: TelemetryRecord[] = [];
  const events: EventRecord[] = [];
  const ev = (iter: number, event: string, payload: Record<string, unknown>) =>
    iter < iters &&
    events.push({ run_id: RUN_ID, t_wall_ms: Math.max(0, 5 + iter * 12.5), iter, event, payload: JSON.stringify(payload) });
  ev(-1, "RUN_STARTED", { dtype: "float64", seed: 0, family: "accelerated" });
  let lambda = 2e-3;
  for (let k = 0; k < iters; k++) {
    const phase = k < greenAt || (k >= rollbackAt && k < regreenAt) ? "AMBER" : "GREEN";
    const certified = k % 20 === 0;
    if (k < greenAt && k % 20 === 0 && k > 0) {
      lambda *= 2;
      ev(k, "TUNER_MOVE_TRY", { lambda, reason: "feasibility" });
    }
    if (k > greenAt && k % 60 === 0) {
      lambda *= k % 120 === 0 ? 1.15 : 0.9;
      ev(k, "TUNER_MOVE_TRY", { lambda });
      ev(k + 5, k % 120 === 0 ? "TUNER_MOVE_ACCEPTED" : "TUNER_MOVE_REJECTED", { lambda, delta_E: -0.01 });
    }
    const etaDD = certified ? Math.max(0.35, 1.4 - k / 90) : null;
    const gamma = certified ? (k < greenAt ? (k === 0 ? -2e-4 : 0) : 2e-5 * (1 + k / 40)) : null;
    if (certified) ev(k, etaDD! <= 0.9 && gamma! >= 1e-6 ? "CERT_PASS" : "CERT_FAIL", { eta_dd: etaDD, gamma, stage: k < greenAt ? "feasibility" : "polish" });
    telemetry.push({
      run_id: RUN_ID,
      phase,
      iter: k,
      trial_id: k >= greenAt && k < 400 ? Math.floor((k - greenAt) / 60) : null,
      t_wall_ms: 5 + k * 12.5,
      alpha: 0.5,
      lambda,
      lambda_j: JSON.stringify([lambda * 2, lambda * 1.5, lambda, lambda * 0.75]),
      E: 1e3 * Math.exp(-k / 60) + 1 + 0.2 * Math.exp(-((k - rollbackAt) ** 2) / 30),
      grad_norm: 10 * Math.exp(-k / 50) + 1e-6,
      eta_dd: etaDD,
      gamma,
      sparsity_wx: 0.1 + 0.2 * Math.exp(-k / 100),
      invariant_drift_max: null,
      phi_residual: null,
      lens_name: "db4",
      level_active_max: Math.min(4, 1 + Math.floor(k / 50)),
      sparsity_mode: "per-band",
      flow_family: "accelerated",
      warnings: null,
      notes: null,
    });
  }
  ev(greenAt, "PHASE_CHANGED", { from: "AMBER", to: "GREEN" });
  for (const k of [50, 100, 150]) ev(k, "SCALE_ACTIVATED", { level: k / 50 + 1 });
  ev(0, "LENS_SELECTED", { name: "db4", candidates: ["db4", "haar"] });
  ev(rollbackAt, "ROLLBACK", { to_iter: 280, lambda, reason: "energy regression" });
  ev(rollbackAt, "PHASE_CHANGED", { from: "GREEN", to: "AMBER" });
  ev(regreenAt, "PHASE_CHANGED", { from: "AMBER", to: "GREEN" });
  for (let k = 50; k < iters; k += 50) ev(k, "CHECKPOINT_WRITTEN", { iter: k, good: k >= greenAt });
  ev(iters - 1, "RUN_FINISHED", { status: "FINISHED", phase: "GREEN", iters });
  events.sort((a, b) => a.iter - b.iter);
  const { clean, noisy } = phantom(size);
  return {
    manifest: {
      run_id: RUN_ID,
      started_at: "2025-01-01T00:00:00Z",
      schema_version: 1,
      dtype: "float64",
      seed: 0,
      deterministic: false,
      redact_artifacts: false,
      flow_family: "accelerated",
      frame_type: "unitary",
      lens: "db4",
      extra: { spec: { name: "deconv-2d", path: "examples/deconv-2d/spec.ts", description: "Wavelet-L1 deconvolution of a 64×64 phantom." } },
      gates: { eta_max: 0.9, gamma_min: 1e-6 },
      budgets: { max_iters: iters, max_trials: 20, wall_time_ms: 600000 },
      summary: {
        status: "FINISHED",
        phase: "GREEN",
        iters,
        final_energy: telemetry[telemetry.length - 1].E,
        t_wall_ms: 5 + iters * 12.5,
        error_bar: { bound: 0.0123, gradient_mapping: 4.2e-5, route: "lanczos-congruence", failure_probability: 1e-6 },
      },
      versions: { "@cflow/core": "0.1.0", "@cflow/cli": "0.1.0" },
    },
    telemetry,
    events,
    images: [
      { name: "input", shape: [size, size], data: noisy },
      { name: "result", shape: [size, size], data: clean },
    ],
  };
}
