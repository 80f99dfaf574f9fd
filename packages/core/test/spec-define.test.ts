import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { CflowError } from "../src/errors.js";
import { defineFlow, isFlowFactory, resolveFlow, resolveFlowAsync } from "../src/spec/define.js";

const body = (n: number) => ({ state: { x: { shape: [n] } }, terms: [{ kind: "regularizer" as const, atom: "l1", weight: 0.1 }] });

describe("defineFlow factories", () => {
  it("an async factory resolves through resolveFlowAsync with the run context", async () => {
    const def = defineFlow(async ({ params, maxElements }) => body(Number(params.n) + (maxElements ?? 0)));
    expect(isFlowFactory(def)).toBe(true);
    const spec = await resolveFlowAsync(def, { params: { n: "6" }, maxElements: 2 });
    expect(spec.state.x.shape).toEqual([8]);
    const { compiled } = compileFlow(spec);
    expect(compiled.slots[0].size).toBe(8);
    compiled.dispose();
  });

  it("resolveFlow (and so compileFlow) refuses an async factory saying how to await it", async () => {
    const def = defineFlow(async () => body(4));
    for (const f of [() => resolveFlow(def as never), () => compileFlow(def as never)]) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CflowError);
      expect((err as CflowError).code).toBe("SPEC_FACTORY_ASYNC");
      expect((err as CflowError).details.hint).toContain("resolveFlowAsync");
    }
    // a rejecting async factory refused this way leaves no unhandled rejection behind
    expect(() => resolveFlow(defineFlow(async () => Promise.reject(new Error("no data"))) as never)).toThrow(/async/);
  });

  it("sync factories and spec objects resolve the same through both", async () => {
    const f = defineFlow(({ dtype }) => ({ ...body(3), dtype }));
    expect(resolveFlow(f, { dtype: "float32" }).dtype).toBe("float32");
    expect((await resolveFlowAsync(f, { dtype: "float32" })).dtype).toBe("float32");
    const o = defineFlow(body(5));
    expect(await resolveFlowAsync(o)).toBe(o);
  });
});
