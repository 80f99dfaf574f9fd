// Orthogonal wavelet filter banks: Haar, Daubechies db2–db8 and Symlets sym4–sym8.
//
// Source: the decomposition low-pass filters (`dec_lo`) below are PyWavelets' published table,
// pywt/_extensions/c/wavelets_coeffs.template.h (github.com/PyWavelets/pywt; the Daubechies
// values are those of I. Daubechies, "Ten Lectures on Wavelets", SIAM 1992, Table 6.1, normalised
// to Σ h = √2; the symlets are the least-asymmetric solutions of the same chapter). The other three
// filters follow from `dec_lo` exactly as pywt/_extensions/c/wavelets.c derives them from one
// array, so this table and PyWavelets' `Wavelet(name).filter_bank` agree value for value:
//   rec_lo[i] = dec_lo[F−1−i]
//   dec_hi[i] = (−1)^(i+1) · dec_lo[F−1−i]
//   rec_hi[i] = (−1)^i · dec_lo[i]
import type { Dtype, RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import { nearestName } from "../registry/nearest.js";

const DEC_LO: Record<string, readonly number[]> = {
  haar: [0.70710678118654757, 0.70710678118654757],
  db2: [-0.12940952255092145, 0.22414386804185735, 0.83651630373746899, 0.48296291314469025],
  db3: [
    0.035226291882100656, -0.085441273882241486, -0.13501102001039084, 0.45987750211933132, 0.80689150931333875, 0.33267055295095688,
  ],
  db4: [
    -0.010597401784997278, 0.032883011666982945, 0.030841381835986965, -0.18703481171888114, -0.027983769416983849, 0.63088076792959036,
    0.71484657055254153, 0.23037781330885523,
  ],
  db5: [
    0.0033357252850015492, -0.012580751999015526, -0.0062414902130117052, 0.077571493840065148, -0.03224486958502952, -0.24229488706619015,
    0.13842814590110342, 0.72430852843857441, 0.60382926979747287, 0.16010239797412501,
  ],
  db6: [
    -0.0010773010849955799, 0.0047772575110106514, 0.0005538422009938016, -0.031582039318031156, 0.027522865530016288, 0.097501605587079362,
    -0.12976686756709563, -0.22626469396516913, 0.3152503517092432, 0.75113390802157753, 0.49462389039838539, 0.11154074335008017,
  ],
  db7: [
    0.00035371380000103988, -0.0018016407039998328, 0.00042957797300470274, 0.012550998556013784, -0.01657454163101562, -0.038029936935034633,
    0.080612609151065898, 0.071309219267050042, -0.22403618499416572, -0.14390600392910627, 0.4697822874053586, 0.72913209084655506,
    0.39653931948230575, 0.077852054085062364,
  ],
  db8: [
    -0.00011747678400228192, 0.00067544940599855677, -0.00039174037299597711, -0.0048703529930106603, 0.0087460940470156547,
    0.013981027917015516, -0.044088253931064719, -0.017369301002022108, 0.12874742662018601, 0.00047248457399797254, -0.28401554296242809,
    -0.015829105256023893, 0.58535468365486909, 0.67563073629801285, 0.31287159091446592, 0.054415842243081609,
  ],
  sym4: [
    -0.075765714789273325, -0.02963552764599851, 0.49761866763201545, 0.80373875180591614, 0.29785779560527736, -0.099219543576847216,
    -0.012603967262037833, 0.032223100604042702,
  ],
  sym5: [
    0.027333068345077982, 0.029519490925774643, -0.039134249302383094, 0.1993975339773936, 0.72340769040242059, 0.63397896345821192,
    0.016602105764522319, -0.17532808990845047, -0.021101834024758855, 0.019538882735286728,
  ],
  sym6: [
    0.015404109327027373, 0.0034907120842174702, -0.11799011114819057, -0.048311742585632998, 0.49105594192674662, 0.787641141030194,
    0.3379294217276218, -0.072637522786462516, -0.021060292512300564, 0.044724901770665779, 0.0017677118642428036, -0.007800708325034148,
  ],
  sym7: [
    0.0026818145682578781, -0.0010473848886829163, -0.01263630340325193, 0.03051551316596357, 0.067892693501372697, -0.049552834937127255,
    0.017441255086855827, 0.5361019170917628, 0.76776431700316405, 0.28862963175151463, -0.14004724044296152, -0.10780823770381774,
    0.0040102448715336634, 0.010268176708511255,
  ],
  sym8: [
    -0.0033824159510061256, -0.00054213233179114812, 0.031695087811492981, 0.0076074873249176054, -0.14329423835080971,
    -0.061273359067658524, 0.48135965125837221, 0.77718575170052351, 0.3644418948353314, -0.051945838107709037, -0.027219029917056003,
    0.049137179673607506, 0.0038087520138906151, -0.014952258337048231, -0.0003029205147213668, 0.0018899503327594609,
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
