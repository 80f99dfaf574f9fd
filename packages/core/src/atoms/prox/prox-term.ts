import type { Dtype } from "../../dtype.js";
import { CflowError } from "../../errors.js";
import type { Buf, Kernel, RealBuf } from "../../kernel/kernel.js";
import { type Cell, type CellBank, type PlanBuilder } from "../../kernel/plan.js";
import { KernelResources } from "../../kernel/resources.js";
import { type Op, checkBuf } from "../../ops/op.js";
import { type ParamRule, checkParam, withDefaults } from "../../spec/params.js";
import type { Band } from "../../transforms/transform.js";
import type { AtomContext, AtomDef, ProxCells, ProxTerm } from "../atom.js";
import { MoreauScratch, emitMoreauConjugate } from "../conjugate.js";

export type ProxParams = Record<string, number | string | boolean | number[]>;

/**
 * The parameters of a term with defaults applied, checked against the atom's rules and its
 * cross-parameter check: atoms are also created outside the compiler (tests, plugins), so they
 * re-check what lint checked.
 */
export function readAtomParams(def: Pick<AtomDef, "name" | "params" | "checkParams">, ctx: Pick<AtomContext, "path" | "params">): ProxParams {
  const params = withDefaults(def.params, ctx.params);
  for (const [k, rule] of Object.entries(def.params) as [string, ParamRule][]) {
    const v = params[k];
    if (v === undefined) {
      if (rule.required) throw new CflowError("MISSING_PARAM", `${ctx.path}.params.${k}: atom "${def.name}" needs "${k}" (${rule.description})`, { path: `${ctx.path}.params.${k}`, expected: rule.type, found: "undefined" });
      continue;
    }
    const problem = checkParam(rule, v);
    if (problem) throw new CflowError("BAD_PARAM", `${ctx.path}.params.${k}: ${problem.message} (${rule.description})`, { path: `${ctx.path}.params.${k}`, expected: problem.expected, found: problem.found });
  }
  const cross = def.checkParams?.(params);
  if (cross) throw new CflowError("BAD_PARAM", `${ctx.path}.params.${cross.param}: ${cross.message}`, { path: `${ctx.path}.params.${cross.param}`, expected: cross.expected, found: cross.found });
  return params;
}

/** Throws unless a weight (λ or a band multiplier) is finite and ≥ 0. */
export function checkWeight(path: string, what: string, w: unknown): number {
  if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
    throw new CflowError("BAD_WEIGHT", `${path}: ${what} must be a finite number ≥ 0, found ${String(w)}`, { path, expected: "finite number ≥ 0", found: w });
  }
  return w;
}

/** Throws unless σ (a conjugate prox's step) is finite and > 0. */
function checkStep(path: string, sigma: unknown): number {
  if (typeof sigma !== "number" || !Number.isFinite(sigma) || sigma <= 0) {
    throw new CflowError("BAD_WEIGHT", `${path} must be a finite number > 0, found ${String(sigma)}`, { path, expected: "finite number > 0", found: sigma });
  }
  return sigma;
}

/**
 * Base of the built-in non-smooth terms. A subclass records its prox and value kernels in
 * `emitProx`/`emitValue` (one definition of each computation); the direct `prox`/`value` run the
 * same recordings as small cached plans. λ lives in a cell the recorded calls read, so setting
 * `lambda` between steps changes the next step without re-recording. The conjugate prox is the
 * Moreau identity around `emitProx` unless a subclass records a closed form.
 */
export abstract class KernelProxTerm implements ProxTerm {
  readonly kind = "prox" as const;
  abstract readonly atom: string;
  abstract readonly space: "x" | "W";
  abstract readonly sparsity: boolean;
  /** The op of a term g(Kx) (atoms with `splitting: "dual"`), else null. */
  readonly op: Op | null = null;
  readonly kernel: Kernel;
  readonly dtype: Dtype;
  readonly path: string;
  /** λ, as the recorded kernel calls read it. */
  readonly lam: Cell;
  /** The bank the term's cells come from (the compiler's, shared by a composite). */
  readonly cells: CellBank;
  private readonly resources: KernelResources;
  private readonly step: Cell;
  private readonly direct: ProxCells;
  private readonly valueCell: Cell;
  private moreau: MoreauScratch | null = null;

  constructor(
    ctx: Pick<AtomContext, "path" | "kernel" | "cells" | "weight">,
    /** Number of reals the prox acts on (the slot, or its transform coefficients). */
    readonly size: number,
    lam?: Cell,
  ) {
    this.kernel = ctx.kernel;
    this.dtype = ctx.kernel.dtype;
    this.path = ctx.path;
    this.cells = ctx.cells;
    this.lam = lam ?? ctx.cells.cell(checkWeight(`${ctx.path}.weight`, "the weight λ", ctx.weight));
    this.step = ctx.cells.cell(0);
    this.direct = { nnz: ctx.cells.cell(NaN), value: ctx.cells.cell(NaN) };
    this.valueCell = ctx.cells.cell(0);
    this.resources = new KernelResources(ctx.kernel);
  }

  get lambda(): number {
    return this.lam.value;
  }

  set lambda(v: number) {
    this.lam.value = checkWeight(`${this.path}.weight`, "the weight λ", v);
  }

  get bandWeights(): number[] | null {
    return null;
  }

  set bandWeights(w: number[] | null) {
    if (w !== null) {
      throw new CflowError("UNEXPECTED", `${this.path}.bandWeights: atom "${this.atom}" has no per-band weights`, { path: `${this.path}.bandWeights`, expected: "null", found: `an array of ${w.length}` });
    }
  }

  get bands(): readonly Band[] | null {
    return null;
  }

  /** nnz and g(out) of the last direct `prox` call (g*(out) after `proxConjugate`). */
  get lastStats(): { nnz: number; value: number } {
    return { nnz: this.direct.nnz.value, value: this.direct.value.value };
  }

  abstract emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void;
  abstract emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void;

  /** Records out ← prox_{σ·g*}(v) through the Moreau identity (subclasses with a closed form override it). */
  emitProxConjugate(p: PlanBuilder, v: RealBuf, sigma: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProxConjugate", v, out);
    this.moreau ??= new MoreauScratch(this.kernel, this.cells, this.size);
    emitMoreauConjugate(this, p, v, sigma, out, stats, this.moreau);
  }

  proxConjugate(v: RealBuf, sigma: number, out: RealBuf): void {
    this.checkBufs("proxConjugate", v, out);
    this.step.value = checkStep(`${this.path}: ${this.atom}.proxConjugate σ`, sigma);
    this.resources.run("proxConjugate", [v, out], (p) => this.emitProxConjugate(p, v, this.step, out, this.direct));
  }

  value(u: RealBuf): number {
    this.checkBufs("value", u);
    this.resources.run("value", [u], (p) => this.emitValue(p, u, this.valueCell));
    return this.valueCell.value;
  }

  prox(u: RealBuf, t: number, out: RealBuf): void {
    this.checkBufs("prox", u, out);
    this.step.value = checkWeight(`${this.path}: ${this.atom}.prox step`, "the step t", t);
    this.resources.run("prox", [u, out], (p) => this.emitProx(p, u, this.step, out, this.direct));
  }

  /** Throws unless every buffer belongs to this term's kernel and holds `size` reals. */
  protected checkBufs(what: string, ...bufs: RealBuf[]): void {
    for (const b of bufs) checkBuf(`${this.path}: ${this.atom}.${what}`, this, b, this.size);
  }

  /** Keeps a kernel buffer for the term's lifetime (freed by dispose). */
  protected own<B extends Buf<Float64Array | Float32Array | Int32Array>>(b: B): B {
    return this.resources.own(b);
  }

  dispose(): void {
    this.resources.dispose();
    this.moreau?.dispose();
    this.moreau = null;
  }
}
