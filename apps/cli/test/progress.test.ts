import type { TelemetryRow } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { Output } from "../src/output.js";
import { ProgressDisplay } from "../src/progress.js";

function row(iter: number, phase: TelemetryRow["phase"], extra: Partial<TelemetryRow> = {}): TelemetryRow {
  return { phase, iter, trialId: null, tWallMs: iter, alpha: 0.5, lambda: 0.002, lambdaJ: null, E: 100 / (iter + 1), gradNorm: 1, etaDD: null, gamma: null, sparsityWx: null, invariantDriftMax: null, phiResidual: null, lensName: null, levelActiveMax: null, sparsityMode: null, flowFamily: "proximal", warnings: [], notes: null, ...extra };
}

function setup(o: { tty: boolean; env?: Record<string, string>; quiet?: boolean; json?: boolean }) {
  let err = "";
  let t = 0;
  const out = new Output({ write: () => true, isTTY: o.tty }, { write: (s: string) => (err += s), isTTY: o.tty, columns: 200 }, { json: o.json ?? false, quiet: o.quiet ?? false, env: o.env ?? {} });
  const p = new ProgressDisplay(out, { maxIters: 1000, now: () => t });
  return { p, advance: (ms: number) => (t += ms), text: () => err };
}

describe("ProgressDisplay", () => {
  it("plain mode: a line every 2 s and at each phase change, with certificates carried over", () => {
    const s = setup({ tty: false });
    s.p.row(row(0, "AMBER", { etaDD: 1.2, gamma: 0 }));
    for (let i = 1; i < 100; i++) {
      s.advance(10);
      s.p.row(row(i, i < 50 ? "AMBER" : "GREEN", i === 50 ? { etaDD: 0.4, gamma: 3e-4 } : {}));
    }
    s.advance(2000);
    s.p.row(row(100, "GREEN"));
    const lines = s.text().trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("AMBER · iter 1/1000 · E 100 · η_dd 1.2 · γ 0 · λ 0.002 · 0 it/s");
    expect(lines[1]).toMatch(/^GREEN · iter 51\/1000 · E 1.961 · η_dd 0.4 · γ 3.00e-4 · λ 0.002 · 102 it\/s · ETA 10s$/);
    expect(lines[2]).toMatch(/^GREEN · iter 101\/1000 · .*η_dd 0.4 · γ 3.00e-4/);
    expect(s.text()).not.toContain("\x1b");
  });

  it("TTY mode: redraws one line in place, at most every 100 ms, and clears it at the end", () => {
    const s = setup({ tty: true });
    for (let i = 0; i < 1000; i++) {
      s.advance(1);
      s.p.row(row(i, "GREEN"));
    }
    const draws = s.text().split("\r\x1b[2K").length - 1;
    expect(draws).toBe(10);
    expect(s.text()).not.toContain("\n");
    expect(s.text()).toContain("\x1b[32mGREEN");
    s.p.done();
    expect(s.text().endsWith("\r\x1b[2K")).toBe(true);
  });

  it("NO_COLOR on a TTY falls back to plain lines; --quiet and --json print nothing", () => {
    const plain = setup({ tty: true, env: { NO_COLOR: "1" } });
    plain.p.row(row(0, "AMBER"));
    expect(plain.text()).toMatch(/^AMBER · iter 1\/1000 .*\n$/);
    for (const o of [{ quiet: true }, { json: true }]) {
      const s = setup({ tty: true, ...o });
      s.p.row(row(0, "AMBER"));
      s.p.done();
      expect(s.text()).toBe("");
    }
  });
});
