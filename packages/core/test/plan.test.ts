import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { CellBank, Kernel, PlanBuilder } from "../src/kernel/index.js";
import { parityTol } from "./helpers.js";
import { expectArrayClose, mulberry32, randomArray } from "@cflow/test-kit";

describe.each(DTYPES)("plans (%s)", (dtype) => {
  const k = Kernel.get(dtype);

  it("run recorded kernel calls in one call, reading scalars from cells and writing reductions to cells", () => {
    const rand = mulberry32(11);
    const n = 1001;
    const xa = randomArray(dtype, n, rand);
    const ya = randomArray(dtype, n, rand);
    const x = k.from(xa);
    const y = k.from(ya);
    const cells = new CellBank(k);
    const a = cells.cell(0.5);
    const b = cells.cell(-2);
    const d = cells.cell();
    const plan = new PlanBuilder(k).call("axpby", n, a, x, b, y).call("dot", n, x, y, d).build();
    expect(plan.kernelCalls).toBe(1);
    plan.run();
    // same calls made directly
    const x2 = k.from(xa);
    const y2 = k.from(ya);
    k.exports.axpby(n, 0.5, x2.ptr, -2, y2.ptr);
    expect(Array.from(y.view)).toEqual(Array.from(y2.view));
    expect(d.value).toBe(k.exports.dot(n, x2.ptr, y2.ptr));
    // changing a cell changes the next run without rebuilding
    a.value = 0;
    b.value = 1;
    plan.run();
    expectArrayClose(y.view, y2.view, parityTol(dtype));
    for (const buf of [x, y, x2, y2]) buf.free();
    plan.dispose();
    cells.dispose();
  });

  it("interleave JavaScript steps with kernel segments in order", () => {
    const x = k.alloc(3);
    const cells = new CellBank(k);
    const seen: number[][] = [];
    const prog = new PlanBuilder(k)
      .call("fill", 3, cells.cell(1), x)
      .js(() => seen.push(Array.from(x.view)))
      .call("scale", 3, cells.cell(3), x)
      .call("scale", 3, cells.cell(2), x)
      .js(() => seen.push(Array.from(x.view)))
      .build();
    expect(prog.kernelCalls).toBe(2);
    expect(prog.jsSteps).toBe(2);
    prog.run();
    expect(seen).toEqual([
      [1, 1, 1],
      [6, 6, 6],
    ]);
    prog.dispose();
    cells.dispose();
    x.free();
  });

  it("sub-buffers address a slice of a buffer and cannot be freed on their own", () => {
    const whole = k.alloc(10);
    const part = whole.sub(4, 3);
    k.exports.fill(part.length, 7, part.ptr);
    expect(Array.from(whole.view)).toEqual([0, 0, 0, 0, 7, 7, 7, 0, 0, 0]);
    expect(() => part.free()).toThrow(/view of another buffer/);
    expect(() => whole.sub(8, 3)).toThrow(/shape mismatch/);
    whole.free();
    expect(part.isFreed).toBe(true);
  });

  it("rejects calls that do not match the generated signatures, when recorded", () => {
    const cells = new CellBank(k);
    const x = k.alloc(4);
    const p = new PlanBuilder(k);
    expect(() => p.call("axpy", 4, 0.5, x, x)).toThrow(/expected a Cell for an f64 scalar/);
    expect(() => p.call("axpy", 4, cells.cell(1), x)).toThrow(/axpy takes 4 arguments/);
    expect(() => p.call("dot", 4, x, x)).toThrow(/result cell/);
    expect(() => p.call("nope" as never)).toThrow(/no kernel function "nope"/);
    const other = Kernel.get(dtype === "float64" ? "float32" : "float64").alloc(4);
    expect(() => p.call("copy", 4, other, x)).toThrow(/belongs to the/);
    other.free();
    x.free();
    cells.dispose();
  });
});
