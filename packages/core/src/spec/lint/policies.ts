import { describeValue } from "../../dtype.js";
import { DEFAULTS } from "../defaults.js";
import type { LintContext } from "./context.js";
import { isRecord, ownKeys, read } from "./read.js";
import type { TermInfo } from "./terms.js";
import { unknownNameHint } from "../../registry/registry.js";

const POLICY_KEYS = ["flow", "multiscale", "tuner", "control", "sparsity", "lens", "certification", "budgets"];
/** Where the keys of the former `policies.gapDial` went. */
const GAP_DIAL_KEYS: Record<string, string> = {
  enabled: "tuner.enabled",
  policy: "tuner.policy",
  seed: "tuner.seed",
  widenFactor: "tuner.widenFactor",
  maxAttempts: "control.maxAttempts",
  validationIters: "control.validationIters",
  moveCap: "control.moveCap",
  ratioBounds: "control.ratioBounds",
  noImprove: "control.noImprove",
  lambdaCap: "control.lambdaCap",
};

/** `policies`: known sections and keys, values in range, and registered flow families and tuner policies. */
export function lintPolicies(ctx: LintContext, policies: unknown, terms: readonly TermInfo[]): void {
  const f = ctx.findings;
  if (policies === undefined) return;
  if (!isRecord(policies)) {
    f.error("BAD_TYPE", "policies", "expected an object", { expected: `{ ${POLICY_KEYS.join(", ")} }`, found: describeValue(policies) });
    return;
  }
  for (const k of ownKeys(policies)) {
    if (k === "gapDial") movedGapDial(ctx, read(policies, k));
    else if (!POLICY_KEYS.includes(k)) f.unknownKey(`policies.${k}`, k, POLICY_KEYS);
  }
  const num = (path: string, v: unknown, ok: (x: number) => boolean, expected: string) => {
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) f.error("BAD_POLICY", path, `expected ${expected}`, { expected, found: describeValue(v) });
  };
  /** `registered`: the options are the names of registered policies (a plugin may provide the missing one). */
  const oneOf = (path: string, v: unknown, options: readonly string[], registered = false) => {
    if (v === undefined) return;
    if (typeof v !== "string" || !options.includes(v)) {
      f.error("BAD_POLICY", path, "unknown value", {
        expected: options.map((o) => JSON.stringify(o)).join(" | "),
        found: describeValue(v),
        hint: unknownNameHint(v, options),
        ...(registered && typeof v === "string" ? { unknown: { namespace: "policies" as const, name: v } } : {}),
      });
    }
  };
  const section = (name: string, keys: string[]): Record<string, unknown> | null => {
    const v = read(policies, name);
    if (v === undefined) return null;
    if (!isRecord(v)) {
      f.error("BAD_TYPE", `policies.${name}`, "expected an object", { expected: `{ ${keys.join(", ")} }`, found: describeValue(v) });
      return null;
    }
    for (const k of ownKeys(v)) if (!keys.includes(k)) f.unknownKey(`policies.${name}.${k}`, k, keys);
    return v;
  };
  const registered = (kind: string) =>
    ctx.registry.policies
      .list()
      .filter((e) => e.value.kind === kind)
      .map((e) => e.name);
  const multilevel = terms.some((t) => t.atom?.bandWeights);

  const flow = section("flow", Object.keys(DEFAULTS.flow));
  if (flow) {
    const family = read(flow, "family");
    oneOf("policies.flow.family", family, registered("flow"), true);
    oneOf("policies.flow.restart", read(flow, "restart"), ["function", "gradient", "none"]);
    oneOf("policies.flow.lineSearch", read(flow, "lineSearch"), ["auto", "always", "never"]);
    num("policies.flow.stepScale", read(flow, "stepScale"), (x) => x > 0 && x < 2, "a number in (0, 2) (α = stepScale/β must stay below 2/β)");
    num("policies.flow.damping", read(flow, "damping"), (x) => x >= 0, "a damping rate ≥ 0");
    num("policies.flow.dt", read(flow, "dt"), (x) => x > 0, "a time step > 0");
    num("policies.flow.theta", read(flow, "theta"), (x) => x >= 0 && x <= 1, "a number in [0, 1]");
    num("policies.flow.strongConvexity", read(flow, "strongConvexity"), (x) => x >= 0, "a lower bound ≥ 0 of g's strong convexity");
    oneOf("policies.flow.preconditioning", read(flow, "preconditioning"), ["none", "diagonal"]);
    const hamiltonian = typeof family === "string" && ctx.registry.policies.has(family) && (ctx.registry.policies.get(family) as { family?: { shape?: string } }).family?.shape === "hamiltonian";
    if (hamiltonian && ctx.conjugateSlots.size === 0) {
      f.error("MISSING_CONJUGATE", "policies.flow.family", `${family} needs a momentum slot declared with conjugateOf`, {
        expected: 'state: { q: { shape }, p: { shape, conjugateOf: "q" } }',
        found: `slots ${[...ctx.slots.keys()].join(", ")}`,
      });
    }
  }
  const ms = section("multiscale", Object.keys(DEFAULTS.multiscale));
  if (ms) {
    oneOf("policies.multiscale.mode", read(ms, "mode"), ["off", "fixed", "residual"]);
    num("policies.multiscale.startLevels", read(ms, "startLevels"), (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
    num("policies.multiscale.every", read(ms, "every"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    num("policies.multiscale.residualDrop", read(ms, "residualDrop"), (x) => x > 0 && x < 1, "a number in (0, 1)");
    const mode = read(ms, "mode");
    if ((mode === "fixed" || mode === "residual") && !multilevel) {
      f.error("BAD_POLICY", "policies.multiscale.mode", "a multiscale schedule unlocks wavelet levels, but no term acts through a multilevel transform", {
        expected: '"off", or a waveletL1 term with a wavelet transform',
        found: JSON.stringify(mode),
      });
    }
  }
  const tuner = section("tuner", Object.keys(DEFAULTS.tuner));
  if (tuner) {
    const bool = (path: string, v: unknown) => {
      if (v !== undefined && typeof v !== "boolean") f.error("BAD_POLICY", path, "expected true or false", { expected: "boolean", found: describeValue(v) });
    };
    bool("policies.tuner.enabled", read(tuner, "enabled"));
    bool("policies.tuner.perBand", read(tuner, "perBand"));
    num("policies.tuner.widenFactor", read(tuner, "widenFactor"), (x) => x > 1, "a factor > 1");
    num("policies.tuner.minStepDivisor", read(tuner, "minStepDivisor"), (x) => x > 1, "a divisor > 1");
    oneOf("policies.tuner.target", read(tuner, "target"), ["discrepancy", "sure", "gcv", "none"]);
    num("policies.tuner.tau", read(tuner, "tau"), (x) => x > 0, "a number > 0 (τ of ‖Kx − y‖² ≈ τ·m·σ²)");
    num("policies.tuner.traceProbes", read(tuner, "traceProbes"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    const seed = read(tuner, "seed");
    if (seed !== undefined) {
      if (!isRecord(seed)) f.error("BAD_TYPE", "policies.tuner.seed", "expected an object", { expected: "{ statistic, k }", found: describeValue(seed) });
      else {
        for (const k of ownKeys(seed)) if (!["statistic", "k"].includes(k)) f.unknownKey(`policies.tuner.seed.${k}`, k, ["statistic", "k"]);
        oneOf("policies.tuner.seed.statistic", read(seed, "statistic"), ["median", "mad"]);
        num("policies.tuner.seed.k", read(seed, "k"), (x) => x > 0, "a factor > 0");
      }
    }
    oneOf("policies.tuner.policy", read(tuner, "policy"), registered("tuner"), true);
  }
  const control = section("control", Object.keys(DEFAULTS.control));
  if (control) {
    num("policies.control.maxAttempts", read(control, "maxAttempts"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    num("policies.control.validationIters", read(control, "validationIters"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    num("policies.control.moveCap", read(control, "moveCap"), (x) => x > 0 && x < 1, "a fraction in (0, 1)");
    num("policies.control.noImprove", read(control, "noImprove"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    num("policies.control.lambdaCap", read(control, "lambdaCap"), (x) => x > 0, "a number > 0");
    num("policies.control.maxRollbacks", read(control, "maxRollbacks"), (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
    const rb = read(control, "ratioBounds");
    if (rb !== undefined && !(Array.isArray(rb) && rb.length === 2 && typeof rb[0] === "number" && typeof rb[1] === "number" && rb[0] > 0 && rb[0] <= 1 && rb[1] >= 1)) {
      f.error("BAD_POLICY", "policies.control.ratioBounds", "expected [low, high] with 0 < low ≤ 1 ≤ high", { expected: "[0.5, 2]", found: describeValue(rb) });
    }
  }
  const sp = section("sparsity", Object.keys(DEFAULTS.sparsity));
  if (sp) {
    oneOf("policies.sparsity.mode", read(sp, "mode"), ["global", "per-band"]);
    num("policies.sparsity.tau", read(sp, "tau"), (x) => x >= 0, "a threshold ≥ 0");
    if (read(sp, "mode") === "per-band" && !multilevel) {
      f.error("BAD_POLICY", "policies.sparsity.mode", "per-band sparsity needs a term with per-band weights", { expected: '"global", or a waveletL1 term', found: '"per-band"' });
    }
  }
  const lens = section("lens", Object.keys(DEFAULTS.lens));
  if (lens) {
    const c = read(lens, "candidates");
    if (c !== undefined) {
      if (!Array.isArray(c)) f.error("BAD_POLICY", "policies.lens.candidates", "expected an array of transform names", { expected: "string[]", found: describeValue(c) });
      else
        c.forEach((name, i) => {
          if (typeof name === "string" && ctx.registry.transforms.has(name)) return;
          f.error("UNKNOWN_TRANSFORM", `policies.lens.candidates[${i}]`, `unknown transform ${describeValue(name)}`, {
            expected: ctx.registry.transforms.names().join(", "),
            found: describeValue(name),
            hint: unknownNameHint(name, ctx.registry.transforms.names()),
            ...(typeof name === "string" ? { unknown: { namespace: "transforms" as const, name } } : {}),
          });
        });
    }
    num("policies.lens.keepFraction", read(lens, "keepFraction"), (x) => x > 0 && x <= 1, "a fraction in (0, 1]");
  }
  const cert = section("certification", Object.keys(DEFAULTS.certification));
  if (cert) {
    num("policies.certification.etaMax", read(cert, "etaMax"), (x) => x > 0, "a number > 0");
    num("policies.certification.gammaMin", read(cert, "gammaMin"), (x) => x >= 0, "a number ≥ 0");
    num("policies.certification.every", read(cert, "every"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    num("policies.certification.hull", read(cert, "hull"), (x) => x >= 0 && x < 1, "a fraction in [0, 1) (0: no hull)");
    num("policies.certification.lyapunovTol", read(cert, "lyapunovTol"), (x) => x >= 0, "a number ≥ 0");
    num("policies.certification.invariantTol", read(cert, "invariantTol"), (x) => x >= 0, "a number ≥ 0");
  }
  const b = section("budgets", Object.keys(DEFAULTS.budgets));
  if (b) {
    num("policies.budgets.maxIters", read(b, "maxIters"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
    num("policies.budgets.maxTrials", read(b, "maxTrials"), (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
    num("policies.budgets.wallTimeMs", read(b, "wallTimeMs"), (x) => x >= 0, "milliseconds ≥ 0 (0 = no limit)");
    num("policies.budgets.tol", read(b, "tol"), (x) => x >= 0, "a tolerance ≥ 0");
    num("policies.budgets.rtol", read(b, "rtol"), (x) => x >= 0 && x < 1, "a relative tolerance in [0, 1)");
    num("policies.budgets.atol", read(b, "atol"), (x) => x >= 0, "an absolute tolerance ≥ 0");
    num("policies.budgets.maxElements", read(b, "maxElements"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1 (elements of one state slot or data array)");
  }
}

/** `policies.gapDial` was split into the tuner's options and the controller's limits: say where each key went. */
function movedGapDial(ctx: LintContext, gd: unknown): void {
  const keys = isRecord(gd) ? ownKeys(gd) : [];
  const moves = keys.map((k) => `${k} → policies.${GAP_DIAL_KEYS[k] ?? "?"}`);
  ctx.findings.error("MOVED_KEY", "policies.gapDial", "policies.gapDial was split into policies.tuner (the tuner's options) and policies.control (the controller's limits)", {
    expected: "policies.tuner { enabled, policy, perBand, seed, widenFactor, minStepDivisor } and policies.control { maxAttempts, validationIters, moveCap, ratioBounds, noImprove, lambdaCap, maxRollbacks }",
    found: `policies.gapDial { ${keys.join(", ")} }`,
    hint: moves.length > 0 ? `move ${moves.join(", ")}` : "move its keys to policies.tuner and policies.control",
  });
}
