// I/O errors (disk full, permission, read-only file system) get their own exit code and one plain
// message naming the path — not exit 1 with the message inside a JSON blob.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CflowError } from "@cflow/core";
import { loadRunManifest } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { defineCommand } from "../src/command.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import { IoError, toIoError } from "../src/io-error.js";
import { main } from "../src/main.js";
import { CAN_MOUNT, cflow, tempDir, withTmpfs } from "./helpers.js";

const dir = tempDir("io-errors");

/** A Node system error as `fs` raises it. */
function systemError(code: string, message: string, o: { syscall: string; path?: string }): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, ${o.syscall}${o.path ? ` '${o.path}'` : ""}`), { code, ...o });
}

describe("toIoError: which errors are I/O errors, and the path each names", () => {
  it.each([
    ["ENOSPC from writeSync (no path: the fallback)", systemError("ENOSPC", "no space left on device", { syscall: "write" }), "ENOSPC", "/runs/r1", "/runs/r1: no space left on the device (ENOSPC)"],
    ["EACCES from open", systemError("EACCES", "permission denied", { syscall: "open", path: "/data/a.npy" }), "EACCES", undefined, "/data/a.npy: permission denied (EACCES)"],
    ["EPERM from mkdir", systemError("EPERM", "operation not permitted", { syscall: "mkdir", path: "/sys/x" }), "EPERM", undefined, "/sys/x: operation not permitted (EPERM)"],
    ["EROFS from rename", systemError("EROFS", "read-only file system", { syscall: "rename", path: "/ro/m.toml" }), "EROFS", undefined, "/ro/m.toml: read-only file system (EROFS)"],
    ["EDQUOT", systemError("EDQUOT", "disk quota exceeded", { syscall: "write" }), "EDQUOT", "/q", "/q: disk quota exceeded (EDQUOT)"],
    [
      "the recorder's RECORDER_WRITE_FAILED (the errno only in its text)",
      new CflowError("RECORDER_WRITE_FAILED", "recorder: writing telemetry to /runs/r1 failed: ENOSPC: no space left on device, write", { path: "/runs/r1/telemetry.parts", found: "ENOSPC: no space left on device, write" }),
      "ENOSPC",
      "/runs/r1",
      "/runs/r1/telemetry.parts: no space left on the device (ENOSPC)",
    ],
    ["DuckDB's IO Error", new Error('IO Error: Could not write file "/runs/r1/events.parts/.part-000002.parquet.0a1b2c3d.tmp": No space left on device'), "ENOSPC", "/runs/r1", "/runs/r1/events.parts/part-000002.parquet: no space left on the device (ENOSPC)"],
    ["a durable-file temp name is shown as the file it replaces", systemError("ENOSPC", "no space left on device", { syscall: "open", path: "/runs/r1/.manifest.toml.deadbeef.tmp" }), "ENOSPC", undefined, "/runs/r1/manifest.toml: no space left on the device (ENOSPC)"],
    ["an error whose cause is one", Object.assign(new Error("flush failed"), { cause: systemError("EIO", "i/o error", { syscall: "fsync", path: "/d/f" }) }), "EIO", undefined, "/d/f: input/output error of the device (EIO)"],
  ])("%s", (_what, err, errno, fallbackPath, message) => {
    const io = toIoError(err, { fallbackPath });
    expect(io).toBeInstanceOf(IoError);
    expect(io!.code).toBe(`IO_${errno}`);
    expect(io!.message).toBe(message);
  });

  it.each([
    ["a plain bug", new TypeError("x is not a function")],
    ["a user's message that only mentions permission", new Error("Permission denied by the data owner")],
    ["ENOENT (a missing file is bad input, not an I/O error)", systemError("ENOENT", "no such file or directory", { syscall: "open", path: "/nope" })],
    ["a CflowError about something else", new CflowError("SPEC_NOT_FOUND", "/x.ts: no such spec file", { path: "/x.ts" })],
  ])("not an I/O error: %s", (_what, err) => {
    expect(toIoError(err, { fallbackPath: "/runs/r1" })).toBeNull();
  });
});

describe("main: an I/O error that reaches it is exit 7 and one plain message", () => {
  const file = join(dir, "a-file");
  writeFileSync(file, "x");
  const failing = (name: string, fail: () => void) =>
    defineCommand({ name, summary: "fails", positionals: [], flags: [], examples: [], exitCodes: ["IO"], options: () => ({}), handler: async () => (fail(), 0) });
  const commands = [
    // a real fs error: writing under a file path (ENOTDIR), as root too
    failing("write-under-file", () => writeFileSync(join(file, "report.html"), "x")),
    // the fs layer failing as a full disk does (injected: no test may fill a real disk)
    failing("disk-full", () => {
      throw systemError("ENOSPC", "no space left on device", { syscall: "write" });
    }),
  ];

  async function run(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, commands });
    return { code, stdout, stderr };
  }

  it("ENOTDIR from a real write names the path", async () => {
    const r = await run(["write-under-file"]);
    expect(r.code).toBe(EXIT_CODES.IO.code);
    expect(r.stderr.split("\n")[0]).toBe(`error [IO_ENOTDIR] ${join(file, "report.html")}: a component of the path is a file, not a directory (ENOTDIR)`);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).not.toContain("{");
  });

  it("ENOSPC: exit 7 in text and in --json", async () => {
    const r = await run(["disk-full"]);
    expect(r.code).toBe(EXIT_CODES.IO.code);
    expect(r.stderr).toMatch(/^error \[IO_ENOSPC\] no space left on the device \(ENOSPC\)\n {2}found: +ENOSPC: no space left on the device\n {2}hint: +free some space/);
    const j = await run(["disk-full", "--json"]);
    expect(j.code).toBe(EXIT_CODES.IO.code);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: "IO_ENOSPC", message: "no space left on the device (ENOSPC)" } });
  });
});

describe.skipIf(!existsSync("/proc/1/mem"))("a real permission error through the binary", () => {
  it("a spec factory reading a file it may not read: exit 7 naming the file, as root too (/proc/1/mem)", async () => {
    const spec = join(dir, "reads.ts");
    writeFileSync(
      spec,
      `import { readFileSync } from "node:fs";
import { defineFlow } from "@cflow/core";
export default defineFlow(() => {
  const bytes = readFileSync("/proc/1/mem");
  return { state: { x: { shape: [bytes.length] } }, terms: [] };
});
`,
    );
    const r = await cflow(["lint", spec]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: EXIT_CODES.IO.code, stdout: "" });
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^error \\[IO_(EACCES|EPERM|EIO)\\] (/proc/1/mem: )?(permission denied|operation not permitted|input/output error of the device) \\((EACCES|EPERM|EIO)\\) while the spec factory of ${spec} ran$`));
    expect(r.stderr).not.toContain("internal error");
  });
});

describe.skipIf(!CAN_MOUNT)("a run that fills the disk [real ENOSPC on a small tmpfs; needs unshare --mount]", () => {
  it("ends exit 7 naming the capsule (or the capsule file it was writing); the capsule written so far stays readable", async () => {
    const mnt = join(dir, "full");
    const saved = join(dir, "saved");
    const spec = join(dir, "spec.ts");
    // n = 4096 float64: each checkpoint is 32 KiB, so a 64 KiB file system fills within a few writes
    writeFileSync(
      spec,
      `import { defineFlow } from "@cflow/core";
export default defineFlow({ name: "fill", state: { x: { shape: [4096] } }, data: { y: Array.from({ length: 4096 }, (_, i) => Math.sin(i / 9)) },
  terms: [{ kind: "data", atom: "leastSquares", target: "y" }, { kind: "regularizer", atom: "l1", weight: 0.05 }],
  policies: { tuner: { enabled: false }, budgets: { maxIters: 10000000, tol: 0, rtol: 0 } } });
`,
    );
    // the capsule is copied out before the namespace (and its tmpfs) ends
    const r = await withTmpfs(mnt, 64, `"$NODE" "$CLI" run ${spec} --out ${mnt}/runs; code=$?; cp -a ${mnt}/runs ${saved}; exit $code`);
    expect(r.code).toBe(EXIT_CODES.IO.code);
    const first = r.stderr.split("\n").find((l) => l.startsWith("error"));
    expect(first).toMatch(new RegExp(`^error \\[IO_ENOSPC\\] ${mnt}/runs/[^/]+(/.+)?: no space left on the device \\(ENOSPC\\) while recording the run$`));
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).not.toMatch(/[{}]/);
    expect(r.stderr).toMatch(/hint: +the capsule .+ keeps what was written before the failure/);
    const [runId] = readdirSync(saved);
    expect(loadRunManifest(join(saved, runId)).run_id).toBe(runId);
  });
});
