import { CflowError } from "../errors.js";
import type { KernelExports } from "./exports/index.js";
import { Buf, type F64Buf, type I32Buf, Kernel } from "./kernel.js";

/** A kernel function a plan can call (every export but the module plumbing). */
export type PlanFn = Exclude<keyof KernelExports, "memory" | "heapBase" | "runPlan">;

/**
 * A float64 scalar in kernel memory: plans read step sizes, thresholds and momentum from cells
 * (so changing α or λ never rebuilds a plan) and write reductions (energies, norms) into cells.
 */
export class Cell {
  constructor(
    private readonly bank: F64Buf,
    private readonly index: number,
  ) {}

  get ptr(): number {
    return this.bank.ptr + 8 * this.index;
  }

  get value(): number {
    return this.bank.view[this.index];
  }

  set value(v: number) {
    this.bank.view[this.index] = v;
  }
}

/** Hands out cells from float64 chunks, so a flow's scalars sit together in a few blocks. */
export class CellBank {
  private chunk: F64Buf | null = null;
  private used = 0;
  private readonly chunks: F64Buf[] = [];

  constructor(
    readonly kernel: Kernel,
    private readonly chunkSize = 64,
  ) {}

  cell(initial = 0): Cell {
    if (!this.chunk || this.used === this.chunkSize) {
      this.chunk = this.kernel.allocF64(this.chunkSize);
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    const c = new Cell(this.chunk, this.used++);
    c.value = initial;
    return c;
  }

  dispose(): void {
    for (const c of this.chunks) if (!c.isFreed) c.free();
    this.chunks.length = 0;
    this.chunk = null;
  }
}

export type PlanArg = number | Cell | Buf<Float64Array | Float32Array | Int32Array>;

/**
 * Records a fixed sequence of kernel calls over preallocated buffers. Arguments are checked
 * against the generated signatures when recorded, never when run. `js(fn)` inserts a JavaScript
 * step (user-written ops and atoms — the supported slow path); the built program then runs as
 * alternating kernel segments and JS steps, so a flow of built-ins is exactly one kernel call.
 */
export class PlanBuilder {
  private segments: (number[] | (() => void))[] = [];
  private words: number[] = [];
  private count = 0;
  private counts: number[] = [];

  constructor(readonly kernel: Kernel) {}

  /**
   * Appends a call. Integer arguments are numbers, pointer arguments Bufs (or byte offsets),
   * f64 arguments Cells; an f64-returning kernel takes one more Cell for its result.
   */
  call(name: PlanFn, ...args: PlanArg[]): this {
    const info = this.kernel.opcodes.get(name);
    if (!info) throw new CflowError("PLAN_UNKNOWN_KERNEL", `plan: no kernel function "${name}"`, { path: "plan", found: name });
    const expected = info.args.length + (info.returns === "f64" ? 1 : 0);
    if (args.length !== expected) {
      throw new CflowError("PLAN_BAD_CALL", `plan: ${name} takes ${expected} arguments (${info.args.join(", ")}${info.returns === "f64" ? ", result cell" : ""}), found ${args.length}`, {
        path: `plan.${name}`,
        expected,
        found: args.length,
      });
    }
    const kinds = info.returns === "f64" ? [...info.args, "f64" as const] : info.args;
    this.words.push(info.opcode);
    kinds.forEach((kind, i) => this.words.push(this.encode(name, i, kind, args[i])));
    this.count++;
    return this;
  }

  /** Appends a JavaScript step between kernel segments. */
  js(fn: () => void): this {
    this.closeSegment();
    this.segments.push(fn);
    return this;
  }

  /** Appends everything another builder recorded (sub-plans composed by the compiler). */
  append(other: PlanBuilder): this {
    for (const seg of other.allSegments()) {
      if (typeof seg === "function") this.js(seg);
      else {
        this.words.push(...seg.words);
        this.count += seg.count;
      }
    }
    return this;
  }

  /** Number of kernel instructions recorded. */
  get length(): number {
    return this.counts.reduce((a, b) => a + b, 0) + this.count;
  }

  build(): Program {
    const parts: (Plan | (() => void))[] = [];
    for (const seg of this.allSegments()) {
      if (typeof seg === "function") parts.push(seg);
      else if (seg.count > 0) {
        const prog = this.kernel.allocI32(seg.words.length);
        prog.view.set(seg.words);
        parts.push(new Plan(this.kernel, prog, seg.count));
      }
    }
    return new Program(parts);
  }

  private closeSegment(): void {
    if (this.count > 0) {
      this.segments.push(this.words);
      this.counts.push(this.count);
    }
    this.words = [];
    this.count = 0;
  }

  private *allSegments(): Generator<{ words: number[]; count: number } | (() => void)> {
    let w = 0;
    for (const seg of this.segments) {
      if (typeof seg === "function") yield seg;
      else yield { words: seg, count: this.counts[w++] };
    }
    if (this.count > 0) yield { words: this.words, count: this.count };
  }

  private encode(name: string, i: number, kind: "i32" | "ptr" | "f64", a: PlanArg): number {
    const where = `plan.${name} argument ${i}`;
    if (kind === "f64") {
      if (!(a instanceof Cell)) throw new CflowError("PLAN_BAD_CALL", `${where}: expected a Cell for an f64 scalar, found ${typeof a}`, { path: where, expected: "Cell", found: typeof a });
      return a.ptr;
    }
    if (kind === "ptr" && a instanceof Buf) {
      if (a.kernel !== this.kernel) throw new CflowError("PLAN_BAD_CALL", `${where}: buffer belongs to the ${a.kernel.dtype} kernel, plan to ${this.kernel.dtype}`, { path: where });
      return a.ptr;
    }
    if (typeof a !== "number" || !Number.isInteger(a) || a < (kind === "i32" ? -0x80000000 : 0) || a > 0xffffffff) {
      throw new CflowError("PLAN_BAD_CALL", `${where}: expected an integer ${kind === "ptr" ? "pointer or Buf" : "int32"}, found ${a instanceof Cell ? "Cell" : String(a)}`, {
        path: where,
        expected: kind,
        found: String(a),
      });
    }
    return a | 0;
  }
}

/** A kernel segment of a program: one call into the kernel runs every instruction. */
export class Plan {
  constructor(
    readonly kernel: Kernel,
    private readonly prog: I32Buf,
    readonly count: number,
  ) {}

  run(): void {
    this.kernel.exports.runPlan(this.prog.ptr, this.count);
  }

  dispose(): void {
    if (!this.prog.isFreed) this.prog.free();
  }
}

/** A built program: kernel segments and JS steps in order. */
export class Program {
  /** Calls into the kernel per run (1 for a flow of built-ins). */
  readonly kernelCalls: number;
  /** JavaScript steps per run (user-written ops and atoms). */
  readonly jsSteps: number;

  constructor(private readonly parts: (Plan | (() => void))[]) {
    this.kernelCalls = parts.filter((p) => p instanceof Plan).length;
    this.jsSteps = parts.length - this.kernelCalls;
  }

  run(): void {
    for (const p of this.parts) {
      if (p instanceof Plan) p.run();
      else p();
    }
  }

  dispose(): void {
    for (const p of this.parts) if (p instanceof Plan) p.dispose();
  }
}

/**
 * Small plans recorded on first use and kept per (name, buffers): how operators offer direct calls
 * (`applyBuf`, `forwardBuf`) while defining their computation once, as plan emission.
 */
export class ProgramCache {
  private readonly programs = new Map<string, Program>();

  constructor(
    readonly kernel: Kernel,
    private readonly capacity = 16,
  ) {}

  /** Runs the program `record` builds for this key, recording it the first time. */
  run(name: string, bufs: readonly Buf<Float64Array | Float32Array | Int32Array>[], record: (p: PlanBuilder) => void): void {
    const key = `${name}:${bufs.map((b) => `${b.ptr}+${b.length}`).join(":")}`;
    let prog = this.programs.get(key);
    if (!prog) {
      const p = new PlanBuilder(this.kernel);
      record(p);
      prog = p.build();
      if (this.programs.size >= this.capacity) {
        const [oldKey, old] = this.programs.entries().next().value as [string, Program];
        old.dispose();
        this.programs.delete(oldKey);
      }
      this.programs.set(key, prog);
    }
    prog.run();
  }

  dispose(): void {
    for (const p of this.programs.values()) p.dispose();
    this.programs.clear();
  }
}
