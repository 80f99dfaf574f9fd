import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DTYPES, DtypeError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { encodeNpy, parseNpy, readNpy, writeNpy } from "../src/data/npy.js";
import { FIXTURES, caught, expectNamed, tempDir } from "./helpers.js";

const dir = join(FIXTURES, "npy");
const arange = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** A .npy built byte by byte from a header text (independent of the writer under test). */
function handBuilt(version: 1 | 2 | 3, header: string, payload: Uint8Array): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(pre + h.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(payload, pre + h.length);
  return out;
}

describe("npy: NumPy's own files", () => {
  it("reads float64 C-order arrays with the values NumPy wrote", () => {
    const a = readNpy(join(dir, "f8-3x4.npy"));
    expect(a.dtype).toBe("float64");
    expect(a.shape).toEqual([3, 4]);
    expect(a.data).toBeInstanceOf(Float64Array);
    expect(Array.from(a.data)).toEqual(arange(12, (i) => (i - 5.5) / 4));
  });

  it("reads float32, 1-D and 0-D arrays", () => {
    const f4 = readNpy(join(dir, "f4-2x3x2.npy"));
    expect(f4.dtype).toBe("float32");
    expect(f4.shape).toEqual([2, 3, 2]);
    expect(f4.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f4.data)).toEqual(arange(12, (i) => (i - 5.5) / 4));
    expect(readNpy(join(dir, "f8-1d.npy"))).toMatchObject({ shape: [5] });
    expect(Array.from(readNpy(join(dir, "f8-1d.npy")).data)).toEqual([0, 0.5, 1, 1.5, 2]);
    const s = readNpy(join(dir, "f8-scalar.npy"));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([2.5]);
  });

  it("reads format versions 2 and 3", () => {
    for (const f of ["f8-v2.npy", "f8-v3.npy"]) {
      const a = readNpy(join(dir, f));
      expect(a.shape).toEqual([3, 4]);
      expect(Array.from(a.data)).toEqual(arange(12, (i) => (i - 5.5) / 4));
    }
  });

  it("writes byte for byte what NumPy writes", () => {
    const a = Float64Array.from(arange(12, (i) => (i - 5.5) / 4));
    expect(Buffer.from(encodeNpy(a, [3, 4])).equals(readFileSync(join(dir, "f8-3x4.npy")))).toBe(true);
    const f = Float32Array.from(arange(12, (i) => (i - 5.5) / 4));
    expect(Buffer.from(encodeNpy(f, [2, 3, 2])).equals(readFileSync(join(dir, "f4-2x3x2.npy")))).toBe(true);
    expect(Buffer.from(encodeNpy(Float64Array.of(0, 0.5, 1, 1.5, 2), [5])).equals(readFileSync(join(dir, "f8-1d.npy")))).toBe(true);
  });
});

describe.each(DTYPES)("npy round trip (%s)", (dtype) => {
  it("keeps values, shape and dtype, with the data 64-byte aligned", () => {
    const tmp = tempDir("npy");
    for (const shape of [[7], [3, 5], [2, 3, 4], [1, 1]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = Math.sin(i * 1.7) * 10 ** (i % 7 - 3);
      const path = join(tmp, `a-${shape.join("x")}.npy`);
      writeNpy(path, data, shape);
      const bytes = readFileSync(path);
      expect((bytes.length - data.byteLength) % 64).toBe(0);
      const back = readNpy(path, { dtype });
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });
});

describe("npy: hand-built headers", () => {
  it("parses v1/v2/v3 headers, Python 2 long shapes and an unaligned payload", () => {
    const payload = new Uint8Array(Float64Array.of(1, -2, 3.5).buffer);
    // a 7-byte header puts the payload at an unaligned offset
    for (const [version, header] of [
      [1, "{'descr':'<f8','fortran_order':False,'shape':(3L,)}\n"],
      [2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n"],
      [3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), } \n"],
    ] as const) {
      const a = parseNpy(handBuilt(version, header, payload), "hand.npy");
      expect(Array.from(a.data)).toEqual([1, -2, 3.5]);
      expect(a.shape.reduce((x, y) => x * y, 1)).toBe(3);
    }
  });
});

describe("npy: refusals name the file, what was found and what was expected", () => {
  it("Fortran order", async () => {
    const f = join(dir, "f8-fortran.npy");
    expectNamed(await caught(() => readNpy(f)), f, "fortran_order: True", "C order");
  });

  it("big-endian data", async () => {
    const f = join(dir, "f8-bigendian.npy");
    const e = await caught(() => readNpy(f));
    expectNamed(e, f, "'>f8'", "little-endian");
    expect(e.message).toContain("big-endian");
  });

  it("other dtypes", async () => {
    const f = join(dir, "i4-3x4.npy");
    expectNamed(await caught(() => readNpy(f)), f, "'<i4'", "'<f4' (float32) or '<f8' (float64)");
  });

  it("a dtype other than the run's (no silent cast)", async () => {
    const f = join(dir, "f4-2x3x2.npy");
    const e = await caught(() => readNpy(f, { dtype: "float64" }));
    expect(e).toBeInstanceOf(DtypeError);
    expect(e.message).toContain(f);
    expect(e.details.found).toContain("float32");
    expect(e.details.expected).toBe("float64");
  });

  it("truncated data, a bad magic string, a missing file", async () => {
    const bytes = readFileSync(join(dir, "f8-3x4.npy"));
    expectNamed(await caught(() => parseNpy(bytes.subarray(0, bytes.length - 8), "cut.npy")), "cut.npy", "88 bytes", "96 bytes");
    expectNamed(await caught(() => parseNpy(new TextEncoder().encode("a,b\n1,2\n"), "table.npy")), "table.npy", "bytes", "\\x93NUMPY");
    expectNamed(await caught(() => readNpy(join(dir, "nope.npy"))), "nope.npy", "nothing at this path", ".npy file");
  });

  it("a structured dtype or a malformed header", async () => {
    const payload = new Uint8Array(8);
    const e = await caught(() => parseNpy(handBuilt(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }\n", payload), "rec.npy"));
    expectNamed(e, "rec.npy", "descr", "'descr': '<f8'");
  });
});

describe("npy: the element limit is checked from the header, before the data is read", () => {
  it("a header declaring (1000000, 1000000) is refused naming the shape (the file holds 8 bytes of data)", async () => {
    const tmp = tempDir("npy-limit");
    const f = join(tmp, "huge.npy");
    writeFileSync(f, handBuilt(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }\n", new Uint8Array(8)));
    const e = await caught(() => readNpy(f));
    expect(e.code).toBe("TOO_MANY_ELEMENTS");
    expectNamed(e, f, "shape (1000000, 1000000) = 1e+12 elements", "elements (the default:");
  });

  it("maxElements: the limit itself passes, one element more is refused", async () => {
    const f = join(dir, "f8-3x4.npy");
    expect(readNpy(f, { maxElements: 12 }).shape).toEqual([3, 4]);
    const e = await caught(() => readNpy(f, { maxElements: 11 }));
    expect(e.message).toBe(`${f}: the array has 12 elements, more than the limit of 11`);
    expect((await caught(() => parseNpy(readFileSync(f), "mem.npy", { maxElements: 11 }))).code).toBe("TOO_MANY_ELEMENTS");
  });

  it("reads the header first: a file cut inside its header, or shorter than its shape, is named", async () => {
    const tmp = tempDir("npy-cut");
    const bytes = readFileSync(join(dir, "f8-3x4.npy"));
    writeFileSync(join(tmp, "head.npy"), bytes.subarray(0, 40));
    expectNamed(await caught(() => readNpy(join(tmp, "head.npy"))), "head.npy", "30", "118 header bytes");
    writeFileSync(join(tmp, "body.npy"), bytes.subarray(0, bytes.length - 8));
    expectNamed(await caught(() => readNpy(join(tmp, "body.npy"))), "body.npy", "88 bytes", "96 bytes");
  });
});
