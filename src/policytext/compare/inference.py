"""Inference about groups of documents: exact intervals for counts, and rate ratios between groups.

Documents, not tokens, are the units of inference: a province with ten documents
is ten observations, however many tokens they hold. This module provides

- :func:`poisson_interval` and :func:`binomial_interval`, exact (Garwood and
  Clopper-Pearson) intervals for a count and a share, which never give
  ``[0, 0]`` for a zero count;
- :func:`document_counts`, the explicit step from tokens to one row per
  document and feature (a lexicon dimension or a single term) with the
  document's token count as exposure;
- :func:`compare_rates`, rate ratios between groups from a count regression on
  those document rows (statsmodels), with intervals, adjusted p-values and
  a note on what each interval rests on.

The estimation is statsmodels'; this module prepares the data and explains the
result. statsmodels is imported only here, and only when a model is fitted.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from policytext._core.deprecation import warn_deprecated
from policytext._core import attrs as _attrs
from policytext._core.stats import (binomial_interval, poisson_interval, reference_levels,  # noqa: F401 (exported)
                                    treatment_design)
from policytext._core.tables import group_keys
from policytext.compare.lexicons import lexicon_matches, lexicon_table

__all__ = ["poisson_interval", "binomial_interval", "document_counts", "compare_rates", "rate_ratios", "FAMILIES",
           "COV_TYPES"]

logger = logging.getLogger(__name__)

#: Count models :func:`compare_rates` can fit.
FAMILIES = ("quasipoisson", "negbin", "poisson")
#: Standard errors :func:`compare_rates` can use.
COV_TYPES = ("model", "robust", "cluster")


def _features(tokens: pd.DataFrame, terms, lexicon, level: str, term: str) -> tuple[pd.DataFrame, str]:
    """The term -> feature map: single terms, or the dimensions of a lexicon."""
    if (terms is None) == (lexicon is None):
        raise ValueError("give either terms=[...] (each term is a feature) or lexicon=... (each dimension is one)")
    if terms is not None:
        terms = [terms] if isinstance(terms, str) else list(terms)
        if not terms:
            raise ValueError("terms is empty")
        return pd.DataFrame({"feature": terms, "term": terms}).drop_duplicates("term"), "term"
    lex = lexicon_table(lexicon, level)
    return lex.rename(columns={"dimension": "feature"})[["feature", "term"]], "dimension"


def document_counts(tokens: pd.DataFrame, *, covariates: str | Sequence[str] = "province",
                    terms: str | Sequence[str] | None = None, lexicon: str | Path | pd.DataFrame | None = None,
                    level: str = "dimension", term: str = "token") -> pd.DataFrame:
    """One row per document and feature: its hits, its tokens (the exposure) and its covariates.

    The explicit step from the tokens table to the data of a count model.
    Every document of ``tokens`` appears once per feature, with 0 hits where
    the feature never occurs in it.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize`. Not modified.
    covariates : str or list of str
        Metadata columns to carry (a missing value becomes the level ``(none)``).
    terms : str or list of str, optional
        Count each of these terms separately.
    lexicon : str, path or DataFrame, optional
        Count the dimensions of an emphasis lexicon (as
        :func:`policytext.emphasis`); give ``terms`` or ``lexicon``.
    level : {"dimension", "subdimension"}
        For a lexicon.

    Returns
    -------
    DataFrame
        ``doc_id``, the covariates, ``feature``, ``hits``, ``tokens``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "province": ["鄂", "鄂", "鄂", "川"],
    ...                      "token": ["数据", "平台", "数据", "平台"]})
    >>> document_counts(toks, terms=["数据"]).values.tolist()
    [['a', '鄂', '数据', 2, 3], ['b', '川', '数据', 0, 1]]
    """
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    features, _ = _features(tokens, terms, lexicon, level, term)
    cols, keys = group_keys(tokens, covariates)
    doc = tokens["doc_id"].astype("object").astype(str).to_numpy()
    per_doc = keys.assign(doc_id=doc).drop_duplicates("doc_id")
    conflicting = keys.assign(doc_id=doc).drop_duplicates().duplicated("doc_id")
    if conflicting.any():
        bad = keys.assign(doc_id=doc).drop_duplicates()[conflicting]["doc_id"].iloc[0]
        raise ValueError(f"document {bad!r} has more than one value of {cols}: covariates must be document-level")
    sizes = pd.Series(doc).value_counts()
    per_doc = per_doc.assign(tokens=per_doc["doc_id"].map(sizes).to_numpy())
    matches = lexicon_matches(tokens, features.rename(columns={"feature": "dimension"}), term=term)
    counted = (pd.DataFrame({"doc_id": doc[matches["row"].to_numpy()], "feature": matches["dimension"].to_numpy()})
               .groupby(["doc_id", "feature"]).size().rename("hits"))
    order = list(dict.fromkeys(features["feature"]))
    grid = pd.MultiIndex.from_product([per_doc["doc_id"].tolist(), order], names=["doc_id", "feature"])
    hits = counted.reindex(grid, fill_value=0).reset_index()
    out = hits.merge(per_doc, on="doc_id", how="left")
    out = out.sort_values(["doc_id", "feature"], key=lambda s: s if s.name == "doc_id" else s.map(order.index),
                          kind="stable")
    return out[["doc_id"] + cols + ["feature", "hits", "tokens"]].reset_index(drop=True)


def _fit(y, X, offset, family: str, cov_type: str, groups, ci: float):
    import statsmodels.api as sm

    kwargs = {}
    if cov_type == "robust":
        kwargs = {"cov_type": "HC1"}
    elif cov_type == "cluster":
        kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    if family == "negbin":
        model = sm.NegativeBinomial(y, X, offset=offset)
        result = model.fit(disp=0, maxiter=500, use_t=True, **kwargs)
        params, bse = np.asarray(result.params)[:-1], np.asarray(result.bse)[:-1]
        dispersion = float(np.asarray(result.params)[-1])  # alpha of NB2: variance mu + alpha mu^2
        converged = bool(result.mle_retvals.get("converged", True))
    else:
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
        scale = "X2" if family == "quasipoisson" else None
        result = model.fit(scale=scale, use_t=True, **kwargs)
        params, bse = np.asarray(result.params), np.asarray(result.bse)
        dispersion = float(result.scale)
        converged = bool(getattr(result, "converged", True))
    df = max(1, len(y) - X.shape[1]) if cov_type != "cluster" else max(1, len(np.unique(groups)) - 1)
    crit = stats.t.ppf(1 - (1 - ci) / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        tval = params / bse
    p = 2 * stats.t.sf(np.abs(tval), df)
    return params, bse, crit, p, dispersion, df, converged


def compare_rates(
    tokens: pd.DataFrame,
    *,
    covariates: str | Sequence[str] = "province",
    terms: str | Sequence[str] | None = None,
    lexicon: str | Path | pd.DataFrame | None = None,
    level: str = "dimension",
    reference: dict | str | None = None,
    family: str = "quasipoisson",
    cov_type: str = "model",
    cluster: str | None = None,
    ci: float = 0.95,
    term: str = "token",
) -> pd.DataFrame:
    """Rate ratios of terms or lexicon dimensions between groups of documents, from a count regression.

    For each feature (a term, or a dimension of a lexicon), the hits of every
    document are regressed on the covariates with the document's token count
    as exposure (``log(tokens)`` as offset), so that a coefficient is the log
    of a rate ratio against the reference level, adjusted for the other
    covariates. Documents are the observations: the uncertainty rests on how
    documents vary, not on the number of tokens.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize`; or a table of document counts (as
        :func:`document_counts` makes, or prepared yourself: one row per
        document and feature with ``doc_id``, the covariates, ``feature``,
        ``hits`` and ``tokens``, the exposure), which is modelled as it is.
        Not modified.
    covariates : str or list of str
        Document-level metadata columns (``province``, ``level``, ``year``,
        ``doc_type``, any column); each is categorical, one rate ratio per
        level against its reference. A missing value is the level ``(none)``.
    terms, lexicon, level
        What to count: each of ``terms``, or each dimension of ``lexicon``
        (a shipped name, a file or a table, as :func:`policytext.emphasis`).
    reference : str or dict, optional
        The reference level of the first covariate (a string), or a dict
        ``{covariate: level}``. Default: the level with the most documents
        (ties broken by name), the best-estimated baseline.
    family : {"quasipoisson", "negbin", "poisson"}
        ``quasipoisson`` (default): Poisson regression whose variance is
        scaled by the Pearson dispersion estimated from the documents, with
        t-based intervals (residual degrees of freedom); in simulations with
        4 to 15 documents per group its 95% intervals covered the true rate
        ratio 93-97% of the time (``tests/test_inference.py``). ``negbin``:
        negative binomial (NB2) by maximum likelihood, its ``alpha`` as the
        dispersion. ``poisson``: no overdispersion (tokens as independent
        draws); shown for comparison only, its intervals are far too narrow
        on real texts.
    cov_type : {"model", "robust", "cluster"}
        Standard errors: from the model (default); ``robust``: heteroskedasticity-
        robust sandwich (HC1) with each document as its own cluster;
        ``cluster``: cluster-robust by the column ``cluster`` (for example
        ``city``, when a city contributes several documents). Sandwich errors
        are valid without a model for the variance, but with fewer than about
        15 documents per group their 95% intervals cover less than 95% (about
        88-92% in the simulations), and a group with a single document gets a
        degenerate (zero) sandwich variance; ``model`` avoids both.
    cluster : str, optional
        The clustering column for ``cov_type="cluster"``.
    ci : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per feature, covariate and non-reference level:
        ``feature``, ``covariate``, ``level``, ``reference``, ``rate_ratio``,
        ``low``, ``high``, ``p_value``, ``p_adjusted`` (Benjamini-Hochberg over
        all rows of the table), ``n_docs``, ``n_docs_reference``, ``hits``,
        ``hits_reference``, ``dispersion`` (Pearson dispersion, or NB2 alpha),
        ``interval_basis`` and ``note`` (single-document groups, zero counts,
        a failed fit). The settings are in ``attrs["params"]``.

    Notes
    -----
    A level in which the feature never occurs has an infinite log rate ratio:
    its documents are left out of the fit, its rate ratio is 0, and its upper
    bound is the exact conditional (binomial) bound against the reference,
    which treats tokens as independent and is therefore only indicative; the
    note says so. A single-document level is estimated, but its interval
    rests on the dispersion of the other documents, and the note says so.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> toks = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(12)], 500),
    ...                      "province": np.repeat(["甲"] * 6 + ["乙"] * 6, 500)})
    >>> toks["token"] = np.where(rng.random(len(toks)) < np.where(toks["province"] == "甲", 0.02, 0.04),
    ...                          "数据", "其他")
    >>> r = compare_rates(toks, terms=["数据"], reference="甲")
    >>> r[["feature", "level", "reference", "n_docs"]].values.tolist()
    [['数据', '乙', '甲', 6]]
    >>> bool(r["low"].iloc[0] < 2.0 < r["high"].iloc[0])   # the true rate ratio is 2
    True
    """
    cols = [covariates] if isinstance(covariates, str) else list(covariates)
    if _is_counts(tokens):
        if terms is not None or lexicon is not None:
            raise TypeError("a table of document counts holds its features already: give neither terms= nor lexicon=")
        out = _rate_model(tokens, covariates=cols, reference=reference, family=family, cov_type=cov_type,
                          cluster=cluster, ci=ci)
        _attrs.params_of(out, "rate")["features"] = "the counts table's"
        return out
    carried = cols + ([cluster] if cluster is not None and cluster not in cols else [])
    counts = document_counts(tokens, covariates=carried, terms=terms, lexicon=lexicon, level=level, term=term)
    out = _rate_model(counts, covariates=cols, reference=reference, family=family, cov_type=cov_type,
                      cluster=cluster, ci=ci)
    _attrs.params_of(out, "rate")["features"] = "terms" if terms is not None else f"lexicon {lexicon} ({level})"
    return out


def _is_counts(table: pd.DataFrame) -> bool:
    """A table of document counts (feature, hits, tokens per document), not a tokens table."""
    return {"feature", "hits", "tokens"} <= set(table.columns) and "token" not in table.columns


def rate_ratios(counts: pd.DataFrame, **options) -> pd.DataFrame:
    """Deprecated (removed in 0.3): :func:`compare_rates` takes a table of document counts as it takes tokens.

    Examples
    --------
    >>> counts = pd.DataFrame({"doc_id": list("abcdef"), "province": list("PPPQQQ"), "feature": "x",
    ...                        "hits": [4, 6, 5, 10, 12, 8], "tokens": [1000] * 6})
    >>> r = compare_rates(counts, reference="P", family="poisson")
    >>> round(float(r["rate_ratio"].iloc[0]), 6)   # (30 / 3000) / (15 / 3000)
    2.0
    """
    warn_deprecated("rate_ratios(counts) is now compare_rates(counts): one function for tokens and counts")
    if not _is_counts(counts):
        raise KeyError(f"the counts table has no column(s) {sorted({'feature', 'hits', 'tokens'} - set(counts.columns))}"
                       f"; columns: {list(counts.columns)}")
    return compare_rates(counts, **options)


def _rate_model(
    counts: pd.DataFrame,
    *,
    covariates: str | Sequence[str] = "province",
    reference: dict | str | None = None,
    family: str = "quasipoisson",
    cov_type: str = "model",
    cluster: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """The model step of :func:`compare_rates`: rate ratios from a table of document counts."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if cov_type == "cluster" and cluster is None:
        raise ValueError("cov_type='cluster' needs cluster=<a metadata column>")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    cols = [covariates] if isinstance(covariates, str) else list(covariates)
    if not cols:
        raise ValueError("give at least one covariate")
    needed = ["doc_id", "feature", "hits", "tokens"] + cols + ([cluster] if cluster else [])
    missing = [c for c in needed if c not in counts.columns]
    if missing:
        raise KeyError(f"the counts table has no column(s) {missing}; columns: {list(counts.columns)}")
    if counts.duplicated(["doc_id", "feature"]).any():
        raise ValueError("the counts table must have one row per document and feature")
    bad = counts[(counts["tokens"] <= 0) | (counts["hits"] < 0) | (counts["hits"] > counts["tokens"])]
    if len(bad):
        r = bad.iloc[0]
        raise ValueError(f"document {r['doc_id']!r}, feature {r['feature']!r}: hits {r['hits']} and tokens "
                         f"{r['tokens']} are not a count within a positive exposure")
    data = counts.copy()
    for col in cols:
        data[col] = data[col].astype("object").where(data[col].notna(), "(none)").astype(str)
    per_doc = data.drop_duplicates("doc_id")
    references = reference_levels(per_doc, cols, reference)
    rows = []
    for feature, part in data.groupby("feature", sort=False):
        rows.extend(_compare_feature(feature, part.reset_index(drop=True), cols, references, family, cov_type,
                                     cluster, ci))
    out = pd.DataFrame(rows, columns=["feature", "covariate", "level", "reference", "rate_ratio", "low", "high",
                                      "p_value", "n_docs", "n_docs_reference", "hits", "hits_reference",
                                      "dispersion", "interval_basis", "note"])
    from policytext.compare.keyness import adjust_bh

    p = out["p_value"].to_numpy(dtype=float)
    adjusted = np.full(len(p), np.nan)
    finite = np.isfinite(p)
    adjusted[finite] = adjust_bh(p[finite])
    out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted", adjusted)
    _attrs.set_params(out, "rate", {"covariates": cols, "reference": references, "family": family,
                                "cov_type": cov_type, "cluster": cluster, "ci": ci})
    return out


def _compare_feature(feature, part, cols, references, family, cov_type, cluster, ci):
    rows = []
    hits = part["hits"].to_numpy(dtype=float)
    exposure = part["tokens"].to_numpy(dtype=float)
    # levels in which the feature never occurs: separated, left out of the fit
    zero_levels = {col: {lvl for lvl, h in part.groupby(part[col].astype(str))["hits"].sum().items() if h == 0}
                   for col in cols}
    keep = np.ones(len(part), dtype=bool)
    for col in cols:
        keep &= ~part[col].astype(str).isin(zero_levels[col] - {references[col]}).to_numpy()
    fit_part = part[keep].reset_index(drop=True)
    ref_zero = [col for col in cols if references[col] in zero_levels[col]]

    X, names = treatment_design(fit_part, cols, references)
    estimates = {}
    fit_note = ""
    dispersion = np.nan
    if hits.sum() == 0:
        fit_note = "the feature never occurs: nothing to compare"
    elif ref_zero:
        fit_note = f"the reference level has no hits ({', '.join(ref_zero)}): rate ratios are not defined"
    elif len(fit_part) <= X.shape[1]:
        fit_note = f"{len(fit_part)} documents for {X.shape[1]} parameters: too few to estimate a dispersion"
    else:
        try:
            groups = (fit_part[cluster].astype(str).to_numpy() if cov_type == "cluster" else None)
            params, bse, crit, p, dispersion, df, converged = _fit(
                fit_part["hits"].to_numpy(dtype=float), X, np.log(fit_part["tokens"].to_numpy(dtype=float)),
                family, cov_type, groups, ci)
            for i, name in enumerate(names):
                if name != "(intercept)":
                    estimates[name] = (params[i], bse[i], crit, p[i])
            if not converged:
                fit_note = "the fit did not converge: treat with caution"
        except Exception as err:  # statsmodels raises several kinds; keep the row and say why
            logger.warning("compare_rates: the %s model for %r failed: %s", family, feature, err)
            fit_note = f"the {family} fit failed: {err}"
    basis = {"model": f"documents ({family}, model-based errors)",
             "robust": f"documents ({family}, robust errors, each document a cluster)",
             "cluster": f"documents ({family}, cluster-robust errors by {cluster})"}[cov_type]

    for col in cols:
        values = part[col].astype(str)
        ref = references[col]
        ref_mask = (values == ref).to_numpy()
        n_ref, h_ref = int(ref_mask.sum()), int(hits[ref_mask].sum())
        for lvl in sorted(values.unique()):
            if lvl == ref:
                continue
            mask = (values == lvl).to_numpy()
            n_lvl, h_lvl = int(mask.sum()), int(hits[mask].sum())
            notes = []
            rr = low = high = pval = np.nan
            row_basis = basis
            if lvl in zero_levels[col] and not fit_note:
                rr, low = 0.0, 0.0
                # exact conditional bound: given h_ref hits in both, the level's share is binomial
                _, p_high = binomial_interval(0, h_ref, ci=ci)
                e_lvl, e_ref = exposure[mask].sum(), exposure[ref_mask].sum()
                high = float(p_high / (1 - p_high) * e_ref / e_lvl) if p_high < 1 else np.inf
                row_basis = "tokens (exact conditional binomial bound)"
                notes.append("no hits in this group: rate ratio 0; its upper bound treats tokens as independent "
                             "draws and is only indicative")
            elif (col, lvl) in estimates:
                est, se, crit, pval = estimates[(col, lvl)]
                rr, low, high = np.exp(est), np.exp(est - crit * se), np.exp(est + crit * se)
            if fit_note:
                notes.append(fit_note)
            if n_lvl == 1:
                notes.append("one document: its interval rests on the dispersion of the other documents")
            if n_ref == 1:
                notes.append("the reference has one document")
            rows.append((feature, col, lvl, ref, rr, low, high, pval, n_lvl, n_ref, h_lvl, h_ref, dispersion,
                         row_basis, "; ".join(notes)))
    return rows
