import { describe, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { paritySizes } from "./helpers.js";
import { expectArrayClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.gather;

describe.each(DTYPES)("gather kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const rand = mulberry32(33);

  it.each(paritySizes(rand))("n = %i", (n) => {
    // k indices into x of length n, with repeats (scatterAdd must accumulate them)
    const count = n === 0 ? 0 : 1 + Math.floor(rand() * 2 * n);
    const idxA = Int32Array.from({ length: count }, () => Math.floor(rand() * n));
    const xa = randomArray(dtype, n, rand);
    const ya = randomArray(dtype, count, rand);
    const ba = randomArray(dtype, n, rand);
    const idx = k.allocI32(count);
    idx.view.set(idxA);
    const [x, y, b] = [xa, ya, ba].map((a) => k.from(a));
    const out = k.alloc(count);
    k.exports.gather(count, idx.ptr, x.ptr, out.ptr);
    const r = ya.slice();
    ref.gather(count, idxA, xa, r);
    expectArrayClose(out.view, r, 0);
    k.exports.scatterAdd(count, idx.ptr, y.ptr, b.ptr);
    const br = ba.slice();
    ref.scatterAdd(count, idxA, ya, br);
    expectArrayClose(b.view, br, dtype === "float64" ? 1e-15 : 1e-7);
    for (const buf of [idx, x, y, b, out]) buf.free();
  });
});
