import type { AtomDef } from "../atom.js";
import { l1BallAtom, l2BallAtom } from "./balls.js";
import { boxAtom, nonnegAtom } from "./box.js";
import { elasticNetAtom } from "./elastic-net.js";
import { l1DataAtom, poissonAtom } from "./fidelity.js";
import { groupL1Atom } from "./group-l1.js";
import { l1Atom } from "./l1.js";
import { simplexAtom } from "./simplex.js";
import { tvAnisotropicAtom, tvIsotropicAtom } from "./tv.js";
import { waveletL1Atom } from "./wavelet-l1.js";

/** The built-in non-smooth atoms, for the registry. */
export const proxAtoms: AtomDef[] = [
  l1Atom,
  waveletL1Atom,
  elasticNetAtom,
  groupL1Atom,
  tvAnisotropicAtom,
  tvIsotropicAtom,
  boxAtom,
  nonnegAtom,
  l2BallAtom,
  l1BallAtom,
  simplexAtom,
  poissonAtom,
  l1DataAtom,
];
