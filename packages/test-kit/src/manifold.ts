import type { RealArray } from "./rng.js";
import { randomArray } from "./rng.js";
import type { Dtype } from "./rng.js";

/** The part of a manifold adapter the tangent helpers need (structural: no import of the library). */
export interface TangentSpace {
  readonly dtype: Dtype;
  projTangent(x: RealArray, v: RealArray): RealArray;
  metric(x: RealArray, u: RealArray, v: RealArray): number;
}

/** A tangent vector at x of metric norm `size`, from the projection of a Gaussian. */
export function randomTangent(m: TangentSpace, x: RealArray, rand: () => number, size: number): RealArray {
  const u = m.projTangent(x, randomArray(m.dtype, x.length, rand));
  const s = size / Math.sqrt(m.metric(x, u, u));
  for (let i = 0; i < u.length; i++) u[i] *= s;
  return u;
}
