// Validation of a transform before use (docs/design.md §2.3): reconstruction, energy (unitary and tight
// frames) and adjoint probes on random vectors from core's counter RNG, with the key and the
// measured statistics returned for the run manifest. `validateTransformFactory` runs the same
// probes, plus contract checks, when a transform is registered.
import { DTYPES, type Dtype, sameShape, shapeSize, zeros } from "../dtype.js";
import { CflowError, formatShape } from "../errors.js";
import { type RngKey, foldIn, normal, rngKey } from "../rng.js";
import type { FrameType, TransformFactory, TransformOp } from "./transform.js";

export interface ValidationThresholds {
  /** max ‖W⁻¹(Wx) − x‖ / ‖x‖ */
  reconstruction: number;
  /** max |‖Wx‖² − c‖x‖²| / (c‖x‖²), unitary and tight frames */
  energy: number;
  /** max |⟨Wx, u⟩ − ⟨x, Wᵀu⟩| / (‖Wx‖·‖u‖) */
  adjoint: number;
}

/**
 * Default thresholds. float64: docs/design.md §2.3 (1e-6 reconstruction, 1e-3 energy). float32: the same
 * energy bound, but reconstruction 1e-5 (≈ 84 float32 ulps) — the float64 bound of 1e-6 is only 8 ulps, while
 * the built-in wavelets already measure 1–2.3e-7 on 2^20-sample and 512×512 probes, and deeper or
 * longer user transforms grow like √(levels·F)·ε. Adjoint bounds are rounding-level in each dtype.
 */
export const VALIDATION_THRESHOLDS: Readonly<Record<Dtype, ValidationThresholds>> = {
  float64: { reconstruction: 1e-6, energy: 1e-3, adjoint: 1e-10 },
  float32: { reconstruction: 1e-5, energy: 1e-3, adjoint: 1e-5 },
};

export interface ValidateTransformOptions {
  /** RNG key of the probes (default rngKey(0)); probe i draws from foldIn(key, i). */
  key?: RngKey;
  /** Number of random probes (default 3). */
  probes?: number;
  thresholds?: Partial<ValidationThresholds>;
}

export interface TransformValidation {
  name: string;
  pass: boolean;
  frame: FrameType;
  c: number;
  dtype: Dtype;
  reconstructionError: number;
  /** null for general frames (no energy identity). */
  energyError: number | null;
  adjointError: number;
  thresholds: ValidationThresholds;
  key: RngKey;
  probes: number;
  /** What failed, one line each (empty when pass). */
  failures: string[];
}

function sumSq(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Probes W on random Gaussian vectors: reconstruction, energy (unitary/tight) and adjoint. */
export function validateTransform(W: TransformOp, options: ValidateTransformOptions = {}): TransformValidation {
  const key = options.key ?? rngKey(0);
  const probes = options.probes ?? 3;
  if (!Number.isInteger(probes) || probes < 1) {
    throw new CflowError("BAD_OPTION", `validateTransform(${W.name}): probes must be an integer ≥ 1, found ${String(probes)}`, {
      path: "validateTransform.probes",
      expected: "integer ≥ 1",
      found: probes,
    });
  }
  const thresholds = { ...VALIDATION_THRESHOLDS[W.dtype], ...options.thresholds };
  const n = shapeSize(W.shape);
  let reconstructionError = 0;
  let energyError: number | null = W.frame === "general" ? null : 0;
  let adjointError = 0;
  // one array each for W x, W⁻¹(W x) and Wᵀ v, written over by every probe
  let u = zeros(W.dtype, W.coeffSize);
  let y = zeros(W.dtype, n);
  let wtv = zeros(W.dtype, n);
  for (let i = 0; i < probes; i++) {
    const x = normal(foldIn(key, 2 * i), n, W.dtype);
    const v = normal(foldIn(key, 2 * i + 1), W.coeffSize, W.dtype);
    u = W.forward(x, u);
    y = W.inverse(u, y);
    let err = 0;
    for (let j = 0; j < n; j++) err += (y[j] - x[j]) ** 2;
    const nx = sumSq(x);
    reconstructionError = Math.max(reconstructionError, Math.sqrt(err / nx));
    const nu = sumSq(u);
    if (energyError !== null) energyError = Math.max(energyError, Math.abs(nu - W.c * nx) / (W.c * nx));
    wtv = W.adjoint(v, wtv);
    adjointError = Math.max(adjointError, Math.abs(dot(u, v) - dot(x, wtv)) / Math.sqrt(nu * sumSq(v)));
  }
  const failures: string[] = [];
  const bad = (v: number) => !(v < Infinity) || Number.isNaN(v);
  if (bad(reconstructionError) || reconstructionError >= thresholds.reconstruction) {
    failures.push(`reconstruction error ${reconstructionError.toExponential(3)} ≥ ${thresholds.reconstruction} (‖W⁻¹(Wx) − x‖/‖x‖)`);
  }
  if (energyError !== null && (bad(energyError) || energyError >= thresholds.energy)) {
    failures.push(`energy error ${energyError.toExponential(3)} ≥ ${thresholds.energy} (|‖Wx‖² − c‖x‖²|/(c‖x‖²) with c = ${W.c})`);
  }
  if (bad(adjointError) || adjointError >= thresholds.adjoint) {
    failures.push(`adjoint error ${adjointError.toExponential(3)} ≥ ${thresholds.adjoint} (⟨Wx, u⟩ vs ⟨x, Wᵀu⟩)`);
  }
  return { name: W.name, pass: failures.length === 0, frame: W.frame, c: W.c, dtype: W.dtype, reconstructionError, energyError, adjointError, thresholds, key, probes, failures };
}

const FRAMES: readonly FrameType[] = ["unitary", "tight", "general"];

/**
 * Registry validator for the `transforms` namespace (`new Registry({ transforms:
 * validateTransformFactory })`): creates the factory's probe configuration in both dtypes and
 * checks the TransformOp contract (shape, dtype, frame and constant, a band layout tiling the
 * coefficients) and the reconstruction, energy and adjoint probes. Throws naming the transform
 * and what failed; the registry then reports the plugin that registered it.
 */
export function validateTransformFactory(name: string, factory: TransformFactory): void {
  const where = `transforms.${name}`;
  const fail = (message: string, expected?: unknown, found?: unknown): never => {
    throw new CflowError("TRANSFORM_INVALID", `transform "${name}": ${message}`, { path: where, expected, found });
  };
  if (typeof factory !== "object" || factory === null || typeof factory.create !== "function") {
    fail("expected a factory { create(options), probe: { shape, levels? } }", "{ create, probe }", typeof factory);
  }
  const probe = factory.probe;
  if (typeof probe !== "object" || probe === null || !Array.isArray(probe.shape) || !probe.shape.every((d) => Number.isInteger(d) && d > 0)) {
    fail("probe.shape must be an array of positive integers", "e.g. { shape: [32, 32], levels: 2 }", probe);
  }
  for (const dtype of DTYPES) {
    const W = factory.create({ shape: probe.shape, levels: probe.levels, dtype });
    try {
      if (W.dtype !== dtype) fail(`created in ${dtype}, reports dtype ${String(W.dtype)}`, dtype, W.dtype);
      if (!sameShape(W.shape, probe.shape)) fail(`probe shape ${formatShape(probe.shape)} gave a transform of shape ${formatShape(W.shape)}`, probe.shape, W.shape);
      if (!FRAMES.includes(W.frame)) fail(`frame must be one of ${FRAMES.join(", ")}`, FRAMES, W.frame);
      if (!(Number.isFinite(W.c) && W.c > 0)) fail("frame constant c must be a finite number > 0", "c > 0", W.c);
      if (W.frame === "unitary" && (W.c !== 1 || W.coeffSize !== shapeSize(W.shape))) {
        fail("a unitary transform has c = 1 and as many coefficients as signal samples", `c = 1, ${shapeSize(W.shape)} coefficients`, `c = ${W.c}, ${W.coeffSize} coefficients`);
      }
      if (!Number.isInteger(W.levels) || W.levels < 0) fail("levels must be an integer ≥ 0", "integer ≥ 0", W.levels);
      checkBands(W, fail);
      const v = validateTransform(W, { key: rngKey(0x5eed), probes: 2 });
      if (!v.pass) fail(`${dtype} probes failed: ${v.failures.join("; ")}`, v.thresholds, { reconstruction: v.reconstructionError, energy: v.energyError, adjoint: v.adjointError });
    } finally {
      W.dispose();
    }
  }
}

/** The bands must tile [0, coeffSize) exactly, without gaps or overlaps. */
function checkBands(W: TransformOp, fail: (message: string, expected?: unknown, found?: unknown) => never): void {
  if (!Array.isArray(W.bands) || W.bands.length === 0) fail("bands must list the coefficient layout", "a non-empty array", W.bands);
  const spans = W.bands.map((b) => [b.offset, b.offset + shapeSize(b.shape)] as const).sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [start, stop] of spans) {
    if (start !== end) fail(`bands leave a gap or overlap at coefficient ${Math.min(start, end)}`, `a band starting at ${end}`, `a band starting at ${start}`);
    end = stop;
  }
  if (end !== W.coeffSize) fail(`bands cover ${end} coefficients`, W.coeffSize, end);
}

