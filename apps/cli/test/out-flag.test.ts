// Bad --out values: exit 6 with one message naming the flag, the path and the reason; creating
// the directory never loops (Node's recursive mkdir spins forever under /proc).
import { existsSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { makeDirectory } from "../src/out-dir.js";
import { CAN_MOUNT, cflow, tempDir, withTmpfs } from "./helpers.js";

const dir = tempDir("out-flag");
const SPEC = join(dir, "spec.ts");
writeFileSync(
  SPEC,
  `import { defineFlow } from "@cflow/core";
export default defineFlow({ name: "tiny", state: { x: { shape: [16] } }, data: { y: Array.from({ length: 16 }, (_, i) => i / 16) },
  terms: [{ kind: "data", atom: "leastSquares", target: "y" }], policies: { tuner: { enabled: false }, budgets: { maxIters: 20 } } });
`,
);
const FILE = join(dir, "a-file");
writeFileSync(FILE, "not a directory\n");

function expectBadOut(r: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }, ...parts: (string | RegExp)[]): void {
  expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: EXIT_CODES.INPUT.code, signal: null, stdout: "" });
  expect(r.stderr).toMatch(/^error \[BAD_OUT\] --out /);
  for (const p of parts) {
    if (typeof p === "string") expect(r.stderr).toContain(p);
    else expect(r.stderr).toMatch(p);
  }
  expect(r.stderr).not.toContain("internal error");
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("cflow run --out", () => {
  it.concurrent.each([
    ["an empty string", "", ["--out is empty"]],
    ["an existing file", FILE, [`--out ${FILE}: is a file, not a directory`]],
    ["a path under a file", join(FILE, "runs"), [`${FILE} is a file, not a directory (ENOTDIR)`]],
    ["/proc/x, where no directory can be made (it used to spin at 100% CPU)", "/proc/cflow-x", ["--out /proc/cflow-x: cannot create the directory: this file system does not allow a directory here (ENOENT)"]],
    ["/proc/x/deeper", "/proc/cflow-x/runs", ["this file system does not allow a directory here (ENOENT at /proc/cflow-x)"]],
    ["a directory it may not create (sysfs)", "/sys/cflow-x", [/--out \/sys\/cflow-x: cannot create the directory: (operation not permitted \(EPERM\)|permission denied \(EACCES\))/]],
  ] as const)("%s → exit 6 naming it, before the spec is compiled", async (_what, out, parts) => {
    // bounded: a process still running after 30 s is killed, and the test fails on its signal
    const r = await cflow(["run", SPEC, "--out", out], { killAfterMs: 30_000 });
    expectBadOut(r, ...parts);
  });

  it("the directory is created (nested) when it can be, and the run goes there", async () => {
    const runs = join(dir, "new", "nested", "runs");
    const r = await cflow(["run", SPEC, "--out", runs, "-q"]);
    expect(r.code).toBe(EXIT_CODES.OK.code);
    expect(readdirSync(runs)).toHaveLength(1);
  });

  it.skipIf(!CAN_MOUNT)("a read-only file system → exit 6 (EROFS) [needs unshare --mount]", async () => {
    const mnt = join(dir, "ro-mnt");
    const r = await withTmpfs(mnt, 64, `mkdir ${mnt}/runs && mount -o remount,ro ${mnt} && exec "$NODE" "$CLI" run ${SPEC} --out ${mnt}/runs`);
    expectBadOut(r, `--out ${mnt}/runs: cannot write to the directory: read-only file system (EROFS)`);
  });
});

describe("--out of examples and new", () => {
  it.concurrent.each([
    ["examples", ["examples", "lasso", "--out", "/proc/cflow-x"]],
    ["new plugin", ["new", "plugin", "cflow-plugin-x", "--out", "/proc/cflow-x"]],
    ["examples, empty", ["examples", "lasso", "--out", ""]],
    ["new plugin, empty", ["new", "plugin", "cflow-plugin-x", "--out", ""]],
  ])("%s → exit 6, the process ends", async (_what, args) => {
    expectBadOut(await cflow(args, { cwd: dir, killAfterMs: 30_000 }));
  });
});

describe("makeDirectory", () => {
  it("creates missing parents once each and accepts an existing directory", () => {
    const d = join(dir, "mk", "a", "b", "c");
    makeDirectory(d);
    makeDirectory(d);
    expect(statSync(d).isDirectory()).toBe(true);
  });

  it("refuses with the Node system error of the first refusal: a file in the way, /proc", () => {
    expect(() => makeDirectory(join(FILE, "x", "y"))).toThrow(expect.objectContaining({ code: "ENOTDIR", path: FILE }));
    expect(() => makeDirectory("/proc/cflow-x/y")).toThrow(expect.objectContaining({ code: "ENOENT", path: "/proc/cflow-x", syscall: "mkdir" }));
    expect(existsSync("/proc/cflow-x")).toBe(false);
    // a dangling symlink: it exists (mkdir: EEXIST) but is no directory — refused, not retried
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    expect(() => makeDirectory(join(dir, "dangling", "runs"))).toThrow(expect.objectContaining({ code: "EEXIST", path: join(dir, "dangling") }));
  });
});
