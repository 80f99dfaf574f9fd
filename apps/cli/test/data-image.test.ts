import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { DTYPES } from "@cflow/core";
import { describe, expect, it } from "vitest";
import jpeg from "jpeg-js";
import { encodePng, encodeTiff, parseJpeg, parsePng, parseTiff, readImage, readPng, writePng, writeTiff } from "../src/data/image.js";
import { loadArray } from "../src/data/load-array.js";
import { caught, expectNamed, tempDir } from "./helpers.js";

// --- an independent PNG builder: its own filters, node:zlib's deflate and CRC ---------------------

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0);
  return Buffer.concat([head, body, crc]);
}

function filterRow(f: number, row: Uint8Array, prev: Uint8Array | null, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    const p = a + b - c;
    const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
    const pred = [0, a, b, Math.floor((a + b) / 2), paeth][f];
    out[i] = (row[i] - pred + 256) % 256;
  }
  return out;
}

interface Fixture {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace?: number;
  /** Raw samples per row, big-endian for 16 bits. */
  rows: Uint8Array[];
  /** Filter type of each row. */
  filters: number[];
}

function buildPng(f: Fixture & { palette?: number[][]; raw?: Buffer }): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[f.colourType as 0 | 2 | 3 | 4 | 6];
  const bpp = Math.max(1, (channels * f.bitDepth) / 8);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(f.width, 0);
  ihdr.writeUInt32BE(f.height, 4);
  ihdr[8] = f.bitDepth;
  ihdr[9] = f.colourType;
  ihdr[12] = f.interlace ?? 0;
  const raw = f.raw ?? Buffer.concat(f.rows.map((r, y) => Buffer.concat([Buffer.of(f.filters[y]), filterRow(f.filters[y], r, y ? f.rows[y - 1] : null, bpp)])));
  const plte = f.palette ? [chunk("PLTE", Uint8Array.from(f.palette.flat()))] : [];
  const z = deflateSync(raw);
  // split the data over two IDAT chunks, as encoders may
  const half = z.length >> 1;
  return new Uint8Array(
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), ...plte, chunk("IDAT", z.subarray(0, half)), chunk("IDAT", z.subarray(half)), chunk("IEND", new Uint8Array(0))]),
  );
}

/** A 7×5 gray ramp with structure in both directions; values 0..255 (or 0..65535). */
function samples(width: number, height: number, max: number): number[][] {
  return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => Math.round((((x * 37 + y * 101 + x * y * 13) % 97) / 96) * max)));
}

function rowsOf(values: number[][], bitDepth: 8 | 16, alpha: boolean): Uint8Array[] {
  return values.map((row) => {
    const out: number[] = [];
    for (const [i, v] of row.entries()) {
      const s = bitDepth === 16 ? [v >> 8, v & 255] : [v];
      out.push(...s);
      if (alpha) out.push(...(bitDepth === 16 ? [(i * 4000) >> 8, (i * 4000) & 255] : [255 - i]));
    }
    return Uint8Array.from(out);
  });
}

/** Adam7 interlacing of 8-bit samples (`channels` per pixel): the seven passes, each row with filter byte 0. */
function adam7(values: number[][][], channels: number): Buffer {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const h = values.length;
  const w = values[0].length;
  const out: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    if (x0 >= w || y0 >= h) continue;
    for (let y = y0; y < h; y += dy) {
      out.push(0);
      for (let x = x0; x < w; x += dx) for (let c = 0; c < channels; c++) out.push(values[y][x][c]);
    }
  }
  return Buffer.from(out);
}

const luma = (r: number, g: number, b: number) => (r === g && g === b ? r : 0.2126 * r + 0.7152 * g + 0.0722 * b);

describe("png: hand-built images of every colour type", () => {
  for (const bitDepth of [8, 16] as const) {
    for (const alpha of [false, true]) {
      it(`${bitDepth}-bit grey${alpha ? " with alpha" : ""}, every filter type, scaled to [0, 1]`, () => {
        const max = bitDepth === 16 ? 65535 : 255;
        const values = samples(7, 6, max);
        // rows use filter types 0,1,2,3,4,4 (Paeth twice: once with a previous row of each kind)
        const png = buildPng({ width: 7, height: 6, bitDepth, colourType: alpha ? 4 : 0, rows: rowsOf(values, bitDepth, alpha), filters: [0, 1, 2, 3, 4, 4] });
        const a = parsePng(png, "hand.png");
        expect(a.shape).toEqual([6, 7]);
        expect(a.dtype).toBe("float64");
        expect(Array.from(a.data)).toEqual(values.flat().map((v) => v / max));
        const planes = parsePng(png, "hand.png", { color: "channels" });
        expect(planes.shape).toEqual([alpha ? 2 : 1, 6, 7]);
        expect(Array.from(planes.data.subarray(0, 42))).toEqual(values.flat().map((v) => v / max));
        if (alpha) expect(planes.data[42 + 1]).toBe(bitDepth === 16 ? 4000 / 65535 : 254 / 255);
      });
    }
  }

  it.each([8, 16] as const)("%i-bit RGB and RGBA: luma by ITU-R BT.709, or one plane per channel", (bitDepth) => {
    const max = bitDepth === 16 ? 65535 : 255;
    const w = 5;
    const h = 4;
    const px = Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => [((x * 53 + y * 17) % 97) / 96, ((x * 11 + y * 71) % 89) / 88, x === y ? ((x * 11 + y * 71) % 89) / 88 : ((x * 29 + y * 5) % 83) / 82].map((v) => Math.round(v * max))));
    for (const a of [false, true]) {
      const rows = px.map((row) => Uint8Array.from(row.flatMap((p, x) => [...p, ...(a ? [x * 40] : [])].flatMap((v) => (bitDepth === 16 ? [v >> 8, v & 255] : [v])))));
      const png = buildPng({ width: w, height: h, bitDepth, colourType: a ? 6 : 2, rows, filters: [0, 1, 4, 2] });
      const grey = parsePng(png, "rgb.png");
      expect(grey.shape).toEqual([h, w]);
      const truth = px.flat().map(([r, g, b]) => luma(r, g, b) / max);
      for (let i = 0; i < truth.length; i++) expect(grey.data[i]).toBeCloseTo(truth[i], 14);
      const planes = parsePng(png, "rgb.png", { color: "channels" });
      expect(planes.shape).toEqual([a ? 4 : 3, h, w]);
      for (let c = 0; c < 3; c++) expect(Array.from(planes.data.subarray(c * w * h, (c + 1) * w * h))).toEqual(px.flat().map((p) => p[c] / max));
      if (a) expect(Array.from(planes.data.subarray(3 * w * h, 3 * w * h + w))).toEqual(Array.from({ length: w }, (_, x) => (x * 40) / max));
    }
  });

  it("palette images (8- and 2-bit indices) read their palette colours", () => {
    const palette = [
      [0, 0, 0],
      [255, 0, 0],
      [10, 200, 30],
      [128, 128, 128],
    ];
    const idx = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
    ];
    const truth = idx.flat().map((k) => luma(palette[k][0], palette[k][1], palette[k][2]) / 255);
    const eight = buildPng({ width: 4, height: 2, bitDepth: 8, colourType: 3, palette, rows: idx.map((r) => Uint8Array.from(r)), filters: [0, 0] });
    const two = buildPng({ width: 4, height: 2, bitDepth: 2, colourType: 3, palette, rows: idx.map((r) => Uint8Array.of((r[0] << 6) | (r[1] << 4) | (r[2] << 2) | r[3])), filters: [0, 1] });
    for (const png of [eight, two]) {
      const a = parsePng(png, "pal.png");
      for (let i = 0; i < truth.length; i++) expect(a.data[i]).toBeCloseTo(truth[i], 14);
      expect(Array.from(parsePng(png, "pal.png", { color: "channels" }).data.subarray(0, 8))).toEqual(idx.flat().map((k) => palette[k][0] / 255));
    }
  });

  it("1-, 2- and 4-bit grey are scaled by their own maximum", () => {
    const one = buildPng({ width: 8, height: 1, bitDepth: 1, colourType: 0, rows: [Uint8Array.of(0b10110001)], filters: [0] });
    expect(Array.from(parsePng(one, "bits.png").data)).toEqual([1, 0, 1, 1, 0, 0, 0, 1]);
    const four = buildPng({ width: 2, height: 1, bitDepth: 4, colourType: 0, rows: [Uint8Array.of(0x3f)], filters: [0] });
    expect(Array.from(parsePng(four, "nibble.png").data)).toEqual([3 / 15, 1]);
  });

  it("Adam7-interlaced grey and RGB images read as their non-interlaced twins", () => {
    const w = 11;
    const h = 9;
    const grey = samples(w, h, 255).map((row) => row.map((v) => [v]));
    const a = parsePng(buildPng({ width: w, height: h, bitDepth: 8, colourType: 0, interlace: 1, rows: [], filters: [], raw: adam7(grey, 1) }), "adam7.png");
    expect(a.shape).toEqual([h, w]);
    expect(Array.from(a.data)).toEqual(samples(w, h, 255).flat().map((v) => v / 255));
    const rgb = grey.map((row, y) => row.map(([v], x) => [v, (v + x) % 256, (v + 3 * y) % 256]));
    const flat = buildPng({ width: w, height: h, bitDepth: 8, colourType: 2, rows: rgb.map((r) => Uint8Array.from(r.flat())), filters: Array(h).fill(1) });
    const inter = buildPng({ width: w, height: h, bitDepth: 8, colourType: 2, interlace: 1, rows: [], filters: [], raw: adam7(rgb, 3) });
    expect(Array.from(parsePng(inter, "i.png", { color: "channels" }).data)).toEqual(Array.from(parsePng(flat, "f.png", { color: "channels" }).data));
  });

  it("returns float32 when asked", () => {
    const png = buildPng({ width: 3, height: 2, bitDepth: 8, colourType: 0, rows: [Uint8Array.of(0, 128, 255), Uint8Array.of(1, 2, 3)], filters: [1, 2] });
    const a = parsePng(png, "small.png", { dtype: "float32" });
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual([0, 128, 255, 1, 2, 3].map((v) => Math.fround(v / 255)));
  });
});

describe.each(DTYPES)("png round trip (%s)", (dtype) => {
  it("8-bit: values come back quantised to 1/255; 16-bit: to 1/65535", () => {
    const tmp = tempDir("png");
    const h = 9;
    const w = 13;
    const data = Float64Array.from({ length: h * w }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
    for (const bitDepth of [8, 16] as const) {
      const path = join(tmp, `r${bitDepth}.png`);
      writePng(path, data, [h, w], { bitDepth });
      const back = readPng(path, { dtype });
      expect(back.shape).toEqual([h, w]);
      const max = bitDepth === 16 ? 65535 : 255;
      for (let i = 0; i < data.length; i++) {
        const expected = Math.round(data[i] * max) / max;
        expect(Math.abs(back.data[i] - expected)).toBeLessThanOrEqual(dtype === "float64" ? 1e-15 : 1e-7);
      }
    }
  });

  it("clips values outside [0, 1] and maps NaN to 0", () => {
    const back = parsePng(encodePng(Float64Array.of(-1, 0.5, 2, Number.NaN), [2, 2]), "clip.png", { dtype });
    const cast = dtype === "float32" ? Math.fround : (v: number) => v;
    expect(Array.from(back.data)).toEqual([0, cast(128 / 255), 1, 0]);
  });
});

describe("png: refusals name the file, what was found and what was expected", () => {
  it("a corrupted chunk, a cut file, a file that is not a PNG, a missing file", async () => {
    const png = buildPng({ width: 2, height: 2, bitDepth: 8, colourType: 0, rows: [Uint8Array.of(1, 2), Uint8Array.of(3, 4)], filters: [0, 0] });
    const bad = png.slice();
    bad[40] ^= 0xff;
    expectNamed(await caught(() => parsePng(bad, "flip.png")), "flip.png", /./, "a valid PNG file");
    expect((await caught(() => parsePng(bad, "flip.png"))).code).toBe("PNG_CORRUPT");
    expect((await caught(() => parsePng(png.subarray(0, png.length - 12), "cut.png"))).code).toBe("PNG_CORRUPT");
    expectNamed(await caught(() => parsePng(new TextEncoder().encode("GIF89a......"), "anim.png")), "anim.png", "47 49 46", "PNG signature");
    const tmp = tempDir("png");
    expectNamed(await caught(() => readPng(join(tmp, "missing.png"))), "missing.png", "nothing at this path", "PNG file");
    writeFileSync(join(tmp, "empty.png"), "");
    expectNamed(await caught(() => readPng(join(tmp, "empty.png"))), "empty.png", "empty file", "PNG signature");
  });
});

describe("png: the element limit is checked from IHDR, before anything is inflated", () => {
  /** A PNG whose IHDR declares `width × height` but whose IDAT holds `idat` (not the image). */
  function declared(width: number, height: number, idat: Uint8Array): Uint8Array {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8;
    return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]));
  }

  it("a 30000 × 30000 image is refused from its header: the IDAT is never read (it is not even zlib)", async () => {
    const png = declared(30000, 30000, new TextEncoder().encode("not zlib data at all"));
    const e = await caught(() => parsePng(png, "huge.png", { maxElements: 1e8 }));
    expect(e.code).toBe("TOO_MANY_ELEMENTS");
    expectNamed(e, "huge.png", "30000 × 30000 pixels = 9e+8 elements", "at most 1e+8 elements");
    expect(e.message).toBe("huge.png: the image has 9e+8 elements, more than the limit of 1e+8");
    expect(e.details.hint).toContain("maxElements");
  });

  it("with the default limit (sized to this machine's memory) too, for the largest size IHDR can declare", async () => {
    const side = 2 ** 31 - 1;
    const e = await caught(() => parsePng(declared(side, side, new Uint8Array(4)), "max.png", { dtype: "float32" }));
    expect(e.code).toBe("TOO_MANY_ELEMENTS");
    expect(String(e.details.expected)).toMatch(/GiB of memory at 4 bytes per float32 element/);
  });

  it("an image at the limit is read; one pixel more is refused; channels count against it", async () => {
    const png = buildPng({ width: 4, height: 3, bitDepth: 8, colourType: 2, rows: Array.from({ length: 3 }, () => Uint8Array.from({ length: 12 }, (_, i) => i * 20)), filters: [0, 0, 0] });
    expect(parsePng(png, "ok.png", { maxElements: 12 }).shape).toEqual([3, 4]);
    expect((await caught(() => parsePng(png, "ok.png", { maxElements: 11 }))).code).toBe("TOO_MANY_ELEMENTS");
    const e = await caught(() => parsePng(png, "ok.png", { maxElements: 35, color: "channels" }));
    expectNamed(e, "ok.png", "3 channels × 4 × 3 pixels = 36 elements", "at most 35");
  });

  it("data that inflates beyond the declared image is refused, not inflated whole", async () => {
    // 16 × 16 declared; the IDAT inflates to 256 MB of zeros (a 256 KB file)
    const bomb = deflateSync(Buffer.alloc(256 * 2 ** 20));
    const before = process.memoryUsage().arrayBuffers;
    const e = await caught(() => parsePng(declared(16, 16, bomb), "bomb.png"));
    expect(e.code).toBe("PNG_CORRUPT");
    expectNamed(e, "bomb.png", /./, "a valid PNG file");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });
});

// --- JPEG: real files made by jpeg-js's encoder ---------------------------------------------------

function jpegOf(w: number, h: number, rgb: (x: number, y: number) => [number, number, number], quality = 100): Uint8Array {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rgb(x, y);
      data.set([r, g, b, 255], 4 * (y * w + x));
    }
  return new Uint8Array(jpeg.encode({ data, width: w, height: h }, quality).data);
}

describe.each(DTYPES)("jpeg (%s)", (dtype) => {
  it("colour: luma of the decoded pixels (BT.709), close to the luma of the encoded ones; channels: R, G, B", () => {
    const w = 24;
    const h = 16;
    const colour = (x: number, y: number): [number, number, number] => [(x * 10) % 256, (y * 15) % 256, ((x + y) * 7) % 256];
    const file = jpegOf(w, h, colour);
    const a = parseJpeg(file, "photo.jpg", { dtype });
    expect(a.shape).toEqual([h, w]);
    expect(a.dtype).toBe(dtype);
    const decoded = jpeg.decode(file, { useTArray: true, formatAsRGBA: false }).data;
    const tol = dtype === "float64" ? 1e-14 : 1e-6;
    for (let i = 0; i < w * h; i++) {
      expect(Math.abs(a.data[i] - luma(decoded[3 * i], decoded[3 * i + 1], decoded[3 * i + 2]) / 255)).toBeLessThan(tol);
      const [r, g, b] = colour(i % w, Math.floor(i / w));
      expect(Math.abs(a.data[i] - luma(r, g, b) / 255)).toBeLessThan(0.05); // JPEG is lossy even at quality 100
    }
    const planes = parseJpeg(file, "photo.jpg", { dtype, color: "channels" });
    expect(planes.shape).toEqual([3, h, w]);
    expect(planes.data[w * h + 5]).toBeCloseTo(decoded[3 * 5 + 1] / 255, 6);
  });

  it("grey pixels are their own value", () => {
    const a = parseJpeg(jpegOf(8, 8, (x, y) => [x * 30, x * 30, x * 30].map(() => (x + y) * 16) as [number, number, number]), "grey.jpg", { dtype });
    const decoded = jpeg.decode(jpegOf(8, 8, (x, y) => [(x + y) * 16, (x + y) * 16, (x + y) * 16]), { useTArray: true, formatAsRGBA: false }).data;
    for (let i = 0; i < 64; i++) if (decoded[3 * i] === decoded[3 * i + 1] && decoded[3 * i + 1] === decoded[3 * i + 2]) expect(a.data[i]).toBe(dtype === "float32" ? Math.fround(decoded[3 * i] / 255) : decoded[3 * i] / 255);
  });
});

describe("jpeg: limits and refusals", () => {
  it("the size is checked from the header before decoding; damaged files are refused naming the file", async () => {
    const file = jpegOf(40, 30, (x, y) => [x, y, 0]);
    const e = await caught(() => parseJpeg(file, "big.jpg", { maxElements: 1199 }));
    expect(e.code).toBe("TOO_MANY_ELEMENTS");
    expectNamed(e, "big.jpg", "40 × 30 pixels = 1200 elements", "at most 1199");
    expectNamed(await caught(() => parseJpeg(file.subarray(0, 200), "cut.jpg")), "cut.jpg", /./, "a valid JPEG file");
    expectNamed(await caught(() => parseJpeg(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "png.jpg")), "png.jpg", "89 50 4e 47", "ff d8 ff");
  });
});

// --- TIFF: an independent writer of uncompressed strips, and the geotiff round trip ---------------

/** A one-strip, uncompressed TIFF written here byte by byte (either byte order). */
function tiffOf(o: { w: number; h: number; bits: 8 | 16 | 32 | 64; format: 1 | 3; spp?: number; photometric?: number; values: number[]; bigEndian?: boolean; pages?: number }): Uint8Array {
  const le = !o.bigEndian;
  const spp = o.spp ?? 1;
  const bytesPer = o.bits / 8;
  const dataLen = o.values.length * bytesPer;
  const entries: [number, number, number, number][] = [
    // tag, type (3 SHORT, 4 LONG), count, value
    [256, 4, 1, o.w],
    [257, 4, 1, o.h],
    [258, 3, 1, o.bits],
    [259, 3, 1, 1],
    [262, 3, 1, o.photometric ?? (spp >= 3 ? 2 : 1)],
    [273, 4, 1, 0], // strip offset, patched below
    [277, 3, 1, spp],
    [278, 4, 1, o.h],
    [279, 4, 1, dataLen],
    [339, 3, 1, o.format],
  ];
  const pages = o.pages ?? 1;
  const ifdLen = 2 + entries.length * 12 + 4;
  const total = 8 + pages * (ifdLen + dataLen);
  const buf = Buffer.alloc(total);
  buf.write(le ? "II" : "MM", 0, "latin1");
  const u16 = (v: number, at: number) => (le ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? buf.writeUInt32LE(v, at) : buf.writeUInt32BE(v, at));
  u16(42, 2);
  u32(8, 4);
  for (let p = 0; p < pages; p++) {
    const ifd = 8 + p * (ifdLen + dataLen);
    const data = ifd + ifdLen;
    u16(entries.length, ifd);
    entries.forEach(([tag, type, count, value], k) => {
      const at = ifd + 2 + 12 * k;
      u16(tag, at);
      u16(type, at + 2);
      u32(count, at + 4);
      const v = tag === 273 ? data : value;
      if (type === 3) u16(v, at + 8);
      else u32(v, at + 8);
    });
    u32(p + 1 < pages ? data + dataLen : 0, ifd + 2 + 12 * entries.length);
    o.values.forEach((v, i) => {
      const at = data + i * bytesPer;
      if (o.format === 3 && o.bits >= 32) o.bits === 32 ? (le ? buf.writeFloatLE(v, at) : buf.writeFloatBE(v, at)) : le ? buf.writeDoubleLE(v, at) : buf.writeDoubleBE(v, at);
      else if (o.bits === 16) u16(v, at);
      else buf[at] = v;
    });
  }
  return new Uint8Array(buf);
}

describe.each(DTYPES)("tiff (%s)", (dtype) => {
  const w = 6;
  const h = 4;
  const cast = dtype === "float32" ? Math.fround : (v: number) => v;
  it.each([false, true])("8- and 16-bit grey scaled to [0, 1], float kept as it is (big-endian: %s)", (bigEndian) => {
    const ints = Array.from({ length: w * h }, (_, i) => (i * 37) % 256);
    expect(Array.from(parseTiff(tiffOf({ w, h, bits: 8, format: 1, values: ints, bigEndian }), "a.tif", { dtype }).data)).toEqual(ints.map((v) => cast(v / 255)));
    const wide = ints.map((v) => v * 251);
    const a16 = parseTiff(tiffOf({ w, h, bits: 16, format: 1, values: wide, bigEndian }), "b.tif", { dtype });
    expect(a16.shape).toEqual([h, w]);
    expect(Array.from(a16.data)).toEqual(wide.map((v) => cast(v / 65535)));
    const floats = Array.from({ length: w * h }, (_, i) => Math.fround(-3.5 + i * 0.3125));
    for (const bits of [32, 64] as const) expect(Array.from(parseTiff(tiffOf({ w, h, bits, format: 3, values: floats, bigEndian }), "c.tif", { dtype }).data)).toEqual(floats.map(cast));
  });

  it("RGB: BT.709 luma or three planes; WhiteIsZero is inverted", () => {
    const rgb = Array.from({ length: w * h * 3 }, (_, i) => (i * 29) % 256);
    const a = parseTiff(tiffOf({ w, h, bits: 8, format: 1, spp: 3, values: rgb }), "rgb.tif", { dtype });
    for (let i = 0; i < w * h; i++) expect(a.data[i]).toBeCloseTo(luma(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) / 255, dtype === "float64" ? 14 : 6);
    const planes = parseTiff(tiffOf({ w, h, bits: 8, format: 1, spp: 3, values: rgb }), "rgb.tif", { dtype, color: "channels" });
    expect(planes.shape).toEqual([3, h, w]);
    expect(Array.from(planes.data.subarray(2 * w * h))).toEqual(Array.from({ length: w * h }, (_, i) => cast(rgb[3 * i + 2] / 255)));
    const inverted = parseTiff(tiffOf({ w, h, bits: 8, format: 1, photometric: 0, values: Array(w * h).fill(55) }), "wiz.tif", { dtype });
    expect(inverted.data[0]).toBe(cast(200 / 255));
  });

  it("writeTiff → readTiff: float32 keeps the values, uint16 quantises [0, 1]", () => {
    const tmp = tempDir("tiff");
    const data = Float64Array.from({ length: w * h }, (_, i) => Math.sin(i) * 10);
    writeTiff(join(tmp, "f.tif"), data, [h, w]);
    const back = readImage(join(tmp, "f.tif"), { dtype });
    expect(back.shape).toEqual([h, w]);
    expect(Array.from(back.data)).toEqual(Array.from(data, (v) => Math.fround(v)));
    writeTiff(join(tmp, "u.tiff"), data, [h, w], { sampleFormat: "uint16" });
    expect(Array.from(loadArray(join(tmp, "u.tiff"), { dtype }).data)).toEqual(Array.from(data, (v) => cast(Math.round(Math.min(1, Math.max(0, v)) * 65535) / 65535)));
    const f64 = parseTiff(encodeTiff(data, [h, w], { sampleFormat: "float64" }), "d.tif", { dtype });
    expect(Array.from(f64.data)).toEqual(Array.from(data, cast));
  });
});

describe("tiff: pages, limits and refusals", () => {
  it("a multi-page file must name its page; the size is checked from the IFD before the strips are read", async () => {
    const file = tiffOf({ w: 3, h: 2, bits: 8, format: 1, values: [0, 1, 2, 3, 4, 5], pages: 3 });
    expectNamed(await caught(() => parseTiff(file, "stack.tif")), "stack.tif", "3 pages", "{ page: k }");
    expect(Array.from(parseTiff(file, "stack.tif", { page: 2 }).data)).toEqual([0, 1, 2, 3, 4, 5].map((v) => v / 255));
    expectNamed(await caught(() => parseTiff(file, "stack.tif", { page: 3 })), "stack.tif", "3", "a page from 0 to 2");
    const e = await caught(() => parseTiff(tiffOf({ w: 3, h: 2, bits: 8, format: 1, values: [1, 2, 3, 4, 5, 6] }), "s.tif", { maxElements: 5 }));
    expectNamed(e, "s.tif", "3 × 2 pixels = 6 elements", "at most 5");
    // 30000 × 30000 declared, strips absent: refused from the IFD alone
    const huge = tiffOf({ w: 30000, h: 30000, bits: 8, format: 1, values: [] });
    expect((await caught(() => parseTiff(huge, "huge.tif", { maxElements: 1e8 }))).code).toBe("TOO_MANY_ELEMENTS");
  });

  it("unsupported samples and non-TIFF bytes name what was found", async () => {
    expectNamed(await caught(() => parseTiff(tiffOf({ w: 1, h: 1, bits: 16, format: 3 as 1, values: [0] }), "half.tif")), "half.tif", "16-bit float", "32- or 64-bit float");
    expectNamed(await caught(() => parseTiff(new TextEncoder().encode("P5\n1 1\n255\n"), "pgm.tif")), "pgm.tif", "50 35", '"II*');
  });
});
