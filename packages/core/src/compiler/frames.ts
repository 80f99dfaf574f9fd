import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import { type RngKey, foldIn } from "../rng.js";
import type { FlowSpec } from "../spec/types.js";
import { BlockTransform } from "../transforms/block.js";
import { type LensResult, lensProbe } from "../transforms/lens.js";
import type { TransformOp } from "../transforms/transform.js";
import { validateTransform } from "../transforms/validate.js";
import type { FlowData } from "./inputs.js";
import type { FlowResources } from "./resources.js";
import type { SlotLayout, TransformValidationRow } from "./types.js";

/** Probes per transform in the pre-run validation (docs/design.md §2.3). */
const VALIDATION_PROBES = 3;

/**
 * The lens: when the spec names candidate transforms (`policies.lens.candidates`), the one that
 * represents a sample most sparsely becomes the transform of every W-space term. The sample is the
 * first data array of the first slot's size, else the slot's initial state.
 */
export function chooseLens(spec: FlowSpec, candidates: readonly string[], keepFraction: number, registry: Registry, slots: readonly SlotLayout[], x0: RealArray, data: FlowData, resources: FlowResources): LensResult | null {
  if (candidates.length === 0) return null;
  const slot = slots[0];
  const sample = Object.values(data.arrays).find((a) => a.length === slot.size) ?? x0.subarray(slot.offset, slot.offset + slot.size);
  const levels = Object.values(spec.transforms ?? {})[0]?.levels;
  const made = candidates.map((name) => registry.transforms.get(name, "policies.lens.candidates").create({ shape: slot.shape, levels, dtype: resources.dtype }));
  try {
    return lensProbe(made, sample, { keepFraction });
  } finally {
    for (const t of made) t.dispose();
  }
}

/** The flow's transform W: the slot's own for one slot, block-diagonal over slots otherwise, null when no slot has one. */
export function flowTransform(slots: readonly SlotLayout[], n: number, resources: FlowResources): TransformOp | null {
  if (!slots.some((s) => s.transform)) return null;
  if (slots.length === 1) return slots[0].transform;
  return resources.own(
    new BlockTransform(
      resources.dtype,
      n,
      slots.map((s) => ({ offset: s.offset, size: s.size, coeffOffset: s.coeffOffset, transform: s.transform })),
    ),
  );
}

/**
 * Validates every slot's transform on random probes from the run's key before any run
 * (docs/design.md §2.3: reconstruction and, for tight frames, energy); a failing transform refuses
 * the compilation. The rows go into the compile report and the manifest.
 */
export function validateFrames(slots: readonly SlotLayout[], key: RngKey): TransformValidationRow[] {
  const rows: TransformValidationRow[] = [];
  for (const s of slots) {
    if (!s.transform) continue;
    const vkey = foldIn(key, 0x7a11d + s.offset);
    const v = validateTransform(s.transform, { key: vkey, probes: VALIDATION_PROBES });
    rows.push({ slot: s.name, name: s.transform.name, frame: s.transform.frame, c: s.transform.c, pass: v.pass, reconstructionError: v.reconstructionError, energyError: v.energyError ?? null, probes: VALIDATION_PROBES, key: vkey });
    if (!v.pass) {
      throw new CflowError("TRANSFORM_INVALID", `transform ${s.transform.name} on slot "${s.name}" failed validation: reconstruction error ${v.reconstructionError.toExponential(2)}${v.energyError != null ? `, energy error ${v.energyError.toExponential(2)}` : ""}`, {
        path: `state.${s.name}`,
        expected: "‖W⁻¹Wx − x‖/‖x‖ < 1e-6 (tight frames: energy error < 1e-3)",
        found: v.reconstructionError,
      });
    }
  }
  return rows;
}
