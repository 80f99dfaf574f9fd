import type { CompiledFlow, RealArray, RunResult } from "@cflow/core";
import { ensureCapsuleDir, writeCapsuleFile } from "@cflow/recorder";
import { encodeNpy } from "../data/npy.js";

/**
 * The arrays the run report draws, as `artifacts/<name>.npy`: `result` (the final state) for a
 * flow with one Euclidean 1D or 2D slot, and `input` — the data the first data term compares
 * against, when it has the slot's shape (the blurred image of a deconvolution, the noisy signal
 * of a denoising). Other flows (several slots, manifolds) get none: the report has no picture
 * for them. Returns the files written, relative to the capsule. Written through the capsule's
 * safe writer (never through a link); the caller holds the capsule's lock.
 */
export function writeRunArtifacts(runDir: string, compiled: CompiledFlow, result: RunResult): string[] {
  if (compiled.slots.length !== 1) return [];
  const slot = compiled.slots[0];
  if (slot.manifold !== null || slot.shape.length > 2) return [];
  const final = result.state[slot.name];
  if (!final) return [];
  const written: string[] = [];
  ensureCapsuleDir(runDir, "artifacts");
  const save = (name: string, a: RealArray) => {
    writeCapsuleFile(runDir, `artifacts/${name}.npy`, encodeNpy(a, slot.shape));
    written.push(`artifacts/${name}.npy`);
  };
  const term = compiled.spec.terms.find((t) => t.kind === "data" && typeof t.target === "string");
  const input = term?.target ? compiled.spec.data?.[term.target] : undefined;
  if (input && input.length === slot.size) save("input", input instanceof Float64Array || input instanceof Float32Array ? input : Float64Array.from(input));
  save("result", final);
  return written;
}
