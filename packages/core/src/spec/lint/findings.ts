import { CflowError } from "../../errors.js";
import { nearestName } from "../../registry/nearest.js";
import type { NamespaceName } from "../../registry/registry.js";
import type { OpUse } from "./op-shapes.js";

/** One problem found in a spec: where, what, what was expected, and what to do. */
export interface Finding {
  severity: "error" | "warning";
  code: string;
  /** Spec path: `terms[2].op`, `state.x.shape[1]`, `policies.flow.family`. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
  hint?: string;
  /**
   * A name the spec uses that no loaded plugin registers (an op type, atom, transform, manifold or
   * policy): tools can look for a plugin that would (`cflow` names installed ones and how to load them).
   */
  unknown?: { namespace: NamespaceName; name: string };
}

export interface LintReport {
  /** No error findings: the spec may compile (phase AMBER); otherwise it is RED. */
  ok: boolean;
  findings: Finding[];
  /**
   * Uses of ops whose shapes only their creation tells (a factory function, or a plugin's op type
   * without `declare`): lint runs no factory, so the compiler checks these once it has the ops.
   */
  deferred: OpUse[];
}

type Extra = { expected?: string; found?: string; hint?: string; unknown?: Finding["unknown"] };

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The findings of one lint run, and the ways of adding one. */
export class Findings {
  readonly list: Finding[] = [];

  error(code: string, path: string, message: string, extra: Extra = {}): void {
    this.list.push({ severity: "error", code, path, message: `${path ? `${path}: ` : ""}${message}`, ...extra });
  }

  warn(code: string, path: string, message: string, extra: Omit<Extra, "unknown"> = {}): void {
    this.list.push({ severity: "warning", code, path, message: `${path ? `${path}: ` : ""}${message}`, ...extra });
  }

  /** A key the spec format does not know: ignored, with the nearest known key as a hint. */
  unknownKey(path: string, key: string, allowed: readonly string[]): void {
    const near = nearestName(key, allowed);
    this.warn("UNKNOWN_KEY", path, `unknown key "${key}" is ignored`, {
      expected: allowed.join(", "),
      found: JSON.stringify(key),
      hint: near ? `did you mean "${near}"?` : undefined,
    });
  }

  /** Whether `name` can name a slot, data array, op or transform (a finding otherwise). */
  checkName(path: string, name: string): boolean {
    if (!NAME.test(name) || name === "__proto__" || name === "constructor" || name === "prototype") {
      this.error("BAD_NAME", path, `"${name}" is not a usable name`, { expected: "letters, digits, _ or - (not __proto__/constructor/prototype)", found: JSON.stringify(name) });
      return false;
    }
    return true;
  }

  /** An error a declaration check threw, as a finding at `path` (a CflowError keeps its expected/found/hint). */
  fromError(code: string, path: string, err: unknown): void {
    if (err instanceof CflowError) {
      this.error(code, path, err.message, {
        expected: err.details.expected === undefined ? undefined : String(err.details.expected),
        found: err.details.found === undefined ? undefined : String(err.details.found),
        hint: err.details.hint,
      });
    } else {
      this.error(code, path, err instanceof Error ? err.message : String(err));
    }
  }
}

/** "did you mean" for a hint, when a near name exists. */
export function didYouMean(near: string | undefined): string | undefined {
  return near ? `did you mean "${near}"?` : undefined;
}
