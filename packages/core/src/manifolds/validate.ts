import { DTYPES, type Dtype, type RealArray, type Shape, describeValue, sameShape, shapeSize } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Manifold, ManifoldFactory } from "../ports/manifold.js";
import { foldIn, normal, rngKey, split } from "../rng.js";

/** One measured property of a manifold at the probe shape. */
export interface ManifoldCheck {
  property: string;
  dtype: Dtype;
  /** The worst measured error over the trials (NaN if the method threw). */
  error: number;
  tolerance: number;
  passed: boolean;
  /** Why it failed, when a method threw or returned the wrong kind of array. */
  note?: string;
}

export interface ManifoldValidationReport {
  name: string;
  shape: Shape;
  seed: number;
  trials: number;
  checks: ManifoldCheck[];
}

export interface ManifoldValidationOptions {
  /** Seed of the probe points and vectors (default 0x6d616e69). */
  seed?: number;
  /** Random points tried per dtype (default 3). */
  trials?: number;
}

const REQUIRED = ["exp", "log", "retract", "projTangent", "egradToRgrad", "metric", "transport", "dist", "project", "residual", "random"] as const;

/**
 * Tolerances of the probe. They catch wrong formulas (errors of order one), not lost digits: the
 * adapters' own tests pin precision. Relative to the size of the quantities compared.
 */
const TOL: Record<Dtype, number> = { float64: 1e-8, float32: 2e-3 };

/** Metric length of the probe tangent vectors: far enough to see curvature, well inside any injectivity radius. */
const PROBE_LENGTH = 0.5;

/**
 * Registration-time validation of a manifold (`new Registry({ manifolds: validateManifoldFactory })`):
 * creates the factory's probe shape in both dtypes and measures on random points and tangent
 * vectors that points and retractions stay on the manifold (residual), exp and log invert each
 * other, projTangent is idempotent, retract agrees with exp to first order, the metric is
 * symmetric and positive, transport is an isometry into the tangent space at its target,
 * egradToRgrad is tangent and satisfies ⟨rgrad, w⟩_x = ⟨egrad, w⟩, dist is the length of log, the algebra
 * coordinates (when given) are an isometric inverse pair, and outputs keep the dtype and honour
 * `out`. The first failed property is thrown as a CflowError naming the manifold, the property,
 * the dtype and the measured error; otherwise the report holds every measurement (for a manifest).
 */
export function validateManifoldFactory(name: string, factory: ManifoldFactory, options: ManifoldValidationOptions = {}): ManifoldValidationReport {
  const path = `manifolds.${name}`;
  if (typeof factory?.create !== "function" || !Array.isArray(factory?.probe?.shape)) {
    throw new CflowError("MANIFOLD_BAD_FACTORY", `manifold "${name}": expected { create(options), probe: { shape } }, found ${describeValue(factory)}`, {
      path,
      expected: "{ create, probe: { shape } }",
      found: describeValue(factory),
    });
  }
  const shape = factory.probe.shape;
  const seed = options.seed ?? 0x6d616e69;
  const trials = options.trials ?? 3;
  const checks: ManifoldCheck[] = [];
  for (const dtype of DTYPES) {
    const probe = new Probe(factory, dtype, checks);
    probe.run(seed, trials);
  }
  const report: ManifoldValidationReport = { name, shape: [...shape], seed, trials, checks };
  const failed = checks.filter((c) => !c.passed);
  if (failed.length > 0) {
    const f = failed[0];
    const measured = Number.isNaN(f.error) ? (f.note ?? "no measurement") : `measured ${f.error.toExponential(3)} > tolerance ${f.tolerance.toExponential(1)}`;
    throw new CflowError(
      "MANIFOLD_VALIDATION_FAILED",
      `manifold "${name}" failed validation at probe shape [${shape.join(", ")}]: ${f.property} (${f.dtype}) — ${measured}` +
        (f.note && !Number.isNaN(f.error) ? ` (${f.note})` : "") +
        (failed.length > 1 ? `; also failed: ${failed.slice(1).map((c) => `${c.property} (${c.dtype})`).join(", ")}` : ""),
      {
        path,
        expected: `${f.property} within ${f.tolerance}`,
        found: failed.map((c) => ({ property: c.property, dtype: c.dtype, error: c.error, note: c.note })),
        hint: "the probe uses random points from manifold.random and tangent vectors from projTangent; see ManifoldCheck in the report for every measurement",
      },
    );
  }
  return report;
}

/** The measurements for one dtype, accumulated as the worst error per property over the trials. */
class Probe {
  private m!: Manifold;
  private readonly tol: number;
  private readonly worst = new Map<string, ManifoldCheck>();

  constructor(
    private readonly factory: ManifoldFactory,
    private readonly dtype: Dtype,
    private readonly checks: ManifoldCheck[],
  ) {
    this.tol = TOL[dtype];
  }

  run(seed: number, trials: number): void {
    const shape = this.factory.probe.shape;
    try {
      this.m = this.factory.create({ shape, dtype: this.dtype });
    } catch (err) {
      this.fail("create", `create({ shape: [${shape.join(", ")}], dtype: "${this.dtype}" }) threw: ${message(err)}`);
      this.flush();
      return;
    }
    if (!this.structure(shape)) {
      this.flush();
      return;
    }
    for (let t = 0; t < trials; t++) this.trial(foldIn(rngKey(seed), t));
    this.flush();
  }

  private structure(shape: Shape): boolean {
    const m = this.m;
    const missing = REQUIRED.filter((k) => typeof (m as unknown as Record<string, unknown>)[k] !== "function");
    if (missing.length) return this.fail("interface", `missing methods: ${missing.join(", ")}`), false;
    if (!Array.isArray(m.shape) || !sameShape(m.shape, shape)) return this.fail("shape", `manifold.shape is ${describeValue(m.shape)}, expected [${shape.join(", ")}]`), false;
    if (m.dtype !== this.dtype) return this.fail("dtype", `manifold.dtype is ${describeValue(m.dtype)}, expected "${this.dtype}"`), false;
    if (!Number.isInteger(m.dim) || m.dim < 1 || m.dim > shapeSize(shape)) return this.fail("dim", `dim is ${describeValue(m.dim)}, expected an integer in [1, ${shapeSize(shape)}]`), false;
    if ((typeof m.toAlgebra === "function") !== (typeof m.fromAlgebra === "function")) return this.fail("algebra", "toAlgebra and fromAlgebra must be given together"), false;
    this.record("interface", 0, 0);
    return true;
  }

  private trial(key: readonly [number, number]): void {
    const m = this.m;
    const n = shapeSize(m.shape);
    const [kx, ku, kv, kw, kg] = split(key, 5);
    const x = this.array("random", () => m.random(kx), n);
    if (!x) return;
    this.measure("random lies on the manifold (residual)", () => m.residual(x));

    const tangent = (k: readonly [number, number], length: number): RealArray | undefined =>
      this.array("projTangent", () => {
        const u = m.projTangent(x, normal(k, n, this.dtype));
        const s = length / Math.sqrt(m.metric(x, u, u));
        return u.map((q) => q * s) as RealArray;
      }, n);
    const v = tangent(ku, PROBE_LENGTH);
    const a = tangent(kv, 1);
    const w = tangent(kw, PROBE_LENGTH);
    if (!v || !a || !w) return;

    this.measure("projTangent is idempotent", () => relDiff(m.projTangent(x, v), v));
    const y = this.array("exp", () => m.exp(x, v), n);
    if (y) {
      this.measure("exp stays on the manifold (residual)", () => m.residual(y));
      this.measure("log(x, exp(x, v)) = v", () => relDiff(m.log(x, y), v));
    }
    const r = this.array("retract", () => m.retract(x, w), n);
    if (r) {
      this.measure("retract stays on the manifold (residual)", () => m.residual(r));
      this.measure("exp(x, log(x, y)) = y", () => relDiff(m.exp(x, m.log(x, r)), r));
      this.measure("dist is the metric length of log", () => {
        const l = m.log(x, r);
        return Math.abs(m.dist(x, r) - Math.sqrt(m.metric(x, l, l))) / (1 + m.dist(x, r));
      });
    }
    const h = this.dtype === "float64" ? 1e-4 : 1e-2;
    // First order: ‖R(x, hv) − exp(x, hv)‖ = O(h²), so the ratio below is O(h) for a retraction
    // and of order one for a map that ignores v or moves in another direction.
    this.measure(
      "retract agrees with exp to first order",
      () => {
        const hv = v.map((q) => q * h) as RealArray;
        return norm(sub(m.retract(x, hv), m.exp(x, hv))) / norm(hv);
      },
      this.dtype === "float64" ? 1e-2 : 1e-1,
    );
    this.measure("metric is symmetric", () => Math.abs(m.metric(x, a, v) - m.metric(x, v, a)) / PROBE_LENGTH);
    this.measure("metric is positive", () => {
      const q = m.metric(x, a, a);
      return q > 0 ? 0 : 1 + Math.abs(q);
    });
    if (y) {
      this.measure("transport preserves the metric", () => {
        const ta = m.transport(x, y, a);
        const tv = m.transport(x, y, v);
        return (Math.abs(m.metric(y, ta, tv) - m.metric(x, a, v)) + Math.abs(m.metric(y, ta, ta) - m.metric(x, a, a))) / PROBE_LENGTH;
      });
      this.measure("transport lands in the tangent space at y", () => {
        const ta = m.transport(x, y, a);
        return relDiff(m.projTangent(y, ta), ta);
      });
    }
    const g = normal(kg, n, this.dtype);
    this.measure("egradToRgrad satisfies ⟨rgrad, w⟩_x = ⟨egrad, w⟩", () => {
      const rg = m.egradToRgrad(x, g);
      checkKind(rg, this.dtype, n, "egradToRgrad");
      return Math.abs(m.metric(x, rg, w) - dot(g, w)) / (norm(g) * norm(w));
    });
    this.measure("egradToRgrad is tangent", () => {
      const rg = m.egradToRgrad(x, g);
      return relDiff(m.projTangent(x, rg), rg);
    });
    if (m.toAlgebra && m.fromAlgebra) {
      const toA = m.toAlgebra.bind(m);
      const fromA = m.fromAlgebra.bind(m);
      this.measure("fromAlgebra(toAlgebra(v)) = v", () => {
        const c = toA(x, a);
        checkKind(c, this.dtype, m.dim, "toAlgebra");
        return relDiff(fromA(x, c), a);
      });
      this.measure("algebra coordinates are orthonormal (‖c‖² = ⟨v, v⟩_x)", () => {
        const c = toA(x, a);
        return Math.abs(dot(c, c) - m.metric(x, a, a));
      });
    }
    this.measure("out is returned and filled", () => {
      const out = this.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      const res = m.exp(x, v, out);
      if (res !== out) throw new Error("exp(x, v, out) did not return out");
      return relDiff(out, m.exp(x, v));
    });
  }

  /** Runs `f`, requires an array of the dtype and length, records a failure otherwise. */
  private array(what: string, f: () => RealArray, n: number): RealArray | undefined {
    try {
      const a = f();
      checkKind(a, this.dtype, n, what);
      return a;
    } catch (err) {
      this.fail(`${what} returns a ${this.dtype} array of ${n} entries`, message(err));
      return undefined;
    }
  }

  private measure(property: string, f: () => number, tolerance = this.tol): void {
    let e: number;
    try {
      e = f();
    } catch (err) {
      this.fail(property, `threw: ${message(err)}`);
      return;
    }
    if (Number.isNaN(e)) this.record(property, Infinity, tolerance, "the measurement is NaN");
    else this.record(property, e, tolerance);
  }

  /** Keeps, per property, the worst trial: a throw over a failed measurement over a passed one, else the larger error. */
  private record(property: string, error: number, tolerance: number, note?: string): void {
    const next: ManifoldCheck = { property, dtype: this.dtype, error, tolerance, passed: error <= tolerance, ...(note ? { note } : {}) };
    const prev = this.worst.get(property);
    if (!prev || severity(next) > severity(prev) || (severity(next) === severity(prev) && error > prev.error)) this.worst.set(property, next);
  }

  private fail(property: string, note: string): void {
    this.record(property, NaN, 0, note);
  }

  private flush(): void {
    this.checks.push(...this.worst.values());
    this.worst.clear();
  }
}

function severity(c: ManifoldCheck): number {
  return Number.isNaN(c.error) ? 2 : c.passed ? 0 : 1;
}

function checkKind(a: unknown, dtype: Dtype, n: number, what: string): void {
  const ok = dtype === "float64" ? a instanceof Float64Array : a instanceof Float32Array;
  if (!ok) throw new Error(`${what} returned ${describeValue(a)}, expected a ${dtype === "float64" ? "Float64Array" : "Float32Array"}`);
  if ((a as RealArray).length !== n) throw new Error(`${what} returned ${(a as RealArray).length} entries, expected ${n}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

function sub(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return Array.from(a, (q, i) => q - b[i]);
}

/** ‖a − b‖ / max(‖b‖, 1e-300): relative to the quantity checked. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  return norm(sub(a, b)) / Math.max(norm(b), 1e-300);
}
