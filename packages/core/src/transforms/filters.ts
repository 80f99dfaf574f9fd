// Orthogonal wavelet filter banks: Haar, Daubechies db2–db8 and Symlets sym4–sym8.
//
// The decomposition low-pass filters (`dec_lo`) below are exact: Daubechies' construction (I.
// Daubechies, "Ten Lectures on Wavelets", SIAM 1992, chapters 6 and 8) carried out in 60-digit
// arithmetic by scripts/gen-wavelet-golden.py and rounded to float64, so Σ h = √2 and
// Σ_k h_k h_{k+2m} = δ_m hold to rounding. The script picks, among the root choices of the
// construction, the one nearest PyWavelets' table (pywt/_extensions/c/wavelets_coeffs.template.h):
//   haar, dbN  equal to PyWavelets' values (since 0.5, so every 1.x) bit for bit;
//   symN       within 1.8e-12 per tap of PyWavelets' values, which are accurate to ~2e-12 only
//              (their Σ_k h_k h_{k+2m} is off by up to 8e-13); transforms built on them agree with
//              pywt to ~6e-12 relative, and are unitary to rounding where pywt's are to ~1e-12.
// test/golden/wavelet-filters.json holds both tables; test/filters.test.ts compares. The other
// three filters follow from `dec_lo` exactly as pywt/_extensions/c/wavelets.c derives them:
//   rec_lo[i] = dec_lo[F−1−i]
//   dec_hi[i] = (−1)^(i+1) · dec_lo[F−1−i]
//   rec_hi[i] = (−1)^i · dec_lo[i]
import type { Dtype, RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import { nearestName } from "../registry/nearest.js";

const DEC_LO: Record<string, readonly number[]> = {
  haar: [0.7071067811865476, 0.7071067811865476],
  db2: [-0.12940952255126037, 0.2241438680420134, 0.8365163037378079, 0.48296291314453416],
  db3: [
    0.03522629188570953, -0.08544127388202666, -0.13501102001025458, 0.45987750211849154, 0.8068915093110925, 0.33267055295008263,
  ],
  db4: [
    -0.010597401785069032, 0.0328830116668852, 0.030841381835560764, -0.18703481171909309, -0.027983769416859854, 0.6308807679298589,
    0.7148465705529157, 0.2303778133088965,
  ],
  db5: [
    0.0033357252854737712, -0.012580751999081999, -0.006241490212798274, 0.07757149384004572, -0.032244869584638375, -0.24229488706638203,
    0.13842814590132074, 0.7243085284377729, 0.6038292697971896, 0.16010239797419293,
  ],
  db6: [
    -0.0010773010853084796, 0.004777257510945511, 0.0005538422011614961, -0.03158203931748603, 0.027522865530305727, 0.09750160558732304,
    -0.12976686756726194, -0.22626469396543983, 0.31525035170919763, 0.7511339080210954, 0.49462389039845306, 0.11154074335010947,
  ],
  db7: [
    0.00035371379997452024, -0.0018016407040474908, 0.0004295779729213665, 0.01255099855609984, -0.01657454163066688, -0.03802993693501441,
    0.08061260915108308, 0.07130921926683026, -0.22403618499387498, -0.14390600392856498, 0.4697822874051931, 0.7291320908462351,
    0.3965393194819173, 0.07785205408500918,
  ],
  db8: [
    -0.00011747678412476953, 0.0006754494064505693, -0.00039174037337694705, -0.004870352993451574, 0.008746094047405777,
    0.013981027917398282, -0.044088253930794755, -0.017369301001807547, 0.12874742662047847, 0.0004724845739132828, -0.2840155429615469,
    -0.015829105256349306, 0.5853546836542067, 0.6756307362972898, 0.31287159091429995, 0.05441584224310401,
  ],
  sym4: [
    -0.07576571478950221, -0.029635527646002493, 0.497618667632775, 0.8037387518051321, 0.29785779560530606, -0.09921954357663353,
    -0.012603967262031304, 0.032223100604051466,
  ],
  sym5: [
    0.027333068344998768, 0.02951949092570626, -0.039134249302313844, 0.19939753397685558, 0.7234076904040407, 0.633978963456792,
    0.01660210576451085, -0.17532808990805623, -0.021101834024689042, 0.019538882735249827,
  ],
  sym6: [
    0.015404109327044824, 0.0034907120842221626, -0.11799011114852002, -0.04831174258569806, 0.49105594192797375, 0.787641141028651,
    0.3379294217281658, -0.07263752278637658, -0.02106029251237085, 0.04472490177078139, 0.0017677118642540077, -0.00780070832503238,
  ],
  sym7: [
    0.002681814568260147, -0.001047384888679738, -0.012636303403240567, 0.030515513165877885, 0.06789269350122057, -0.04955283493704283,
    0.017441255086835708, 0.5361019170905692, 0.7677643170048829, 0.2886296317506479, -0.14004724044293365, -0.10780823770328972,
    0.0040102448715223955, 0.010268176708464817,
  ],
  sym8: [
    -0.0033824159510050028, -0.0005421323318000107, 0.03169508781152599, 0.007607487324976609, -0.14329423835127267, -0.061273359067811076,
    0.4813596512590534, 0.777185751699628, 0.36444189483617895, -0.0519458381078818, -0.027219029917103486, 0.04913717967373029,
    0.0038087520138944896, -0.014952258337062199, -0.0003029205147241331, 0.001889950332767689,
  ],
};

/** The orthogonal wavelets cflow ships, in the order PyWavelets lists them. */
export const WAVELET_NAMES = ["haar", "db2", "db3", "db4", "db5", "db6", "db7", "db8", "sym4", "sym5", "sym6", "sym7", "sym8"] as const;
export type WaveletName = (typeof WAVELET_NAMES)[number];

/** A wavelet's four filters (PyWavelets' `filter_bank` order and values). */
export interface WaveletFilters {
  name: WaveletName;
  /** Filter length F = 2·vanishingMoments. */
  length: number;
  /** Vanishing moments of the wavelet ψ (N for dbN and symN, 1 for Haar). */
  vanishingMoments: number;
  decLo: readonly number[];
  decHi: readonly number[];
  recLo: readonly number[];
  recHi: readonly number[];
}

export function isWaveletName(name: unknown): name is WaveletName {
  return typeof name === "string" && (WAVELET_NAMES as readonly string[]).includes(name);
}

/** The filter bank of a wavelet; an unknown name raises an error naming the nearest one. */
export function waveletFilters(name: string): WaveletFilters {
  if (!isWaveletName(name)) {
    const near = nearestName(String(name), WAVELET_NAMES);
    throw new CflowError("UNKNOWN_WAVELET", `waveletFilters: unknown wavelet "${String(name)}"` + (near ? ` — did you mean "${near}"?` : ""), {
      path: "waveletFilters",
      expected: `one of ${WAVELET_NAMES.join(", ")}`,
      found: name,
      hint: near ? `did you mean "${near}"?` : undefined,
    });
  }
  const decLo = DEC_LO[name];
  const F = decLo.length;
  return {
    name,
    length: F,
    vanishingMoments: F / 2,
    decLo,
    decHi: decLo.map((_, i) => (i % 2 === 0 ? -1 : 1) * decLo[F - 1 - i]),
    recLo: decLo.map((_, i) => decLo[F - 1 - i]),
    recHi: decLo.map((v, i) => (i % 2 === 0 ? 1 : -1) * v),
  };
}

/**
 * The filter bank as the kernel reads it: [dec_lo, dec_hi, rec_lo, rec_hi] back to back (4F
 * reals of the dtype), each multiplied by `scale` (1/√2 for the normalised stationary transform).
 */
export function filterBank(w: WaveletFilters, scale = 1, dtype: Dtype = "float64"): RealArray {
  const F = w.length;
  const bank = dtype === "float64" ? new Float64Array(4 * F) : new Float32Array(4 * F);
  [w.decLo, w.decHi, w.recLo, w.recHi].forEach((f, k) => {
    for (let i = 0; i < F; i++) bank[k * F + i] = scale * f[i];
  });
  return bank;
}
