// Element limits through the binary: an oversized declared shape is a lint finding naming
// state.x.shape, the value and the limit (RED, exit 3) — never "internal error Invalid typed array
// length"; --max-elements sets the limit for lint, run and the data a spec factory loads.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRunManifest } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { writePng } from "../src/data/image.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import { cflow, tempDir } from "./helpers.js";

const dir = tempDir("limits");
const spec = (name: string, shape: string) => {
  const p = join(dir, name);
  writeFileSync(
    p,
    `import { defineFlow } from "@cflow/core";
const shape = ${shape};
const n = shape.reduce((a, b) => a * b, 1);
// data only for a shape small enough to hold it (lint refuses the others from the declared shape)
export default defineFlow({ name: "${name}", state: { x: { shape } }, data: n < 1e6 ? { y: Array.from({ length: n }, (_, i) => i / n) } : {},
  terms: n < 1e6 ? [{ kind: "data", atom: "leastSquares", target: "y" }] : [{ kind: "regularizer", atom: "l1", weight: 0.1 }], policies: { tuner: { enabled: false }, budgets: { maxIters: 20 } } });
`,
  );
  return p;
};

describe("oversized shapes are lint findings", () => {
  it.concurrent.each([
    ["[1e12]", "[1e12]", "[1000000000000]"],
    ["[1e6, 1e6]", "[1e6, 1e6]", "[1000000 × 1000000]"],
  ])("%s: cflow lint and cflow run say state.x.shape, the value and the limit (exit 3)", async (_what, shape, found) => {
    const file = spec(`huge-${shape.length}.ts`, shape);
    const lint = await cflow(["lint", file]);
    expect(lint.code).toBe(EXIT_CODES.RED.code);
    expect(lint.stdout).toMatch(/error {3}state\.x\.shape \[TOO_MANY_ELEMENTS\] the slot has 1e\+12 elements, more than the limit of [\d.]+e\+\d+/);
    expect(lint.stdout).toContain(`found:    ${found} = 1e+12 elements`);
    expect(lint.stdout).toMatch(/expected: at most .* elements \(the default: 1\/16 of this machine's [\d.]+ GiB of memory at 8 bytes per float64 element\)/);
    const run = await cflow(["run", file, "--out", join(dir, "runs")]);
    expect(run.code).toBe(EXIT_CODES.RED.code);
    expect(run.stderr).toContain("where:    state.x.shape");
    expect(run.stderr).not.toMatch(/internal error|typed array/i);
  });

  it("--max-elements sets the limit (and is recorded for resume); the limit itself passes", async () => {
    const file = spec("small.ts", "[8, 16]");
    const over = await cflow(["lint", file, "--max-elements", "127"]);
    expect(over.code).toBe(EXIT_CODES.RED.code);
    expect(over.stdout).toContain("state.x.shape [TOO_MANY_ELEMENTS] the slot has 128 elements, more than the limit of 127");
    expect(over.stdout).toContain("set by policies.budgets.maxElements (cflow: --max-elements)");
    expect((await cflow(["lint", file, "--max-elements", "128"])).code).toBe(0);
    const run = await cflow(["run", file, "--max-elements", "128", "--out", join(dir, "runs"), "--json"]);
    const result = JSON.parse(run.stdout).result;
    expect(run.code).toBe(0);
    expect((loadRunManifest(result.run_dir).extra as { cli: { max_elements: number } }).cli.max_elements).toBe(128);
    expect((await cflow(["lint", file, "--max-elements", "0"])).code).toBe(EXIT_CODES.USAGE.code);
  });

  it("a spec factory passes ctx.maxElements to loadArray: the image is refused from its header, naming the file", async () => {
    const png = join(dir, "image.png");
    writePng(png, Float64Array.from({ length: 48 }, (_, i) => i / 48), [6, 8]);
    const file = join(dir, "loads.ts");
    writeFileSync(
      file,
      `import { defineFlow } from "@cflow/core";
import { loadArray } from "@cflow/cli";
export default defineFlow(({ dtype, maxElements }) => {
  const img = loadArray(${JSON.stringify(png)}, { dtype, maxElements });
  return { name: "loads", state: { x: { shape: img.shape } }, data: { y: img.data }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }] };
});
`,
    );
    expect((await cflow(["lint", file])).code).toBe(0);
    const r = await cflow(["lint", file, "--max-elements", "40"]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain(`[TOO_MANY_ELEMENTS] ${png}: the image has 48 elements, more than the limit of 40`);
    expect(r.stderr).toContain("found:    8 × 6 pixels = 48 elements");
  });
});
