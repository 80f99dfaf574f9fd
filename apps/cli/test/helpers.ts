import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CflowError } from "@cflow/core";
import { expect } from "vitest";
import { main } from "../src/main.js";

export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
export const FIXTURES = join(PACKAGE_DIR, "test", "fixtures");

/**
 * A fresh directory inside the workspace (apps/cli/.tmp, git-ignored): modules written there
 * resolve @cflow/core and the workspace's tools like a user's project would.
 */
export function tempDir(prefix: string): string {
  const root = join(PACKAGE_DIR, ".tmp");
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${prefix}-`));
}

/** Runs `fn` and returns the CflowError it throws (failing the test if it throws anything else or nothing). */
export async function caught(fn: () => unknown): Promise<CflowError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return e as CflowError;
  }
  throw new Error("expected a CflowError, nothing was thrown");
}

/** Asserts an error names the file, what was found and what was expected. */
export function expectNamed(err: CflowError, file: string, found: string | RegExp, expected: string | RegExp): void {
  expect(err.message).toContain(file);
  expect(err.details.path).toContain(file);
  const text = `${err.message} ${String(err.details.found)}`;
  if (typeof found === "string") expect(text).toContain(found);
  else expect(text).toMatch(found);
  if (typeof expected === "string") expect(String(err.details.expected)).toContain(expected);
  else expect(String(err.details.expected)).toMatch(expected);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `cflow <argv>` in process, with captured output and a non-TTY, colourless environment by default. */
export async function cli(argv: string[], o: { cwd?: string; env?: Record<string, string | undefined>; examplesDir?: string; tty?: boolean } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: o.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: o.tty ?? false },
    env: o.env ?? {},
    cwd: o.cwd ?? PACKAGE_DIR,
    examplesDir: o.examplesDir,
  });
  return { code, stdout, stderr };
}

export const REPO_ROOT = join(PACKAGE_DIR, "..", "..");
export const EXAMPLES = join(REPO_ROOT, "examples");
export const CLI_JS = join(PACKAGE_DIR, "dist", "cli.js");

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface ProcessOptions {
  cwd?: string;
  env?: Record<string, string>;
  /**
   * Send `signal` once stderr matches (a signal test waits on output, never on a clock); with
   * `hangUp`, first close the pipes the process writes to, as a closed terminal does.
   */
  signalWhen?: { stderr: RegExp; signal: NodeJS.Signals; hangUp?: boolean };
  /** A bound for a process that must end by itself: SIGKILL after this long (the result shows the signal). */
  killAfterMs?: number;
}

/** A running `cflow` subprocess. */
export interface RunningCflow {
  pid: number;
  /** Resolves once the process's stderr matches `re`; rejects when it exits first. */
  stderrMatches(re: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<ProcessResult>;
}

/**
 * `node dist/cli.js <args>` started as a subprocess — the real binary, with colour off and no TTY.
 * `detached`: in a process group of its own (whose id is its pid), so a test can kill it and every
 * process it started at once, as a machine going down would.
 */
export function startCflow(args: string[], o: { cwd?: string; env?: Record<string, string>; detached?: boolean } = {}): RunningCflow {
  const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: o.cwd ?? REPO_ROOT, env: { ...process.env, NO_COLOR: "1", CFLOW_DEBUG: "", ...o.env }, stdio: ["ignore", "pipe", "pipe"], detached: o.detached === true });
  let stdout = "";
  let stderr = "";
  const waiting: { re: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiting]) {
      if (!w.re.test(stderr)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<ProcessResult>((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      for (const w of waiting.splice(0)) w.reject(new Error(`cflow ${args.join(" ")} exited (${code ?? signal}) before its stderr matched ${w.re}:\n${stderr}`));
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid!,
    stderrMatches: (re) => (re.test(stderr) ? Promise.resolve() : new Promise((resolve, reject) => waiting.push({ re, resolve, reject }))),
    kill: (signal) => child.kill(signal),
    done,
  };
}

/**
 * `node dist/cli.js <args>` as a subprocess, awaited. The process can be signalled once its stderr
 * matches `signalWhen` (a SIGINT test).
 */
export function cflow(args: string[], o: ProcessOptions = {}): Promise<ProcessResult> {
  return subprocess(process.execPath, [CLI_JS, ...args], o);
}

/** Whether commands may run in a private mount namespace (`unshare --mount`: root with CAP_SYS_ADMIN). */
export const CAN_MOUNT = process.platform === "linux" && spawnSync("unshare", ["--mount", "true"]).status === 0;

/**
 * `script` (sh) in a private mount namespace where a fresh tmpfs of `sizeKb` KiB is mounted at
 * `mountPoint` first (`"$NODE" "$CLI"` is the binary): the mount ends with the namespace, so nothing stays
 * mounted whatever the script does. For real disk-full and read-only file-system errors.
 */
export function withTmpfs(mountPoint: string, sizeKb: number, script: string, o: ProcessOptions = {}): Promise<ProcessResult> {
  mkdirSync(mountPoint, { recursive: true });
  const setup = `mount -t tmpfs -o size=${sizeKb}k cflow-test ${JSON.stringify(mountPoint)} || exit 99\n`;
  return subprocess("unshare", ["--mount", "sh", "-c", setup + script], { ...o, env: { NODE: process.execPath, CLI: CLI_JS, ...o.env } });
}

function subprocess(command: string, args: string[], o: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: o.cwd ?? REPO_ROOT, env: { ...process.env, NO_COLOR: "1", CFLOW_DEBUG: "", ...o.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (o.signalWhen && !signalled && o.signalWhen.stderr.test(stderr)) {
        signalled = true;
        if (o.signalWhen.hangUp) {
          child.stdout.destroy();
          child.stderr.destroy();
        }
        child.kill(o.signalWhen.signal);
      }
    });
    const bound = o.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), o.killAfterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(bound);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** The capsule a `cflow run`/`resume` printed (its last `capsule:` line), as an absolute path. */
export function capsuleOf(r: ProcessResult, cwd = REPO_ROOT): string {
  const m = [...r.stdout.matchAll(/^capsule: (.+)$/gm)].at(-1);
  if (!m) throw new Error(`no "capsule:" line in stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return resolve(cwd, m[1]);
}

/**
 * A small sparse denoising, certified at once (L = I), without tuning, whose polish never stops on
 * its own (tol 0): only the iteration budget (`--param iters=n`) or a Ctrl-C ends it. Written into
 * `dir`; returns the spec's path.
 */
export function writeLifecycleSpec(dir: string): string {
  const file = join(dir, "spec.ts");
  writeFileSync(
    file,
    `import { defineFlow, readFlowParams } from "@cflow/core";
export default defineFlow(({ dtype, seed, params }) => {
  const { n, iters } = readFlowParams(params, {
    n: { type: "integer", description: "length", default: 256, min: 8 },
    iters: { type: "integer", description: "iteration budget", default: 10000000, min: 1 },
  });
  const y = new (dtype === "float64" ? Float64Array : Float32Array)(n);
  for (let i = 0; i < n; i++) y[i] = Math.sin(i / 7) + (i % 31 === 0 ? 3 : 0);
  return {
    name: "lifecycle", dtype, seed,
    state: { x: { shape: [n] } },
    data: { y },
    terms: [
      { kind: "data", atom: "leastSquares", target: "y" },
      { kind: "regularizer", atom: "l1", weight: 0.05 },
    ],
    policies: { tuner: { enabled: false }, budgets: { maxIters: iters, tol: 0, rtol: 0 } },
  };
});
`,
  );
  return file;
}

/**
 * A small sparse denoising for sweeps: certified at once (L = I), no tuning, a polish that only its
 * iteration budget ends (`iters`), the l1 weight as a parameter (`weight`), and `crash=1` making
 * the spec factory kill its own process (a run that crashes). Written into `dir`; returns its path.
 */
export function writeSweepSpec(dir: string): string {
  const file = join(dir, "sweep-spec.ts");
  writeFileSync(
    file,
    `import { defineFlow, readFlowParams } from "@cflow/core";
export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, {
    n: { type: "integer", description: "length", default: 256, min: 8 },
    iters: { type: "integer", description: "iteration budget", default: 300, min: 1 },
    weight: { type: "number", description: "l1 weight", default: 0.05, min: 0 },
    crash: { type: "integer", description: "1: the process dies here", default: 0, min: 0 },
  });
  if (p.crash === 1) process.kill(process.pid, "SIGKILL");
  const y = new (dtype === "float64" ? Float64Array : Float32Array)(p.n);
  for (let i = 0; i < p.n; i++) y[i] = Math.sin(i / 7) + (i % 31 === 0 ? 3 : 0) + 0.1 * Math.sin(i * 12.9898);
  return {
    name: "sweep-test", dtype, seed,
    state: { x: { shape: [p.n] } },
    data: { y },
    terms: [
      { kind: "data", atom: "leastSquares", target: "y" },
      { kind: "regularizer", atom: "l1", weight: p.weight },
    ],
    policies: { tuner: { enabled: false }, budgets: { maxIters: p.iters, tol: 0, rtol: 0 } },
  };
});
`,
  );
  return file;
}
