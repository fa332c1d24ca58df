"""Statistics over seeds for the figures: mean +- SEM and the paired tests
(SciPy's: Debian's python3-scipy), with the degenerate cases that small
seed counts meet handled before SciPy sees them."""
import math

import numpy as np
from scipy import stats as sps


def mean_sem(values):
    """Mean and standard error of the mean (n - 1 in the variance)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def paired_t(a, b):
    """Paired t-test of b - a: (t, two-sided p); (nan, nan) when undefined
    (fewer than two pairs, or nothing changed), (+-inf, 0) when every pair
    changed by the same amount."""
    d = [y - x for x, y in zip(a, b)]
    if len(d) < 2:
        return math.nan, math.nan
    mean, sem = mean_sem(d)
    if sem <= 1e-12 * abs(mean):  # equal differences, up to rounding
        return (math.nan, math.nan) if mean == 0 else (math.copysign(math.inf, mean), 0.0)
    result = sps.ttest_rel(b, a)
    return float(result.statistic), float(result.pvalue)


# Pairs up to which the Wilcoxon test enumerates all 2^n sign patterns.
EXACT_WILCOXON_MAX = 16


def wilcoxon(a, b):
    """Two-sided Wilcoxon signed-rank test of b - a, zero differences
    dropped, tied magnitudes at their mean rank: (W+, p); (0, 1) when
    nothing changed. Exact up to EXACT_WILCOXON_MAX pairs, ties included
    (a permutation test over the signs: scipy.stats.wilcoxon's exact mode
    assumes no ties), SciPy's normal approximation beyond."""
    d = np.array([y - x for x, y in zip(a, b) if y != x], dtype=np.float64)
    if d.size == 0:
        return 0.0, 1.0
    ranks = sps.rankdata(np.abs(d))  # flipping signs keeps them
    w_plus = float(np.sum(ranks[d > 0]))
    if d.size == 1:  # both sign patterns are as extreme
        return w_plus, 1.0
    if d.size > EXACT_WILCOXON_MAX:
        return w_plus, float(sps.wilcoxon(d).pvalue)
    result = sps.permutation_test(
        (d,), lambda x, axis: np.sum(ranks * (x > 0), axis=axis),
        permutation_type="samples", vectorized=True, n_resamples=np.inf,
        alternative="two-sided")
    return w_plus, float(result.pvalue)


def sign_test(wins, n):
    """Exact two-sided binomial p-value of `wins` of `n` under p = 1/2."""
    return 1.0 if n == 0 else float(sps.binomtest(wins, n).pvalue)
