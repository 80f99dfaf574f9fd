import { type Dtype, type RealArray, type Shape, checkArray, outArray, sameShape, shapeSize } from "../dtype.js";
import { DtypeError, ShapeError } from "../errors.js";
import { Kernel, type RealBuf } from "../kernel/kernel.js";
import { CellBank, type PlanBuilder } from "../kernel/plan.js";
import { KernelResources, type Releasable } from "../kernel/resources.js";
import type { ParamRule } from "../spec/params.js";
import type { LinearStructure } from "./structure.js";

/**
 * A linear operator A: R^inShape → R^outShape of one dtype. `apply`/`adjoint` take JS arrays
 * (one copy in and out of kernel memory); `applyBuf`/`adjointBuf` work between arena buffers;
 * `emitApply`/`emitAdjoint` record the same computation into a plan, which is how the runtime
 * uses an op (a step of built-in ops is one call into the kernel). `out` never aliases the input.
 */
export interface Op {
  /** What kind of operator: "dense", "conv2d", "compose", ... */
  readonly kind: string;
  readonly dtype: Dtype;
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** ‖A‖₂ when known analytically (exact or an upper bound); power iteration otherwise. */
  readonly normHint?: number;
  apply(x: RealArray, out?: RealArray): RealArray;
  adjoint(y: RealArray, out?: RealArray): RealArray;
  applyBuf(x: RealBuf, out: RealBuf): void;
  adjointBuf(y: RealBuf, out: RealBuf): void;
  /** Records out ← A x into a plan. */
  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void;
  /** Records out ← Aᵀ y into a plan. */
  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void;
  /**
   * AᵀA as an operator, when it is cheaper than an adjoint after an apply (a circular
   * convolution's Gram operator is one spectral multiply: 2 FFTs instead of 4). Optional.
   */
  gram?(): Op;
  /**
   * diag(AᵀA) — the squared column norms of A — in float64, when the op knows it exactly and
   * cheaply (dense: a pass over the matrix; diagonal, mask, scaling, identity: closed forms;
   * circular convolution: Σ of the wrapped taps squared). Optional: the preconditioned flow
   * family's Jacobi preconditioner uses it, and probes the Hessian where it is missing.
   */
  gramDiagonal?(): Float64Array;
  /**
   * The structure of AᵀA when the op knows it exactly — a scaled identity (identity, scaling), a
   * diagonal (diagonal, mask, subsample), a circulant (circular convolution), a Kronecker product
   * (separable circular convolution) — or null. Optional: certificates then get η_dd and γ of a
   * least-squares Hessian in closed form, at any size, instead of from sampled rows.
   */
  gramStructure?(): LinearStructure | null;
  /**
   * The op commutes with circular shifts of its (equal-shaped) input and output grids: circular
   * convolutions, the identity, scalings. Certificates exploit it; absent means unknown.
   */
  readonly translationInvariant?: boolean;
  /** Releases kernel memory the operator holds. */
  dispose(): void;
}

/**
 * Base for operators running on the kernel. Subclasses implement only `emitApply` and
 * `emitAdjoint` (one definition of the computation); the buffer methods run small cached plans
 * and the JS array methods add dtype/shape checks and one copy each way.
 */
export abstract class KernelOp implements Op {
  abstract readonly kind: string;
  readonly kernel: Kernel;
  readonly inSize: number;
  readonly outSize: number;
  /** Scalars (f64 cells) the op's plan calls read: scale factors, spectra norms, ... */
  protected readonly cells: CellBank;
  private scratchIn?: RealBuf;
  private scratchOut?: RealBuf;
  private readonly resources: KernelResources;

  constructor(
    readonly dtype: Dtype,
    readonly inShape: Shape,
    readonly outShape: Shape,
  ) {
    this.kernel = Kernel.get(dtype);
    this.inSize = shapeSize(inShape);
    this.outSize = shapeSize(outShape);
    this.cells = new CellBank(this.kernel);
    this.resources = new KernelResources(this.kernel);
  }

  get normHint(): number | undefined {
    return undefined;
  }

  abstract emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void;
  abstract emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void;

  applyBuf(x: RealBuf, out: RealBuf): void {
    checkBuf(`${this.kind}.apply`, this, x, this.inSize);
    checkBuf(`${this.kind}.apply (out)`, this, out, this.outSize);
    this.resources.run("apply", [x, out], (p) => this.emitApply(p, x, out));
  }

  adjointBuf(y: RealBuf, out: RealBuf): void {
    checkBuf(`${this.kind}.adjoint`, this, y, this.outSize);
    checkBuf(`${this.kind}.adjoint (out)`, this, out, this.inSize);
    this.resources.run("adjoint", [y, out], (p) => this.emitAdjoint(p, y, out));
  }

  apply(x: RealArray, out?: RealArray): RealArray {
    const name = `${this.kind}.apply`;
    checkArray(name, this.dtype, this.inShape, x);
    const y = outArray(name, this.dtype, this.outShape, out);
    const [bi, bo] = this.scratch();
    bi.view.set(x);
    this.applyBuf(bi, bo);
    y.set(bo.view);
    return y;
  }

  adjoint(y: RealArray, out?: RealArray): RealArray {
    const name = `${this.kind}.adjoint`;
    checkArray(name, this.dtype, this.outShape, y);
    const x = outArray(name, this.dtype, this.inShape, out);
    const [bi, bo] = this.scratch();
    bo.view.set(y);
    this.adjointBuf(bo, bi);
    x.set(bi.view);
    return x;
  }

  /** Allocates a kernel buffer owned by this op (freed by dispose). */
  protected own<B extends Releasable>(b: B): B {
    return this.resources.own(b);
  }

  dispose(): void {
    this.resources.dispose();
    this.cells.dispose();
    this.scratchIn = this.scratchOut = undefined;
  }

  private scratch(): [RealBuf, RealBuf] {
    if (!this.scratchIn || !this.scratchOut) {
      this.scratchIn = this.own(this.kernel.alloc(this.inSize));
      this.scratchOut = this.own(this.kernel.alloc(this.outSize));
    }
    return [this.scratchIn, this.scratchOut];
  }
}

/** Throws unless two operators share a dtype (no silent casts across an op graph). */
export function checkSameDtype(operation: string, a: { dtype: Dtype }, b: { dtype: Dtype }): void {
  if (a.dtype !== b.dtype) throw new DtypeError(operation, a.dtype, b.dtype);
}

/** Throws unless `found` equals `expected`. */
export function checkShape(operation: string, expected: Shape, found: Shape): void {
  if (!sameShape(expected, found)) throw new ShapeError(operation, expected, found);
}

/** Throws unless a buffer holds `n` elements of the kernel's dtype. */
export function checkBuf(operation: string, op: { kernel: Kernel }, b: RealBuf, n: number): void {
  if (b.kernel !== op.kernel) throw new DtypeError(operation, op.kernel.dtype, b.kernel.dtype);
  if (b.length !== n) throw new ShapeError(operation, n, b.length);
}

/**
 * A registered op type: specs name it (`ops: { K: { type: "conv2d", kernel: "psf", ... } }`) and
 * the compiler creates it in the run's dtype. String parameters may name data arrays.
 */
export interface OpFactory {
  description: string;
  params: Record<string, ParamRule>;
  /**
   * The op's shapes from its parameters and the data they name, validating both as `create`
   * would — without running anything else or touching kernel memory. Lint calls it (it never
   * calls `create`); a factory without it has its shapes checked by the compiler after creation.
   */
  declare?(params: Record<string, unknown>, ctx: OpFactoryContext): { inShape: Shape; outShape: Shape };
  create(params: Record<string, unknown>, ctx: OpFactoryContext): Op;
}

/** What an op factory is given: the run's dtype, the spec's data arrays and the spec path of the op. */
export interface OpFactoryContext {
  dtype: Dtype;
  data: Record<string, RealArray>;
  path: string;
}

/** Whether a value has the shape of an Op (user-written ops are duck-typed). */
export function isOp(x: unknown): x is Op {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.apply === "function" && typeof o.adjoint === "function" && Array.isArray(o.inShape) && Array.isArray(o.outShape) && typeof o.dtype === "string";
}
