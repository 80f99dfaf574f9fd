import type { Dtype, RealArray, Shape } from "../../dtype.js";
import type { Registry } from "../../registry/registry.js";
import { ELEMENT_LIMIT_HINT, type ElementLimit, formatCount } from "../element-limit.js";
import type { Findings } from "./findings.js";
import { type OpUse, checkOpUse } from "./op-shapes.js";

/** A declared state slot (shape null when the declaration is invalid). */
export interface SlotInfo {
  name: string;
  shape: number[] | null;
  manifold: string;
}

/**
 * What lint knows of a declared op: its shapes when the declaration tells them (an Op instance,
 * or a registered op type that declares them from its parameters), null when they are only known
 * once the op exists (a user's factory function, or a plugin's op type without `declare`): the
 * compiler checks those after creating the op.
 */
export interface OpInfo {
  shapes: { inShape: Shape; outShape: Shape } | null;
}

export interface TransformInfo {
  name: string;
  levels: number | undefined;
}

/** The declarations read so far, shared by the lint passes (data → ops → transforms → state → terms → policies). */
export class LintContext {
  readonly slots = new Map<string, SlotInfo>();
  /** Momentum slots (declared with conjugateOf) — Hamiltonian flows need one. */
  readonly conjugateSlots = new Set<string>();
  /** Data array lengths by name. */
  readonly data = new Map<string, number>();
  /** Data arrays in the run's dtype, for op types that declare their shapes from data. */
  readonly dataArrays: Record<string, RealArray> = {};
  /** null: the op's declaration is invalid (already reported). */
  readonly ops = new Map<string, OpInfo | null>();
  /** null: the transform's declaration is invalid (already reported). */
  readonly transforms = new Map<string, TransformInfo | null>();
  /** Op uses left to the compiler (see LintReport.deferred). */
  readonly deferred: OpUse[] = [];
  /** The flow family splits terms h(Kx) through conjugate proxes (atoms/dual-split.ts). */
  primalDual = false;

  constructor(
    readonly registry: Registry,
    readonly dtype: Dtype,
    readonly findings: Findings,
    /** Largest element count of one slot or data array (policies.budgets.maxElements, else the machine default). */
    readonly limit: ElementLimit,
  ) {}

  /** Whether `count` elements are within the element limit; a finding at `path` otherwise. */
  withinLimit(path: string, what: string, count: number, found: string): boolean {
    if (count <= this.limit.maxElements) return true;
    this.findings.error("TOO_MANY_ELEMENTS", path, `${what} has ${formatCount(count)} elements, more than the limit of ${formatCount(this.limit.maxElements)}`, {
      expected: `at most ${formatCount(this.limit.maxElements)} elements (${this.limit.source})`,
      found: `${found} = ${formatCount(count)} elements`,
      hint: ELEMENT_LIMIT_HINT,
    });
    return false;
  }

  /** Checks a use of a declared op now when its shapes are declared, else leaves it to the compiler. */
  useOp(use: OpUse): void {
    const info = this.ops.get(use.op);
    if (!info) return;
    if (info.shapes) checkOpUse(use, info.shapes, this.findings);
    else this.deferred.push(use);
  }
}
