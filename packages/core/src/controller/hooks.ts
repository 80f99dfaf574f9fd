import type { CertificateHook } from "../ports/certificates.js";
import type { RecorderSink } from "../ports/recorder.js";
import type { TaskTarget, TunerHook, TunerPolicyDef } from "../ports/tuner.js";
import type { Registry } from "../registry/registry.js";
import { CflowError } from "../errors.js";

/** Anything handed to `runCertified` in `hooks` (Vite-style: a list, any of them may be absent). */
export type Hook = CertificateHook | TunerHook | RecorderSink;

export interface SortedHooks {
  certificates: CertificateHook | null;
  tuner: TunerHook | null;
  recorders: RecorderSink[];
}

/** Sorts hooks by the port they implement; a hook that implements none is reported by name. */
export function sortHooks(hooks: readonly unknown[]): SortedHooks {
  const out: SortedHooks = { certificates: null, tuner: null, recorders: [] };
  hooks.forEach((h, i) => {
    const o = h as Record<string, unknown> | null;
    const name = typeof o?.name === "string" ? o.name : `hooks[${i}]`;
    if (o && typeof o.certify === "function" && typeof o.descentViolation === "function") {
      if (out.certificates) throw duplicate("certificate", out.certificates.name, name);
      out.certificates = o as unknown as CertificateHook;
    } else if (o && typeof o.policy === "object" && o.policy !== null && typeof (o.policy as Record<string, unknown>).propose === "function") {
      if (out.tuner) throw duplicate("tuner", out.tuner.name, name);
      out.tuner = o as unknown as TunerHook;
    } else if (o && typeof o.telemetry === "function" && typeof o.start === "function" && typeof o.finish === "function") {
      out.recorders.push(o as unknown as RecorderSink);
    } else {
      throw new CflowError("BAD_HOOK", `hooks[${i}] (${name}) implements no cflow port`, {
        path: `hooks[${i}]`,
        expected: "a certificate hook (fda()), a tuner hook (gapDial()) or a recorder sink (recorder())",
        found: o ? Object.keys(o).join(", ") : String(h),
      });
    }
  });
  return out;
}

function duplicate(port: string, a: string, b: string): CflowError {
  return new CflowError("BAD_HOOK", `two ${port} hooks given: ${a} and ${b}`, { path: "hooks", expected: `one ${port} hook`, found: `${a}, ${b}` });
}

/**
 * The tuner hook for a policy registered by name (`policies.gapDial.policy` in a spec: the Gap
 * Dial from @cflow/tuner, or a plugin's — e.g. "golden-section"), created fresh for one run.
 */
export function tunerHookFromRegistry(
  registry: Registry,
  name: string,
  options: { [key: string]: unknown } = {},
  taskMetric?: TunerHook["taskMetric"],
  taskTarget?: TaskTarget,
): TunerHook {
  const def = registry.policies.get(name, "policies.gapDial.policy") as TunerPolicyDef;
  if (def.kind !== "tuner" || typeof def.create !== "function") {
    throw new CflowError("BAD_POLICY", `policies.gapDial.policy: "${name}" is a ${def.kind} policy, not a tuner policy`, {
      path: "policies.gapDial.policy",
      expected: `one of ${registry.policies.list().filter((e) => e.value.kind === "tuner").map((e) => e.name).join(", ") || "(no tuner policy registered: use @cflow/tuner's tunerPlugin)"}`,
      found: def.kind,
    });
  }
  return { name, policy: def.create(options), ...(taskMetric ? { taskMetric } : {}), ...(taskTarget ? { taskTarget } : {}) };
}
