import { runCertified } from "@cflow/core";
import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { EXIT_CODES } from "../exit-codes.js";
import { warnPluginFailures } from "../plugin-failures.js";
import { formatNumber } from "../report/format.js";
import { type SpecOptions, type TunerFlagOptions, specOptions, tunerFlagOptions } from "../run-options.js";
import { stepSizeCertificate, stepSizeLine } from "../run/certificate-text.js";
import { setupFlow, withCompiledSetup } from "../run/flow-setup.js";
import { wireRun } from "../run/run-wiring.js";
import { phaseColor } from "../style.js";

export interface CertCommandOptions extends SpecOptions, TunerFlagOptions {}

export const certCommand = defineCommand<CertCommandOptions>({
  name: "cert",
  summary: "certificate rehearsal: η_dd, γ, the gates and the verdict, without tuning or running",
  description:
    "Rehearses Phase 1 of a run: compiles the spec, runs the short warm-up, evaluates η_dd and γ on the core\n" +
    "operator in W-space (restricted to the active set when the flow has a sparsity prox) and, while the gates\n" +
    "fail, lets the Gap Dial widen λ (at most M attempts) — exactly as `cflow run` would before it is allowed\n" +
    "to tune. No Phase 2 tuning, no polish, no capsule.",
  positionals: [{ name: "spec", required: true, description: "TypeScript or JavaScript module whose default export is defineFlow(...)" }],
  flags: [FLAGS.dtype, FLAGS.seed, FLAGS.perBand, FLAGS.plugin, FLAGS.param, FLAGS.maxElements],
  examples: [
    { command: "cflow cert examples/naive-deconv/spec.ts", description: "shows why plain least-squares deconvolution cannot be certified (γ ≈ 0)" },
    { command: "cflow cert spec.ts --json", description: "η_dd, γ, gates and verdict as JSON" },
  ],
  exitCodes: ["OK", "RED", "CERT_FAIL", "CANCELLED", "INPUT", "IO", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => ({ ...specOptions(args, cwd, "cert"), ...tunerFlagOptions(args) }),
  handler: async (o, ctx) => {
    const setup = await setupFlow({ ...o, cwd: ctx.cwd });
    warnPluginFailures(setup.plugins.failures, ctx.out);
    return withCompiledSetup(setup, ctx.cwd, async ({ compiled }) => {
      const { config, certify, tune } = wireRun(compiled, { perBand: o.perBand });
      const gates = { etaMax: config.certification.etaMax, gammaMin: config.certification.gammaMin };
      ctx.out.info(`cert ${compiled.spec.name ?? "flow"} · ${compiled.dtype} · gates η_max = ${formatNumber(gates.etaMax)}, γ_min = ${formatNumber(gates.gammaMin)} · warm-up ${config.control.validationIters} iterations per attempt`);
      const result = await runCertified(compiled, { config, certify, tune, signal: ctx.signal, stopAfterCertification: true });
      const attempts = result.events
        .filter((e) => e.event === "CERT_PASS" || e.event === "CERT_FAIL")
        .map((e) => {
          const p = e.payload as Record<string, unknown>;
          return {
            iter: e.iter,
            stage: String(p.stage),
            lambda: typeof p.lambda === "number" ? p.lambda : null,
            alpha: p.alpha as number,
            eta_dd: p.eta_dd as number,
            gamma: typeof p.gamma === "number" ? p.gamma : null,
            gamma_gershgorin: typeof p.gamma_gershgorin === "number" ? p.gamma_gershgorin : null,
            method: String(p.method),
            size: p.size as number,
            pass: e.event === "CERT_PASS",
            reasons: (p.reasons as string[] | undefined) ?? [],
          };
        });
      const certified = result.phase === "GREEN";
      const code = certified ? EXIT_CODES.OK.code : result.status === "CANCELLED" ? EXIT_CODES.CANCELLED.code : EXIT_CODES.CERT_FAIL.code;
      // primal–dual flows: no FDA attempts — the certificate is the step sizes' convergence condition
      const stepSizes = stepSizeCertificate(result.events);
      if (stepSizes) {
        ctx.out.result({ spec: setup.file, dtype: compiled.dtype, phase: result.phase, certified, step_sizes: stepSizes }, () => {
          const s = ctx.out.style;
          const lines = [`step sizes (${config.flow.family}, θ = ${formatNumber(stepSizes.theta)}): ${stepSizeLine(stepSizes, s)}`];
          if (stepSizes.ops.length > 0) {
            const header = ["term", "op", "‖op‖ bound", "route"];
            const rows = stepSizes.ops.map((o) => [o.term, o.op, formatNumber(o.norm), o.route]);
            const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
            for (const r of [header, ...rows]) lines.push(`  ${r.map((c, j) => c.padEnd(widths[j])).join("  ")}`.trimEnd());
          }
          const why =
            stepSizes.op_norm_route === "preconditioned"
              ? "τ and σ from the row and column sums of |K| (Pock–Chambolle) converge without a norm of K"
              : stepSizes.proven
                ? `στ‖K‖² < 1${stepSizes.beta_lipschitz ? " (with the smooth part: 1/τ − σ‖K‖² > L/2)" : ""} on a proven bound of ‖K‖`
                : "‖K‖ is a power-iteration estimate, so the step-size condition is not proven";
          lines.push("", certified ? `${phaseColor(s, "GREEN")(s.bold("GREEN"))} — ${why}; cflow run would iterate from here` : `${phaseColor(s, result.phase)(s.bold(result.phase))} — not certified: ${why}`);
          return lines.join("\n");
        });
        return code;
      }
      const firstPass = attempts.findIndex((a) => a.pass && a.stage === "feasibility");
      ctx.out.result({ spec: setup.file, dtype: compiled.dtype, gates: { eta_max: gates.etaMax, gamma_min: gates.gammaMin }, phase: result.phase, certified, attempts }, () => {
        const s = ctx.out.style;
        const header = ["iter", "stage", "λ", "α", "η_dd", "γ", "Gershgorin", "size", "method", "gates"];
        const rows = attempts.map((a) => [
          String(a.iter),
          a.stage,
          formatNumber(a.lambda),
          formatNumber(a.alpha),
          formatNumber(a.eta_dd),
          formatNumber(a.gamma),
          formatNumber(a.gamma_gershgorin),
          String(a.size),
          a.method,
          a.pass ? "pass" : "fail",
        ]);
        const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
        const line = (r: string[]) => `  ${r.map((c, j) => c.padEnd(widths[j])).join("  ")}`.trimEnd();
        const lines = [line(header), ...rows.map((r, i) => (attempts[i].pass ? line(r) : s.amber(line(r))))];
        const last = attempts.at(-1);
        if (certified) {
          const lambda = attempts[firstPass]?.lambda ?? null;
          const next = lambda !== null ? `(λ = ${formatNumber(lambda)}); cflow run would tune from here` : "; cflow run would polish from here (no λ to tune)";
          lines.push("", `${phaseColor(s, "GREEN")(s.bold("GREEN"))} — certified at attempt ${firstPass + 1}${lambda !== null ? " " : ""}${next}`);
        } else {
          lines.push("", `${phaseColor(s, result.phase)(s.bold(result.phase))} — not certified${last ? ":" : " (no certificate was evaluated)"}`);
          for (const r of last?.reasons ?? []) lines.push(`  ${s.dim("-")} ${r}`);
          const timeout = result.events.find((e) => e.event === "TIMEOUT");
          if (timeout) lines.push(`  ${s.dim("-")} the ${timeout.payload.budget === "iterations" ? "iteration" : "wall-time"} budget (${timeout.payload.limit}) ran out first`);
        }
        return lines.join("\n");
      });
      return code;
    });
  },
});
