// Test helpers written independently of src/: plain Möbius arithmetic for closed forms (the
// seeded generator and comparisons are in @cflow/test-kit).
import { dot, norm } from "@cflow/test-kit";

/** Möbius addition of the ball of curvature −c, written out from its definition. */
export function mobius(x: ArrayLike<number>, y: ArrayLike<number>, c = 1): number[] {
  const xy = dot(x, y);
  const xx = dot(x, x);
  const yy = dot(y, y);
  const den = 1 + 2 * c * xy + c * c * xx * yy;
  return Array.from(x, (xi, i) => ((1 + 2 * c * xy + c * yy) * xi + (1 - c * xx) * y[i]) / den);
}

/** d(x, y) = (2/√c) artanh(√c‖(−x) ⊕ y‖). */
export function closedFormDist(x: ArrayLike<number>, y: ArrayLike<number>, c = 1): number {
  const z = mobius(Array.from(x, (q) => -q), y, c);
  return (2 / Math.sqrt(c)) * Math.atanh(Math.sqrt(c) * norm(z));
}
