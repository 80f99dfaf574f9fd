/**
 * Every error cflow raises on bad input says what was wrong, where, and what would be right —
 * in the message and as fields, so tools can render it without parsing text.
 */
export interface ErrorDetails {
  /** Where: a spec path (`terms[2].op`), a file, or an operation name. */
  path?: string;
  expected?: unknown;
  found?: unknown;
  hint?: string;
  /** The hook and method that raised it, when a hook of a run did (`"recorder.checkpoint"`). */
  hook?: string;
}

export class CflowError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Two arrays, ops or transforms of different dtypes met in one operation. */
export class DtypeError extends CflowError {
  constructor(operation: string, expected: string, found: string, hint?: string) {
    super(
      "DTYPE_MISMATCH",
      `${operation}: dtype mismatch — expected ${expected}, found ${found}` +
        (hint ? ` (${hint})` : " (cflow never casts silently; convert the input explicitly)"),
      { path: operation, expected, found, hint },
    );
  }
}

/** An array or operator of the wrong shape. */
export class ShapeError extends CflowError {
  constructor(operation: string, expected: readonly number[] | number | string, found: readonly number[] | number | string, hint?: string) {
    super(
      "SHAPE_MISMATCH",
      `${operation}: shape mismatch — expected ${formatShape(expected)}, found ${formatShape(found)}` + (hint ? ` (${hint})` : ""),
      { path: operation, expected, found, hint },
    );
  }
}

export function formatShape(s: readonly number[] | number | string): string {
  if (typeof s === "string") return s;
  if (typeof s === "number") return `length ${s}`;
  return `[${s.join(", ")}]`;
}
