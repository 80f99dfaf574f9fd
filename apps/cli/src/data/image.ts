import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { type Dtype, checkElementCount } from "@cflow/core";
import { imageSize } from "image-size";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { type TiffIfd, decode as decodeTiff } from "tiff";
import { LOADER_LIMIT_HINT, dataError, readInputFile } from "./input-file.js";
import { type LoadedArray, allocate } from "./loaded-array.js";

/**
 * Image files as arrays, through maintained codecs: pngjs (PNG), jpeg-js (JPEG), tiff (reading
 * TIFF) and geotiff (writing TIFF: the tiff package only decodes). Every reader takes the image's
 * size from its header (image-size; for TIFF the IFD without its strips) and checks it against the
 * element limit before the codec decodes anything.
 */

export interface ImageReadOptions {
  /** dtype of the returned array (default float64). */
  dtype?: Dtype;
  /** Largest element count accepted (default: the machine default of core's `defaultMaxElements`). */
  maxElements?: number;
  /**
   * `"luma"` (default): one [height, width] array; colour pixels become their luma
   * Y′ = 0.2126 R′ + 0.7152 G′ + 0.0722 B′ (ITU-R BT.709 coefficients on the stored, gamma-encoded
   * values), grey pixels stay as they are, alpha is dropped. `"channels"`: [channels, height,
   * width], one plane per channel the file stores (grey, grey + alpha, R G B, R G B + alpha; a JPEG
   * gives R, G, B).
   */
  color?: "luma" | "channels";
  /** The page of a multi-page TIFF to read (default: the only page; a multi-page file must name one). */
  page?: number;
}

export type PngReadOptions = ImageReadOptions;

/** Decoded samples, interleaved, before scaling: what every format hands `toArray`. */
interface Pixels {
  width: number;
  height: number;
  /** Samples per pixel in `data` (interleaved). */
  stride: number;
  /** Offsets in a pixel of the channels kept in "channels" mode, in order. */
  channels: number[];
  /** Offsets of R, G, B for luma; null: the first kept channel is grey. */
  rgb: [number, number, number] | null;
  data: ArrayLike<number>;
  /** Integer samples are divided by this (255, 65535...); 1 for float samples. */
  scale: number;
}

const BT709 = [0.2126, 0.7152, 0.0722] as const;

// geotiff (only the TIFF writer needs it) takes a while to load: its CommonJS build is required on first use
const requireModule = createRequire(import.meta.url);
let geotiff: typeof import("geotiff") | undefined;

const READERS: Record<string, (bytes: Uint8Array, file: string, o: ImageReadOptions) => LoadedArray> = {
  ".png": parsePng,
  ".jpg": parseJpeg,
  ".jpeg": parseJpeg,
  ".tif": parseTiff,
  ".tiff": parseTiff,
};

/** The file extensions `readImage` (and `loadArray`) read as images. */
export const IMAGE_EXTENSIONS = Object.keys(READERS);

/** Reads a PNG, JPEG or TIFF file by its extension (see ImageReadOptions for the layout and scaling). */
export function readImage(path: string, options: ImageReadOptions = {}): LoadedArray {
  const ext = extname(path).toLowerCase();
  const reader = READERS[ext];
  if (!reader) throw dataError("IMAGE_UNKNOWN_FORMAT", path, `cannot read ${ext ? `"${ext}"` : "extensionless"} files as images`, IMAGE_EXTENSIONS.join(", "), ext || "no extension");
  return reader(readInputFile(path, ext.slice(1).toUpperCase()), path, options);
}

/**
 * Reads a PNG of any colour type (grey, grey + alpha, RGB, RGBA, palette), bit depth (1–16) and
 * interlacing. Integer samples are scaled to [0, 1] by the largest value of the bit depth (palette
 * entries by 255).
 */
export function readPng(path: string, options: PngReadOptions = {}): LoadedArray {
  return parsePng(readInputFile(path, "PNG"), path, options);
}

export function parsePng(bytes: Uint8Array, file: string, options: PngReadOptions = {}): LoadedArray {
  checkMagic(bytes, file, "PNG", [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]], "the PNG signature 89 50 4e 47 0d 0a 1a 0a");
  const { width, height } = headerSize(bytes, file, "PNG", options);
  let png: PNG;
  try {
    // pngjs inflates no more than the declared image needs (a compressed bomb is refused) and checks every CRC
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  } catch (e) {
    throw corrupt(file, "PNG", e);
  }
  const meta = png as unknown as { depth: number; color: boolean; alpha: boolean; palette: boolean };
  if (png.width !== width || png.height !== height) throw dataError("PNG_CORRUPT", file, "the decoded size differs from the header's", `${width} × ${height}`, `${png.width} × ${png.height}`);
  const rgb = meta.color || meta.palette;
  return toArray(
    { width, height, stride: 4, channels: [...(rgb ? [0, 1, 2] : [0]), ...(meta.alpha ? [3] : [])], rgb: rgb ? [0, 1, 2] : null, data: png.data as ArrayLike<number>, scale: meta.palette ? 255 : 2 ** meta.depth - 1 },
    file,
    options,
  );
}

/** Reads a baseline or progressive JPEG (8-bit grey or colour, decoded to R, G, B) scaled to [0, 1]. */
export function readJpeg(path: string, options: ImageReadOptions = {}): LoadedArray {
  return parseJpeg(readInputFile(path, "JPEG"), path, options);
}

export function parseJpeg(bytes: Uint8Array, file: string, options: ImageReadOptions = {}): LoadedArray {
  checkMagic(bytes, file, "JPEG", [[0xff, 0xd8, 0xff]], "the JPEG start-of-image marker ff d8 ff");
  const { width, height } = headerSize(bytes, file, "JPEG", options);
  let image: { width: number; height: number; data: Uint8Array };
  try {
    // the size was checked against our limit: let jpeg-js allocate what that size needs
    const mp = Math.ceil((width * height) / 1e6) + 1;
    image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: mp, maxMemoryUsageInMB: Math.max(512, mp * 32) });
  } catch (e) {
    throw corrupt(file, "JPEG", e);
  }
  return toArray({ width: image.width, height: image.height, stride: 3, channels: [0, 1, 2], rgb: [0, 1, 2], data: image.data, scale: 255 }, file, options);
}

/**
 * Reads a TIFF page: grey (BlackIsZero or WhiteIsZero), RGB or palette; 8- or 16-bit unsigned
 * samples scaled to [0, 1], 32- or 64-bit float samples as they are; uncompressed, LZW or Deflate,
 * in strips or tiles.
 */
export function readTiff(path: string, options: ImageReadOptions = {}): LoadedArray {
  return parseTiff(readInputFile(path, "TIFF"), path, options);
}

export function parseTiff(bytes: Uint8Array, file: string, options: ImageReadOptions = {}): LoadedArray {
  checkMagic(bytes, file, "TIFF", [[0x49, 0x49, 0x2a, 0x00], [0x4d, 0x4d, 0x00, 0x2a]], 'the TIFF byte-order mark "II*\\0" or "MM\\0*"');
  let pages: TiffIfd[];
  try {
    pages = decodeTiff(bytes, { ignoreImageData: true });
  } catch (e) {
    throw corrupt(file, "TIFF", e);
  }
  const page = options.page ?? 0;
  if (options.page === undefined && pages.length > 1) {
    throw dataError("TIFF_PAGES", file, `the file holds ${pages.length} pages`, "a single-page TIFF, or the page to read ({ page: k })", `${pages.length} pages`, "pass { page: 0 } (…) to loadArray to read one page");
  }
  if (!Number.isInteger(page) || page < 0 || page >= pages.length) throw dataError("TIFF_PAGES", file, `there is no page ${page}`, `a page from 0 to ${pages.length - 1}`, page);
  const head = pages[page];
  const what = `${head.bitsPerSample}-bit ${head.sampleFormat === 3 ? "float" : head.sampleFormat === 2 ? "signed" : "unsigned"}`;
  if (!(head.sampleFormat === 3 ? head.bitsPerSample === 32 || head.bitsPerSample === 64 : head.sampleFormat === 1 && (head.bitsPerSample === 8 || head.bitsPerSample === 16))) {
    throw dataError("TIFF_SAMPLES", file, `${what} samples are not supported`, "8- or 16-bit unsigned, or 32- or 64-bit float samples", what);
  }
  const photometric = head.type;
  if (![0, 1, 2, 3].includes(photometric)) {
    throw dataError("TIFF_PHOTOMETRIC", file, `photometric interpretation ${photometric} is not supported`, "grey (0, 1), RGB (2) or palette (3)", photometric, "convert it to grey or RGB first");
  }
  if (photometric === 0 && head.sampleFormat === 3) throw dataError("TIFF_PHOTOMETRIC", file, "float samples with WhiteIsZero are not supported", "BlackIsZero float samples", "WhiteIsZero float");
  if (head.planarConfiguration === 2 && head.samplesPerPixel > 1) {
    throw dataError("TIFF_PLANAR", file, "separate colour planes are not supported", "interleaved samples (PlanarConfiguration 1)", "PlanarConfiguration 2");
  }
  checkSize(head.width, head.height, file, options);
  let ifd: TiffIfd;
  try {
    ifd = decodeTiff(bytes, { pages: [page] })[0];
  } catch (e) {
    throw corrupt(file, "TIFF", e);
  }
  const stride = ifd.samplesPerPixel;
  const scale = ifd.sampleFormat === 3 ? 1 : 2 ** ifd.bitsPerSample - 1;
  // (the tiff package turns WhiteIsZero samples into BlackIsZero ones)
  const data: ArrayLike<number> = ifd.data;
  if (photometric === 3) {
    const palette = ifd.palette;
    if (!palette) throw dataError("TIFF_CORRUPT", file, "a palette image without its ColorMap", "a ColorMap tag", "none");
    const rgb = new Uint16Array(ifd.width * ifd.height * 3);
    for (let i = 0; i < ifd.width * ifd.height; i++) rgb.set(palette[ifd.data[i * stride]], 3 * i);
    return toArray({ width: ifd.width, height: ifd.height, stride: 3, channels: [0, 1, 2], rgb: [0, 1, 2], data: rgb, scale: 65535 }, file, options);
  }
  const colour = photometric === 2;
  const channels = Array.from({ length: Math.min(stride, colour ? 4 : 2) }, (_, k) => k);
  return toArray({ width: ifd.width, height: ifd.height, stride, channels, rgb: colour ? [0, 1, 2] : null, data, scale }, file, options);
}

/** The file's magic bytes, or an error naming what was found. */
function checkMagic(bytes: Uint8Array, file: string, kind: string, magics: number[][], expected: string): void {
  if (magics.some((m) => bytes.length >= m.length && m.every((b, i) => bytes[i] === b))) return;
  const found = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw dataError(`${kind}_BAD_SIGNATURE`, file, `not a ${kind} file`, expected, found ? `bytes ${found}` : "an empty file");
}

/** Width and height from the header (nothing decoded), checked against the element limit. */
function headerSize(bytes: Uint8Array, file: string, kind: string, o: ImageReadOptions): { width: number; height: number } {
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch (e) {
    throw dataError(`${kind}_CORRUPT`, file, `the ${kind} header cannot be read: ${(e as Error).message}`, `a ${kind} header with the image's size`, "a damaged or cut header");
  }
  const { width, height } = size;
  if (!width || !height) throw dataError(`${kind}_CORRUPT`, file, "the image is empty", "width and height ≥ 1", `${width ?? "?"}×${height ?? "?"}`);
  checkSize(width, height, file, o);
  return { width, height };
}

function checkSize(width: number, height: number, file: string, o: ImageReadOptions): void {
  checkElementCount(width * height, { path: file, what: "the image", found: `${width} × ${height} pixels`, dtype: o.dtype ?? "float64", maxElements: o.maxElements, hint: LOADER_LIMIT_HINT });
}

function corrupt(file: string, kind: string, e: unknown): Error {
  const reason = e instanceof Error ? e.message : String(e);
  return dataError(`${kind}_CORRUPT`, file, `the ${kind} data cannot be decoded: ${reason}`, `a valid ${kind} file`, reason, "the file is damaged, cut short or crafted");
}

/** The decoded samples as a luma [height, width] or a planar [channels, height, width] array. */
function toArray(p: Pixels, file: string, o: ImageReadOptions): LoadedArray {
  const dtype = o.dtype ?? "float64";
  const n = p.width * p.height;
  const { data, stride, scale } = p;
  if (o.color === "channels") {
    const c = p.channels.length;
    checkElementCount(c * n, { path: file, what: "the image", found: `${c} channels × ${p.width} × ${p.height} pixels`, dtype, maxElements: o.maxElements, hint: LOADER_LIMIT_HINT });
    const out = allocate(dtype, c * n);
    for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[k * n + i] = data[i * stride + p.channels[k]] / scale;
    return { data: out, shape: [c, p.height, p.width], dtype };
  }
  const out = allocate(dtype, n);
  if (!p.rgb) {
    const g = p.channels[0];
    for (let i = 0; i < n; i++) out[i] = data[i * stride + g] / scale;
  } else {
    const [r, g, b] = p.rgb;
    for (let i = 0; i < n; i++) {
      const R = data[i * stride + r];
      const G = data[i * stride + g];
      const B = data[i * stride + b];
      // a grey pixel is its own luma (exactly, without the rounding of the weighted sum)
      out[i] = (R === G && G === B ? R : BT709[0] * R + BT709[1] * G + BT709[2] * B) / scale;
    }
  }
  return { data: out, shape: [p.height, p.width], dtype };
}

export interface PngWriteOptions {
  /** 8 (default) or 16 bits per sample. */
  bitDepth?: 8 | 16;
}

/** A grayscale PNG of a [height, width] array with values in [0, 1] (clipped; NaN becomes 0). */
export function encodePng(data: ArrayLike<number>, shape: readonly number[], options: PngWriteOptions = {}): Uint8Array {
  const bitDepth = options.bitDepth ?? 8;
  const [height, width] = imageShape(data, shape, "encodePng");
  if (bitDepth !== 8 && bitDepth !== 16) throw dataError("PNG_BIT_DEPTH", "encodePng", "unsupported bit depth", "8 or 16", bitDepth);
  const samples = bitDepth === 16 ? quantise(data, 65535, Uint16Array) : quantise(data, 255, Uint8Array);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth, inputHasAlpha: false });
  // pngjs reads 16-bit input as native-endian Uint16 values over the buffer's start
  png.data = bitDepth === 16 ? (samples as unknown as Buffer) : Buffer.from(samples.buffer);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth, inputHasAlpha: false }));
}

export function writePng(path: string, data: ArrayLike<number>, shape: readonly number[], options: PngWriteOptions = {}): void {
  writeFileSync(path, encodePng(data, shape, options));
}

export interface TiffWriteOptions {
  /** Sample type: `float32` (default; values stored as they are), `float64`, or `uint16` / `uint8` (values in [0, 1], clipped, NaN as 0). */
  sampleFormat?: "float32" | "float64" | "uint16" | "uint8";
}

/** A single-page grey TIFF of a [height, width] array (uncompressed, one strip). */
export function encodeTiff(data: ArrayLike<number>, shape: readonly number[], options: TiffWriteOptions = {}): Uint8Array {
  const [height, width] = imageShape(data, shape, "encodeTiff");
  const format = options.sampleFormat ?? "float32";
  const samples =
    format === "float32" ? Float32Array.from(data) : format === "float64" ? Float64Array.from(data) : format === "uint16" ? quantise(data, 65535, Uint16Array) : format === "uint8" ? quantise(data, 255, Uint8Array) : null;
  if (!samples) throw dataError("TIFF_SAMPLES", "encodeTiff", "unsupported sample format", "float32, float64, uint16 or uint8", format);
  const float = format.startsWith("float");
  geotiff ??= requireModule("geotiff") as typeof import("geotiff");
  return new Uint8Array(geotiff.writeArrayBuffer(samples, { width, height, SampleFormat: [float ? 3 : 1], PhotometricInterpretation: 1 }));
}

export function writeTiff(path: string, data: ArrayLike<number>, shape: readonly number[], options: TiffWriteOptions = {}): void {
  writeFileSync(path, encodeTiff(data, shape, options));
}

function imageShape(data: ArrayLike<number>, shape: readonly number[], where: string): [number, number] {
  if (shape.length !== 2 || shape[0] * shape[1] !== data.length || shape[0] < 1 || shape[1] < 1) {
    throw dataError("IMAGE_SHAPE", where, "expected a non-empty 2D image whose shape matches the data", `[height, width] with height·width = ${data.length}`, `[${shape.join(", ")}]`);
  }
  return [shape[0], shape[1]];
}

/** Values in [0, 1] (clipped, NaN as 0) as integers 0..max. */
function quantise<T extends Uint8Array | Uint16Array>(data: ArrayLike<number>, max: number, Type: { new (n: number): T }): T {
  const out = new Type(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = Math.round((v > 0 ? (v < 1 ? v : 1) : 0) * max);
  }
  return out;
}
