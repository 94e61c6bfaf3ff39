"""Trends over time: the rate of a term or lexicon dimension as a smooth function of a numeric time, with intervals.

:func:`rate_trend` fits the count model of :func:`policytext.compare_rates`
(documents as observations, ``log(tokens)`` as offset; statsmodels) with time
as a straight line on the log scale or as a natural cubic regression spline
(``cr()``, formulaic), optionally with fixed effects (``province``: the trend
is then the change within provinces, whatever their levels) and errors
clustered by a column, and returns the fitted rate per 10,000 tokens at each
time with its interval: a tidy table for :func:`policytext.plots.trend`.

The rate shown at a time is that of a document with the average of the other
columns of the design (the fixed effects weighted by their documents); its
interval carries the uncertainty of every coefficient, fixed effects and
intercept included. The per-decade rate ratio of a straight trend is
``compare_rates(tokens, covariates="year", per={"year": 10}, ...)``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext._core.design import NONE_LEVEL, formula_design
from policytext.compare.inference import COV_TYPES, FAMILIES, document_counts, fit_counts
from policytext.errors import NotEstimable

__all__ = ["rate_trend"]

logger = logging.getLogger(__name__)


def rate_trend(tokens: pd.DataFrame, *, time: str = "year", terms: str | Sequence[str] | None = None,
               lexicon: str | Path | pd.DataFrame | None = None, level: str = "dimension", by: str | None = None,
               spline_df: int | None = None, fixed_effects: str | Sequence[str] = (), cluster: str | None = None,
               family: str = "quasipoisson", cov_type: str | None = None, at: Sequence[float] | None = None,
               ci: float = 0.95, term: str = "token") -> pd.DataFrame:
    """The rate of each feature over a numeric time, with intervals, from a count model of documents.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize` (or a table of document counts, as
        :func:`policytext.document_counts` makes). Not modified.
    time : str
        A numeric document-level column (``year``). Documents without a value
        are left out (listed in ``attrs["params"]["documents_left_out"]``).
    terms, lexicon, level
        What to count, as :func:`policytext.compare_rates`.
    by : str, optional
        One trend per value of this column (each fitted on its own documents).
    spline_df : int, optional
        Degrees of freedom of a natural cubic regression spline of time
        (formulaic's ``cr()``); ``None``: a straight line on the log scale
        (a constant rate ratio per unit of time).
    fixed_effects : str or list of str
        Columns whose levels get their own baseline (``province``): the trend
        is then the change within them.
    cluster : str, optional
        Errors clustered by this column (``cov_type="cluster"``; fewer than
        about 20 clusters: the note says the intervals tend to be too narrow).
    family, cov_type, ci
        As :func:`policytext.compare_rates`.
    at : sequence of float, optional
        The times at which to show the rate; default: every time observed.

    Returns
    -------
    DataFrame
        One row per feature (and ``by`` value) and time: ``feature``, the
        ``by`` column, ``time``'s column, ``rate`` (per 10,000 tokens),
        ``low``, ``high``, ``n_docs``, ``interval_basis`` and ``note`` (too
        few documents or times, few clusters, a failed fit). The settings are
        in ``attrs["params"]``.

    Examples
    --------
    >>> counts = pd.DataFrame({"doc_id": list("abcdef"), "year": [2018, 2019, 2020, 2021, 2022, 2023],
    ...                        "feature": "x", "hits": [10, 12, 15, 17, 21, 25], "tokens": 10_000})
    >>> t = rate_trend(counts, family="poisson")
    >>> t["year"].tolist() == [2018, 2019, 2020, 2021, 2022, 2023]
    True
    >>> bool(t["rate"].is_monotonic_increasing and (t["low"] < t["rate"]).all())
    True
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    cov_type = cov_type or ("cluster" if cluster is not None else "model")
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if (cov_type == "cluster") != (cluster is not None):
        raise ValueError("cov_type='cluster' and cluster=<a column> go together")
    if spline_df is not None and spline_df < 3:
        raise ValueError(f"spline_df must be at least 3 (a natural cubic spline), got {spline_df}")
    fixed = [fixed_effects] if isinstance(fixed_effects, str) else list(fixed_effects)
    carried = list(dict.fromkeys([time, *fixed, *([by] if by else []), *([cluster] if cluster else [])]))
    if {"feature", "hits", "tokens"} <= set(tokens.columns) and "token" not in tokens.columns:
        missing = [c for c in ["doc_id", *carried] if c not in tokens.columns]
        if missing:
            raise KeyError(f"the counts table has no column(s) {missing}; columns: {list(tokens.columns)}")
        counts = tokens
    else:
        counts = document_counts(tokens, covariates=carried, terms=terms, lexicon=lexicon, level=level, term=term)
    if not pd.api.types.is_numeric_dtype(counts[time]) or pd.api.types.is_bool_dtype(counts[time]):
        raise ValueError(f"the time column {time!r} must be numeric (years, months as numbers); it holds "
                         f"{counts[time].dropna().iloc[:3].tolist()}")
    lacking = sorted(set(counts.loc[counts[time].isna(), "doc_id"].astype(str)))
    if lacking:
        logger.warning("rate_trend: %d document(s) without a value of %r left out, e.g. %r", len(lacking), time,
                       lacking[0])
    data = counts[counts[time].notna()].copy()
    for col in fixed + ([by] if by else []):
        data[col] = data[col].astype("object").where(data[col].notna(), NONE_LEVEL).astype(str)
    if data.empty:
        raise NotEstimable(f"no document has a value of {time!r}")
    times = np.sort(data[time].unique()) if at is None else np.asarray(list(at), dtype=float)
    rhs = time if spline_df is None else f"cr({time}, df={int(spline_df)}, constraints='center')"
    errors = {"model": "model-based errors", "robust": "robust errors, each document a cluster (CRV1)",
              "cluster": f"cluster-robust errors by {cluster} (CRV1)"}[cov_type]
    basis = (f"documents ({family}, {'straight' if spline_df is None else f'spline ({spline_df} df)'} trend of "
             f"{time}{', ' + ' and '.join(fixed) + ' fixed effects' if fixed else ''}, {errors})")
    rows = []
    groups = data.groupby(by, sort=True) if by else [(None, data)]
    for group, part in groups:
        for feature, sub in part.groupby("feature", sort=False):
            rows.extend(_trend_rows(sub.reset_index(drop=True), feature, group, time, times, rhs, fixed, cluster,
                                    family, cov_type, ci, basis))
    columns = ["feature"] + ([by] if by else []) + [time, "rate", "low", "high", "n_docs", "interval_basis", "note"]
    out = pd.DataFrame(rows, columns=columns)
    _attrs.set_params(out, "trend", {"time": time, "by": by, "spline_df": spline_df, "fixed_effects": fixed,
                                     "cluster": cluster, "family": family, "cov_type": cov_type, "ci": ci,
                                     "per_tokens": 10_000, "documents_left_out": lacking})
    return out


def _trend_rows(part, feature, group, time, times, rhs, fixed, cluster, family, cov_type, ci, basis):
    head = [feature] + ([group] if group is not None else [])
    note = ""
    fit = design = None
    if part["hits"].sum() == 0:
        note = "the feature never occurs: no trend"
    elif part[time].nunique() < 3:
        note = f"{part[time].nunique()} distinct values of {time}: too few for a trend"
    else:
        # levels of a fixed effect without hits carry no information on the trend: left out
        for col in fixed:
            with_hits = part.groupby(col)["hits"].transform("sum") > 0
            part = part[with_hits].reset_index(drop=True)
        refs = {col: sorted(part[col].unique())[0] for col in fixed}
        design = formula_design(part, rhs, fixed_effects=fixed, references=refs)
        if len(part) <= design.X.shape[1]:
            note = f"{len(part)} documents for {design.X.shape[1]} parameters: too few to estimate a trend"
        elif np.linalg.matrix_rank(design.X) < design.X.shape[1]:
            note = "the design is collinear (a fixed effect whose documents share one time?): not estimable"
        else:
            try:
                groups = part[cluster].astype(str).to_numpy() if cov_type == "cluster" else None
                fit = fit_counts(part["hits"].to_numpy(float), design.X, exposure=part["tokens"].to_numpy(float),
                                 family=family, cov_type=cov_type, clusters=groups)
                if not fit.converged:
                    note = "the fit did not converge: treat with caution"
            except Exception as err:  # statsmodels raises several kinds; keep the rows and say why
                logger.warning("rate_trend: the %s model for %r failed: %s", family, feature, err)
                note, fit = f"the {family} fit failed: {err}", None
        if fit is not None and cov_type != "model":
            clusters = len(part) if cov_type == "robust" else part[cluster].nunique()
            if clusters < 20:
                note = "; ".join(filter(None, [note, f"sandwich errors from {clusters} clusters (fewer than about 20):"
                                               " intervals tend to be too narrow"]))
    if fit is None:
        return [(*head, t, np.nan, np.nan, np.nan, len(part), basis, note) for t in times]
    is_time = np.array([k == "formula" for k in design.kinds])
    centre = design.X.mean(axis=0)
    grid = design.spec.get_model_matrix(pd.DataFrame({time: times}))
    grid = np.asarray(grid, dtype=float)[:, 1:]  # the time columns (the formula's intercept first)
    rows = []
    for i, t in enumerate(times):
        c = centre.copy()
        c[is_time] = grid[i]
        est, low, high, _ = fit.interval(c, ci)
        outside = not part[time].min() <= t <= part[time].max()
        with np.errstate(over="ignore"):
            values = 1e4 * np.exp([est, low, high])
        said = [note, "outside the observed times: an extrapolation" if outside else ""]
        if not np.isfinite(values).all() or abs(est - low) > 50:  # a separated fit: hits in too few times
            values = [np.nan] * 3
            said.append("not estimable: the fit diverges (the feature's hits fall in too few times)")
        rows.append((*head, t, *values, len(part), basis, "; ".join(filter(None, said))))
    return rows
