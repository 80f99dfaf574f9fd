// A seeded generator for tests, independent of the library's own RNG (threefry), so a test does
// not depend on the code it checks.

export type Dtype = "float32" | "float64";
export type RealArray = Float64Array | Float32Array;

/** mulberry32: a small 32-bit seeded generator of uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) from a uniform generator. */
export function randn(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** `n` standard normal samples in a typed array of `dtype`. */
export function randomArray(dtype: Dtype, n: number, rand: () => number): RealArray {
  const a = zerosOf(dtype, n);
  for (let i = 0; i < n; i++) a[i] = randn(rand);
  return a;
}

/** A typed array of `dtype` holding `values`. */
export function typed(dtype: Dtype, values: ArrayLike<number>): RealArray {
  return dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
}

export function zerosOf(dtype: Dtype, n: number): RealArray {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}
