import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listExamples, readmeHeading } from "../src/examples-catalog.js";
import { type RunStatus, exitCodeForRun } from "../src/exit-codes.js";
import { documentedOutcome, indexedOutcomes } from "./documented-outcome.js";
import { EXAMPLES, cli, tempDir } from "./helpers.js";

/** A catalogue like the bundled one: two examples and a directory that is not one. */
function catalogue(): string {
  const root = tempDir("examples");
  const add = (name: string, readme: string, spec: string, extra: Record<string, string> = {}) => {
    mkdirSync(join(root, name), { recursive: true });
    writeFileSync(join(root, name, "README.md"), readme);
    writeFileSync(join(root, name, spec), "export default { state: { x: { shape: [2] } }, terms: [] };\n");
    for (const [f, t] of Object.entries(extra)) {
      mkdirSync(join(root, name, f, ".."), { recursive: true });
      writeFileSync(join(root, name, f), t);
    }
  };
  add("deconv-2d", "# 2D deconvolution\n\nWavelet-L1 deconvolution of a blurred,\nnoisy phantom.\n\n## Energy\n...", "spec.ts", { "data/psf.csv": "1,2\n3,4\n" });
  add("lasso", "# Lasso\n\nSparse regression with a dense random matrix.\n", "spec.js");
  mkdirSync(join(root, "notes"));
  writeFileSync(join(root, "notes", "README.md"), "# not an example (no spec)\n");
  return root;
}

describe("cflow examples", () => {
  it("lists the examples with their titles and summaries", async () => {
    const root = catalogue();
    const r = await cli(["examples"], { examplesDir: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deconv-2d  2D deconvolution");
    expect(r.stdout).toContain("Wavelet-L1 deconvolution of a blurred, noisy phantom.");
    expect(r.stdout).toContain("lasso      Lasso");
    expect(r.stdout).not.toContain("notes");
    const json = JSON.parse((await cli(["examples", "--json"], { examplesDir: root })).stdout);
    expect(json.result.map((e: { name: string }) => e.name)).toEqual(["deconv-2d", "lasso"]);
    expect(json.result[1]).toMatchObject({ title: "Lasso", summary: "Sparse regression with a dense random matrix.", spec: join(root, "lasso", "spec.js") });
  });

  it("copies an example into the working directory and never overwrites", async () => {
    const root = catalogue();
    const cwd = tempDir("work");
    const r = await cli(["examples", "deconv-2d"], { examplesDir: root, cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("copied deconv-2d to deconv-2d/ (3 files)");
    expect(r.stdout).toContain("next: cflow run deconv-2d/spec.ts");
    expect(readFileSync(join(cwd, "deconv-2d", "data", "psf.csv"), "utf8")).toBe("1,2\n3,4\n");
    const again = await cli(["examples", "deconv-2d"], { examplesDir: root, cwd });
    expect(again.code).toBe(6);
    expect(again.stderr).toContain("already exists and is not an empty directory");
    expect(again.stderr).toContain("--out");
    const other = await cli(["examples", "lasso", "--out", "mine/lasso", "--json"], { examplesDir: root, cwd });
    expect(JSON.parse(other.stdout).result.files).toEqual(["README.md", "spec.js"]);
    expect(existsSync(join(cwd, "mine", "lasso", "spec.js"))).toBe(true);
  });

  it("an unknown name suggests the nearest one", async () => {
    const r = await cli(["examples", "deconv2d"], { examplesDir: catalogue(), cwd: tempDir("work") });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('no bundled example "deconv2d" — did you mean "deconv-2d"?');
    expect(r.stderr).toContain("expected: one of deconv-2d, lasso");
  });

  it("reads a README's title and first paragraph", () => {
    expect(readmeHeading("intro\n# Title here\n\n\nFirst line\nsecond line\n\nnext para", "x")).toEqual({ title: "Title here", summary: "First line second line" });
    expect(readmeHeading("no heading", "fallback").title).toBe("fallback");
    expect(listExamples(join(tempDir("none"), "missing"))).toEqual([]);
  });
});

describe("the bundled examples document their outcome", () => {
  it("each README states the phase, status and exit code of a default run, and the examples index agrees", () => {
    const index = indexedOutcomes(EXAMPLES);
    for (const { name } of listExamples(EXAMPLES)) {
      const o = documentedOutcome(EXAMPLES, name);
      expect(exitCodeForRun(o.status as RunStatus, o.phase), name).toBe(o.code);
      const row = index.get(name);
      expect(row, `examples/README.md has no row for ${name}`).toBeDefined();
      expect(row!.startsWith(o.phase), `${name}: index says "${row}"`).toBe(true);
      if (o.status !== "FINISHED") expect(row).toContain(o.status);
      if (o.code !== 0) expect(row).toContain(`(exit ${o.code})`);
      else expect(row).not.toContain("exit");
    }
  });
});
