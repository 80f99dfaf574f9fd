import { extname } from "node:path";
import { CflowError, type Dtype } from "@cflow/core";
import { readCsv } from "./csv.js";
import type { LoadedArray } from "./loaded-array.js";
import { readNpy } from "./npy.js";
import { IMAGE_EXTENSIONS, type ImageReadOptions, readImage } from "./image.js";

export interface LoadOptions extends Pick<ImageReadOptions, "color" | "page"> {
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
  ".csv": readCsv,
  ".tsv": readCsv,
  ...Object.fromEntries(IMAGE_EXTENSIONS.map((ext) => [ext, readImage])),
};

/**
 * Reads a data file by its extension: .npy, .csv/.tsv, and the images .png, .jpg/.jpeg and
 * .tif/.tiff (luma by default, or one plane per channel: see ImageReadOptions).
 */
export function loadArray(path: string, options: LoadOptions = {}): LoadedArray {
  const ext = extname(path).toLowerCase();
  const reader = READERS[ext];
  if (!reader) {
    throw new CflowError("DATA_UNKNOWN_FORMAT", `${path}: cannot read ${ext ? `"${ext}"` : "extensionless"} files`, {
      path,
      expected: "a .npy, .csv, .tsv, .png, .jpg, .jpeg, .tif or .tiff file",
      found: ext || "no extension",
    });
  }
  return reader(path, options);
}
