/** Set by `cflow worker --break-foreign-locks` for the processor processes it forks (they inherit its environment). */
export const BREAK_FOREIGN_LOCKS_ENV = "CFLOW_WORKER_BREAK_FOREIGN_LOCKS";
