import { camelCaseKey } from "@cflow/core";
import { UsageError } from "../usage-error.js";

export interface PluginTemplateOptions {
  /** npm package name (`cflow-plugin-foo` or `@me/cflow-plugin-foo`). */
  name: string;
  /** Version range of @cflow/core the plugin is written against. */
  coreRange: string;
}

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The part of a package name after the scope. */
export function shortName(name: string): string {
  return name.includes("/") ? name.slice(name.indexOf("/") + 1) : name;
}

/**
 * The registry key of the template's op: camelCase like every key, from the package's short name
 * without a `cflow-plugin-` prefix ("@acme/cflow-plugin-demo" → "demoScale").
 */
export function scaleOpName(short: string): string {
  const base = short.replace(/^cflow-plugin-/, "");
  return camelCaseKey(`${/^[a-z]/.test(base) ? base : short} scale`);
}

export function checkPackageName(name: string): void {
  if (!NPM_NAME.test(name) || name.length > 214) {
    throw new UsageError(
      `"${name}" is not a valid npm package name`,
      { path: "cflow new plugin <name>", expected: "lower-case letters, digits, - . _ ~, optionally scoped: cflow-plugin-foo or @me/cflow-plugin-foo", found: name },
      "new",
    );
  }
}

/**
 * The files of a new plugin package, by relative path: a `definePlugin` module registering one
 * small kernel-backed op (`<short>Scale`, y = s·x, self-adjoint), its vitest test (against the
 * dense truth and the adjoint identity, in both dtypes), and the build configuration.
 */
export function pluginTemplate(o: PluginTemplateOptions): Record<string, string> {
  checkPackageName(o.name);
  const short = shortName(o.name);
  const opName = scaleOpName(short);
  const pkg = {
    name: o.name,
    version: "0.1.0",
    description: `A cflow plugin registering the ${opName} op`,
    license: "MIT",
    type: "module",
    sideEffects: false,
    keywords: ["cflow", "cflow-plugin"],
    exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./package.json": "./package.json" },
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    files: ["dist"],
    engines: { node: ">=20.19" },
    scripts: { build: "tsup", test: "vitest run", typecheck: "tsc --noEmit" },
    peerDependencies: { "@cflow/core": o.coreRange },
    devDependencies: {
      "@cflow/core": o.coreRange,
      "@types/node": "20.19.43",
      tsup: "8.5.1",
      typescript: "5.9.3",
      vitest: "4.1.12",
    },
  };
  return {
    "package.json": `${JSON.stringify(pkg, null, 2)}\n`,
    ".gitignore": "node_modules\ndist\nruns\n",
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022"],
          module: "ESNext",
          moduleResolution: "Bundler",
          types: ["node"],
          strict: true,
          noImplicitOverride: true,
          declaration: true,
          isolatedModules: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ["src", "test"],
      },
      null,
      2,
    )}\n`,
    "tsup.config.ts": `import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
`,
    "vitest.config.ts": `import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/**/*.test.ts"] },
});
`,
    "src/index.ts": `import { definePlugin } from "@cflow/core";
import { scaleOpFactory } from "./scale-op.js";

/**
 * ${o.name}: registers the \`${opName}\` op. Load it with \`cflow run spec.ts --plugin ${o.name}\`
 * and name the op in a spec: \`ops: { S: { type: "${opName}", shape: [256], factor: 0.5 } }\`.
 */
export default definePlugin({
  name: ${JSON.stringify(o.name)},
  version: "0.1.0",
  setup(registry) {
    registry.ops.register(${JSON.stringify(opName)}, scaleOpFactory);
  },
});

export { ScaleOp, scaleOpFactory } from "./scale-op.js";
`,
    "src/scale-op.ts": `import { type Cell, type Dtype, KernelOp, type OpFactory, type PlanBuilder, type RealBuf } from "@cflow/core";

/**
 * y = s·x on arrays of one shape: a diagonal, self-adjoint operator with ‖S‖₂ = |s|. The
 * computation is written once, as kernel calls recorded into a plan (copy, then scale by a
 * cell): KernelOp derives apply/adjoint on JS arrays and on kernel buffers from it.
 */
export class ScaleOp extends KernelOp {
  readonly kind = ${JSON.stringify(opName)};
  private readonly s: Cell;

  constructor(
    dtype: Dtype,
    shape: readonly number[],
    readonly factor: number,
  ) {
    super(dtype, shape, shape);
    this.s = this.cells.cell(factor);
  }

  override get normHint(): number {
    return Math.abs(this.factor);
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("copy", this.inSize, x, out).call("scale", this.inSize, this.s, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    this.emitApply(p, y, out);
  }
}

/** How specs create the op: \`{ type: "${opName}", shape: [n], factor: s }\`. */
export const scaleOpFactory: OpFactory = {
  description: "y = factor · x (diagonal, self-adjoint)",
  params: {
    shape: { type: "number[]", description: "shape of x and y", required: true, min: 1 },
    factor: { type: "number", description: "the scale s", default: 1 },
  },
  create(params, ctx) {
    return new ScaleOp(ctx.dtype, params.shape as number[], (params.factor as number | undefined) ?? 1);
  },
};
`,
    "test/plugin.test.ts": `import { DTYPES, Registry } from "@cflow/core";
import { describe, expect, it } from "vitest";
import plugin, { ScaleOp } from "../src/index.js";

function random(dtype: (typeof DTYPES)[number], n: number, seed: number) {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

describe("${o.name}", () => {
  it("registers ${opName} with this plugin as its provider", () => {
    const registry = new Registry();
    const report = registry.use(plugin);
    expect(report.failed).toEqual([]);
    expect(registry.ops.has(${JSON.stringify(opName)})).toBe(true);
    expect(registry.ops.entry(${JSON.stringify(opName)})?.provider.plugin).toBe(${JSON.stringify(o.name)});
  });

  describe.each(DTYPES)("%s", (dtype) => {
    const tol = dtype === "float64" ? 1e-14 : 1e-6;

    it("applies y = s·x (elementwise truth) and has ‖S‖ = |s|", () => {
      const registry = new Registry();
      registry.use(plugin);
      const op = registry.ops.get(${JSON.stringify(opName)}).create({ shape: [37], factor: -2.5 }, { dtype, data: {}, path: "ops.S" });
      const x = random(dtype, 37, 1);
      const y = op.apply(x);
      for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - -2.5 * x[i])).toBeLessThanOrEqual(tol * Math.abs(2.5 * x[i]) + 1e-30);
      expect(op.normHint).toBe(2.5);
      op.dispose();
    });

    it("satisfies the adjoint identity ⟨Sx, y⟩ = ⟨x, Sᵀy⟩", () => {
      const op = new ScaleOp(dtype, [5, 7], 0.75);
      const x = random(dtype, 35, 2);
      const y = random(dtype, 35, 3);
      const sx = op.apply(x);
      const sty = op.adjoint(y);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < 35; i++) {
        lhs += sx[i] * y[i];
        rhs += x[i] * sty[i];
      }
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(tol * (Math.abs(lhs) + 1));
      op.dispose();
    });
  });
});
`,
    "README.md": `# ${o.name}

A [cflow](https://github.com/cflow) plugin. It registers one op, \`${opName}\`: y = s·x, a diagonal,
self-adjoint operator with ‖S‖₂ = |s|, written as kernel calls (it runs inside a flow's plan, no
JavaScript in the inner loop).

## Develop

\`\`\`sh
pnpm install
pnpm build     # tsup → dist/index.js and dist/index.d.ts
pnpm test      # vitest: registration, y = s·x in float64 and float32, the adjoint identity
\`\`\`

## Use

\`\`\`sh
cflow plugins --plugin ${o.name}          # shows ${opName} with this package as its provider
cflow run spec.ts --plugin ${o.name}
\`\`\`

In a spec:

\`\`\`ts
ops: { S: { type: "${opName}", shape: [256], factor: 0.5 } },
\`\`\`

## Grow it

- Ops: subclass \`KernelOp\` and implement \`emitApply\`/\`emitAdjoint\` (kernel calls recorded into a
  plan), or write \`apply\`/\`adjoint\` on arrays for the JavaScript slow path.
- Transforms, manifolds, atoms and policies register the same way: \`registry.transforms\`,
  \`registry.manifolds\`, \`registry.atoms\`, \`registry.policies\`.
- Test every op against a dense or analytic truth and the adjoint identity, in both dtypes.
`,
  };
}
