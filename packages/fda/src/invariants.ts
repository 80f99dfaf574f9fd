import { CflowError, type RealArray } from "@cflow/core";

/** A conserved quantity q(x) (energy of a Hamiltonian flow, total mass, a norm...). */
export interface Invariant {
  name: string;
  value(x: RealArray): number;
  /** Drift measured relative to max(|q(x₀)|, 1e-300) instead of absolutely. */
  relative?: boolean;
}

/** A constraint with a residual that is 0 when satisfied (‖x‖ − 1 on a sphere, ‖RᵀR − I‖ on SO(3), max(0, −x) for x ≥ 0...). */
export interface Constraint {
  name: string;
  residual(x: RealArray): number;
}

export interface InvariantDrift {
  /** `invariant_drift_max`: max over invariants of |q(x) − q(x₀)| and over constraints of |residual(x)|. */
  max: number;
  /** Name of the quantity attaining it (null when there are none). */
  worst: string | null;
  /** Drift of each invariant and residual of each constraint, by name. */
  values: Record<string, number>;
}

/**
 * Invariant drift of a state x against the initial state x₀ (docs/design.md §2.5, `invariant_drift_max`).
 * A non-finite value counts as an infinite drift, so a blown-up state never passes.
 */
export function invariantDrift(x0: RealArray, x: RealArray, quantities: { invariants?: readonly Invariant[]; constraints?: readonly Constraint[] }): InvariantDrift {
  const values: Record<string, number> = {};
  let max = 0;
  let worst: string | null = null;
  const record = (name: string, v: number) => {
    if (name in values) throw new CflowError("BAD_OPTION", `invariantDrift: two quantities are named "${name}"`, { path: `invariants.${name}`, expected: "unique names", found: name });
    const d = Number.isFinite(v) ? Math.abs(v) : Infinity;
    values[name] = d;
    if (worst === null || d > max) {
      max = d;
      worst = name;
    }
  };
  for (const q of quantities.invariants ?? []) {
    const q0 = q.value(x0);
    const q1 = q.value(x);
    const diff = q1 - q0;
    record(q.name, q.relative ? diff / Math.max(Math.abs(q0), 1e-300) : diff);
  }
  for (const c of quantities.constraints ?? []) record(c.name, c.residual(x));
  return { max, worst, values };
}
