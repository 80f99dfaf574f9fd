import { describe, expect, it } from "vitest";
import { defaultRegistry } from "../src/registry/default.js";
import { definePlugin } from "../src/registry/plugin.js";
import { Registry } from "../src/registry/registry.js";
import { identityTransformFactory } from "../src/transforms/identity.js";

const policy = (description: string) => ({ kind: "lens" as const, description });

describe("Registry", () => {
  it("is per instance: two registries hold different plugin sets", () => {
    const a = new Registry();
    const b = new Registry();
    a.use(definePlugin({ name: "pa", version: "1.0.0", setup: (r) => r.policies.register("onlyInA", policy("a")) }));
    expect(a.policies.has("onlyInA")).toBe(true);
    expect(b.policies.has("onlyInA")).toBe(false);
    // the built-ins too: each defaultRegistry() is a fresh one
    const d1 = defaultRegistry();
    d1.use(definePlugin({ name: "extra", version: "0.1.0", setup: (r) => r.transforms.register("eye2", identityTransformFactory) }));
    expect(defaultRegistry().transforms.has("eye2")).toBe(false);
  });

  it("refuses a name registered twice, naming both plugins, unless the second overrides", () => {
    const r = new Registry();
    r.use(definePlugin({ name: "first", version: "1.0.0", setup: (x) => x.policies.register("lensX", policy("first")) }));
    const clash = r.use(definePlugin({ name: "second", version: "2.0.0", setup: (x) => x.policies.register("lensX", policy("second")) }));
    expect(clash.failed).toHaveLength(1);
    expect(clash.failed[0]).toMatchObject({ plugin: "second", version: "2.0.0", hook: "setup" });
    expect(clash.failed[0].error.message).toMatch(/"lensX" is registered twice: by first@1\.0\.0 and by second@2\.0\.0/);
    expect(r.policies.get("lensX").description).toBe("first");
    const over = r.use(definePlugin({ name: "third", version: "3.0.0", setup: (x) => x.policies.register("lensX", policy("third"), { override: true }) }));
    expect(over.failed).toEqual([]);
    expect(r.policies.get("lensX").description).toBe("third");
    expect(r.policies.entry("lensX")!.provider).toEqual({ plugin: "third", version: "3.0.0" });
  });

  it("reports a plugin that throws by name and hook, undoes its partial registrations, and loads the others", () => {
    const r = new Registry();
    const report = r.use(
      definePlugin({
        name: "half",
        version: "0.0.1",
        setup: (x) => {
          x.policies.register("halfDone", policy("registered before the crash"));
          throw new Error("boom in setup");
        },
      }),
      definePlugin({ name: "fine", version: "1.2.3", setup: (x) => x.policies.register("fineOne", policy("ok")) }),
    );
    expect(report.failed.map((f) => [f.plugin, f.hook, f.error.message])).toEqual([["half", "setup", "boom in setup"]]);
    expect(report.loaded).toEqual([{ plugin: "fine", version: "1.2.3" }]);
    expect(r.policies.has("halfDone")).toBe(false);
    expect(r.policies.has("fineOne")).toBe(true);
    expect(r.list().find((e) => e.name === "fineOne")!.provider.plugin).toBe("fine");
  });

  it("says which names exist and suggests the nearest on an unknown one", () => {
    const r = defaultRegistry();
    expect(() => r.atoms.get("leastSqares", "terms[0].atom")).toThrow(/terms\[0\]\.atom: unknown atom "leastSqares" — did you mean "leastSquares"\?/);
    expect(() => r.policies.get("acelerated")).toThrow(/unknown policy "acelerated" — did you mean "accelerated"\?/);
  });

  it("keeps one casing: refuses a key that is not camelCase, naming the camelCase one", () => {
    const r = new Registry();
    for (const [bad, good] of [["gap-dial", "gapDial"], ["hamiltonian_damped", "hamiltonianDamped"], ["Swt-db4", "swtDb4"], ["a b", "aB"]]) {
      expect(() => r.policies.register(bad, policy("x"))).toThrow(expect.objectContaining({ code: "REGISTRY_BAD_NAME", message: expect.stringContaining(`"${good}"`) }));
      expect(r.policies.has(bad)).toBe(false);
    }
    r.policies.register("db4Lens2", policy("letters and digits"));
    expect(r.policies.has("db4Lens2")).toBe(true);
  });

  it("answers an old-style key with the camelCase key it is now registered under", () => {
    const r = defaultRegistry();
    const renamed = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return [(err as { code: string }).code, (err as Error).message];
      }
      return null;
    };
    expect(renamed(() => r.policies.get("hamiltonian_damped", "policies.flow.family"))).toEqual([
      "REGISTRY_RENAMED",
      'policies.flow.family: policy "hamiltonian_damped" is now "hamiltonianDamped" (registry keys are camelCase; see CHANGELOG.md)',
    ]);
    expect(renamed(() => r.transforms.get("swt-db4"))).toEqual(["REGISTRY_RENAMED", 'transform "swt-db4" is now "swtDb4" (registry keys are camelCase; see CHANGELOG.md)']);
    expect(r.transforms.nearest("swt_sym8")).toBe("swtSym8");
    // a misspelt name that is not an old-style key still gets the nearest name
    expect(renamed(() => r.transforms.get("swt-db9"))?.[0]).toBe("REGISTRY_UNKNOWN");
  });
});
