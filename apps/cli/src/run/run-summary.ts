import { relative } from "node:path";
import type { CompiledFlow } from "@cflow/core";
import { exitCodeForRun } from "../exit-codes.js";
import type { Output } from "../output.js";
import { formatDuration, formatNumber } from "../report/format.js";
import { phaseColor } from "../style.js";
import { certificateJson, certificateSummary, errorBarLine, stepSizeCertificate, stepSizeLine } from "./certificate-text.js";
import type { RunOutcome } from "./execute-run.js";

/** The run card's task target (core's runCard: name, σ and its source, τ, final discrepancy, over-regularised flag). */
interface TargetCard {
  name: string;
  sigma: number;
  sigma_source: string;
  tau: number;
  discrepancy: number;
  value: number;
  over_regularised: boolean;
  warning?: string;
}

function targetOf(card: unknown): TargetCard | null {
  const t = (card as { target?: TargetCard } | null)?.target;
  return t && typeof t.name === "string" && typeof t.discrepancy === "number" ? t : null;
}

/** Prints a finished (or stopped) run — capsule path last, so scripts can take the last line — and returns its exit code. */
export function reportRun(outcome: RunOutcome, compiled: CompiledFlow, out: Output, cwd: string): number {
  const { result } = outcome;
  const gates = { etaMax: compiled.policies.certification.etaMax, gammaMin: compiled.policies.certification.gammaMin };
  const restricted = compiled.prox.some((p) => p.term.sparsity);
  const last = result.certificates.at(-1);
  const trials = result.tunerHistory.length;
  const accepted = result.tunerHistory.filter((t) => t.accepted).length;
  const rollbacks = result.counts.rollbacks;
  const rel = (p: string) => relative(cwd, p) || p;
  const target = targetOf(result.runCard);
  const code = exitCodeForRun(result.status, result.phase);
  out.result(
    {
      run_id: result.runId,
      run_dir: outcome.runDir,
      status: result.status,
      phase: result.phase,
      certified: result.phase === "GREEN",
      exit_code: code,
      iters: result.iters,
      energy: Number.isFinite(result.energy) ? result.energy : null,
      t_wall_ms: outcome.tWallMs,
      gates: { eta_max: gates.etaMax, gamma_min: gates.gammaMin },
      certificate: last ? { iter: last.iter, stage: last.stage, ...certificateJson(last.certificate) } : null,
      certificates: result.counts.certificates,
      tuner: { trials, accepted, rollbacks },
      target,
      dials: result.dials,
      report: outcome.report,
      artifacts: outcome.artifacts,
      stop_reason: result.stopReason ?? null,
      optimality: result.optimality ?? null,
    },
    () => {
      const s = out.style;
      const lines = [
        `${phaseColor(s, result.phase)(s.bold(result.phase))} · ${result.status} · ${result.iters} iterations in ${formatDuration(outcome.tWallMs)} · E = ${formatNumber(result.energy)}`,
      ];
      if (result.stopReason) lines.push(`stopped: ${result.stopReason} · optimality ${formatNumber(result.optimality ?? Number.NaN)}`);
      // primal–dual flows: the certificate is the step sizes' convergence condition
      const stepSizes = stepSizeCertificate(result.events);
      if (stepSizes) lines.push(`certificate (step sizes): ${stepSizeLine(stepSizes, s)}`);
      else if (last) {
        const { line, details } = certificateSummary(last.certificate, gates, s, restricted);
        lines.push(`certificate (${last.stage}, iteration ${last.iter}): ${line}`);
        for (const r of details) lines.push(`  ${s.dim("-")} ${r}`);
        const bar = errorBarLine(last.certificate);
        if (bar) lines.push(bar);
      } else lines.push("certificate: none evaluated");
      if (trials > 0) lines.push(`tuning: ${trials} trial${trials === 1 ? "" : "s"}, ${accepted} accepted, ${rollbacks} rollback${rollbacks === 1 ? "" : "s"}${result.dials.lambda !== null ? ` · λ = ${formatNumber(result.dials.lambda)}` : ""}`);
      if (target) {
        const sigma = `σ = ${formatNumber(target.sigma)} ${target.sigma_source}`;
        lines.push(`target:  ${target.name} (${sigma}, τ = ${formatNumber(target.tau)}) · ‖Kx − y‖² = ${formatNumber(target.discrepancy)}·m·σ²${target.name !== "discrepancy" ? ` · ${target.name} ${formatNumber(target.value)}` : ""}`);
        if (target.warning) lines.push(s.amber(target.warning));
      }
      if (outcome.report) lines.push(`report:  ${rel(outcome.report)}`);
      lines.push(`capsule: ${rel(outcome.runDir)}`);
      return lines.join("\n");
    },
  );
  return code;
}
