// Index-driven copies: a gather and its adjoint, the scatter-add (duplicate indices accumulate).
// Indices are i32 element offsets, validated by the caller.
import { at32, ld, st } from "./common/real";

/** out[j] ← x[idx[j]] for j < k. */
export function gather(k: i32, idx: usize, x: usize, out: usize): void {
  for (let j = 0; j < k; j++) st(out, j, ld(x, load<i32>(at32(idx, j))));
}

/** out[idx[j]] ← out[idx[j]] + y[j] for j < k, in order (the adjoint of gather onto a zeroed out). */
export function scatterAdd(k: i32, idx: usize, y: usize, out: usize): void {
  for (let j = 0; j < k; j++) {
    const i = load<i32>(at32(idx, j));
    st(out, i, ld(out, i) + ld(y, j));
  }
}
