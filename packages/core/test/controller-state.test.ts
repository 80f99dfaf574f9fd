// The controller's state record and its checkpoint encoding (controller/state.ts): a checkpoint
// is the record's encoding, and decoding it gives the record back. The fixtures are the
// `controller_state` and tuner state of three checkpoints written by the controller before the
// state record existed (schema_version 2: cut mid-attempt, mid-trial and in the polish): they
// decode, and encode back to the same JSON — old checkpoints still resume.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { decodeState, encodeState, initialState } from "../src/controller/state.js";
import type { Json } from "../src/ports/events.js";

interface Fixture {
  iter: number;
  phase: string;
  arrays: string[];
  controllerState: Json;
  tunerState: Json;
}

const fixtures = JSON.parse(readFileSync(join(__dirname, "fixtures", "controller-state-v2.json"), "utf8")) as Record<"attempt" | "trial" | "polish", Fixture>;

function flow() {
  return compileFlow(
    {
      dtype: "float64",
      state: { x: { shape: [32, 32] } },
      data: { y: new Float64Array(1024).fill(1) },
      terms: [{ kind: "data", atom: "leastSquares", target: "y" }],
    },
    { dtype: "float64" },
  ).compiled;
}

/** One array per name, each filled with a value of its own (to see that every array goes where it belongs). */
function arraysFor(names: string[]): Record<string, Float64Array> {
  return Object.fromEntries(names.map((name, i) => [name, new Float64Array(1024).fill(i + 1)]));
}

describe("controller state record and its checkpoint encoding", () => {
  it.each(["attempt", "trial", "polish"] as const)("a schema_version 2 checkpoint cut in the %s decodes and encodes back to the same JSON", (which) => {
    const f = fixtures[which];
    const compiled = flow();
    const arrays = arraysFor(f.arrays);
    const { state, runner } = decodeState(f.controllerState, f.tunerState, arrays, compiled, 50);
    expect(state.phase).toBe(f.phase);
    expect(runner.iter).toBe(f.iter);
    expect(runner.x).toEqual(arrays.x);
    expect(runner.xPrev).toEqual(arrays["prev.x"]);
    expect(state.restoredCoefficients).toBe(arrays["coefficients.current"]);
    const enc = encodeState(state, runner, state.restoredCoefficients, compiled);
    expect(enc.json).toEqual(f.controllerState);
    expect(enc.tunerState).toEqual(f.tunerState);
    expect(Object.keys(enc.arrays).sort()).toEqual(f.arrays);
    for (const name of f.arrays) expect(enc.arrays[name]).toEqual(arrays[name]);
    compiled.dispose();
  });

  it("what each fixture holds: the attempt's start state, the trial's dials and rollback target", () => {
    const compiled = flow();
    const a = decodeState(fixtures.attempt.controllerState, null, arraysFor(fixtures.attempt.arrays), compiled, 50).state;
    expect(a).toMatchObject({ stage: "feasibility", inFlight: { kind: "attempt", attempt: 3, done: 15 } });
    expect(a.inFlight?.kind === "attempt" && a.inFlight.start.snap.iter).toBe(60);
    const t = decodeState(fixtures.trial.controllerState, fixtures.trial.tunerState, arraysFor(fixtures.trial.arrays), compiled, 50).state;
    expect(t).toMatchObject({ stage: "tuning", trial: 5, trialsWithoutImprovement: 4, bestMetric: Number.POSITIVE_INFINITY, inFlight: { kind: "trial", trial: 5, done: 15 } });
    expect(t.lastGood?.snap).toMatchObject({ iter: 300, lambda: 0.8388608000000002 });
    expect(t.lastGoodIsCurrent).toBe(false);
    compiled.dispose();
  });

  it("a last good state that is the current one is written once and comes back as the current one", () => {
    const compiled = flow();
    const x = new Float64Array(1024).fill(3);
    const snap = { x, xPrev: x, iter: 7, alpha: 0.5, lambda: null, lambdaJ: null, family: { t: 1, restarts: 0 }, multiscale: null, energy: 1.5, terms: [] };
    const s = { ...initialState(50), phase: "GREEN" as const, stage: "polish" as const, lastGood: { snap, coefficients: null }, lastGoodIsCurrent: true, certificates: 4 };
    const enc = encodeState(s, snap, null, compiled);
    expect(Object.keys(enc.arrays).sort()).toEqual(["prev.x", "x"]);
    const back = decodeState(enc.json, enc.tunerState, enc.arrays, compiled, 50);
    expect(back.state).toMatchObject({ phase: "GREEN", stage: "polish", lastGoodIsCurrent: true, certificates: 4, status: null });
    expect(back.state.lastGood?.snap.x).toEqual(x);
    expect(back.runner).toMatchObject({ iter: 7, alpha: 0.5, energy: 1.5 });
    compiled.dispose();
  });

  it("the certificate hook's state travels under its name; checkpoints without one decode to none", () => {
    const compiled = flow();
    const x = new Float64Array(1024).fill(2);
    const snap = { x, xPrev: x, iter: 9, alpha: 0.5, lambda: null, lambdaJ: null, family: { t: 1, restarts: 0 }, multiscale: null, energy: 1, terms: [] };
    const s = { ...initialState(50), phase: "GREEN" as const, stage: "polish" as const };
    const hook = { name: "fda", state: { version: 1, operators: [{ supports: ["AAAAAA=="] }] } };
    const enc = encodeState(s, snap, null, compiled, hook);
    expect((enc.json as { certificateHook: Json }).certificateHook).toEqual(hook);
    // as the checkpoint file holds it: JSON text
    expect(decodeState(JSON.parse(JSON.stringify(enc.json)), null, enc.arrays, compiled, 50).hook).toEqual(hook);
    expect(encodeState(s, snap, null, compiled).json).not.toHaveProperty("certificateHook");
    expect(decodeState(fixtures.polish.controllerState, null, arraysFor(fixtures.polish.arrays), compiled, 50).hook).toBeNull();
    expect(() => decodeState({ ...(enc.json as object), certificateHook: { state: 1 } }, null, enc.arrays, compiled, 50)).toThrow(/controller_state\.certificateHook must be \{ name, state \}/);
    compiled.dispose();
  });

  it("refuses a controller state that runCertified did not write, naming what is missing", () => {
    const compiled = flow();
    expect(() => decodeState({ phase: "GREEN" }, null, arraysFor(["x"]), compiled, 50)).toThrow(/controller_state\.stage is missing: this checkpoint was not written by runCertified/);
    expect(() => decodeState(fixtures.polish.controllerState, null, {}, compiled, 50)).toThrow(/no state array for every slot/);
    compiled.dispose();
  });
});
