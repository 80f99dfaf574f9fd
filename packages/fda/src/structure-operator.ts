import { applyStructure, gridCoordinates, type LinearStructure } from "@cflow/core";
import { composeBounds, gammaN, type ApplicationBound } from "./rounding.js";
import type { ShiftInvariantOperator } from "./shift-class-rows.js";

interface Stencil1d {
  n: number;
  /** Offsets d ∈ (−n/2, n/2] with c[d] ≠ 0. */
  offsets: Int32Array;
  values: Float64Array;
}

function circulantBound(values: Float64Array): ApplicationBound {
  let l1 = 0;
  for (const v of values) l1 += Math.abs(v);
  l1 *= 1 + gammaN(values.length, 2 ** -53);
  // each output is one sum of T products: |err| ≤ γ_T (|c| ∗ |v|), ‖|c| ∗ |v|‖₂ ≤ ‖c‖₁‖v‖₂ (Young)
  return { relErr: gammaN(values.length, 2 ** -53) * l1, norm: l1 };
}

function centred(k: number, n: number): number {
  return k > n / 2 ? k - n : k;
}

/**
 * The operator a declared circulant (or a Kronecker product of 1D circulants on a 2D grid)
 * stands for, applied in float64 by direct summation over its stencil, with its rounding bound and
 * stencil radius: what `ShiftClassRows` needs. Null for other structures, or when the grid is not
 * `shape`.
 */
export function structureOperator(s: LinearStructure, shape: readonly number[]): ShiftInvariantOperator | null {
  if (s.kind === "circulant") {
    if (s.shape.length !== shape.length || s.shape.some((d, i) => d !== shape[i])) return null;
    const dims = shape.length;
    const coords = Array.from(s.stencil.offsets, (o) => gridCoordinates(shape, o).map((c, d) => centred(c, shape[d])));
    const radius = shape.map((_, d) => Math.max(0, ...coords.map((c) => Math.abs(c[d]))));
    const values = s.stencil.values;
    // each tap's offset as a non-negative cyclic shift per axis (2D)
    const tapY = Int32Array.from(coords, (c) => (dims === 2 ? ((c[0] % shape[0]) + shape[0]) % shape[0] : 0));
    const tapX = Int32Array.from(coords, (c) => (dims === 2 ? ((c[1] % shape[1]) + shape[1]) % shape[1] : 0));
    return {
      shape: [...shape],
      radius,
      bound: circulantBound(values),
      apply(v, out) {
        // core's product (each output one sum over the stencil in order, one pass over out), except a
        // sparse v on a 2D grid (the shift-class probes: a few atoms), scattered from its non-zeros —
        // each output still one sum of at most T products, so the rounding bound is the same
        if (dims === 2) {
          let nonzeros = 0;
          for (let p = 0; p < v.length; p++) if (v[p] !== 0) nonzeros++;
          if (nonzeros * 4 < v.length) {
            const [h, w] = shape;
            out.fill(0);
            for (let sy = 0; sy < h; sy++) {
              for (let sx = 0; sx < w; sx++) {
                const a = v[sy * w + sx];
                if (a === 0) continue;
                for (let k = 0; k < values.length; k++) {
                  let y = sy + tapY[k];
                  if (y >= h) y -= h;
                  let x = sx + tapX[k];
                  if (x >= w) x -= w;
                  out[y * w + x] += values[k] * a;
                }
              }
            }
            return;
          }
        }
        applyStructure(s, v, out);
      },
    };
  }
  if (s.kind === "kronecker" && s.factors.length === 2 && shape.length === 2) {
    const f = s.factors.map((g, d) => stencil1d(g, shape[d]));
    if (f.some((g) => g === null)) return null;
    const [A, B] = f as Stencil1d[];
    const [h, w] = shape;
    const tmp = new Float64Array(h * w);
    const bound = composeBounds(circulantBound(A.values), circulantBound(B.values));
    return {
      shape: [...shape],
      radius: [Math.max(0, ...Array.from(A.offsets, Math.abs)), Math.max(0, ...Array.from(B.offsets, Math.abs))],
      bound,
      apply(v, out) {
        // (A ⊗ B) v: B along rows, then A along columns
        tmp.fill(0);
        for (let k = 0; k < B.values.length; k++) {
          const c = B.values[k];
          const d = ((B.offsets[k] % w) + w) % w;
          for (let y = 0; y < h; y++) {
            const ro = y * w;
            for (let x = 0; x < w; x++) {
              const sx = x - d;
              tmp[ro + x] += c * v[ro + (sx < 0 ? sx + w : sx)];
            }
          }
        }
        out.fill(0);
        for (let k = 0; k < A.values.length; k++) {
          const c = A.values[k];
          const d = ((A.offsets[k] % h) + h) % h;
          for (let y = 0; y < h; y++) {
            let sy = y - d;
            if (sy < 0) sy += h;
            const ro = y * w;
            const so = sy * w;
            for (let x = 0; x < w; x++) out[ro + x] += c * tmp[so + x];
          }
        }
      },
    };
  }
  return null;
}

function stencil1d(s: LinearStructure, n: number): Stencil1d | null {
  if (s.kind !== "circulant" || s.shape.length !== 1 || s.shape[0] !== n) return null;
  return { n, offsets: Int32Array.from(s.stencil.offsets, (o) => centred(o, n)), values: s.stencil.values };
}

/** Whether two structures declare the same operator (same kind, grid and every entry, compared exactly). */
export function sameStructure(a: LinearStructure, b: LinearStructure): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case "scaledIdentity":
      return b.kind === a.kind && b.size === a.size && b.scale === a.scale;
    case "diagonal":
      return b.kind === a.kind && sameArray(a.diagonal, b.diagonal);
    case "circulant":
      return b.kind === a.kind && sameArray(a.shape, b.shape) && sameArray(a.stencil.offsets, b.stencil.offsets) && sameArray(a.stencil.values, b.stencil.values);
    case "blockDiagonal":
      return b.kind === a.kind && b.size === a.size && a.blocks.length === b.blocks.length && a.blocks.every((x, i) => x.offset === b.blocks[i].offset && sameStructure(x.structure, b.blocks[i].structure));
    case "kronecker":
      return b.kind === a.kind && a.factors.length === b.factors.length && a.factors.every((f, i) => sameStructure(f, b.factors[i]));
  }
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
