// One bad input of each kind, through the binary: one message naming what was wrong (where, what
// was expected, what was found), the documented exit code, no stack trace.
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { encodeNpy } from "../src/data/npy.js";
import { cflow, tempDir } from "./helpers.js";

const dir = tempDir("bad-input");
const file = (name: string, text: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const GOOD = `import { defineFlow } from "@cflow/core";
export default defineFlow({ name: "fixed", dtype: "float64", state: { x: { shape: [8] } }, data: { y: [1, 2, 3, 4, 5, 6, 7, 8] }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }] });
`;

interface Case {
  what: string;
  args: string[];
  code: number;
  /** Every pattern must appear in stderr. */
  stderr: (string | RegExp)[];
}

const npy = encodeNpy(new Float64Array([1, 2, 3]), [3]);
const truncated = npy.slice(0, npy.length - 5);

const CASES: Case[] = [
  { what: "missing spec file", args: ["run", join(dir, "nope.ts")], code: EXIT_CODES.INPUT.code, stderr: ["[SPEC_NOT_FOUND]", "nope.ts: no such spec file", "found:    nothing at this path"] },
  {
    what: "TypeScript syntax error",
    args: ["run", file("syntax.ts", "export default {\n  state: { x: { shape: [4] } },\n  terms: [ (]\n};\n")],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[MODULE_SYNTAX]", /syntax\.ts:3:\d+: syntax error in spec/, "expected: valid TypeScript or JavaScript"],
  },
  {
    what: "JavaScript syntax error",
    args: ["lint", file("syntax.mjs", "export default {\n  state: {},\n  terms: [1 2],\n};\n")],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[MODULE_SYNTAX]", "syntax.mjs:3: syntax error in spec: Unexpected number"],
  },
  { what: "bad --dtype", args: ["run", "spec.ts", "--dtype", "float16"], code: EXIT_CODES.USAGE.code, stderr: ["[USAGE]", '--dtype: unknown value "float16"', "expected: one of float64, float32", "help:"] },
  {
    what: "--dtype against a spec that fixes its dtype",
    args: ["run", file("fixed.ts", GOOD), "--dtype", "float32"],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[DTYPE_MISMATCH]", "expected float64, found float32", "defineFlow(({ dtype }) => ...)"],
  },
  {
    what: "bad data file (truncated .npy)",
    args: [
      "run",
      file(
        "data.ts",
        `import { defineFlow } from "@cflow/core";
import { loadArray } from "@cflow/cli";
export default defineFlow(({ dtype }) => {
  const y = loadArray(${JSON.stringify(file("truncated.npy", truncated))}, { dtype }).data;
  return { state: { x: { shape: [y.length] } }, data: { y }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }] };
});
`,
      ),
    ],
    code: EXIT_CODES.INPUT.code,
    stderr: [/\[NPY_\w+\]/, "truncated.npy", "expected:", "found:"],
  },
  {
    what: "bad --param",
    args: ["run", "examples/deconv-2d", "--param", "size=8"],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[PARAM_INVALID]", "--param size=8", "expected: an integer ≥ 32", "found:    8"],
  },
  {
    what: "unknown --param",
    args: ["run", "examples/deconv-2d", "--param", "sise=64"],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[PARAM_UNKNOWN]", 'did you mean "size"?'],
  },
  {
    what: "spec that fails lint (RED)",
    args: ["run", file("red.ts", GOOD.replace('atom: "leastSquares"', 'atom: "leastSqares"'))],
    code: EXIT_CODES.RED.code,
    stderr: ["[SPEC_LINT_FAIL]", 'unknown atom "leastSqares"', 'did you mean "leastSquares"?', "where:    terms[0].atom"],
  },
  {
    what: "bad SQL",
    args: ["query", "SELECT lambda FROM telemetry", mkdtempSync(join(dir, "empty-runs-"))],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[QUERY_FAILED]", "Parser Error", 'hint:     lambda is a DuckDB keyword: quote the column, t."lambda"'],
  },
  { what: "query of a missing runs directory", args: ["query", "SELECT 1", join(dir, "no-runs")], code: EXIT_CODES.INPUT.code, stderr: ["[RUN_DIR_NOT_FOUND]", "no-runs"] },
  { what: "inspect of a missing run dir", args: ["inspect", join(dir, "runs", "nope")], code: EXIT_CODES.INPUT.code, stderr: ["[CAPSULE_NOT_FOUND]", `${join(dir, "runs", "nope")}: no such run directory`] },
  { what: "resume of a missing run dir", args: ["resume", join(dir, "runs", "nope")], code: EXIT_CODES.INPUT.code, stderr: ["[CAPSULE_NOT_FOUND]", "nope"] },
  { what: "report of a directory that is not a capsule", args: ["report", dir], code: EXIT_CODES.INPUT.code, stderr: ["[MANIFEST_MISSING]", `${join(dir, "manifest.toml")}: no manifest — ${dir} is not a run capsule`] },
  {
    what: "plugin package that is not installed",
    args: ["plugins", "--plugin", "cflow-plugin-not-installed"],
    code: EXIT_CODES.INPUT.code,
    stderr: ["[MODULE_NOT_FOUND]", "cflow-plugin-not-installed", "hint:     install it: pnpm add cflow-plugin-not-installed"],
  },
];

describe("bad input, one per kind", () => {
  it.concurrent.each(CASES)("$what", async (c) => {
    const r = await cflow(c.args);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: c.code, stdout: "" });
    for (const p of c.stderr) {
      if (typeof p === "string") expect(r.stderr).toContain(p);
      else expect(r.stderr).toMatch(p);
    }
    expect(r.stderr).toMatch(/^error \[/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("--json reports the error as one document on stdout", async () => {
    const r = await cflow(["run", join(dir, "nope.ts"), "--json"]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "SPEC_NOT_FOUND", path: join(dir, "nope.ts") } });
  });

  it("cflow lint lists every finding with its path, expected, found and hint (exit 3)", async () => {
    const spec = file("two.ts", GOOD.replace('atom: "leastSquares"', 'atom: "leastSquares", op: "K"').replace("shape: [8]", "shape: [0]"));
    const r = await cflow(["lint", spec]);
    expect(r.code).toBe(EXIT_CODES.RED.code);
    expect(r.stdout).toMatch(/two\.ts: invalid \(RED\) — \d+ errors?/);
    expect(r.stdout).toMatch(/error {3}state\.x\.shape\[0\] \[BAD_SHAPE\]/);
    expect(r.stdout).toMatch(/error {3}terms\[0\]\.op \[\w+\]/);
    expect(r.stdout).toContain("expected: ");
    const json = JSON.parse((await cflow(["lint", spec, "--json"])).stdout).result;
    expect(json.ok).toBe(false);
    expect(json.findings.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(["state.x.shape[0]", "terms[0].op"]));
    const ok = await cflow(["lint", "examples/lasso"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/spec\.ts: valid — 0 errors/);
  });
});
