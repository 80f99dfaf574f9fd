import { Kernel } from "@cflow/core/kernel";
import { heldCapsuleLocks } from "@cflow/recorder";
import { type MemberResult, type MemberTask, runMember } from "./member.js";

/**
 * The local pool's worker: a child process of `cflow sweep`/`batch` that runs one member after
 * another (`runOnPool`). SIGINT, SIGTERM and SIGHUP — Ctrl-C reaches the whole process group,
 * `cflow sweep` forwards a `kill` — cancel the run as they cancel `cflow run` (a CANCELLED capsule,
 * resumable); with no run going, the process exits.
 */
let current: AbortController | null = null;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (current) current.abort(new Error(signal));
    else process.exit(0);
  });
}

/** A member's result, and what it left in this process that the next member must not inherit. */
export interface PoolTaskResult {
  result: MemberResult;
  /** Empty: the process is as the member found it. Otherwise what is left, and the pool replaces the process. */
  leftovers: string[];
}

export default async function poolTask(task: MemberTask): Promise<PoolTaskResult> {
  const before = processState();
  current = new AbortController();
  try {
    const result = await runMember(task, { signal: current.signal, env: process.env });
    // callbacks already queued (an Immediate of a stream ending) run first: they are not left over
    await new Promise((resolve) => setImmediate(resolve));
    return { result, leftovers: leftovers(before, processState()) };
  } finally {
    current = null;
  }
}

/**
 * What a run could leave behind in a process that outlives it: kernel memory still allocated (a
 * flow is disposed when its command ends, but a spec or plugin may keep buffers of its own),
 * capsule locks still held, and libuv resources (timers, files, sockets) still open.
 */
interface ProcessState {
  kernelBytes: Record<"float64" | "float32", number>;
  locks: string[];
  resources: string[];
}

function processState(): ProcessState {
  return {
    kernelBytes: { float64: Kernel.get("float64").stats().bytesInUse, float32: Kernel.get("float32").stats().bytesInUse },
    locks: heldCapsuleLocks(),
    resources: process.getActiveResourcesInfo().sort(),
  };
}

function leftovers(before: ProcessState, after: ProcessState): string[] {
  const found: string[] = [];
  for (const dtype of ["float64", "float32"] as const) {
    const grown = after.kernelBytes[dtype] - before.kernelBytes[dtype];
    if (grown !== 0) found.push(`${grown} bytes of ${dtype} kernel memory`);
  }
  for (const lock of after.locks) if (!before.locks.includes(lock)) found.push(`the capsule lock of ${lock}`);
  const left = [...after.resources];
  for (const r of before.resources) {
    const i = left.indexOf(r);
    if (i >= 0) left.splice(i, 1);
  }
  if (left.length > 0) found.push(`open ${left.join(", ")}`);
  return found;
}
