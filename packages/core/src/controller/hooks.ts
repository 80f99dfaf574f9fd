import type { CertificateHook } from "../ports/certificates.js";
import type { RecorderSink } from "../ports/recorder.js";
import type { TunerHook } from "../ports/tuner.js";
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
