import { CflowError } from "../errors.js";
import type { CertificateHook } from "../ports/certificates.js";
import type { RunSink } from "../ports/sink.js";
import type { TaskTarget, TunerHook, TunerPolicyDef } from "../ports/tuner.js";
import type { Registry } from "../registry/registry.js";

/** The hooks of one run, as `runCertified` takes them: each optional, each a plain object. */
export interface RunHooks {
  /** The certificate hook (`fda()`): without one the run stays AMBER (uncertified) and never tunes. */
  certify?: CertificateHook;
  /** The tuner (`gapDial()`, or a registered policy: `tunerHookFromRegistry`): without one the run never tunes. */
  tune?: TunerHook;
  /** Where the run's record goes (`recorder()`, a live display...), called in this order (see `RunSink`). */
  sinks?: readonly RunSink[];
}

/** Throws unless each hook given has a name and the methods of its role, naming the hook and what it lacks. */
export function checkHooks(h: RunHooks): void {
  const check = (path: string, role: string, o: unknown, methods: string[], name = (o as { name?: unknown } | null)?.name) => {
    const obj = o !== null && typeof o === "object" ? (o as Record<string, unknown>) : null;
    const missing = methods.filter((m) => typeof obj?.[m] !== "function");
    if (obj && typeof name === "string" && missing.length === 0) return;
    const who = typeof name === "string" ? `options.${path} (${name})` : `options.${path}`;
    throw new CflowError("BAD_HOOK", `${who} is not a ${role}: ${typeof name !== "string" ? "it has no name" : `it lacks ${missing.join(", ")}`}`, {
      path: `options.${path}`,
      expected: `{ name${methods.map((m) => `, ${m}()`).join("")} }`,
      found: obj ? `{ ${Object.keys(obj).join(", ")} }` : String(o),
    });
  };
  if (h.certify !== undefined) {
    check("certify", "certificate hook", h.certify, ["certify", "descentViolation"]);
    // a state the hook saves must come back, and one it takes back must have been saved
    if (typeof h.certify.saveState === "function" || typeof h.certify.restoreState === "function") check("certify", "certificate hook", h.certify, ["saveState", "restoreState"]);
  }
  if (h.tune !== undefined) {
    check("tune", "tuner hook", h.tune, []);
    check("tune", "tuner hook", h.tune.policy, ["init", "seed", "remediate", "propose", "update"], h.tune.name);
  }
  h.sinks?.forEach((s, i) => check(`sinks[${i}]`, "sink", s, []));
}

/**
 * An error a hook raised, tagged with the hook's name and the method: a CflowError keeps its
 * code and message and gets `details.hook`; anything else becomes a HOOK_FAILED CflowError
 * naming both, with the original as its cause.
 */
export function hookError(err: unknown, hook: string, method: string): CflowError {
  const tag = `${hook}.${method}`;
  if (err instanceof CflowError) {
    if (err.details.hook === undefined) err.details.hook = tag;
    return err;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  // no `path`: where the failure happened is the original's to say (a file the recorder wrote...)
  const wrapped = new CflowError("HOOK_FAILED", `${tag} failed: ${e.message}`, { found: `${e.name}: ${e.message}`, hook: tag });
  wrapped.cause = err;
  wrapped.stack = e.stack;
  return wrapped;
}

/** Calls a hook's method; an error comes back tagged with the hook and the method. */
export function callHook<T>(hook: string, method: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw hookError(err, hook, method);
  }
}

/**
 * The tuner hook for a policy registered by name (`policies.tuner.policy` in a spec: the Gap
 * Dial from @cflow/tuner, or a plugin's — e.g. "goldenSection"), created fresh for one run.
 */
export function tunerHookFromRegistry(
  registry: Registry,
  name: string,
  options: { [key: string]: unknown } = {},
  taskMetric?: TunerHook["taskMetric"],
  taskTarget?: TaskTarget,
): TunerHook {
  const def = registry.policies.get(name, "policies.tuner.policy") as TunerPolicyDef;
  if (def.kind !== "tuner" || typeof def.create !== "function") {
    throw new CflowError("BAD_POLICY", `policies.tuner.policy: "${name}" is a ${def.kind} policy, not a tuner policy`, {
      path: "policies.tuner.policy",
      expected: `one of ${registry.policies.list().filter((e) => e.value.kind === "tuner").map((e) => e.name).join(", ") || "(no tuner policy registered: use @cflow/tuner's tunerPlugin)"}`,
      found: def.kind,
    });
  }
  return { name, policy: def.create(options), ...(taskMetric ? { taskMetric } : {}), ...(taskTarget ? { taskTarget } : {}) };
}
