/** Float64 vector arithmetic for the estimators (Lanczos bases, probes); unrolled by 4 for V8. */

export function dot(n: number, x: Float64Array, y: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  for (; i < n; i++) s0 += x[i] * y[i];
  return s0 + s1 + (s2 + s3);
}

/** y ← y + a·x */
export function axpy(n: number, a: number, x: Float64Array, y: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    y[i] += a * x[i];
    y[i + 1] += a * x[i + 1];
    y[i + 2] += a * x[i + 2];
    y[i + 3] += a * x[i + 3];
  }
  for (; i < n; i++) y[i] += a * x[i];
}

export function norm2(n: number, x: Float64Array): number {
  return Math.sqrt(dot(n, x, x));
}

export function scale(n: number, a: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] *= a;
}
