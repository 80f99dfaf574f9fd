import { CflowError, type GammaRoute, type Json, type LinearStructure, type TransformOp } from "@cflow/core";
import type { CertifiedSupport } from "./certificate-cache.js";

/**
 * The certificate cache as JSON (`CertificateHook.saveState`): per operator, the transform it was
 * certified through (by description: a resumed run has another object for the same transform),
 * its declared structure, whether that structure was checked against L_apply, the certified
 * supports with what inheritance reads, and the last Collatz–Wielandt vector. Index sets, vectors
 * and a support's bounds (η_dd, γ, failure probability, σ) travel as base64 of their little-endian
 * bytes (Int32 and Float64), so a resumed run reads back every bit (−0 included).
 */
export interface CacheState {
  operators: OperatorState[];
}

/** What identifies a transform across processes. */
export interface TransformDescription {
  name: string;
  frame: string;
  shape: number[];
  levels: number;
  coeffSize: number;
  dtype: string;
}

export interface OperatorState {
  transform: TransformDescription;
  structure: LinearStructure;
  checked: boolean;
  supports: CertifiedSupport[];
  /** The last Collatz–Wielandt vector by W-space coefficient (length coeffSize), or null. */
  perron: Float64Array | null;
}

/** The version of the JSON below; a state of another version is refused. */
const VERSION = 1;

const ROUTES: readonly GammaRoute[] = ["structured", "gershgorin", "scaled-gershgorin", "inertia", "lanczos", "lanczos-congruence", "inherited", "none"];

export function describeTransform(W: TransformOp): TransformDescription {
  return { name: W.name, frame: W.frame, shape: [...W.shape], levels: W.levels, coeffSize: W.coeffSize, dtype: W.dtype };
}

export function sameTransform(W: TransformOp, d: TransformDescription): boolean {
  return W.name === d.name && W.frame === d.frame && W.levels === d.levels && W.coeffSize === d.coeffSize && W.dtype === d.dtype && W.shape.length === d.shape.length && W.shape.every((v, i) => v === d.shape[i]);
}

export function encodeCacheState(s: CacheState): Json {
  return {
    version: VERSION,
    operators: s.operators.map((o) => {
      let perron: Json = null;
      if (o.perron) {
        const at: number[] = [];
        for (let i = 0; i < o.perron.length; i++) if (o.perron[i] !== 0) at.push(i);
        perron = { at: bytes(Int32Array.from(at)), values: bytes(Float64Array.from(at, (i) => o.perron![i])) };
      }
      return {
        transform: { ...o.transform },
        structure: encodeStructure(o.structure),
        checked: o.checked,
        supports: o.supports.map((s) => ({ active: bytes(s.active), bounds: bytes(Float64Array.of(s.etaDD, s.gamma, s.failureProbability, s.sigma)), dominance: s.dominance, route: s.route, size: s.size })),
        perron,
      };
    }),
  };
}

/** The inverse of `encodeCacheState`; a malformed state is refused naming its path (`where`). */
export function decodeCacheState(j: Json, where: string): CacheState {
  const r = record(j, where);
  if (r.version !== VERSION) fail(`${where}.version`, `version ${VERSION}`, r.version);
  const ops = r.operators;
  if (!Array.isArray(ops)) fail(`${where}.operators`, "a list", ops);
  return {
    operators: (ops as Json[]).map((oj, k) => {
      const p = `${where}.operators[${k}]`;
      const o = record(oj, p);
      const t = record(o.transform, `${p}.transform`);
      const transform: TransformDescription = {
        name: str(t.name, `${p}.transform.name`),
        frame: str(t.frame, `${p}.transform.frame`),
        shape: (Array.isArray(t.shape) ? t.shape : fail(`${p}.transform.shape`, "a list of integers", t.shape)).map((v, i) => int(v, `${p}.transform.shape[${i}]`, 1)),
        levels: int(t.levels, `${p}.transform.levels`, 0),
        coeffSize: int(t.coeffSize, `${p}.transform.coeffSize`, 1),
        dtype: str(t.dtype, `${p}.transform.dtype`),
      };
      const m = transform.coeffSize;
      if (typeof o.checked !== "boolean") fail(`${p}.checked`, "true or false", o.checked);
      if (!Array.isArray(o.supports)) fail(`${p}.supports`, "a list", o.supports);
      const supports = (o.supports as Json[]).map((sj, i) => {
        const q = `${p}.supports[${i}]`;
        const s = record(sj, q);
        const active = indices(s.active, `${q}.active`, m);
        const dominance = s.dominance === "plain" || s.dominance === "scaled" ? s.dominance : fail(`${q}.dominance`, '"plain" or "scaled"', s.dominance);
        const route = ROUTES.includes(s.route as GammaRoute) ? (s.route as GammaRoute) : fail(`${q}.route`, ROUTES.join(" | "), s.route);
        const bounds = float64s(s.bounds, `${q}.bounds`);
        if (bounds.length !== 4 || !bounds.every(Number.isFinite)) fail(`${q}.bounds`, "4 finite float64 (η_dd, γ, failure probability, σ)", [...bounds].map(String));
        const [etaDD, gamma, failureProbability, sigma] = bounds;
        return { active, etaDD, dominance, gamma, route, failureProbability, sigma, size: int(s.size, `${q}.size`, 0) } satisfies CertifiedSupport;
      });
      let perron: Float64Array | null = null;
      if (o.perron !== null) {
        const pj = record(o.perron, `${p}.perron`);
        const at = indices(pj.at, `${p}.perron.at`, m);
        const values = float64s(pj.values, `${p}.perron.values`);
        if (values.length !== at.length) fail(`${p}.perron.values`, `${at.length} values (one per index of perron.at)`, values.length);
        perron = new Float64Array(m);
        for (let i = 0; i < at.length; i++) perron[at[i]] = values[i];
      }
      return { transform, structure: decodeStructure(o.structure, `${p}.structure`), checked: o.checked as boolean, supports, perron };
    }),
  };
}

function encodeStructure(s: LinearStructure): Json {
  switch (s.kind) {
    case "scaledIdentity":
      return { kind: s.kind, size: s.size, scale: bytes(Float64Array.of(s.scale)) };
    case "diagonal":
      return { kind: s.kind, diagonal: bytes(s.diagonal) };
    case "circulant":
      return { kind: s.kind, shape: [...s.shape], offsets: bytes(s.stencil.offsets), values: bytes(s.stencil.values) };
    case "blockDiagonal":
      return { kind: s.kind, size: s.size, blocks: s.blocks.map((b) => ({ offset: b.offset, structure: encodeStructure(b.structure) })) };
    case "kronecker":
      return { kind: s.kind, factors: s.factors.map(encodeStructure) };
  }
}

/**
 * A structure as written by `encodeStructure`. It is only compared with the live operator's
 * declared structure (`sameStructure`) to find the cache entry of that operator, never used to
 * certify, so it is read back as it was written without the constructors' checks.
 */
function decodeStructure(j: Json, where: string): LinearStructure {
  const o = record(j, where);
  switch (o.kind) {
    case "scaledIdentity": {
      const scale = float64s(o.scale, `${where}.scale`);
      if (scale.length !== 1) fail(`${where}.scale`, "one float64", scale.length);
      return { kind: "scaledIdentity", size: int(o.size, `${where}.size`, 1), scale: scale[0] };
    }
    case "diagonal":
      return { kind: "diagonal", diagonal: float64s(o.diagonal, `${where}.diagonal`) };
    case "circulant": {
      const shape = (Array.isArray(o.shape) ? o.shape : fail(`${where}.shape`, "a list of integers", o.shape)).map((v, i) => int(v, `${where}.shape[${i}]`, 1));
      return { kind: "circulant", shape, stencil: { offsets: int32s(o.offsets, `${where}.offsets`), values: float64s(o.values, `${where}.values`) } };
    }
    case "blockDiagonal": {
      const blocks = Array.isArray(o.blocks) ? o.blocks : fail(`${where}.blocks`, "a list", o.blocks);
      return {
        kind: "blockDiagonal",
        size: int(o.size, `${where}.size`, 1),
        blocks: blocks.map((b, i) => {
          const r = record(b, `${where}.blocks[${i}]`);
          return { offset: int(r.offset, `${where}.blocks[${i}].offset`, 0), structure: decodeStructure(r.structure, `${where}.blocks[${i}].structure`) };
        }),
      };
    }
    case "kronecker": {
      const factors = Array.isArray(o.factors) ? o.factors : fail(`${where}.factors`, "a list", o.factors);
      return { kind: "kronecker", factors: factors.map((f, i) => decodeStructure(f, `${where}.factors[${i}]`)) };
    }
    default:
      return fail(`${where}.kind`, "scaledIdentity | diagonal | circulant | blockDiagonal | kronecker", o.kind);
  }
}

/** Base64 of the array's little-endian bytes. */
function bytes(a: Int32Array | Float64Array): string {
  const out = new Uint8Array(a.length * a.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (a instanceof Int32Array) for (let i = 0; i < a.length; i++) view.setInt32(4 * i, a[i], true);
  else for (let i = 0; i < a.length; i++) view.setFloat64(8 * i, a[i], true);
  return base64(out);
}

const BASE64 = Uint8Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", (c) => c.charCodeAt(0));
const ASCII = new TextDecoder("latin1"); // base64's characters are ASCII: decoded one byte each

/**
 * The text btoa gives for the bytes as a binary string, without that string (Node's btoa walks it a
 * character at a time: ~20 ms for a 10 000-coefficient support and its vector, at every checkpoint),
 * and without Node's Buffer (the playground bundles this package for the browser).
 */
export function base64(b: Uint8Array): string {
  const n = b.length;
  const codes = new Uint8Array(4 * Math.ceil(n / 3));
  let o = 0;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    codes[o++] = BASE64[v >>> 18];
    codes[o++] = BASE64[(v >>> 12) & 63];
    codes[o++] = BASE64[(v >>> 6) & 63];
    codes[o++] = BASE64[v & 63];
  }
  if (i < n) {
    const v = (b[i] << 16) | (i + 1 < n ? b[i + 1] << 8 : 0);
    codes[o++] = BASE64[v >>> 18];
    codes[o++] = BASE64[(v >>> 12) & 63];
    codes[o++] = i + 1 < n ? BASE64[(v >>> 6) & 63] : 61; // "="
    codes[o++] = 61;
  }
  return ASCII.decode(codes);
}

function unbytes(j: Json | undefined, where: string, width: 4 | 8): DataView {
  if (typeof j !== "string") fail(where, "a base64 string", j);
  let bin: string;
  try {
    bin = atob(j as string);
  } catch {
    return fail(where, "a base64 string", `${String(j).slice(0, 40)}…`);
  }
  if (bin.length % width !== 0) fail(where, `a multiple of ${width} bytes`, bin.length);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return new DataView(out.buffer);
}

function int32s(j: Json | undefined, where: string): Int32Array {
  const v = unbytes(j, where, 4);
  return Int32Array.from({ length: v.byteLength / 4 }, (_, i) => v.getInt32(4 * i, true));
}

function float64s(j: Json | undefined, where: string): Float64Array {
  const v = unbytes(j, where, 8);
  return Float64Array.from({ length: v.byteLength / 8 }, (_, i) => v.getFloat64(8 * i, true));
}

/** Strictly ascending indices in [0, m): what the subset test of inheritance reads. */
function indices(j: Json | undefined, where: string, m: number): Int32Array {
  const a = int32s(j, where);
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 || a[i] >= m || (i > 0 && a[i] <= a[i - 1])) fail(`${where}[${i}]`, `strictly ascending indices in [0, ${m})`, a[i]);
  }
  return a;
}

function record(j: Json | undefined, where: string): { [key: string]: Json } {
  if (j === null || j === undefined || typeof j !== "object" || Array.isArray(j)) return fail(where, "an object", j);
  return j;
}

function str(j: Json | undefined, where: string): string {
  return typeof j === "string" ? j : fail(where, "a string", j);
}

function int(j: Json | undefined, where: string, min: number): number {
  return typeof j === "number" && Number.isInteger(j) && j >= min ? j : fail(where, `an integer ≥ ${min}`, j);
}

function fail(path: string, expected: string, found: Json | undefined): never {
  const shown = found === undefined ? "nothing" : JSON.stringify(found);
  throw new CflowError("BAD_CHECKPOINT", `${path}: expected ${expected}, found ${shown}`, { path, expected, found: shown });
}
