import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CflowError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/args.js";
import { defineCommand } from "../src/command.js";
import { COMMANDS } from "../src/command-list.js";
import { runCommand } from "../src/commands/run.js";
import { EXIT_CODES, exitCodeForRun } from "../src/exit-codes.js";
import { PACKAGE_DIR, cli } from "./helpers.js";

const ESC = "\x1b[";

describe("cflow --help", () => {
  it("lists every command, the exit codes and the environment", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name}`);
    for (const e of Object.values(EXIT_CODES)) expect(r.stdout).toContain(e.meaning);
    expect(r.stdout).toContain("NO_COLOR");
    expect((await cli([])).stdout).toBe(r.stdout);
  });

  it.each(COMMANDS.map((c) => [c.name]))("cflow %s --help: usage, flags, examples and exit codes", async (name) => {
    const r = await cli([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^cflow ${name} — `));
    expect(r.stdout).toContain("Usage\n  cflow " + name);
    expect(r.stdout).toContain("--json");
    expect(r.stdout).toContain("--quiet");
    expect(r.stdout).toMatch(new RegExp(`Examples\\n  \\$ cflow ${name}`));
    expect(r.stdout).toContain("Exit codes\n  0 ");
    expect(r.stdout).not.toContain(ESC);
    // help works on an incomplete command line (no required argument)
    expect((await cli(["help", name])).stdout).toBe(r.stdout);
  });

  it("colours only a TTY, and never with NO_COLOR", async () => {
    expect((await cli(["run", "--help"], { tty: true })).stdout).toContain(ESC);
    expect((await cli(["run", "--help"], { tty: true, env: { NO_COLOR: "1" } })).stdout).not.toContain(ESC);
    expect((await cli(["run", "--help"], { tty: false })).stdout).not.toContain(ESC);
  });

  it("the run flags parse to typed options", () => {
    const argv = ["spec.ts", "--dtype=float32", "--seed", "7", "--deterministic", "--max-iters", "500", "--budget-time", "5m", "--out", "/tmp/runs", "--redact-artifacts", "--plugin", "a", "--plugin", "./b.ts", "--param", "size=64", "--param", "k=x=y", "--max-elements", "4096"];
    const o = runCommand.options(parseArgs(runCommand, argv).args, { cwd: "/work" });
    expect(o).toEqual({
      spec: "/work/spec.ts",
      dtype: "float32",
      seed: 7,
      deterministic: true,
      maxIters: 500,
      wallTimeMs: 300_000,
      out: "/tmp/runs",
      maxElements: 4096,
      redactArtifacts: true,
      plugins: ["a", "./b.ts"],
      params: { size: "64", k: "x=y" },
    });
    const d = runCommand.options(parseArgs(runCommand, ["s.ts", "--no-deterministic", "--budget-time", "1500ms"]).args, { cwd: "/w" });
    expect(d).toMatchObject({ deterministic: false, wallTimeMs: 1500, out: undefined, maxElements: undefined, plugins: [], params: {}, dtype: undefined, seed: undefined });
    expect(runCommand.options(parseArgs(runCommand, ["s.ts", "--budget-time", "90"]).args, { cwd: "/w" }).wallTimeMs).toBe(90_000);
  });
});

describe("usage errors: one message, exit 2", () => {
  const cases: [string[], RegExp][] = [
    [["rnu"], /unknown command "rnu" — did you mean "run"\?/],
    [["run"], /cflow run: missing <spec>/],
    [["run", "s.ts", "--dtpye", "float32"], /unknown flag --dtpye for cflow run — did you mean --dtype\?/],
    [["run", "s.ts", "--dtype", "float16"], /--dtype: unknown value "float16"/],
    [["run", "s.ts", "--seed", "x"], /--seed: expected an integer, found "x"/],
    [["run", "s.ts", "--seed", "-1"], /--seed: -1 is too small/],
    [["run", "s.ts", "--max-iters"], /--max-iters needs a value/],
    [["run", "s.ts", "--budget-time", "soon"], /--budget-time: cannot read "soon" as a duration/],
    [["run", "s.ts", "--seed", "1", "--seed", "2"], /--seed is given twice/],
    [["run", "s.ts", "--deterministic=yes"], /--deterministic is a switch/],
    [["run", "s.ts", "--param", "nokey"], /--param: cannot read "nokey" as key=value/],
    [["run", "a.ts", "b.ts"], /unexpected argument "b.ts"/],
    [["new", "widget", "x"], /unknown <kind> "widget"/],
    [["new", "plugin", "Bad Name"], /"Bad Name" is not a valid npm package name/],
  ];
  it.each(cases)("cflow %j", async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(EXIT_CODES.USAGE.code);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^error \[USAGE\] /);
    expect(r.stderr).toContain("help:");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("--json prints the error as one JSON document on stdout", async () => {
    const r = await cli(["run", "s.ts", "--dtype", "float16", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({
      ok: false,
      error: { code: "USAGE", message: expect.stringContaining("float16"), path: "--dtype", expected: "one of float64, float32", found: "float16" },
    });
  });
});

describe("errors from commands", () => {
  const boom = (err: unknown) =>
    defineCommand<Record<string, never>>({ name: "boom", summary: "throws", positionals: [], flags: [], examples: [], exitCodes: ["OK"], options: () => ({}), handler: async () => Promise.reject(err) });

  it("bad input: what, where, expected, found and hint; exit 6", async () => {
    const err = new CflowError("DATA_NPY_DTYPE", "x.npy: dtype '<i4' is not supported", { path: "x.npy", expected: "'<f8'", found: "'<i4'", hint: "convert it" });
    const out = await mainWith(boom(err), ["boom"]);
    expect(out.code).toBe(EXIT_CODES.INPUT.code);
    expect(out.stderr).toBe("error [DATA_NPY_DTYPE] x.npy: dtype '<i4' is not supported\n  where:    x.npy\n  expected: '<f8'\n  found:    '<i4'\n  hint:     convert it\n");
  });

  it("a lint failure exits 3", async () => {
    const out = await mainWith(boom(new CflowError("SPEC_LINT_FAIL", "the spec has 1 error", { path: "terms[0].op" })), ["boom"]);
    expect(out.code).toBe(EXIT_CODES.RED.code);
  });

  it("an internal error: a message and a hint, the stack only with CFLOW_DEBUG=1", async () => {
    const plain = await mainWith(boom(new TypeError("x is undefined")), ["boom"]);
    expect(plain.code).toBe(EXIT_CODES.INTERNAL.code);
    expect(plain.stderr).toContain("internal error x is undefined");
    expect(plain.stderr).toContain("CFLOW_DEBUG=1");
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await mainWith(boom(new TypeError("x is undefined")), ["boom"], { CFLOW_DEBUG: "1" });
    expect(debug.stderr).toMatch(/\n\s+at /);
    const json = await mainWith(boom(new TypeError("x is undefined")), ["boom", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { code: "INTERNAL", message: "x is undefined" } });
  });

  it("--quiet drops progress but keeps results; --json replaces both by one document", async () => {
    const talk = defineCommand<Record<string, never>>({
      name: "talk",
      summary: "talks",
      positionals: [],
      flags: [],
      examples: [],
      exitCodes: ["OK"],
      options: () => ({}),
      handler: async (_o, ctx) => {
        ctx.out.info("working...");
        ctx.out.result({ answer: 42 }, "answer: 42");
        return 0;
      },
    });
    const normal = await mainWith(talk, ["talk"]);
    expect(normal).toEqual({ code: 0, stdout: "answer: 42\n", stderr: "working...\n" });
    expect(await mainWith(talk, ["talk", "-q"])).toEqual({ code: 0, stdout: "answer: 42\n", stderr: "" });
    const json = await mainWith(talk, ["talk", "--json"]);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, result: { answer: 42 } });
  });
});

describe("exit codes", () => {
  it("are distinct, and 0 is success", () => {
    const codes = Object.values(EXIT_CODES).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(EXIT_CODES.OK.code).toBe(0);
    expect(EXIT_CODES.CANCELLED.code).toBe(130);
  });

  it("map run outcomes, failing closed when a finished run is not GREEN", () => {
    expect(exitCodeForRun("FINISHED", "GREEN")).toBe(0);
    expect(exitCodeForRun("FINISHED", "AMBER")).toBe(EXIT_CODES.CERT_FAIL.code);
    expect(exitCodeForRun("FINISHED", "RED")).toBe(EXIT_CODES.RED.code);
    expect(exitCodeForRun("CERT_FAIL", "AMBER")).toBe(EXIT_CODES.CERT_FAIL.code);
    expect(exitCodeForRun("RED", "RED")).toBe(EXIT_CODES.RED.code);
    expect(exitCodeForRun("TIMEOUT", "GREEN")).toBe(EXIT_CODES.TIMEOUT.code);
    expect(exitCodeForRun("CANCELLED", "GREEN")).toBe(EXIT_CODES.CANCELLED.code);
    expect(exitCodeForRun("ERROR", "AMBER")).toBe(EXIT_CODES.INTERNAL.code);
  });

  it("README.md documents exactly this table", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| (\d+) \| `([A-Z_]+)` \| (.+?) \|$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    expect(rows).toEqual(Object.entries(EXIT_CODES).map(([name, e]) => [e.code, name, e.meaning]));
  });
});

describe("the cflow process", () => {
  const bin = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["--import", "tsx", join(PACKAGE_DIR, "src", "cli.ts"), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, cwd: PACKAGE_DIR });

  it("exits with the documented codes and prints no stack trace", () => {
    const help = bin(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("cflow <command>");
    const bad = bin(["rnu"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command "rnu"');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const version = bin(["--version", "--json"]);
    expect(JSON.parse(version.stdout).result.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

async function mainWith(def: ReturnType<typeof defineCommand<Record<string, never>>>, argv: string[], env: Record<string, string> = {}) {
  const { main } = await import("../src/main.js");
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, commands: [...COMMANDS, def] });
  return { code, stdout, stderr };
}
