/**
 * What the `cflow` process exit status means. One table, used by the commands, printed by
 * `--help` and reproduced in README.md (a test keeps the two in step).
 */
export const EXIT_CODES = {
  OK: { code: 0, meaning: "success; for run/resume: the run finished GREEN (certified)" },
  INTERNAL: { code: 1, meaning: "internal error (a bug in cflow or a plugin; CFLOW_DEBUG=1 prints the stack)" },
  USAGE: { code: 2, meaning: "bad usage: unknown command or flag, missing or malformed argument" },
  RED: { code: 3, meaning: "lint failure: the spec is invalid (phase RED)" },
  CERT_FAIL: { code: 4, meaning: "certificate failure: the flow could not be certified (stopped in AMBER)" },
  TIMEOUT: { code: 5, meaning: "a budget ran out before the run finished: wall time, or iterations before GREEN" },
  INPUT: { code: 6, meaning: "bad input: a spec, data file, plugin or capsule could not be read, or a bad --out" },
  IO: { code: 7, meaning: "I/O error: disk full, permission denied or read-only file system while reading or writing (the message names the path)" },
  UNAVAILABLE: { code: 69, meaning: "the Redis queue (--queue) could not be reached; the message names the URL" },
  LOCKED: { code: 75, meaning: "the capsule is in use by another cflow process (its lock file names it); retry when it is done" },
  CANCELLED: { code: 130, meaning: "cancelled (SIGINT, SIGTERM or SIGHUP); the capsule is valid and the run can be resumed" },
} as const;

export type ExitCodeName = keyof typeof EXIT_CODES;

/** The status a certified run ends with (RunSummary.status in @cflow/core). */
export type RunStatus = "FINISHED" | "CERT_FAIL" | "RED" | "TIMEOUT" | "CANCELLED" | "ERROR";

/**
 * Exit code of a run that ended with `status` in `phase`. A run that finished without reaching
 * GREEN is a certificate failure: the CLI fails closed.
 */
export function exitCodeForRun(status: RunStatus, phase: "RED" | "AMBER" | "GREEN"): number {
  switch (status) {
    case "FINISHED":
      return phase === "GREEN" ? EXIT_CODES.OK.code : phase === "RED" ? EXIT_CODES.RED.code : EXIT_CODES.CERT_FAIL.code;
    case "CERT_FAIL":
      return EXIT_CODES.CERT_FAIL.code;
    case "RED":
      return EXIT_CODES.RED.code;
    case "TIMEOUT":
      return EXIT_CODES.TIMEOUT.code;
    case "CANCELLED":
      return EXIT_CODES.CANCELLED.code;
    case "ERROR":
      return EXIT_CODES.INTERNAL.code;
  }
}
