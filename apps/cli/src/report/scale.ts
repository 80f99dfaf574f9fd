/** A map from data values to pixels along one axis, with the ticks to label it. */
export interface Scale {
  readonly kind: "linear" | "log";
  readonly domain: [number, number];
  (v: number): number;
  ticks(): number[];
}

/** Linear scale of [d0, d1] onto [r0, r1]. */
export function linearScale(domain: [number, number], range: [number, number]): Scale {
  let [d0, d1] = domain;
  if (d0 === d1) {
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    d0 -= pad;
    d1 += pad;
  }
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0)) as Scale;
  Object.assign(f, { kind: "linear" as const, domain: [d0, d1] as [number, number], ticks: () => niceTicks(d0, d1, 5) });
  return f;
}

/** Log10 scale of [d0, d1] (both > 0) onto [r0, r1], widened to whole decades. */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const l0 = Math.floor(Math.log10(domain[0]));
  let l1 = Math.ceil(Math.log10(domain[1]));
  if (l1 === l0) l1 = l0 + 1;
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0)) as Scale;
  const step = Math.max(1, Math.ceil((l1 - l0) / 6));
  const ticks: number[] = [];
  for (let e = l0; e <= l1; e += step) ticks.push(10 ** e);
  Object.assign(f, { kind: "log" as const, domain: [10 ** l0, 10 ** l1] as [number, number], ticks: () => ticks });
  return f;
}

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}
