import type { Buf } from "@cflow/core/kernel";

/**
 * Consecutive pieces of one kernel block, in the order asked for: `piece(length)` the next
 * `length` elements, `piece(length, src)` the same filled with src's first `length` elements. The
 * certificates' kernel routines allocate one block per element type (each allocation may grow the
 * kernel's memory, and every growth has a fixed cost) and cut their arrays from it.
 */
export function pieces<V extends Float64Array | Int32Array>(block: Buf<V>): (length: number, src?: V) => Buf<V> {
  let at = 0;
  return (length, src) => {
    const b = block.sub(at, length);
    at += length;
    if (src) b.view.set(src.subarray(0, length) as never);
    return b;
  };
}
