import { sameShape } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import { Kernel } from "../kernel/kernel.js";

/**
 * The first column of a circulant on a grid (row-major, 1D or more), given sparsely: the entries
 * c[offsets[k]] = values[k] at flat, wrapped offsets (distinct, ascending); every other entry is 0.
 */
export interface CirculantStencil {
  readonly offsets: Int32Array;
  readonly values: Float64Array;
}

/**
 * The declared structure of a symmetric linear operator on a flat vector — what certificates use
 * to get η_dd and γ in closed form, at any size, instead of applying the operator row by row:
 * - `scaledIdentity`: s·I;
 * - `diagonal`: diag(d);
 * - `circulant`: multi-dimensional circular convolution on `shape` (row-major): L_ij = c[(i − j)
 *   mod shape, per axis], c symmetric (c[s] = c[−s]), so its eigenvalues are the DFT of c;
 * - `blockDiagonal`: consecutive diagonal blocks, each with its own structure;
 * - `kronecker`: A₁ ⊗ A₂ ⊗ … on the row-major grid of the factors' sizes (A₁ on the slowest axis).
 * Entries are float64; an op in float32 declares the structure of its float32 coefficients.
 */
export type LinearStructure =
  | { readonly kind: "scaledIdentity"; readonly size: number; readonly scale: number }
  | { readonly kind: "diagonal"; readonly diagonal: Float64Array }
  | { readonly kind: "circulant"; readonly shape: readonly number[]; readonly stencil: CirculantStencil }
  | { readonly kind: "blockDiagonal"; readonly size: number; readonly blocks: readonly { readonly offset: number; readonly structure: LinearStructure }[] }
  | { readonly kind: "kronecker"; readonly factors: readonly LinearStructure[] };

/** s·I on vectors of `size`. */
export function scaledIdentity(size: number, scale: number): LinearStructure {
  checkSize("scaledIdentity", size);
  checkFinite("scaledIdentity.scale", scale);
  return { kind: "scaledIdentity", size, scale };
}

/** diag(d). */
export function diagonalStructure(diagonal: ArrayLike<number>): LinearStructure {
  const d = Float64Array.from(diagonal);
  checkSize("diagonalStructure", d.length);
  for (let i = 0; i < d.length; i++) checkFinite(`diagonalStructure[${i}]`, d[i]);
  return { kind: "diagonal", diagonal: d };
}

/**
 * The symmetric circulant on `shape` whose first column has `values` at the grid offsets
 * `offsets` (per-axis offsets, wrapped into the grid). Entries at the same wrapped offset add up.
 * Refuses a column that is not symmetric (c[s] ≠ c[−s]): the certificates need a symmetric operator.
 */
export function circulantStructure(shape: readonly number[], entries: { offset: readonly number[]; value: number }[]): LinearStructure {
  const dims = checkGrid("circulantStructure", shape);
  const column = new Map<number, number>();
  for (const e of entries) {
    if (e.offset.length !== dims.length) throw new ShapeError("circulantStructure.offset", dims.length, e.offset.length, "one offset per grid axis");
    const k = flatOffset(dims, e.offset);
    column.set(k, (column.get(k) ?? 0) + e.value);
  }
  return circulantOfColumn(dims, column);
}

/**
 * The symmetric circulant on `shape` whose first column is `column` (flat, wrapped, row-major
 * offset → value; absent offsets are 0). Refuses a non-finite entry or a column that is not
 * exactly symmetric.
 */
export function circulantOfColumn(shape: readonly number[], column: ReadonlyMap<number, number>): LinearStructure {
  const dims = checkGrid("circulantOfColumn", shape);
  const n = dims.reduce((a, b) => a * b, 1);
  const offsets = Int32Array.from([...column.keys()].filter((k) => column.get(k) !== 0)).sort();
  const values = Float64Array.from(offsets, (k) => column.get(k)!);
  for (let i = 0; i < offsets.length; i++) {
    if (!Number.isInteger(offsets[i]) || offsets[i] < 0 || offsets[i] >= n) throw new ShapeError("circulantOfColumn (offset)", `a flat offset in [0, ${n})`, offsets[i]);
    checkFinite("circulantOfColumn (value)", values[i]);
    const mirror = flatOffset(dims, gridCoordinates(dims, offsets[i]).map((v) => -v));
    if (column.get(mirror) !== values[i]) {
      throw new CflowError("ASYMMETRIC_STRUCTURE", `circulant structure: the column is not symmetric: c[${gridCoordinates(dims, offsets[i]).join(", ")}] = ${values[i]} but its mirror is ${column.get(mirror) ?? 0}`, {
        path: "circulantStructure",
        expected: "c[s] = c[−s] for every offset s",
        found: `${values[i]} vs ${column.get(mirror) ?? 0}`,
      });
    }
  }
  return { kind: "circulant", shape: dims, stencil: { offsets, values } };
}

function checkGrid(path: string, shape: readonly number[]): number[] {
  const dims = [...shape];
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new ShapeError(path, "a grid shape of positive integers", dims);
  return dims;
}

/** blockdiag(B₁, B₂, …), the blocks in order. */
export function blockDiagonalStructure(blocks: readonly LinearStructure[]): LinearStructure {
  if (blocks.length === 0) throw new CflowError("BAD_STRUCTURE", "blockDiagonalStructure: at least one block is needed", { path: "blockDiagonalStructure", expected: "≥ 1 block", found: 0 });
  let offset = 0;
  const out: { offset: number; structure: LinearStructure }[] = [];
  for (const b of blocks) {
    out.push({ offset, structure: b });
    offset += structureSize(b);
  }
  return { kind: "blockDiagonal", size: offset, blocks: out };
}

/** A₁ ⊗ A₂ ⊗ … (row-major: A₁ acts on the slowest axis). */
export function kroneckerStructure(factors: readonly LinearStructure[]): LinearStructure {
  if (factors.length === 0) throw new CflowError("BAD_STRUCTURE", "kroneckerStructure: at least one factor is needed", { path: "kroneckerStructure", expected: "≥ 1 factor", found: 0 });
  return factors.length === 1 ? factors[0] : { kind: "kronecker", factors: [...factors] };
}

/** The operator's order (rows = columns). */
export function structureSize(s: LinearStructure): number {
  switch (s.kind) {
    case "scaledIdentity":
      return s.size;
    case "diagonal":
      return s.diagonal.length;
    case "circulant":
      return s.shape.reduce((a, b) => a * b, 1);
    case "blockDiagonal":
      return s.size;
    case "kronecker":
      return s.factors.reduce((a, f) => a * structureSize(f), 1);
  }
}

/** w·S. */
export function scaleStructure(s: LinearStructure, w: number): LinearStructure {
  checkFinite("scaleStructure.w", w);
  switch (s.kind) {
    case "scaledIdentity":
      return { ...s, scale: w * s.scale };
    case "diagonal":
      return { kind: "diagonal", diagonal: s.diagonal.map((v) => w * v) };
    case "circulant":
      return { ...s, stencil: { offsets: s.stencil.offsets, values: s.stencil.values.map((v) => w * v) } };
    case "blockDiagonal":
      return { ...s, blocks: s.blocks.map((b) => ({ offset: b.offset, structure: scaleStructure(b.structure, w) })) };
    case "kronecker":
      return { kind: "kronecker", factors: [scaleStructure(s.factors[0], w), ...s.factors.slice(1)] };
  }
}

/**
 * A + B when the sum keeps a declared structure, else null: scaled identities and diagonals add
 * into a diagonal (or a scaled identity), a scaled identity adds to a circulant's zero offset,
 * circulants on one grid add stencils (a Kronecker product of circulants is one first), block
 * diagonals with the same blocks add blockwise.
 */
export function addStructures(a: LinearStructure, b: LinearStructure): LinearStructure | null {
  const n = structureSize(a);
  if (structureSize(b) !== n) throw new ShapeError("addStructures", n, structureSize(b), "both operators act on the same vector");
  if (a.kind === "scaledIdentity" && b.kind === "scaledIdentity") return scaledIdentity(n, a.scale + b.scale);
  if ((a.kind === "scaledIdentity" || a.kind === "diagonal") && (b.kind === "scaledIdentity" || b.kind === "diagonal")) {
    const d = new Float64Array(n);
    for (const s of [a, b]) {
      if (s.kind === "scaledIdentity") for (let i = 0; i < n; i++) d[i] += s.scale;
      else if (s.kind === "diagonal") for (let i = 0; i < n; i++) d[i] += s.diagonal[i];
    }
    return { kind: "diagonal", diagonal: d };
  }
  const ca = asCirculant(a);
  const cb = asCirculant(b);
  if (ca && b.kind === "scaledIdentity") return addCirculants(ca, { shape: ca.shape, offsets: Int32Array.of(0), values: Float64Array.of(b.scale) });
  if (cb && a.kind === "scaledIdentity") return addCirculants(cb, { shape: cb.shape, offsets: Int32Array.of(0), values: Float64Array.of(a.scale) });
  if (ca && cb && sameShape(ca.shape, cb.shape)) return addCirculants(ca, { shape: cb.shape, ...cb.stencil });
  if (a.kind === "blockDiagonal" && b.kind === "blockDiagonal" && a.blocks.length === b.blocks.length && a.blocks.every((x, i) => x.offset === b.blocks[i].offset)) {
    const blocks: LinearStructure[] = [];
    for (let i = 0; i < a.blocks.length; i++) {
      const sum = addStructures(a.blocks[i].structure, b.blocks[i].structure);
      if (!sum) return null;
      blocks.push(sum);
    }
    return blockDiagonalStructure(blocks);
  }
  return null;
}

/**
 * out ← S v (float64). The reference product: certificates check a declaration against the
 * operator on a probe with it, and tests compare it with the operators themselves.
 */
export function applyStructure(s: LinearStructure, v: ArrayLike<number>, out: Float64Array): Float64Array {
  const n = structureSize(s);
  if (v.length !== n) throw new ShapeError("applyStructure (v)", n, v.length);
  if (out.length !== n) throw new ShapeError("applyStructure (out)", n, out.length);
  switch (s.kind) {
    case "scaledIdentity":
      for (let i = 0; i < n; i++) out[i] = s.scale * v[i];
      return out;
    case "diagonal":
      for (let i = 0; i < n; i++) out[i] = s.diagonal[i] * v[i];
      return out;
    case "circulant":
      return applyCirculant(s.shape, s.stencil, v, out);
    case "blockDiagonal":
      for (const b of s.blocks) {
        const m = structureSize(b.structure);
        const part = new Float64Array(m);
        applyStructure(b.structure, Array.prototype.slice.call(v, b.offset, b.offset + m) as number[], part);
        out.set(part, b.offset);
      }
      return out;
    case "kronecker": {
      // (A₁ ⊗ … ⊗ A_k) v: each factor along its own axis of the row-major tensor
      let cur = Float64Array.from(v);
      const sizes = s.factors.map(structureSize);
      let outer = 1;
      let inner = n;
      for (let f = 0; f < s.factors.length; f++) {
        const m = sizes[f];
        inner /= m;
        const next = new Float64Array(n);
        const fibre = new Float64Array(m);
        const image = new Float64Array(m);
        for (let o = 0; o < outer; o++) {
          for (let r = 0; r < inner; r++) {
            const base = o * m * inner + r;
            for (let k = 0; k < m; k++) fibre[k] = cur[base + k * inner];
            applyStructure(s.factors[f], fibre, image);
            for (let k = 0; k < m; k++) next[base + k * inner] = image[k];
          }
        }
        cur = next;
        outer *= m;
      }
      out.set(cur);
      return out;
    }
  }
}

/** One line for reports: "1·I on 65536", "circulant on 512×512 (169-entry stencil)", … */
export function describeStructure(s: LinearStructure): string {
  switch (s.kind) {
    case "scaledIdentity":
      return `${s.scale}·I (${s.size})`;
    case "diagonal":
      return `diagonal (${s.diagonal.length})`;
    case "circulant":
      return `circulant on ${s.shape.join("×")} (${s.stencil.offsets.length}-entry stencil)`;
    case "blockDiagonal":
      return `block-diagonal [${s.blocks.map((b) => describeStructure(b.structure)).join(", ")}]`;
    case "kronecker":
      return s.factors.map((f) => `(${describeStructure(f)})`).join(" ⊗ ");
  }
}

/** A circulant view of a structure: itself, or a Kronecker product of circulants as one circulant on the product grid. */
function asCirculant(s: LinearStructure): { shape: number[]; stencil: CirculantStencil } | null {
  if (s.kind === "circulant") return { shape: [...s.shape], stencil: s.stencil };
  if (s.kind !== "kronecker" || !s.factors.every((f) => f.kind === "circulant")) return null;
  let shape: number[] = [];
  let entries: { offset: number[]; value: number }[] = [{ offset: [], value: 1 }];
  for (const f of s.factors as Extract<LinearStructure, { kind: "circulant" }>[]) {
    const next: { offset: number[]; value: number }[] = [];
    for (const e of entries) {
      for (let k = 0; k < f.stencil.offsets.length; k++) next.push({ offset: [...e.offset, ...gridCoordinates(f.shape, f.stencil.offsets[k])], value: e.value * f.stencil.values[k] });
    }
    entries = next;
    shape = [...shape, ...f.shape];
  }
  const c = circulantStructure(shape, entries) as Extract<LinearStructure, { kind: "circulant" }>;
  return { shape, stencil: c.stencil };
}

function addCirculants(a: { shape: number[]; stencil: CirculantStencil }, b: { shape: readonly number[]; offsets: Int32Array; values: Float64Array }): LinearStructure {
  const entries: { offset: number[]; value: number }[] = [];
  for (let k = 0; k < a.stencil.offsets.length; k++) entries.push({ offset: gridCoordinates(a.shape, a.stencil.offsets[k]), value: a.stencil.values[k] });
  for (let k = 0; k < b.offsets.length; k++) entries.push({ offset: gridCoordinates(a.shape, b.offsets[k]), value: b.values[k] });
  return circulantStructure(a.shape, entries);
}

/** Outputs per kernel call of `applyCirculant`: the kernel holds this many plus the sources' windows (a few hundred kB), not the vectors. */
const CIRCULANT_CHUNK = 8192;

function applyCirculant(shape: readonly number[], st: CirculantStencil, v: ArrayLike<number>, out: Float64Array): Float64Array {
  // (Cv)_i = Σ_s c[s]·v[i − s], per axis modulo the extent, each output summed from 0 over the
  // stencil entries in order. One pass over out, not one per entry (49 passes over 2 MB at a
  // 262 144-sample blur's KᵀK): per grid row (all axes but the last), the outputs where no source
  // wraps along the last axis in the kernel (`stencilSums`: float64 SIMD lanes over outputs, each
  // lane the same ordered sum), a chunk of them at a time from a copy of the source rows' windows;
  // the definition at the row's ends.
  const x = v instanceof Float64Array ? v : Float64Array.from(v); // one element type in the hot loops
  const w = shape[shape.length - 1];
  const lead = shape.slice(0, -1);
  const rows = out.length / w;
  const T = st.offsets.length;
  const values = st.values;
  const leadShift = Array.from(st.offsets, (o) => gridCoordinates(shape, o).slice(0, -1));
  // each entry's shift along the last axis, centred: source i − e is in the row for e ≤ i < w + e
  const e = Int32Array.from(st.offsets, (o) => {
    const t = o % w;
    return t > w / 2 ? t - w : t;
  });
  const lo = Math.min(w, Math.max(0, ...e));
  const hi = Math.max(lo, Math.min(w, ...Array.from(e, (t) => w + t)));
  const eMin = Math.min(...e);
  const eMax = Math.max(...e);
  const base = new Int32Array(T); // per entry: where its source row starts in x
  // the source rows of one output row: at most one per distinct lead shift, each windowed to a chunk
  const leadKeys = leadShift.map((c) => c.join(","));
  const sourceRows = [...new Set(leadKeys)];
  const slot = Int32Array.from(leadKeys, (key) => sourceRows.indexOf(key));
  const chunk = Math.min(CIRCULANT_CHUNK, Math.max(1, hi - lo));
  const span = chunk + eMax - eMin;
  const k = Kernel.get("float64");
  const kx = k.allocF64(sourceRows.length * span);
  const kout = k.allocF64(chunk);
  const kc = k.allocF64(T);
  const ksrc = k.allocI32(T);
  try {
    kc.view.set(values);
    // entry q reads output i's source at window(slot q)[(i − i0) + eMax − e[q]]
    const src = ksrc.view;
    for (let q = 0; q < T; q++) src[q] = slot[q] * span + eMax - e[q];
    const rowStart = new Int32Array(sourceRows.length);
    for (let r = 0; r < rows; r++) {
      const rc = gridCoordinates(lead, r);
      for (let q = 0; q < T; q++) {
        let b = 0;
        for (let d = 0; d < lead.length; d++) b = b * lead[d] + ((rc[d] - leadShift[q][d] + lead[d]) % lead[d]);
        base[q] = b * w;
        rowStart[slot[q]] = base[q];
      }
      const o = r * w;
      for (let i = 0; i < lo; i++) out[o + i] = wrappedSum(x, values, base, e, w, i);
      for (let i0 = lo; i0 < hi; i0 += chunk) {
        const i1 = Math.min(hi, i0 + chunk);
        // sources i − e for i0 ≤ i < i1 lie in [i0 − eMax, i1 − eMin) of each source row, inside it
        const win = kx.view;
        for (let s = 0; s < sourceRows.length; s++) win.set(x.subarray(rowStart[s] + i0 - eMax, rowStart[s] + i1 - eMin), s * span);
        k.exports.stencilSums(0, i1 - i0, T, kc.ptr, ksrc.ptr, kx.ptr, kout.ptr);
        out.set(kout.view.subarray(0, i1 - i0), o + i0);
      }
      for (let i = hi; i < w; i++) out[o + i] = wrappedSum(x, values, base, e, w, i);
    }
  } finally {
    for (const b of [kx, kout, kc, ksrc]) b.free();
  }
  return out;
}

/** One output of a circulant row by the definition: Σ_k values[k]·x[base[k] + (i − e[k] mod w)]. */
function wrappedSum(x: Float64Array, values: Float64Array, base: Int32Array, e: Int32Array, w: number, i: number): number {
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    let j = i - e[k];
    if (j < 0) j += w;
    else if (j >= w) j -= w;
    sum += values[k] * x[base[k] + j];
  }
  return sum;
}

/** Flat row-major index of per-axis offsets, each wrapped into [0, extent). */
function flatOffset(shape: readonly number[], offset: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d] + (((offset[d] % shape[d]) + shape[d]) % shape[d]);
  return k;
}

/** Per-axis coordinates of a flat row-major index. */
export function gridCoordinates(shape: readonly number[], k: number): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = k % shape[d];
    k = (k - c[d]) / shape[d];
  }
  return c;
}

function checkSize(path: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(path, "a positive integer size", n);
}

function checkFinite(path: string, v: number): void {
  if (!Number.isFinite(v)) throw new CflowError("BAD_STRUCTURE", `${path}: expected a finite number, found ${v}`, { path, expected: "a finite number", found: v });
}
