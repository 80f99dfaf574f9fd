import { type Shape, shapeSize } from "../../dtype.js";
import type { Findings } from "./findings.js";
import { fmt } from "./read.js";

/**
 * One place an op is used whose shapes must fit: a term's op on its slot (and the term's target
 * on the op's output), or a slot initialised with an op's adjoint of a data array.
 */
export interface OpUse {
  /** Spec path of the op reference (`terms[0].op`, `state.x.init.adjoint.op`). */
  path: string;
  op: string;
  slot: { name: string; shape: readonly number[] };
  /** The data the op's output must match, with the spec path naming it. */
  target?: { name: string; length: number; path: string };
}

/** Whether an op's input fits the slot and its output the target data; findings otherwise. */
export function checkOpUse(use: OpUse, shapes: { inShape: Shape; outShape: Shape }, findings: Findings): void {
  const { path, op, slot, target } = use;
  if (shapeSize(shapes.inShape) !== shapeSize(slot.shape)) {
    findings.error("SHAPE_MISMATCH", path, `op "${op}" takes ${fmt(shapes.inShape)}, slot "${slot.name}" is ${fmt(slot.shape)}`, { expected: fmt(slot.shape), found: fmt(shapes.inShape) });
  }
  const out = shapeSize(shapes.outShape);
  if (target && target.length !== out) {
    findings.error("SHAPE_MISMATCH", target.path, `data "${target.name}" has ${target.length} elements, op "${op}" produces ${out}`, { expected: `${out} elements`, found: `${target.length}` });
  }
}
