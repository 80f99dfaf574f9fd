// Grey images in and out of the page: an RGBA bitmap (a decoded PNG, a canvas) to grey levels in
// [0, 1] and back. The conversions are plain IEEE arithmetic, so Node computes the same grey image
// from the same RGBA bytes (the Chromium test relies on it).

/** Rec. 601 luma of 8-bit RGBA pixels, scaled to [0, 1] (alpha ignored). */
export function rgbaToGrey(rgba: Uint8ClampedArray | Uint8Array, pixels: number): Float64Array {
  if (rgba.length !== 4 * pixels) throw new RangeError(`rgbaToGrey: ${rgba.length} bytes for ${pixels} RGBA pixels (expected ${4 * pixels})`);
  const out = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
  return out;
}

/** Grey levels to opaque 8-bit RGBA, linearly from [lo, hi] (values outside are clipped). */
export function greyToRgba(grey: ArrayLike<number>, lo: number, hi: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(4 * grey.length);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < grey.length; i++) {
    const v = (grey[i] - lo) * scale;
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Decodes an image file (PNG, or anything the browser reads) and scales it to `size × size` grey levels. */
export async function decodeGrey(file: Blob, size: number): Promise<Float64Array> {
  const bitmap = await createImageBitmap(file);
  try {
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2D canvas context");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, 0, 0, size, size);
    return rgbaToGrey(ctx.getImageData(0, 0, size, size).data, size * size);
  } finally {
    bitmap.close();
  }
}
