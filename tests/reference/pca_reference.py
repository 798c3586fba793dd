"""Reference PCA weights for tests/composite.rs, computed with NumPy.

Run: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy==2.1.3
     /tmp/venv/bin/python tests/reference/pca_reference.py > tests/reference/pca_reference.json

Data: 40 units x 5 indicators from a fixed linear congruential generator, three columns sharing
a common factor, one weakly related, one independent; rows 3 and 17 have a missing value (null),
so the PCA runs on the 38 complete rows, as COINr's get_PCA() does (stats::na.omit).
Weights: the squared entries of the eigenvector of the largest eigenvalue of the correlation
matrix (numpy.corrcoef, numpy.linalg.eigh).
"""

import json

import numpy as np

state = 12345


def uniform():
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
    return (state >> 11) / 2**53


rows = []
for i in range(40):
    f = uniform()
    rows.append([
        f + 0.3 * uniform(),
        2.0 * f + 0.5 * uniform(),
        -f + 0.4 * uniform(),
        0.3 * f + uniform(),
        uniform(),
    ])
rows[3][1] = None
rows[17][4] = None

complete = np.array([r for r in rows if None not in r])
corr = np.corrcoef(complete, rowvar=False)
values, vectors = np.linalg.eigh(corr)
first = vectors[:, np.argmax(values)]
print(json.dumps({
    "numpy": np.__version__,
    "columns": [[r[j] for r in rows] for j in range(5)],
    "eigenvalue": float(values.max()),
    "weights": [float(v * v) for v in first],
}, indent=1))
