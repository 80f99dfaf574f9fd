import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DTYPES } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { parseCsv, readCsv } from "../src/data/csv.js";
import { loadArray } from "../src/data/load-array.js";
import { writeNpy } from "../src/data/npy.js";
import { writePng } from "../src/data/png.js";
import { caught, expectNamed, tempDir } from "./helpers.js";

describe.each(DTYPES)("csv (%s)", (dtype) => {
  it("reads a numeric table with a header into [rows, cols]", () => {
    const t = parseCsv("x,y,z\n1,2,3\n-4.5,5e-3,.25\n", "t.csv", { dtype });
    expect(t.header).toEqual(["x", "y", "z"]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe(dtype);
    const cast = dtype === "float32" ? Math.fround : (v: number) => v;
    expect(Array.from(t.data)).toEqual([1, 2, 3, -4.5, 5e-3, 0.25].map(cast));
  });
});

describe("csv", () => {
  it("reads a table without header, with CRLF, a BOM, blank and # comment lines (NumPy savetxt)", () => {
    const t = parseCsv("\uFEFF# a b\r\n1, 2\r\n\r\n3 ,4\r\n", "s.csv");
    expect(t.header).toBeUndefined();
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });

  it("detects tab and semicolon delimiters, and quoted fields", () => {
    expect(Array.from(parseCsv("1\t2\n3\t4\n", "t.tsv").data)).toEqual([1, 2, 3, 4]);
    expect(parseCsv("a;b\n1;2\n", "s.csv").header).toEqual(["a", "b"]);
    const q = parseCsv('"a, b","c ""q"""\n"1.5",2\n', "q.csv");
    expect(q.header).toEqual(["a, b", 'c "q"']);
    expect(Array.from(q.data)).toEqual([1.5, 2]);
  });

  it("a single column is [rows, 1]; header: false refuses a text first row", async () => {
    expect(parseCsv("1\n2\n3\n", "c.csv").shape).toEqual([3, 1]);
    const e = await caught(() => parseCsv("a,b\n1,2\n", "h.csv", { header: false }));
    expectNamed(e, "h.csv", '"a"', "finite decimal number");
    expect(e.message).toContain("line 1, column 1");
  });

  it("a ragged row: names the file, the line and both column counts", async () => {
    const e = await caught(() => parseCsv("a,b,c\n1,2,3\n4,5\n", "ragged.csv"));
    expectNamed(e, "ragged.csv", "2 columns", "3 columns");
    expect(e.message).toContain("line 3");
    expect(e.message).toContain("as on line 1");
  });

  it("a non-number: names the file, line, column (and its header) and the text", async () => {
    const e = await caught(() => parseCsv("t,v\n0,1\n1,abc\n", "bad.csv"));
    expectNamed(e, "bad.csv", '"abc"', "finite decimal number");
    expect(e.message).toContain("line 3, column 2 (v)");
    const empty = await caught(() => parseCsv("1,2\n3,\n", "hole.csv"));
    expectNamed(empty, "hole.csv", "an empty field", "finite decimal number");
    expect(empty.message).toContain("line 2, column 2");
    const nan = await caught(() => parseCsv("1,2\nNaN,4\n", "nan.csv"));
    expect(nan.details.hint).toContain("finite");
  });

  it("empty files, header-only files, unclosed quotes, non-UTF-8 bytes", async () => {
    expectNamed(await caught(() => parseCsv("\n\n", "e.csv")), "e.csv", "no data", "rows of numbers");
    expectNamed(await caught(() => parseCsv("a,b\n", "h.csv")), "h.csv", "only a header", "at least one row");
    expectNamed(await caught(() => parseCsv('1,"2\n', "q.csv")), "q.csv", "end of line 1", 'closing "');
    const tmp = tempDir("csv");
    writeFileSync(join(tmp, "bin.csv"), Buffer.from([0xff, 0xfe, 0x00, 0x31]));
    expectNamed(await caught(() => readCsv(join(tmp, "bin.csv"))), "bin.csv", "non-UTF-8", "UTF-8");
  });
});

describe("loadArray picks the reader by extension", () => {
  it("reads .npy, .png and .csv, and refuses other extensions naming them", async () => {
    const tmp = tempDir("load");
    writeNpy(join(tmp, "a.npy"), Float64Array.of(1, 2, 3, 4), [2, 2]);
    writePng(join(tmp, "a.png"), Float64Array.of(0, 1, 1, 0), [2, 2]);
    writeFileSync(join(tmp, "a.csv"), "1,2\n3,4\n");
    expect(Array.from(loadArray(join(tmp, "a.npy")).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(loadArray(join(tmp, "a.png")).data)).toEqual([0, 1, 1, 0]);
    expect(Array.from(loadArray(join(tmp, "a.csv"), { dtype: "float32" }).data)).toEqual([1, 2, 3, 4]);
    expectNamed(await caught(() => loadArray(join(tmp, "a.mat"))), "a.mat", ".mat", ".npy, .png or .csv");
  });
});
