import { writeFileSync } from "node:fs";
import { deflateSync, inflateSync } from "node:zlib";
import { type Dtype, checkElementCount } from "@cflow/core";
import { crc32 } from "./crc32.js";
import { LOADER_LIMIT_HINT, dataError, readInputFile } from "./input-file.js";
import { type LoadedArray, allocate } from "./loaded-array.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOUR_TYPES: Record<number, string> = {
  0: "grayscale",
  2: "RGB colour",
  3: "palette (indexed colour)",
  4: "grayscale with alpha",
  6: "RGBA colour",
};

export interface PngReadOptions {
  /** dtype of the returned array (default float64). */
  dtype?: Dtype;
  /** Largest pixel count accepted (default: the machine default of core's `defaultMaxElements`). */
  maxElements?: number;
}

/**
 * Reads an 8- or 16-bit grayscale PNG (alpha, if present, is ignored) as a [height, width]
 * array scaled to [0, 1]. Colour, palette, interlaced and sub-byte images are refused. The size
 * the IHDR header declares is checked against the element limit before anything is inflated, and
 * inflation stops at the bytes that size needs (a small file cannot expand beyond its image).
 */
export function readPng(path: string, options: PngReadOptions = {}): LoadedArray {
  return parsePng(readInputFile(path, "PNG"), path, options);
}

export function parsePng(bytes: Uint8Array, file: string, options: PngReadOptions = {}): LoadedArray {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const found = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw dataError("PNG_BAD_SIGNATURE", file, "not a PNG file", "the PNG signature 89 50 4e 47 0d 0a 1a 0a", found ? `bytes ${found}` : "an empty file");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let ihdr: { width: number; height: number; bitDepth: number; colourType: number; interlace: number } | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > bytes.length) break;
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    const crc = view.getUint32(pos + 8 + len);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + len)) !== crc) {
      throw dataError("PNG_CORRUPT", file, `chunk ${type} at byte ${pos} fails its CRC check`, "a matching CRC-32", `0x${crc.toString(16)}`, "the file is damaged");
    }
    if (!ihdr && type !== "IHDR") throw dataError("PNG_CORRUPT", file, "the first chunk is not IHDR", "IHDR", type);
    if (type === "IHDR") {
      const b = new DataView(body.buffer, body.byteOffset, body.byteLength);
      ihdr = { width: b.getUint32(0), height: b.getUint32(4), bitDepth: body[8], colourType: body[9], interlace: body[12] };
      checkHeader(file, ihdr);
      checkElementCount(ihdr.width * ihdr.height, { path: file, what: "the image", found: `${ihdr.width} × ${ihdr.height} pixels`, dtype: options.dtype ?? "float64", maxElements: options.maxElements, hint: LOADER_LIMIT_HINT });
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") {
      ended = true;
      break;
    }
    pos += 12 + len;
  }
  if (!ihdr || !ended) throw dataError("PNG_TRUNCATED", file, "the file is cut short", "chunks up to IEND", `${bytes.length} bytes without ${ihdr ? "IEND" : "IHDR"}`);

  const { width, height, bitDepth, colourType } = ihdr;
  const channels = colourType === 4 ? 2 : 1;
  const bpp = channels * (bitDepth / 8);
  const stride = width * bpp;
  const expected = height * (stride + 1);
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(inflateSync(concat(idat), { maxOutputLength: expected }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw dataError("PNG_CORRUPT", file, `the compressed image data inflates to more than the ${width} × ${height} image it declares`, `${expected} bytes after inflation`, "more", "the file is damaged or crafted");
    }
    throw dataError("PNG_CORRUPT", file, "the compressed image data cannot be inflated", "zlib data", (e as Error).message);
  }
  if (raw.length < expected) {
    throw dataError("PNG_TRUNCATED", file, "the image data is shorter than the image", `${expected} bytes after inflation`, `${raw.length}`);
  }
  unfilter(raw, width, height, bpp, file);

  const dtype = options.dtype ?? "float64";
  const data = allocate(dtype, width * height);
  const max = bitDepth === 16 ? 65535 : 255;
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    for (let x = 0; x < width; x++) {
      const i = row + x * bpp;
      const v = bitDepth === 16 ? (raw[i] << 8) | raw[i + 1] : raw[i];
      data[y * width + x] = v / max;
    }
  }
  return { data, shape: [height, width], dtype };
}

function checkHeader(file: string, h: { width: number; height: number; bitDepth: number; colourType: number; interlace: number }): void {
  const kind = COLOUR_TYPES[h.colourType] ?? `colour type ${h.colourType}`;
  if (h.colourType !== 0 && h.colourType !== 4) {
    throw dataError(
      "PNG_COLOUR",
      file,
      `${kind} images are not supported`,
      "a grayscale PNG (colour type 0, or 4 with alpha), 8 or 16 bits",
      `${kind} (colour type ${h.colourType}), ${h.bitDepth}-bit`,
      "convert it to grayscale first, e.g. magick in.png -colorspace Gray -depth 16 out.png",
    );
  }
  if (h.bitDepth !== 8 && h.bitDepth !== 16) {
    throw dataError("PNG_BIT_DEPTH", file, `${h.bitDepth}-bit images are not supported`, "8- or 16-bit grayscale", `${h.bitDepth}-bit ${kind}`);
  }
  if (h.interlace !== 0) {
    throw dataError("PNG_INTERLACED", file, "interlaced (Adam7) images are not supported", "a non-interlaced PNG", "Adam7 interlacing", "re-save it without interlacing");
  }
  if (h.width === 0 || h.height === 0) throw dataError("PNG_CORRUPT", file, "the image is empty", "width and height ≥ 1", `${h.width}×${h.height}`);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the five PNG filters in place (each row: a filter byte, then `width·bpp` bytes). */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number, file: string): void {
  const stride = width * bpp;
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    const prev = row - (stride + 1);
    const filter = raw[row];
    const cur = row + 1;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? raw[cur + i - bpp] : 0;
      const b = y > 0 ? raw[prev + 1 + i] : 0;
      const c = y > 0 && i >= bpp ? raw[prev + 1 + i - bpp] : 0;
      let pred: number;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) >>> 1;
          break;
        case 4:
          pred = paeth(a, b, c);
          break;
        default:
          throw dataError("PNG_CORRUPT", file, `row ${y} has an unknown filter type`, "a filter type 0–4", filter);
      }
      raw[cur + i] = (raw[cur + i] + pred) & 0xff;
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface PngWriteOptions {
  /** 8 (default) or 16 bits per sample. */
  bitDepth?: 8 | 16;
}

/**
 * A grayscale PNG of a [height, width] array with values in [0, 1] (clipped; NaN becomes 0).
 * Each row gets the filter with the smallest sum of absolute residuals (the usual heuristic).
 */
export function encodePng(data: ArrayLike<number>, shape: readonly number[], options: PngWriteOptions = {}): Uint8Array {
  const bitDepth = options.bitDepth ?? 8;
  if (shape.length !== 2 || shape[0] * shape[1] !== data.length || shape[0] < 1 || shape[1] < 1) {
    throw dataError("PNG_SHAPE", "encodePng", "expected a non-empty 2D image whose shape matches the data", `[height, width] with height·width = ${data.length}`, `[${shape.join(", ")}]`);
  }
  if (bitDepth !== 8 && bitDepth !== 16) throw dataError("PNG_BIT_DEPTH", "encodePng", "unsupported bit depth", "8 or 16", bitDepth);
  const [height, width] = shape;
  const bpp = bitDepth / 8;
  const stride = width * bpp;
  const max = bitDepth === 16 ? 65535 : 255;
  const raw = new Uint8Array(stride);
  const prev = new Uint8Array(stride);
  const out = new Uint8Array(height * (stride + 1));
  const trial = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      const q = Math.round((v > 0 ? (v < 1 ? v : 1) : 0) * max);
      if (bitDepth === 16) {
        raw[2 * x] = q >>> 8;
        raw[2 * x + 1] = q & 0xff;
      } else raw[x] = q;
    }
    let bestCost = Infinity;
    for (let f = 0; f <= 4; f++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? raw[i - bpp] : 0;
        const b = y > 0 ? prev[i] : 0;
        const c = y > 0 && i >= bpp ? prev[i - bpp] : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >>> 1 : paeth(a, b, c);
        const r = (raw[i] - pred) & 0xff;
        trial[i] = r;
        cost += r < 128 ? r : 256 - r;
      }
      if (cost < bestCost) {
        bestCost = cost;
        out[y * (stride + 1)] = f;
        out.set(trial, y * (stride + 1) + 1);
      }
    }
    prev.set(raw);
  }
  const ihdr = new Uint8Array(13);
  const h = new DataView(ihdr.buffer);
  h.setUint32(0, width);
  h.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = 0;
  return concat([Uint8Array.from(SIGNATURE), chunk("IHDR", ihdr), chunk("IDAT", new Uint8Array(deflateSync(out))), chunk("IEND", new Uint8Array(0))]);
}

export function writePng(path: string, data: ArrayLike<number>, shape: readonly number[], options: PngWriteOptions = {}): void {
  writeFileSync(path, encodePng(data, shape, options));
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}
