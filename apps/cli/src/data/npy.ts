import { writeFileSync } from "node:fs";
import { type Dtype, DtypeError, checkElementCount } from "@cflow/core";
import { LOADER_LIMIT_HINT, dataError, inputFileSize, readInputRange } from "./input-file.js";
import { type LoadedArray, allocate } from "./loaded-array.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<string, Dtype> = { "<f4": "float32", "<f8": "float64" };

export interface NpyReadOptions {
  /** The dtype the caller needs; a file of the other dtype is refused (cflow never casts silently). */
  dtype?: Dtype;
  /** Largest element count accepted (default: the machine default of core's `defaultMaxElements`). */
  maxElements?: number;
}

interface NpyLayout {
  dtype: Dtype;
  shape: number[];
  /** Byte offset of the data. */
  dataStart: number;
  /** Bytes of data the shape needs. */
  dataBytes: number;
}

/**
 * Reads a NumPy `.npy` file: format versions 1–3, little-endian float32/float64, C order. The
 * header is read first and the shape checked against the element limit and the file size before
 * the data is read, straight into the returned array.
 */
export function readNpy(path: string, options: NpyReadOptions = {}): LoadedArray {
  const size = inputFileSize(path, ".npy");
  const prefix = readInputRange(path, 0, Math.min(size, 12));
  const layout = parseNpyHeader(readInputRange(path, 0, Math.min(size, npyHeaderEnd(prefix))), path, size, options);
  const data = allocate(layout.dtype, layout.dataBytes / (layout.dtype === "float64" ? 8 : 4));
  readInputRange(path, layout.dataStart, layout.dataBytes, new Uint8Array(data.buffer));
  return { data, shape: layout.shape, dtype: layout.dtype };
}

export function parseNpy(bytes: Uint8Array, file: string, options: NpyReadOptions = {}): LoadedArray {
  const layout = parseNpyHeader(bytes, file, bytes.length, options);
  const data = allocate(layout.dtype, layout.dataBytes / (layout.dtype === "float64" ? 8 : 4));
  // A copy: the payload offset need not be aligned for a typed-array view.
  new Uint8Array(data.buffer).set(bytes.subarray(layout.dataStart, layout.dataStart + layout.dataBytes));
  return { data, shape: layout.shape, dtype: layout.dtype };
}

/** Where the header of a .npy whose first 12 bytes are `prefix` ends (where its data starts); the prefix's length when it is not a .npy (parseNpyHeader says why). */
function npyHeaderEnd(prefix: Uint8Array): number {
  if (prefix.length < 12 || MAGIC.some((b, i) => prefix[i] !== b)) return prefix.length;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (prefix[6] === 1) return 10 + view.getUint16(8, true);
  return prefix[6] === 2 || prefix[6] === 3 ? 12 + view.getUint32(8, true) : prefix.length;
}

/**
 * The dtype, shape and data offset of a .npy whose first bytes (at least the whole header) are
 * `bytes` and whose total size is `fileSize`; refuses, naming the file, anything it cannot read,
 * a shape over the element limit, and a size that does not match the shape.
 */
function parseNpyHeader(bytes: Uint8Array, file: string, fileSize: number, options: NpyReadOptions): NpyLayout {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const found = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw dataError("NPY_BAD_MAGIC", file, "not a NumPy .npy file", "the magic string \\x93NUMPY", found ? `bytes ${found}` : "an empty file");
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw dataError("NPY_VERSION", file, `unsupported .npy format version ${major}.${bytes[7]}`, "format version 1, 2 or 3", `${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  const headerLen = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : Infinity;
  const dataStart = headerStart + headerLen;
  if (dataStart > fileSize || dataStart > bytes.length) throw dataError("NPY_TRUNCATED", file, "the header is cut short", `${headerLen} header bytes`, `${fileSize - headerStart}`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw dataError("NPY_BAD_HEADER", file, "cannot read the .npy header", "{'descr': '<f8', 'fortran_order': False, 'shape': (...)}", header.trim());
  }
  const dtype = DESCR[descr];
  if (!dtype) {
    const what = descr.startsWith(">") ? "big-endian data" : `dtype '${descr}'`;
    throw dataError("NPY_DTYPE", file, `${what} is not supported`, "'<f4' (float32) or '<f8' (float64), little-endian", `'${descr}'`, "convert with numpy: a.astype('<f8') (or '<f4') before np.save");
  }
  if (fortran === "True") {
    throw dataError("NPY_FORTRAN_ORDER", file, "Fortran-ordered arrays are not supported", "fortran_order: False (C order)", "fortran_order: True", "save np.ascontiguousarray(a) instead");
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim().replace(/L$/, ""))
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw dataError("NPY_BAD_HEADER", file, "cannot read the shape", "a tuple of non-negative integers", `(${shapeText})`);
  if (options.dtype && options.dtype !== dtype) {
    throw new DtypeError(`reading ${file}`, options.dtype, `${dtype} ('${descr}')`, `convert the file, or run with --dtype ${dtype}`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  checkElementCount(n, { path: file, what: "the array", found: `shape (${shape.join(", ")})`, dtype, maxElements: options.maxElements, hint: LOADER_LIMIT_HINT });
  const itemSize = dtype === "float64" ? 8 : 4;
  if (fileSize - dataStart !== n * itemSize) {
    throw dataError("NPY_SIZE", file, `the data does not match the shape (${shape.join(", ")})`, `${n * itemSize} bytes of data`, `${fileSize - dataStart} bytes`);
  }
  return { dtype, shape, dataStart, dataBytes: n * itemSize };
}

/** A `.npy` (format 1.0, C order, little-endian) of `data` with `shape`. */
export function encodeNpy(data: Float64Array | Float32Array, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw dataError("NPY_SIZE", "encodeNpy", `shape (${shape.join(", ")}) does not match the data`, `${n} elements`, `${data.length}`);
  const descr = data instanceof Float64Array ? "<f8" : "<f4";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces and a newline so the data starts on a 64-byte boundary (as NumPy writes it).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

export function writeNpy(path: string, data: Float64Array | Float32Array, shape: readonly number[]): void {
  writeFileSync(path, encodeNpy(data, shape));
}
