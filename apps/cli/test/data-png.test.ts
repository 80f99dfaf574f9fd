import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { DTYPES } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { encodePng, parsePng, readPng, writePng } from "../src/data/png.js";
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

function buildPng(f: Fixture): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[f.colourType as 0 | 2 | 3 | 4 | 6];
  const bpp = Math.max(1, (channels * f.bitDepth) / 8);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(f.width, 0);
  ihdr.writeUInt32BE(f.height, 4);
  ihdr[8] = f.bitDepth;
  ihdr[9] = f.colourType;
  ihdr[12] = f.interlace ?? 0;
  const raw = Buffer.concat(f.rows.map((r, y) => Buffer.concat([Buffer.of(f.filters[y]), filterRow(f.filters[y], r, y ? f.rows[y - 1] : null, bpp)])));
  const z = deflateSync(raw);
  // split the data over two IDAT chunks, as encoders may
  const half = z.length >> 1;
  return new Uint8Array(
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", z.subarray(0, half)), chunk("IDAT", z.subarray(half)), chunk("IEND", new Uint8Array(0))]),
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

describe("png: hand-built grayscale images", () => {
  for (const bitDepth of [8, 16] as const) {
    for (const alpha of [false, true]) {
      it(`${bitDepth}-bit${alpha ? " with alpha" : ""}, every filter type, scaled to [0, 1]`, () => {
        const max = bitDepth === 16 ? 65535 : 255;
        const values = samples(7, 6, max);
        // rows use filter types 0,1,2,3,4,4 (Paeth twice: once with a previous row of each kind)
        const png = buildPng({ width: 7, height: 6, bitDepth, colourType: alpha ? 4 : 0, rows: rowsOf(values, bitDepth, alpha), filters: [0, 1, 2, 3, 4, 4] });
        const a = parsePng(png, "hand.png");
        expect(a.shape).toEqual([6, 7]);
        expect(a.dtype).toBe("float64");
        expect(Array.from(a.data)).toEqual(values.flat().map((v) => v / max));
      });
    }
  }

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
  const rgb = () => buildPng({ width: 2, height: 1, bitDepth: 8, colourType: 2, rows: [Uint8Array.of(1, 2, 3, 4, 5, 6)], filters: [0] });

  it("colour (RGB, RGBA) and palette images", async () => {
    expectNamed(await caught(() => parsePng(rgb(), "photo.png")), "photo.png", "RGB colour (colour type 2)", "grayscale");
    const rgba = buildPng({ width: 1, height: 1, bitDepth: 8, colourType: 6, rows: [Uint8Array.of(1, 2, 3, 4)], filters: [0] });
    expectNamed(await caught(() => parsePng(rgba, "rgba.png")), "rgba.png", "RGBA colour", "grayscale");
    const pal = buildPng({ width: 2, height: 1, bitDepth: 8, colourType: 3, rows: [Uint8Array.of(0, 1)], filters: [0] });
    expectNamed(await caught(() => parsePng(pal, "pal.png")), "pal.png", "palette", "grayscale");
  });

  it("interlaced and sub-byte images", async () => {
    const inter = buildPng({ width: 1, height: 1, bitDepth: 8, colourType: 0, interlace: 1, rows: [Uint8Array.of(7)], filters: [0] });
    expectNamed(await caught(() => parsePng(inter, "adam7.png")), "adam7.png", "Adam7", "non-interlaced");
    const four = buildPng({ width: 2, height: 1, bitDepth: 4, colourType: 0, rows: [Uint8Array.of(0x12)], filters: [0] });
    expectNamed(await caught(() => parsePng(four, "nibble.png")), "nibble.png", "4-bit", "8- or 16-bit");
  });

  it("a corrupted chunk, a cut file, a file that is not a PNG, a missing file", async () => {
    const png = buildPng({ width: 2, height: 2, bitDepth: 8, colourType: 0, rows: [Uint8Array.of(1, 2), Uint8Array.of(3, 4)], filters: [0, 0] });
    const bad = png.slice();
    bad[40] ^= 0xff;
    expectNamed(await caught(() => parsePng(bad, "flip.png")), "flip.png", /CRC|0x/, "CRC-32");
    expectNamed(await caught(() => parsePng(png.subarray(0, png.length - 12), "cut.png")), "cut.png", "without IEND", "IEND");
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

  it("an image at the limit is read; one pixel more is refused", async () => {
    const png = buildPng({ width: 4, height: 3, bitDepth: 8, colourType: 0, rows: Array.from({ length: 3 }, () => Uint8Array.of(0, 85, 170, 255)), filters: [0, 0, 0] });
    expect(parsePng(png, "ok.png", { maxElements: 12 }).shape).toEqual([3, 4]);
    expect((await caught(() => parsePng(png, "ok.png", { maxElements: 11 }))).code).toBe("TOO_MANY_ELEMENTS");
  });

  it("data that inflates beyond the declared image is refused without inflating it all", async () => {
    // 16 × 16 declared; the IDAT inflates to 16 MB of zeros (a 16 KB file)
    const bomb = deflateSync(Buffer.alloc(16 * 2 ** 20));
    const e = await caught(() => parsePng(declared(16, 16, bomb), "bomb.png"));
    expectNamed(e, "bomb.png", "more", `${16 * 17} bytes after inflation`);
    expect(e.message).toContain("inflates to more than the 16 × 16 image it declares");
  });
});
