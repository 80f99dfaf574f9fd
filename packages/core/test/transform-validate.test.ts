import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype } from "../src/dtype.js";
import type { RealBuf } from "../src/kernel/kernel.js";
import type { PlanBuilder } from "../src/kernel/plan.js";
import { definePlugin } from "../src/registry/plugin.js";
import { Registry } from "../src/registry/registry.js";
import { DwtTransform } from "../src/transforms/dwt.js";
import { SwtTransform } from "../src/transforms/swt.js";
import { type Band, type FrameType, KernelTransform, type TransformFactory } from "../src/transforms/transform.js";
import { VALIDATION_THRESHOLDS, validateTransform, validateTransformFactory } from "../src/transforms/validate.js";
import { rngKey } from "../src/rng.js";

/** W = s·I declared with a frame and constant, and an inverse/adjoint that may be wrong on purpose. */
class ScaledIdentity extends KernelTransform {
  readonly levels = 0;
  readonly bands: Band[];
  constructor(
    dtype: Dtype,
    readonly name: string,
    readonly frame: FrameType,
    readonly c: number,
    private readonly s: number,
    private readonly inverseScale: number,
    private readonly adjointScale: number,
    bands?: Band[],
  ) {
    super(dtype, [6, 4], 24);
    this.bands = bands ?? [{ level: 0, orientation: "x", offset: 0, shape: [6, 4] }];
  }
  private scaled(p: PlanBuilder, a: number, from: RealBuf, to: RealBuf): void {
    p.call("copy", 24, from, to).call("scale", 24, this.cells.cell(a), to);
  }
  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    this.scaled(p, this.s, x, out);
  }
  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    this.scaled(p, this.inverseScale, u, out);
  }
  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    this.scaled(p, this.adjointScale, u, out);
  }
}

describe.each(DTYPES)("validateTransform (%s)", (dtype) => {
  it("passes the built-ins and reports the measured statistics, the key and the probe count", () => {
    const key = rngKey(42);
    const W = new DwtTransform("db4", { shape: [64, 64], levels: 3, dtype });
    const v = validateTransform(W, { key, probes: 4 });
    expect(v).toMatchObject({ name: "db4", pass: true, frame: "unitary", c: 1, dtype, key, probes: 4, failures: [] });
    expect(v.reconstructionError).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-6);
    expect(v.energyError!).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-6);
    // the same key gives the same statistics
    expect(validateTransform(W, { key, probes: 4 })).toEqual(v);
    const S = new SwtTransform("sym4", { shape: [256], levels: 4, dtype });
    expect(validateTransform(S)).toMatchObject({ pass: true, frame: "tight", c: 1 });
    W.dispose();
    S.dispose();
  });

  it("the float32 reconstruction threshold keeps a wide margin over what the built-ins measure", () => {
    expect(VALIDATION_THRESHOLDS.float64).toEqual({ reconstruction: 1e-6, energy: 1e-3, adjoint: 1e-10 });
    const W = new DwtTransform("db8", { shape: [256, 256], levels: 4, dtype });
    const v = validateTransform(W, { probes: 1 });
    expect(v.reconstructionError).toBeLessThan(VALIDATION_THRESHOLDS[dtype].reconstruction / 10);
    W.dispose();
  });

  it("checks the energy against the declared constant: √2·I is a tight frame with c = 2", () => {
    const W = new ScaledIdentity(dtype, "sqrt2", "tight", 2, Math.SQRT2, Math.SQRT1_2, Math.SQRT2);
    const v = validateTransform(W);
    expect(v.pass).toBe(true);
    expect(v.energyError!).toBeLessThan(1e-6);
    const wrongC = new ScaledIdentity(dtype, "sqrt2-claims-c1", "tight", 1, Math.SQRT2, Math.SQRT1_2, Math.SQRT2);
    const bad = validateTransform(wrongC);
    expect(bad.pass).toBe(false);
    expect(bad.energyError!).toBeCloseTo(1, 5);
    expect(bad.failures.join()).toMatch(/energy error/);
    W.dispose();
    wrongC.dispose();
  });

  it("fails a wrong inverse and a wrong adjoint, saying which", () => {
    const noInverse = new ScaledIdentity(dtype, "no-inverse", "general", 1, 2, 1, 2);
    const r = validateTransform(noInverse);
    expect(r.pass).toBe(false);
    expect(r.reconstructionError).toBeCloseTo(1, 5);
    expect(r.energyError).toBeNull();
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(/reconstruction error/);
    const badAdjoint = new ScaledIdentity(dtype, "bad-adjoint", "general", 1, 2, 0.5, 1);
    const a = validateTransform(badAdjoint);
    expect(a.pass).toBe(false);
    expect(a.failures[0]).toMatch(/adjoint error/);
    noInverse.dispose();
    badAdjoint.dispose();
  });
});

describe("validateTransformFactory as a registry validator", () => {
  const factory = (make: (dtype: Dtype) => KernelTransform): TransformFactory => ({ create: (o) => make(o.dtype), probe: { shape: [6, 4] } });

  it("accepts a correct plugin transform and reports a broken one by plugin name, leaving the others registered", () => {
    const r = new Registry({ transforms: validateTransformFactory });
    const report = r.use(
      definePlugin({ name: "good", version: "1.0.0", setup: (reg) => reg.transforms.register("sqrt2", factory((d) => new ScaledIdentity(d, "sqrt2", "tight", 2, Math.SQRT2, Math.SQRT1_2, Math.SQRT2))) }),
      definePlugin({ name: "bad", version: "0.1.0", setup: (reg) => reg.transforms.register("liar", factory((d) => new ScaledIdentity(d, "liar", "unitary", 1, 2, 0.5, 2))) }),
    );
    expect(report.loaded.map((p) => p.plugin)).toEqual(["good"]);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0].plugin).toBe("bad");
    expect(report.failed[0].error.message).toMatch(/transform "liar": float64 probes failed: energy error/);
    expect(r.transforms.has("sqrt2")).toBe(true);
    expect(r.transforms.has("liar")).toBe(false);
  });

  it("checks the contract: bands tiling the coefficients, the probe shape, a unitary constant of 1", () => {
    const gap = factory((d) => new ScaledIdentity(d, "gap", "unitary", 1, 1, 1, 1, [{ level: 0, orientation: "x", offset: 4, shape: [20] }]));
    expect(() => validateTransformFactory("gap", gap)).toThrow(/transform "gap": bands leave a gap or overlap at coefficient 0/);
    const short = factory((d) => new ScaledIdentity(d, "short", "unitary", 1, 1, 1, 1, [{ level: 0, orientation: "x", offset: 0, shape: [20] }]));
    expect(() => validateTransformFactory("short", short)).toThrow(/bands cover 20 coefficients/);
    const wrongShape: TransformFactory = { create: (o) => new ScaledIdentity(o.dtype, "s", "unitary", 1, 1, 1, 1), probe: { shape: [24] } };
    expect(() => validateTransformFactory("s", wrongShape)).toThrow(/probe shape \[24\] gave a transform of shape \[6, 4\]/);
    const unitaryC2 = factory((d) => new ScaledIdentity(d, "u", "unitary", 2, Math.SQRT2, Math.SQRT1_2, Math.SQRT2));
    expect(() => validateTransformFactory("u", unitaryC2)).toThrow(/a unitary transform has c = 1/);
    expect(() => validateTransformFactory("x", { probe: { shape: [4] } } as unknown as TransformFactory)).toThrow(/expected a factory/);
  });
});
