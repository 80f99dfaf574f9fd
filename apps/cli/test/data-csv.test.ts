import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DTYPES } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { parseCsv, readCsv } from "../src/data/csv.js";
import { loadArray } from "../src/data/load-array.js";
import { writeNpy } from "../src/data/npy.js";
import { writePng } from "../src/data/image.js";
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
    expectNamed(await caught(() => loadArray(join(tmp, "a.mat"))), "a.mat", ".mat", ".npy, .csv, .tsv, .png, .jpg");
  });
});

describe("csv: a header only when every cell of the first row is text, and no malformed number passes", () => {
  it.each([
    ["1,,3\n4,5,6\n", 1, 2, "an empty field", "finite"],
    ["0x10,2\n3,4\n", 1, 1, '"0x10"', "decimal"],
    ["1,\u22122\n3,4\n", 1, 2, '"\u22122"', "U+2212"],
    ["1,2\n3,\u22124\n", 2, 2, '"\u22124"', "U+2212"],
    ["NaN,inf\n1,2\n", 1, 1, '"NaN"', "finite"],
    ["a,1\n2,3\n", 1, 1, '"a"', "a header row has only names"],
    [",a,b\n1,2,3\n", 1, 1, "an empty field", "finite"],
  ])("%j → an error at line %i, column %i, never a dropped row", async (text, line, column, found, hint) => {
    const e = await caught(() => parseCsv(text, "data.csv"));
    expect(e.code).toBe("CSV_NOT_A_NUMBER");
    expectNamed(e, "data.csv", found, "finite decimal number");
    expect(e.message).toContain(`line ${line}, column ${column}`);
    expect(e.details.hint).toContain(hint);
  });

  it("a first row of names is a header; names that look like numbers are not", () => {
    expect(parseCsv("time,value\n0,1\n", "t.csv").header).toEqual(["time", "value"]);
    expect(parseCsv("x;y\n1;2\n", "t.csv").header).toEqual(["x", "y"]);
    expect(parseCsv("a,b\n1,2\n", "t.csv", { header: true }).shape).toEqual([1, 2]);
    const year = parseCsv("year,2019\n1,2\n", "y.csv", { header: true });
    expect(year.header).toEqual(["year", "2019"]);
  });

  it("a decimal comma under a semicolon delimiter is named", async () => {
    const e = await caught(() => parseCsv("x;y\n1;2,5\n", "de.csv"));
    expect(e.message).toContain("line 2, column 2 (y)");
    expect(e.details.hint).toContain("decimal comma");
  });

  it("the table's size is checked against the element limit before its array is allocated", async () => {
    expect(parseCsv("1,2,3\n4,5,6\n", "t.csv", { maxElements: 6 }).shape).toEqual([2, 3]);
    const e = await caught(() => parseCsv("x,y,z\n1,2,3\n4,5,6\n# c\n\n7,8,9\n", "t.csv", { maxElements: 8 }));
    expect(e.code).toBe("TOO_MANY_ELEMENTS");
    expectNamed(e, "t.csv", "3 rows × 3 columns = 9 elements", "at most 8 elements");
    const tmp = tempDir("csv-limit");
    writeFileSync(join(tmp, "big.csv"), "1,2\n3,4\n");
    expect((await caught(() => loadArray(join(tmp, "big.csv"), { maxElements: 3 }))).code).toBe("TOO_MANY_ELEMENTS");
  });
});
