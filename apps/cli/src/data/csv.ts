import type { Dtype } from "@cflow/core";
import { dataError, readInputFile } from "./input-file.js";
import { type LoadedArray, allocate } from "./loaded-array.js";

export interface CsvReadOptions {
  /** dtype of the returned array (default float64). */
  dtype?: Dtype;
  /** Whether the first row is a header; "auto" (default): it is when any of its fields is not a number. */
  header?: boolean | "auto";
}

export interface LoadedTable extends LoadedArray {
  /** Column names, when the file has a header row. */
  header?: string[];
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads a numeric, rectangular CSV as a [rows, columns] array. The delimiter is a comma, or a tab
 * or semicolon when the first row has no comma. Blank lines and `#` comment lines (NumPy's
 * savetxt header) are skipped. Errors name the file, the line and the column.
 */
export function readCsv(path: string, options: CsvReadOptions = {}): LoadedTable {
  const bytes = readInputFile(path, "CSV");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw dataError("CSV_ENCODING", path, "the file is not UTF-8 text", "a UTF-8 text file of numbers", "binary or non-UTF-8 bytes");
  }
  return parseCsv(text, path, options);
}

export function parseCsv(text: string, file: string, options: CsvReadOptions = {}): LoadedTable {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const rows: { line: number; fields: string[] }[] = [];
  let delimiter: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
    delimiter ??= l.includes(",") ? "," : l.includes("\t") ? "\t" : l.includes(";") ? ";" : ",";
    rows.push({ line: i + 1, fields: splitFields(l, delimiter, file, i + 1) });
  }
  if (rows.length === 0) throw dataError("CSV_EMPTY", file, "the file has no rows", "rows of numbers", "no data");

  const first = rows[0].fields;
  const wantHeader = options.header ?? "auto";
  const hasHeader = wantHeader === "auto" ? first.some((f) => !NUMBER.test(f.trim())) : wantHeader;
  const header = hasHeader ? first.map((f) => f.trim()) : undefined;
  const body = hasHeader ? rows.slice(1) : rows;
  if (body.length === 0) throw dataError("CSV_EMPTY", file, "the file has a header but no data rows", "at least one row of numbers", "only a header");

  const cols = header?.length ?? body[0].fields.length;
  const ref = hasHeader ? rows[0].line : body[0].line;
  const dtype = options.dtype ?? "float64";
  const data = allocate(dtype, body.length * cols);
  body.forEach((r, i) => {
    if (r.fields.length !== cols) {
      throw dataError(
        "CSV_RAGGED",
        file,
        `line ${r.line} has ${r.fields.length} column${r.fields.length === 1 ? "" : "s"}, not ${cols} as on line ${ref}`,
        `${cols} columns on every line (a rectangular table)`,
        `${r.fields.length} columns`,
      );
    }
    r.fields.forEach((f, j) => {
      const t = f.trim();
      if (!NUMBER.test(t)) {
        throw dataError(
          "CSV_NOT_A_NUMBER",
          file,
          `line ${r.line}, column ${j + 1}${header ? ` (${header[j]})` : ""}: "${t}" is not a number`,
          "a finite decimal number such as 3, -0.25 or 1e-6",
          t === "" ? "an empty field" : `"${t}"`,
          /^[+-]?(nan|inf(inity)?)$/i.test(t) ? "cflow arrays must be finite: fill or drop missing values first" : undefined,
        );
      }
      data[i * cols + j] = Number(t);
    });
  });
  return { data, shape: [body.length, cols], dtype, ...(header ? { header } : {}) };
}

/** Fields of one line; double quotes may wrap a field ("" is a literal quote). */
function splitFields(line: string, delimiter: string, file: string, lineNo: number): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === delimiter) {
      out.push(field);
      field = "";
    } else field += ch;
  }
  if (quoted) throw dataError("CSV_QUOTE", file, `line ${lineNo}, column ${out.length + 1}: a quoted field is not closed`, 'a closing "', `end of line ${lineNo}`);
  out.push(field);
  return out;
}
