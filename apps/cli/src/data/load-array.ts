import { extname } from "node:path";
import { CflowError, type Dtype } from "@cflow/core";
import { readCsv } from "./csv.js";
import type { LoadedArray } from "./loaded-array.js";
import { readNpy } from "./npy.js";
import { readPng } from "./png.js";

export interface LoadOptions {
  /** dtype of the returned array (a .npy must already be of it). */
  dtype?: Dtype;
  /**
   * Largest element count accepted, checked from the file's header or row count before the array
   * is allocated (default: the machine default of core's `defaultMaxElements`). A spec factory
   * gets cflow's `--max-elements` as `ctx.maxElements`.
   */
  maxElements?: number;
}

const READERS: Record<string, (path: string, options: LoadOptions) => LoadedArray> = {
  ".npy": readNpy,
  ".png": readPng,
  ".csv": readCsv,
  ".tsv": readCsv,
};

/** Reads a data file by its extension: .npy, .png (grayscale), .csv/.tsv. */
export function loadArray(path: string, options: LoadOptions = {}): LoadedArray {
  const ext = extname(path).toLowerCase();
  const reader = READERS[ext];
  if (!reader) {
    throw new CflowError("DATA_UNKNOWN_FORMAT", `${path}: cannot read ${ext ? `"${ext}"` : "extensionless"} files`, {
      path,
      expected: "a .npy, .png or .csv file",
      found: ext || "no extension",
    });
  }
  return reader(path, options);
}
