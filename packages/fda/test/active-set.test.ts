// The active set of a certificate request (resolveActive): core's rule on the coefficients, the
// caller's scan of them when it hands one over (at activeTol 0 only), or an explicit set.
import { activeIndices } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { resolveActive } from "../src/active-set.js";

describe("resolveActive", () => {
  const u = Float64Array.from([0, 2, 0, -1e-3, Number.NaN, 0, 0.5, 0]);

  it("takes the coefficients' non-zeros (NaN included) by core's rule", () => {
    expect(Array.from(resolveActive({ coefficients: u }, 8, "t")!)).toEqual([1, 3, 4, 6]);
    expect(Array.from(resolveActive({ coefficients: u, activeTol: 0.01 }, 8, "t")!)).toEqual([1, 4, 6]);
  });

  it("reads the caller's indices of the coefficients at tol 0 instead of scanning them again", () => {
    const known = activeIndices(u);
    expect(resolveActive({ coefficients: u, known }, 8, "t")).toBe(known);
    // another tolerance is another rule: scanned
    expect(Array.from(resolveActive({ coefficients: u, known, activeTol: 0.01 }, 8, "t")!)).toEqual([1, 4, 6]);
    // indices outside W-space are not the coefficients' scan: scanned
    expect(Array.from(resolveActive({ coefficients: u, known: Int32Array.of(1, 9) }, 8, "t")!)).toEqual([1, 3, 4, 6]);
  });

  it("checks, sorts and deduplicates an explicit set, and refuses both at once", () => {
    expect(Array.from(resolveActive({ activeSet: [5, 1, 5, 0] }, 8, "t")!)).toEqual([0, 1, 5]);
    expect(() => resolveActive({ activeSet: [8] }, 8, "t")).toThrow(/activeSet\[0\] = 8/);
    expect(() => resolveActive({ activeSet: [1], coefficients: u }, 8, "t")).toThrow(/not both/);
    expect(resolveActive({}, 8, "t")).toBeNull();
  });
});
