import { type Dtype, describeValue } from "../../dtype.js";
import { nearestName } from "../../registry/nearest.js";
import type { LintContext } from "./context.js";
import { isRecord, ownKeys, read } from "./read.js";

/** `data`: named arrays of finite numbers in the run's dtype, each within the element limit. */
export function lintData(ctx: LintContext, data: unknown): void {
  const f = ctx.findings;
  if (data === undefined) return;
  if (!isRecord(data)) {
    f.error("BAD_TYPE", "data", "expected an object of named arrays", { expected: "{ name: Float64Array | number[] }", found: describeValue(data) });
    return;
  }
  for (const k of ownKeys(data)) {
    const path = `data.${k}`;
    if (!f.checkName(path, k)) continue;
    const v = read(data, k);
    if (v instanceof Float64Array || v instanceof Float32Array) {
      const found: Dtype = v instanceof Float64Array ? "float64" : "float32";
      if (found !== ctx.dtype) {
        f.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${ctx.dtype}, the array is ${found}`, {
          expected: ctx.dtype,
          found,
          hint: "build data in the run's dtype (write the spec as defineFlow(({ dtype }) => ...)) or pass a plain number[]",
        });
      }
      if (!ctx.withinLimit(path, "the array", v.length, `${v.length} numbers`)) continue;
      checkFinite(ctx, path, v);
      ctx.data.set(k, v.length);
      ctx.dataArrays[k] = v;
    } else if (Array.isArray(v)) {
      const bad = v.findIndex((e) => typeof e !== "number");
      if (bad >= 0) {
        f.error("BAD_DATA", `${path}[${bad}]`, "expected a number", { expected: "number", found: describeValue(v[bad]) });
        continue;
      }
      if (!ctx.withinLimit(path, "the array", v.length, `${v.length} numbers`)) continue;
      checkFinite(ctx, path, v as number[]);
      ctx.data.set(k, v.length);
      ctx.dataArrays[k] = ctx.dtype === "float64" ? Float64Array.from(v as number[]) : Float32Array.from(v as number[]);
    } else {
      f.error("BAD_DATA", path, "expected an array of numbers", { expected: "Float64Array | Float32Array | number[]", found: describeValue(v) });
    }
  }
}

function checkFinite(ctx: LintContext, path: string, v: ArrayLike<number>): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      ctx.findings.error("NON_FINITE", `${path}[${i}]`, "data must be finite", { expected: "a finite number", found: String(v[i]) });
      return;
    }
  }
}

/** `noise`: `{ <data name>: { sigma > 0 } }` — the noise level the tuner's discrepancy target uses. */
export function lintNoise(ctx: LintContext, noise: unknown): void {
  const f = ctx.findings;
  if (noise === undefined) return;
  if (!isRecord(noise)) {
    f.error("BAD_TYPE", "noise", "expected an object of noise levels by data name", { expected: "{ y: { sigma: 0.01 } }", found: describeValue(noise) });
    return;
  }
  for (const k of ownKeys(noise)) {
    const path = `noise.${k}`;
    if (!ctx.data.has(k)) {
      const near = nearestName(k, [...ctx.data.keys()]);
      f.error("UNKNOWN_DATA", path, `no data array named "${k}"`, { expected: [...ctx.data.keys()].join(", ") || "a name in data", found: JSON.stringify(k), hint: near ? `did you mean "${near}"?` : undefined });
      continue;
    }
    const v = read(noise, k);
    if (!isRecord(v)) {
      f.error("BAD_TYPE", path, "expected { sigma }", { expected: "{ sigma: a number > 0 }", found: describeValue(v) });
      continue;
    }
    for (const key of ownKeys(v)) if (key !== "sigma") f.unknownKey(`${path}.${key}`, key, ["sigma"]);
    const sigma = read(v, "sigma");
    if (!(typeof sigma === "number" && Number.isFinite(sigma) && sigma > 0)) {
      f.error("BAD_NOISE", `${path}.sigma`, "expected the noise's standard deviation", { expected: "a finite number > 0", found: describeValue(sigma) });
    }
  }
}
