"""Reference values for tests/stats.rs, computed independently with SciPy, statsmodels and
pymannkendall. Re-run:

    python3 -m venv /tmp/refstats && /tmp/refstats/bin/pip install scipy statsmodels pymannkendall
    /tmp/refstats/bin/python tests/reference/stats_reference.py > tests/reference/stats_reference.json
"""
import json

import numpy as np
import pymannkendall as mk
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

out = {"versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
                    "pymannkendall": mk.__version__ if hasattr(mk, "__version__") else "1.4"}}

out["wilson"] = [
    {"k": k, "n": n, "ci": list(proportion_confint(k, n, alpha=0.05, method="wilson"))}
    for k, n in [(12153, 65363), (0, 10), (3, 7), (825, 25781), (10, 10)]
]


def garwood(k, alpha=0.05):
    lo = 0.0 if k == 0 else stats.chi2.ppf(alpha / 2, 2 * k) / 2
    return [lo, stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2]


out["poisson"] = [{"k": k, "ci": garwood(k)} for k in [0, 1, 5, 825, 3171]]

out["newcombe"] = [
    {"k1": k1, "n1": n1, "k2": k2, "n2": n2,
     "ci": list(confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=0.05))}
    for k1, n1, k2, n2 in [(30, 100, 40, 200), (12153, 65363, 120000, 851000), (825, 25781, 14000, 875000)]
]

series = {
    "years": [2008, 2009, 2010, 2011, 2012, 2013],
    "values": [15.4, 15.9, 16.5, 16.3, 17.9, 18.6],
}
x = np.array(series["years"], dtype=float)
y = np.array(series["values"])
fit = stats.linregress(x, y)
t = stats.t.ppf(0.975, len(x) - 2)
model = sm.OLS(y, sm.add_constant(x)).fit()
pred = model.get_prediction(np.array([[1.0, 2025.0]])).summary_frame(alpha=0.05)
out["ols"] = {
    **series,
    "slope": fit.slope, "intercept": fit.intercept,
    "slope_ci": [fit.slope - t * fit.stderr, fit.slope + t * fit.stderr],
    "predict_2025": float(pred["mean"].iloc[0]),
    "prediction_interval_2025": [float(pred["obs_ci_lower"].iloc[0]), float(pred["obs_ci_upper"].iloc[0])],
}

out["mann_kendall"] = []
for values in [[15.4, 15.9, 16.5, 16.3, 17.9, 18.6], [5, 5, 6, 7, 7, 8, 6, 9], [3, 1, 4, 1, 5, 9, 2, 6]]:
    r = mk.original_test(values)
    out["mann_kendall"].append({"values": values, "s": r.s, "var_s": r.var_s, "z": r.z, "p": r.p,
                                "sen_slope": r.slope})

print(json.dumps(out, indent=1))
