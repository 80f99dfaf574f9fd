#!/usr/bin/env python3
"""Golden files for cflow's wavelet filters and transforms, from PyWavelets.

Run from packages/core with a Python that has PyWavelets >= 1.0, NumPy and mpmath
(Debian: apt-get install python3-pywt python3-mpmath):

    python3 scripts/gen-wavelet-golden.py

It writes three files under test/golden/, which the tests read (the tests need no Python):

  wavelet-filters.json  per wavelet: PyWavelets' dec_lo (`pywt`) and `exact`, the orthonormal dec_lo
                        computed here in 60-digit arithmetic and rounded to float64 -- the values
                        src/transforms/filters.ts holds (the other three filters of the bank are
                        pinned by the transform files: detail signs by wavedec, synthesis by inversion).
  pywt-wavedec.json     pywt.wavedec / wavedec2 (mode='periodization') of fixed integer inputs.
  pywt-swt.json         pywt.swt / swt2 (trim_approx=True, norm=True) of fixed integer inputs.

The exact filters. Daubechies' construction: h(z) = sqrt(2) ((1 + 1/z)/2)^N Q(z) with
Q(z) Q(1/z) = P(y), y = (2 - z - 1/z)/4, P(y) = sum_{k<N} C(N-1+k, k) y^k. Each root y_j of P gives a
pair of roots z, 1/z, of which Q keeps one (complex-conjugate y_j are chosen together, so h is
real); every choice is orthonormal and has N vanishing moments. dbN and symN are particular
choices. For each wavelet the script takes the choice whose filter lies nearest PyWavelets' table,
and checks how near:
  haar, dbN  the rounded exact filter equals PyWavelets' table (since 0.5) bit for bit;
  symN       PyWavelets' table (the same in 0.4 and every later release) is accurate to ~2e-12 only
             (sum h_k h_{k+2m} is off by up to 8e-13), so the exact filter differs from it by up
             to 1.8e-12 per tap. cflow holds the exact one: its transforms are unitary to rounding.
Fixed inputs are integers in [-9, 9] (exact in float32 too) drawn from numpy's legacy
RandomState with fixed seeds, and stored in the files next to the outputs.
"""
import itertools
import json
import os
import sys
import warnings

import mpmath as mp
import numpy as np
import pywt

mp.mp.dps = 60
WAVELETS = ["haar", "db2", "db3", "db4", "db5", "db6", "db7", "db8", "sym4", "sym5", "sym6", "sym7", "sym8"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "golden")
# PyWavelets' symlet table against the exact filters (measured: 1.72e-12 for sym7)
SYM_TABLE_ERROR = 2e-12


def exact_filters(n_moments):
    """Every real orthonormal filter with N vanishing moments of Daubechies' construction, as dec_lo (60 digits)."""
    binom = [mp.binomial(n_moments - 1 + k, k) for k in range(n_moments)]
    ys = mp.polyroots(binom[::-1], maxsteps=500, extraprec=300) if n_moments > 1 else []
    groups = []  # a real root alone, a complex pair together
    for y in ys:
        if abs(mp.im(y)) < mp.mpf(10) ** -45:
            groups.append([mp.re(y)])
        elif mp.im(y) > 0:
            groups.append([y, mp.conj(y)])

    def z_pair(y):  # roots of z^2 - (2 - 4y) z + 1 = 0, inside the unit circle first
        c = 2 - 4 * y
        d = mp.sqrt(c * c - 4)
        z1, z2 = (c + d) / 2, (c - d) / 2
        return (z1, z2) if abs(z1) < abs(z2) else (z2, z1)

    for choice in itertools.product([0, 1], repeat=len(groups)):
        roots = [mp.mpf(-1)] * n_moments
        for group, pick in zip(groups, choice):
            roots.extend(z_pair(y)[pick] for y in group)
        poly = [mp.mpc(1)]
        for r in roots:
            nxt = [mp.mpc(0)] * (len(poly) + 1)
            for i, c in enumerate(poly):
                nxt[i] += c
                nxt[i + 1] -= c * r
            poly = nxt
        h = [mp.re(c) for c in poly]
        s = mp.fsum(h)
        yield [c * mp.sqrt(2) / s for c in h]


def check_orthonormal(h, tol):
    F = len(h)
    for m in range(F // 2):
        dev = abs(mp.fsum(h[k] * h[k + 2 * m] for k in range(F - 2 * m)) - (1 if m == 0 else 0))
        assert dev < tol, (m, dev)
    assert abs(mp.fsum(h) - mp.sqrt(2)) < tol


def nearest_exact(name):
    table = pywt.Wavelet(name).dec_lo
    best = None
    for h in exact_filters(len(table) // 2):
        d = max(abs(float(a) - b) for a, b in zip(h, table))
        if best is None or d < best[0]:
            best = (d, h)
    dist, h = best
    check_orthonormal(h, mp.mpf(10) ** -50)
    rounded = [float(c) for c in h]
    if name.startswith("sym"):
        assert 0 < dist <= SYM_TABLE_ERROR, (name, dist)
    else:
        assert rounded == list(table), (name, dist)
    return rounded


def integers(seed, shape):
    return np.random.RandomState(seed).randint(-9, 10, size=shape).astype(np.float64)


def flat(a):
    return np.asarray(a, dtype=np.float64).ravel().tolist()


def wavedec_cases():
    cases = []
    # every wavelet at N = 16, 2 levels (db8/sym8 wrap: level 2 reads 8 samples with 16 taps), then
    # longer signals, a length that is not a power of two, and levels down to a single sample
    one_d = [(w, 16, 2) for w in WAVELETS] + [("db4", 32, 3), ("sym5", 24, 3), ("db8", 16, 4), ("sym8", 16, 4)]
    for seed, (w, n, level) in enumerate(one_d, start=1):
        x = integers(seed, n)
        coeffs = pywt.wavedec(x, w, mode="periodization", level=level)
        cases.append({"wavelet": w, "shape": [n], "levels": level, "x": [int(v) for v in x], "coeffs": [flat(c) for c in coeffs]})
    two_d = [("haar", [4, 4], 2), ("db2", [4, 8], 2), ("db4", [6, 8], 1), ("db8", [8, 8], 2), ("sym4", [8, 4], 2), ("sym8", [4, 8], 1)]
    for seed, (w, shape, level) in enumerate(two_d, start=101):
        x = integers(seed, shape)
        coeffs = pywt.wavedec2(x, w, mode="periodization", level=level)
        # [cA_L, [cH_L, cV_L, cD_L], ..., [cH_1, cV_1, cD_1]], each band row-major
        out = [flat(coeffs[0])] + [[flat(b) for b in details] for details in coeffs[1:]]
        cases.append({"wavelet": w, "shape": shape, "levels": level, "x": [int(v) for v in x.ravel()], "coeffs": out})
    return cases


def swt_cases():
    cases = []
    # db8 at level 3 dilates its 16 taps to 113 samples on a 16-sample signal
    one_d = [("haar", 8, 3), ("db4", 12, 2), ("sym5", 8, 2), ("db8", 16, 3)]
    for seed, (w, n, level) in enumerate(one_d, start=201):
        x = integers(seed, n)
        coeffs = pywt.swt(x, w, level=level, trim_approx=True, norm=True)
        cases.append({"wavelet": w, "shape": [n], "levels": level, "x": [int(v) for v in x], "coeffs": [flat(c) for c in coeffs]})
    two_d = [("db3", [4, 8], 2), ("sym8", [2, 4], 1)]
    for seed, (w, shape, level) in enumerate(two_d, start=301):
        x = integers(seed, shape)
        coeffs = pywt.swt2(x, w, level=level, trim_approx=True, norm=True)
        out = [flat(coeffs[0])] + [[flat(b) for b in details] for details in coeffs[1:]]
        cases.append({"wavelet": w, "shape": shape, "levels": level, "x": [int(v) for v in x.ravel()], "coeffs": out})
    return cases


def write(name, header, key, items):
    """One JSON object; the header on the first line, then one item per line (small, diff-friendly)."""
    lines = [json.dumps(header, separators=(",", ":"))[:-1] + f',"{key}":' + ("{" if isinstance(items, dict) else "[")]
    entries = [f'"{k}":{json.dumps(v, separators=(",", ":"))}' for k, v in items.items()] if isinstance(items, dict) else [
        json.dumps(v, separators=(",", ":")) for v in items
    ]
    lines.append(",\n".join(entries))
    lines.append(("}" if isinstance(items, dict) else "]") + "}")
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def main():
    warnings.simplefilter("ignore")  # pywt warns that high levels see boundary effects everywhere: intended
    os.makedirs(OUT, exist_ok=True)
    header = {
        "generator": "packages/core/scripts/gen-wavelet-golden.py",
        "pywt": pywt.__version__,
        "numpy": np.__version__,
        "mpmath": mp.__version__,
    }
    filters = {}
    for w in WAVELETS:
        filters[w] = {"pywt": list(pywt.Wavelet(w).dec_lo), "exact": nearest_exact(w)}
    write("wavelet-filters.json", header, "wavelets", filters)
    write("pywt-wavedec.json", {**header, "mode": "periodization"}, "cases", wavedec_cases())
    write("pywt-swt.json", {**header, "trim_approx": True, "norm": True}, "cases", swt_cases())


if __name__ == "__main__":
    sys.exit(main())
