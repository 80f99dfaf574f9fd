import { type Dtype, checkElementCount } from "@cflow/core";
import { CsvError, parse } from "csv-parse/sync";
import { LOADER_LIMIT_HINT, dataError, readInputFile } from "./input-file.js";
import { type LoadedArray, allocate } from "./loaded-array.js";

export interface CsvReadOptions {
  /** dtype of the returned array (default float64). */
  dtype?: Dtype;
  /**
   * Whether the first row is a header; "auto" (default): it is when every one of its cells is
   * text that is not a number (nor number-like: `0x10`, `−2`, `NaN`, `1st`...).
   */
  header?: boolean | "auto";
  /** Largest element count accepted (default: the machine default of core's `defaultMaxElements`). */
  maxElements?: number;
}

export interface LoadedTable extends LoadedArray {
  /** Column names, when the file has a header row. */
  header?: string[];
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Cells that mean a number even when cflow cannot read them: a header never holds them. */
const NUMBER_LIKE = /^[+\-\u2212]?(?:\.?\d|nan$|inf$|infinity$)/i;

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

/**
 * Parses CSV text (see readCsv) with csv-parse, twice: the first pass counts the rows (keeping
 * none) so the table's size is checked against the element limit before its array is allocated;
 * the second fills the array. Every cell must be a finite decimal number — an empty cell, `0x10`,
 * a Unicode minus `−2` or `NaN` is an error naming the line and the column, never a silently
 * dropped row.
 */
export function parseCsv(text: string, file: string, options: CsvReadOptions = {}): LoadedTable {
  const body = text.replace(/^\uFEFF/, "");
  const firstText = body.split(/\r?\n/).find((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (firstText === undefined) throw dataError("CSV_EMPTY", file, "the file has no rows", "rows of numbers", "no data");
  const delimiter = firstText.includes(",") ? "," : firstText.includes("\t") ? "\t" : firstText.includes(";") ? ";" : ",";

  let rows = 0;
  let first: { fields: string[]; line: number } | undefined;
  eachRecord(body, delimiter, file, (fields, line) => {
    rows++;
    first ??= { fields, line };
  });
  if (!first) throw dataError("CSV_EMPTY", file, "the file has no rows", "rows of numbers", "no data");
  const firstRow = first;
  const wantHeader = options.header ?? "auto";
  const hasHeader = wantHeader === "auto" ? firstRow.fields.every(isHeaderCell) : wantHeader;
  const header = hasHeader ? firstRow.fields : undefined;
  const bodyRows = hasHeader ? rows - 1 : rows;
  if (bodyRows === 0) throw dataError("CSV_EMPTY", file, "the file has a header but no data rows", "at least one row of numbers", "only a header");

  const cols = firstRow.fields.length;
  const dtype = options.dtype ?? "float64";
  checkElementCount(bodyRows * cols, { path: file, what: "the table", found: `${bodyRows} rows × ${cols} columns`, dtype, maxElements: options.maxElements, hint: LOADER_LIMIT_HINT });
  const data = allocate(dtype, bodyRows * cols);
  let i = -1;
  eachRecord(body, delimiter, file, (fields, line) => {
    i++;
    if (hasHeader && i === 0) return;
    const r = hasHeader ? i - 1 : i;
    if (fields.length !== cols) {
      throw dataError(
        "CSV_RAGGED",
        file,
        `line ${line} has ${fields.length} column${fields.length === 1 ? "" : "s"}, not ${cols} as on line ${firstRow.line}`,
        `${cols} columns on every line (a rectangular table)`,
        `${fields.length} columns`,
      );
    }
    for (let j = 0; j < cols; j++) {
      const t = fields[j];
      if (!NUMBER.test(t)) throw notANumber(file, line, j, t, header, wantHeader === "auto" && !hasHeader && i === 0, delimiter);
      data[r * cols + j] = Number(t);
    }
  });
  return { data, shape: [bodyRows, cols], dtype, ...(header ? { header } : {}) };
}

/**
 * Calls `fn` with each record's trimmed fields and its 1-based line number, keeping no record:
 * blank lines and lines starting with `#` (NumPy's savetxt header) are skipped, double quotes may
 * wrap a field ("" is a literal quote). A quoting error names the file and the line.
 */
function eachRecord(text: string, delimiter: string, file: string, fn: (fields: string[], line: number) => void): void {
  try {
    parse(text, {
      delimiter,
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      on_record: (record, context) => {
        fn(record, context.lines);
        return null;
      },
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as CsvError & { lines?: number }).lines ?? "?";
    if (e.code === "CSV_QUOTE_NOT_CLOSED") throw dataError("CSV_QUOTE", file, `line ${line}: a quoted field is not closed`, 'a closing "', `end of line ${line}`);
    throw dataError("CSV_QUOTE", file, `line ${line}: ${e.message.replace(/^[^:]*: /, "")}`, 'a field either wholly inside double quotes ("1.5") or without them', e.code);
  }
}

/** A header cell: text that is not empty and does not read as (or look like) a number. */
function isHeaderCell(t: string): boolean {
  return t.length > 0 && !NUMBER.test(t) && !NUMBER_LIKE.test(t);
}

function notANumber(file: string, line: number, j: number, t: string, header: string[] | undefined, firstRow: boolean, delimiter: string) {
  let hint: string | undefined;
  if (t === "" || /^[+-]?(nan|inf(inity)?)$/i.test(t)) hint = "cflow arrays must be finite: fill or drop missing values first";
  else if (t.includes("\u2212")) hint = 'the minus sign here is U+2212 ("−"): write the ASCII hyphen-minus "-"';
  else if (/^[+-]?0[xob]/i.test(t)) hint = "only decimal numbers are read: convert hexadecimal, octal or binary literals first";
  else if (delimiter !== "," && /^[+-]?\d+,\d+$/.test(t)) hint = "a decimal comma: write the decimal point as \".\"";
  else if (firstRow) hint = "line 1 is read as data because some of its cells are numbers: a header row has only names (or pass header: true)";
  return dataError(
    "CSV_NOT_A_NUMBER",
    file,
    `line ${line}, column ${j + 1}${header ? ` (${header[j]})` : ""}: "${t}" is not a number`,
    "a finite decimal number such as 3, -0.25 or 1e-6",
    t === "" ? "an empty field" : `"${t}"`,
    hint,
  );
}
