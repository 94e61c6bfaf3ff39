"""Statistics every stage uses: exact intervals, the cluster bootstrap, designs, G², BH, OLS.

The ground floor of the inference: :mod:`policytext.compare.inference` fits the rate models,
:mod:`policytext.compare.emphasis` and :mod:`policytext.topics.effects` draw their intervals
from here. statsmodels is imported only here and in :mod:`policytext.compare.inference`,
and only when a model is fitted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["poisson_interval", "binomial_interval", "group_rng", "resample_sums", "expanded_alpha",
           "percentile_interval", "treatment_design", "reference_levels", "g2_2x2", "adjust_bh", "ols"]


def poisson_interval(count, exposure=1.0, *, ci: float = 0.95):
    """Exact (Garwood) interval for a Poisson rate: ``count`` events in ``exposure``.

    The bounds are quantiles of the chi-square distribution: ``chi2(a/2, 2x)/2``
    and ``chi2(1 - a/2, 2x + 2)/2``, divided by the exposure. A count of zero
    gets the lower bound 0 and a positive upper bound (about 3.69 events at
    95%), never ``[0, 0]``.

    Parameters
    ----------
    count : int or array
    exposure : float or array
        Tokens, documents, or any measure of opportunity; the rate is
        ``count / exposure``.
    ci : float
        Coverage.

    Returns
    -------
    (low, high) : tuple of arrays (or floats)

    Examples
    --------
    >>> low, high = poisson_interval(0, 5000)
    >>> float(low), round(float(high) * 10_000, 2)   # per 10,000 tokens
    (0.0, 7.38)
    >>> [round(float(x), 3) for x in poisson_interval(3)]
    [0.619, 8.767]
    """
    count = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    alpha = 1 - ci
    with np.errstate(invalid="ignore"):
        low = np.where(count > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(count, 1e-300)) / 2, 0.0)
        high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    low, high = low / exposure, high / exposure
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def binomial_interval(successes, trials, *, ci: float = 0.95):
    """Exact (Clopper-Pearson) interval for a share: ``successes`` out of ``trials``.

    With no trials the share is undefined and both bounds are NaN.

    Examples
    --------
    >>> [round(float(x), 4) for x in binomial_interval(0, 10)]
    [0.0, 0.3085]
    >>> [round(float(x), 4) for x in binomial_interval(10, 10)]
    [0.6915, 1.0]
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    alpha = 1 - ci
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, np.maximum(x, 1e-300), n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    low = np.where(n > 0, low, np.nan)
    high = np.where(n > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def group_rng(random_state: int, key) -> np.random.Generator:
    """A random stream for one group, from the seed and the group's name.

    Adding or removing a group does not change the other groups' draws.
    """
    import zlib

    return np.random.default_rng([int(random_state), zlib.crc32(repr(key).encode("utf-8"))])


def resample_sums(rng: np.random.Generator, values: np.ndarray, n_boot: int, *, block: int = 200) -> np.ndarray:
    """Column sums of ``values`` (clusters x quantities) over ``n_boot`` resamples of its rows.

    Each resample draws as many rows as there are, with replacement (a
    cluster bootstrap when the rows are documents). Returns an array
    ``n_boot x quantities``; any ratio of sums (a rate, a weighted mean) is
    then computed per resample.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    out = []
    for start in range(0, n_boot, block):  # in blocks, to bound memory on large groups
        b = min(block, n_boot - start)
        draws = rng.integers(0, n, size=(b, n))
        weights = np.zeros((b, n))
        np.add.at(weights, (np.repeat(np.arange(b), n), draws.ravel()), 1.0)
        out.append(weights @ values)
    return np.vstack(out) if out else np.empty((0, values.shape[1]))


def expanded_alpha(alpha: float, n: int) -> float:
    """Tail probability of the expanded percentile interval (Hesterberg 2015).

    A percentile bootstrap over ``n`` clusters is too narrow for small ``n``:
    it uses the plug-in variance (a factor ``(n - 1) / n``) and normal rather
    than t quantiles. The expanded interval takes the bootstrap quantiles at
    ``Phi(-sqrt(n / (n - 1)) t_{n-1}(1 - alpha))`` instead of ``alpha``.

    Examples
    --------
    >>> round(expanded_alpha(0.025, 1000), 4), round(expanded_alpha(0.025, 5), 5)
    (0.0248, 0.00095)
    """
    if n < 2:
        return alpha
    z = np.sqrt(n / (n - 1)) * stats.t.ppf(1 - alpha, n - 1)
    return float(stats.norm.sf(z))


def percentile_interval(samples: np.ndarray, *, ci: float, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
    """Expanded percentile interval of bootstrap ``samples`` (resamples x quantities), ignoring NaN draws."""
    alpha = expanded_alpha((1 - ci) / 2, n_clusters)
    samples = np.asarray(samples, dtype=float)
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: undefined in every resample
            low, high = np.nanquantile(samples, [alpha, 1 - alpha], axis=0)
    return low, high


def treatment_design(data: pd.DataFrame, cols: list[str], references: dict):
    """Treatment-coded design matrix: an intercept and one dummy per non-reference level."""
    columns, names = [np.ones(len(data))], ["(intercept)"]
    for col in cols:
        values = data[col].astype(str)
        for lvl in sorted(values.unique()):
            if lvl == references[col]:
                continue
            columns.append((values == lvl).to_numpy(dtype=float))
            names.append((col, lvl))
    return np.column_stack(columns), names


def reference_levels(per_doc: pd.DataFrame, cols: list[str], reference) -> dict:
    if reference is None:
        reference = {}
    elif not isinstance(reference, dict):
        reference = {cols[0]: reference}
    unknown = set(reference) - set(cols)
    if unknown:
        raise KeyError(f"reference names column(s) {sorted(unknown)} that are not covariates {cols}")
    out = {}
    for col in cols:
        counts = per_doc[col].astype(str).value_counts()
        if col in reference:
            ref = str(reference[col])
            if ref not in counts.index:
                raise KeyError(f"reference {ref!r} is not a level of {col!r}; levels: {sorted(counts.index)}")
        else:
            top = counts.max()
            ref = sorted(counts.index[counts == top])[0]
        out[col] = ref
    return out


def g2_2x2(o11, o12, o21, o22):
    """Log-likelihood ratio G² of 2x2 tables given as arrays of their four cells."""
    o = np.stack([o11, o12, o21, o22]).astype(float)
    n = o.sum(axis=0)
    rows = np.stack([o[0] + o[1], o[0] + o[1], o[2] + o[3], o[2] + o[3]])
    cols = np.stack([o[0] + o[2], o[1] + o[3], o[0] + o[2], o[1] + o[3]])
    expected = rows * cols / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(o > 0, o * np.log(o / expected), 0.0)
    return 2 * terms.sum(axis=0)


def adjust_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the input order.

    Examples
    --------
    >>> adjust_bh(np.array([0.01, 0.04, 0.03, 0.2])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def ols(y: np.ndarray, X: np.ndarray, *, cov_type: str = "nonrobust", groups=None) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of ``y`` on ``X`` (statsmodels' OLS): the coefficients and their covariance.

    ``cov_type="cluster"`` needs ``groups`` (statsmodels' CRV1 small-sample correction applies).
    """
    import statsmodels.api as sm

    kwargs = {"cov_kwds": {"groups": pd.factorize(np.asarray(groups))[0]}} if cov_type == "cluster" else {}
    fit = sm.OLS(y, X).fit(cov_type=cov_type, **kwargs)
    return np.asarray(fit.params), np.asarray(fit.cov_params())
