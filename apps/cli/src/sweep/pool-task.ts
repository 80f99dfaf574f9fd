import { type MemberResult, type MemberTask, runMember } from "./member.js";

/**
 * The local pool's worker (a child process of `cflow sweep`/`batch`, one per run): runs one
 * member. SIGINT, SIGTERM and SIGHUP — Ctrl-C reaches the whole process group, `cflow sweep`
 * forwards a `kill` — cancel the run as they cancel `cflow run` (a CANCELLED capsule, resumable);
 * with no run going, the process exits.
 */
let current: AbortController | null = null;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (current) current.abort(new Error(signal));
    else process.exit(0);
  });
}

export default async function poolTask(task: MemberTask): Promise<MemberResult> {
  current = new AbortController();
  try {
    return await runMember(task, { signal: current.signal, env: process.env });
  } finally {
    current = null;
  }
}
