"""Writes the .npy golden files of test/data-npy.test.ts with NumPy (the reference writer).

Run from apps/cli: python3 scripts/make-npy-fixtures.py (NumPy >= 1.17). The arrays are
np.arange-based so the test can rebuild the expected values without NumPy.
"""
import numpy as np
from numpy.lib import format as npf

out = "test/fixtures/npy/"
a = (np.arange(12, dtype="<f8").reshape(3, 4) - 5.5) / 4          # exact in binary
np.save(out + "f8-3x4.npy", a)
np.save(out + "f4-2x3x2.npy", (np.arange(12, dtype="<f4").reshape(2, 3, 2) - 5.5) / 4)
np.save(out + "f8-1d.npy", np.arange(5, dtype="<f8") * 0.5)
np.save(out + "f8-scalar.npy", np.array(2.5, dtype="<f8"))
with open(out + "f8-v2.npy", "wb") as f:                            # format 2.0 header
    npf.write_array(f, a, version=(2, 0))
with open(out + "f8-v3.npy", "wb") as f:                            # format 3.0 header
    npf.write_array(f, a, version=(3, 0))
np.save(out + "f8-fortran.npy", np.asfortranarray(a))
np.save(out + "f8-bigendian.npy", a.astype(">f8"))
np.save(out + "i4-3x4.npy", np.arange(12, dtype="<i4").reshape(3, 4))
print("numpy", np.__version__)
