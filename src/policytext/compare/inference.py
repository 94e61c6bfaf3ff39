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
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from policytext._core.deprecation import warn_deprecated
from policytext._core import attrs as _attrs
from policytext._core.design import NONE_LEVEL, build_design, formula_design, formula_variables, numeric_columns
from policytext.errors import NotEstimable
from policytext._core.stats import (binomial_interval, poisson_interval, reference_levels,  # noqa: F401 (exported)
                                    treatment_design)
from policytext._core.tables import group_keys, metadata_column
from policytext.compare.lexicons import lexicon_matches, lexicon_table

__all__ = ["poisson_interval", "binomial_interval", "document_counts", "compare_rates", "rate_ratios", "fit_counts",
           "CountFit", "FAMILIES", "COV_TYPES", "FEW_CLUSTERS", "FEW_DOCUMENTS"]

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
        Metadata columns to carry (in a text column a missing value becomes
        the level ``(none)``; a numeric column keeps its numbers and its
        missing values).
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
    for col in cols:  # a numeric column (year, GDP) keeps its numbers: the model may treat it as numeric
        raw = metadata_column(tokens, col)
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            keys[col] = raw.to_numpy()
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


#: Fewer clusters than this: sandwich (robust or cluster-robust) intervals tend to be too narrow.
FEW_CLUSTERS = 20
#: A group with fewer documents than this: its sandwich interval is unreliable.
FEW_DOCUMENTS = 5


@dataclass
class CountFit:
    """A fitted count model: coefficients, their covariance, the t quantile's degrees of freedom."""

    params: np.ndarray
    cov: np.ndarray
    df: int
    dispersion: float
    converged: bool

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0, None))

    def interval(self, c: np.ndarray, ci: float) -> tuple[float, float, float, float]:
        """Estimate, low, high and p-value of the linear combination ``c @ params`` (t with ``df``)."""
        est = float(c @ self.params)
        se = float(np.sqrt(max(c @ self.cov @ c, 0.0)))
        crit = stats.t.ppf(1 - (1 - ci) / 2, self.df)
        p = float(2 * stats.t.sf(abs(est) / se, self.df)) if se > 0 else np.nan
        return est, est - crit * se, est + crit * se, p


def fit_counts(y: np.ndarray, X: np.ndarray, *, exposure: np.ndarray, family: str = "quasipoisson",
               cov_type: str = "model", clusters=None) -> CountFit:
    """Fit a count model of ``y`` on ``X`` with ``log(exposure)`` as offset (statsmodels).

    ``family``: ``quasipoisson`` (Poisson GLM, variance scaled by the Pearson
    dispersion), ``negbin`` (NB2 by maximum likelihood) or ``poisson``.
    ``cov_type``: ``model``; ``robust`` (each document its own cluster) or
    ``cluster`` (by ``clusters``, one label per row), both with statsmodels' small-sample
    correction (CRV1: G/(G-1) x (N-1)/(N-K)) and t quantiles with G-1 degrees
    of freedom. The coefficients' covariance excludes NB2's alpha.

    Examples
    --------
    >>> fit = fit_counts(np.array([2, 4, 6, 8]), np.ones((4, 1)), exposure=np.full(4, 100.0), family="poisson")
    >>> round(float(np.exp(fit.params[0])), 6)   # 20 hits in 400 tokens
    0.05
    """
    import statsmodels.api as sm

    offset = np.log(np.asarray(exposure, dtype=float))
    kwargs = {}
    if cov_type in ("robust", "cluster"):
        labels = np.arange(len(y)) if cov_type == "robust" else pd.factorize(np.asarray(clusters))[0]
        kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": labels, "use_correction": True}}
    if family == "negbin":
        result = sm.NegativeBinomial(y, X, offset=offset).fit(disp=0, maxiter=500, **kwargs)
        cov = np.asarray(result.cov_params())[:-1, :-1]
        params, dispersion = np.asarray(result.params)[:-1], float(np.asarray(result.params)[-1])
        converged = bool(result.mle_retvals.get("converged", True))
    else:
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
        result = model.fit(scale="X2" if family == "quasipoisson" else None, **kwargs)
        params, cov = np.asarray(result.params), np.asarray(result.cov_params())
        dispersion = float(result.scale)
        converged = bool(getattr(result, "converged", True))
    if cov_type in ("robust", "cluster"):
        df = max(1, len(np.unique(kwargs["cov_kwds"]["groups"])) - 1)
    else:
        df = max(1, len(y) - X.shape[1])
    return CountFit(params, cov, df, dispersion, converged)


def compare_rates(
    tokens: pd.DataFrame,
    *,
    covariates: str | Sequence[str] | None = None,
    terms: str | Sequence[str] | None = None,
    lexicon: str | Path | pd.DataFrame | None = None,
    level: str = "dimension",
    reference: dict | str | None = None,
    categorical: str | Sequence[str] = (),
    per: dict | None = None,
    fixed_effects: str | Sequence[str] = (),
    formula: str | None = None,
    family: str = "quasipoisson",
    cov_type: str | None = None,
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
    spec = _model_spec(covariates, categorical=categorical, per=per, fixed_effects=fixed_effects, formula=formula,
                       family=family, cov_type=cov_type, cluster=cluster, ci=ci)
    if "doc_id" in spec.carried:
        raise NotEstimable("each document is its own group (doc_id as a covariate): there is no variation between a "
                           "group's documents to judge a difference by; group by a metadata column with several "
                           "documents per value")
    if _is_counts(tokens):
        if terms is not None or lexicon is not None:
            raise TypeError("a table of document counts holds its features already: give neither terms= nor lexicon=")
        out = _rate_model(tokens, spec, reference)
        _attrs.params_of(out, "rate")["features"] = "the counts table's"
        return out
    counts = document_counts(tokens, covariates=spec.carried, terms=terms, lexicon=lexicon, level=level, term=term)
    out = _rate_model(counts, spec, reference)
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


@dataclass
class ModelSpec:
    """The settings of a document-level rate model, checked once."""

    covariates: list
    categorical: list
    per: dict
    fixed_effects: list
    formula: str | None
    family: str
    cov_type: str
    cluster: str | None
    ci: float

    @property
    def carried(self) -> list:
        """Every metadata column the model reads."""
        return list(dict.fromkeys(self.covariates + self.fixed_effects + ([self.cluster] if self.cluster else [])))


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _model_spec(covariates, *, categorical, per, fixed_effects, formula, family, cov_type, cluster, ci) -> ModelSpec:
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    if cov_type is None:
        cov_type = "cluster" if cluster is not None else "model"
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if cov_type == "cluster" and cluster is None:
        raise ValueError("cov_type='cluster' needs cluster=<a metadata column>")
    if cluster is not None and cov_type != "cluster":
        raise ValueError(f"cluster={cluster!r} is used only with cov_type='cluster' (got cov_type={cov_type!r})")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    fixed = _as_list(fixed_effects)
    if formula is not None:
        if covariates is not None:
            raise TypeError("give covariates= or formula=, not both (a formula names its covariates)")
        cols = [v for v in formula_variables(formula) if v not in fixed]
    else:
        cols = _as_list("province" if covariates is None else covariates)
        if not cols:
            raise ValueError("give at least one covariate")
    both = sorted(set(cols) & set(fixed)) if formula is None else []
    if both:
        raise ValueError(f"{both} cannot be both a covariate and a fixed effect")
    per = dict(per or {})
    unknown = set(per) - set(cols)
    if unknown:
        raise KeyError(f"per names column(s) {sorted(unknown)} that are not covariates {cols}")
    return ModelSpec(cols, _as_list(categorical), per, fixed, formula, family, cov_type, cluster, ci)


def _rate_model(counts: pd.DataFrame, spec: ModelSpec, reference) -> pd.DataFrame:
    """The model step of :func:`compare_rates`: rate ratios from a table of document counts."""
    needed = ["doc_id", "feature", "hits", "tokens"] + spec.carried
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
    per_doc = data.drop_duplicates("doc_id")
    numeric = ([] if spec.formula is not None else numeric_columns(per_doc, spec.covariates, spec.categorical))
    nonnumeric = [c for c in spec.per if c not in numeric]
    if nonnumeric:
        raise ValueError(f"per= scales numeric covariates only; {nonnumeric} is categorical")
    # documents without a value of a numeric covariate (or of a formula's variable) cannot be placed: left out
    strict = numeric if spec.formula is None else spec.covariates
    lacking = per_doc[per_doc[strict].isna().any(axis=1)]["doc_id"] if strict else pd.Series([], dtype=object)
    if len(lacking):
        logger.warning("compare_rates: %d document(s) without a value of %s left out, e.g. %r", len(lacking),
                       strict, lacking.iloc[0])
        data = data[~data["doc_id"].isin(set(lacking))]
    categorical = [c for c in spec.covariates if c not in numeric] if spec.formula is None else []
    for col in categorical + spec.fixed_effects:
        data[col] = data[col].astype("object").where(data[col].notna(), NONE_LEVEL).astype(str)
    if data.empty:
        raise NotEstimable(f"no document has a value of every covariate {strict}")
    per_doc = data.drop_duplicates("doc_id")
    references = reference_levels(per_doc, categorical, reference) if categorical else {}
    if reference is not None and not categorical and spec.formula is None:
        raise ValueError(f"reference={reference!r} names a level, but no covariate is categorical")
    fixed_refs = reference_levels(per_doc, spec.fixed_effects, None) if spec.fixed_effects else {}
    advice = _grouping_advice(per_doc, categorical + spec.fixed_effects)
    constant = [c for c in categorical + spec.fixed_effects if per_doc[c].nunique() < 2]
    if constant:
        logger.warning("compare_rates: %s has a single value in these documents: nothing to compare, no rows for it",
                       constant)
    rows = []
    for feature, part in data.groupby("feature", sort=False):
        rows.extend(_compare_feature(feature, part.reset_index(drop=True), spec, numeric, categorical,
                                     {**references, **fixed_refs}, advice))
    out = pd.DataFrame(rows, columns=["feature", "covariate", "level", "reference", "rate_ratio", "low", "high",
                                      "p_value", "n_docs", "n_docs_reference", "hits", "hits_reference",
                                      "dispersion", "interval_basis", "note"])
    from policytext.compare.keyness import adjust_bh

    p = out["p_value"].to_numpy(dtype=float)
    adjusted = np.full(len(p), np.nan)
    finite = np.isfinite(p)
    adjusted[finite] = adjust_bh(p[finite])
    out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted", adjusted)
    _attrs.set_params(out, "rate", {"covariates": spec.covariates, "reference": references, "family": spec.family,
                                    "cov_type": spec.cov_type, "cluster": spec.cluster, "ci": spec.ci,
                                    "numeric": numeric, "per": spec.per, "fixed_effects": spec.fixed_effects,
                                    "fixed_effect_references": fixed_refs, "formula": spec.formula,
                                    "documents_left_out": sorted(map(str, lacking)),
                                    "single_valued": constant})
    return out


def _grouping_advice(per_doc: pd.DataFrame, cols: list[str]) -> str:
    """What grouping would work when a categorical covariate has one document per level."""
    single = [c for c in cols if per_doc[c].value_counts().max() == 1]
    if not single:
        return ""
    others = [c for c in per_doc.columns if c not in ("doc_id", "feature", "hits", "tokens", *single)
              and 1 < per_doc[c].nunique() < len(per_doc) and per_doc[c].value_counts().min() >= 2]
    hint = f"group by a coarser column ({', '.join(others[:3])})" if others else "group by a coarser column"
    return (f"one document per {', '.join(single)}: there is no variation between a group's documents to "
            f"judge a difference by; {hint}")


def _compare_feature(feature, part, spec: ModelSpec, numeric, categorical, references, advice):
    hits = part["hits"].to_numpy(dtype=float)
    exposure = part["tokens"].to_numpy(dtype=float)
    grouped = categorical + spec.fixed_effects
    # levels in which the feature never occurs: separated, left out of the fit (under fixed effects they carry no
    # information on the other coefficients)
    zero_levels = {col: {lvl for lvl, h in part.groupby(part[col])["hits"].sum().items() if h == 0} for col in grouped}
    keep = np.ones(len(part), dtype=bool)
    for col in grouped:
        keep &= ~part[col].isin(zero_levels[col] - {references[col]}).to_numpy()
    fit_part = part[keep].reset_index(drop=True)
    ref_zero = [col for col in categorical if references[col] in zero_levels[col]]
    fe_ref_zero = [col for col in spec.fixed_effects if references[col] in zero_levels[col]]
    if fe_ref_zero:  # a fixed effect's reference without hits: any other level with hits serves
        for col in fe_ref_zero:
            levels = sorted(set(fit_part[col]) - zero_levels[col])
            if levels:
                references = {**references, col: levels[0]}
        keep = np.ones(len(part), dtype=bool)
        for col in grouped:
            keep &= ~part[col].isin(zero_levels[col] - {references[col]}).to_numpy()
        fit_part = part[keep].reset_index(drop=True)

    if spec.formula is not None:
        design = formula_design(fit_part, spec.formula, fixed_effects=spec.fixed_effects, references=references)
    else:
        design = build_design(fit_part, covariates=spec.covariates, references=references, numeric=numeric,
                              fixed_effects=spec.fixed_effects)
    X = design.X
    fit, fit_note = None, ""
    if hits.sum() == 0:
        fit_note = "the feature never occurs: nothing to compare"
    elif ref_zero:
        fit_note = f"the reference level has no hits ({', '.join(ref_zero)}): rate ratios are not defined"
    elif len(fit_part) <= X.shape[1]:
        fit_note = (f"{len(fit_part)} documents for {X.shape[1]} parameters: too few to estimate a dispersion"
                    + (f"; {advice}" if advice else ""))
    elif np.linalg.matrix_rank(X) < X.shape[1]:
        fit_note = "the covariates are collinear (a column is a combination of others): not estimable"
    else:
        try:
            groups = fit_part[spec.cluster].astype(str).to_numpy() if spec.cov_type == "cluster" else None
            fit = fit_counts(fit_part["hits"].to_numpy(dtype=float), X, exposure=fit_part["tokens"].to_numpy(dtype=float),
                             family=spec.family, cov_type=spec.cov_type, clusters=groups)
            if not fit.converged:
                fit_note = "the fit did not converge: treat with caution"
        except Exception as err:  # statsmodels raises several kinds; keep the row and say why
            logger.warning("compare_rates: the %s model for %r failed: %s", spec.family, feature, err)
            fit_note = f"the {spec.family} fit failed: {err}"
    basis = _basis(spec)
    small = _small_sample_notes(spec, fit_part, fit)
    dispersion = fit.dispersion if fit is not None else np.nan
    rows = []

    def estimate(j, scale=1.0):
        if fit is None:
            return np.nan, np.nan, np.nan, np.nan
        c = np.zeros(X.shape[1])
        c[j] = scale
        est, low, high, pval = fit.interval(c, spec.ci)
        return np.exp(est), np.exp(low), np.exp(high), pval

    if spec.formula is not None:
        for j in design.reported:
            rr, low, high, pval = estimate(j)
            notes = [n for n in (fit_note, *small) if n]
            rows.append((feature, design.covariates[j], design.levels[j], "", rr, low, high, pval, len(fit_part),
                         np.nan, int(hits.sum()), np.nan, dispersion, basis, "; ".join(notes)))
        return rows
    column_of = {(design.covariates[j], design.levels[j]): j for j in design.reported}
    for col in spec.covariates:
        if col in numeric:
            scale = float(spec.per.get(col, 1.0))
            rr, low, high, pval = estimate(column_of[(col, "")], scale) if (col, "") in column_of else (np.nan,) * 4
            notes = [n for n in (fit_note, *small) if n]
            rows.append((feature, col, f"per {scale:g}", "(slope)", rr, low, high, pval, len(fit_part), np.nan,
                         int(hits.sum()), np.nan, dispersion, basis, "; ".join(notes)))
            continue
        values = part[col]
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
                _, p_high = binomial_interval(0, h_ref, ci=spec.ci)
                e_lvl, e_ref = exposure[mask].sum(), exposure[ref_mask].sum()
                high = float(p_high / (1 - p_high) * e_ref / e_lvl) if p_high < 1 else np.inf
                row_basis = "tokens (exact conditional binomial bound)"
                notes.append("no hits in this group: rate ratio 0; its upper bound treats tokens as independent "
                             "draws and is only indicative")
            elif (col, lvl) in column_of:
                rr, low, high, pval = estimate(column_of[(col, lvl)])
            if fit_note:  # nothing was estimated: the reason alone
                notes.append(fit_note)
            else:
                notes.extend(small)
                if n_lvl == 1:
                    notes.append("one document: its interval rests on the dispersion of the other documents")
                if n_ref == 1:
                    notes.append("the reference has one document")
            if spec.cov_type != "model" and min(n_lvl, n_ref) < FEW_DOCUMENTS and n_lvl > 0:
                notes.append(f"sandwich errors with a group of {min(n_lvl, n_ref)} documents (fewer than "
                             f"{FEW_DOCUMENTS}): its interval is unreliable; use cov_type='model'")
            rows.append((feature, col, lvl, ref, rr, low, high, pval, n_lvl, n_ref, h_lvl, h_ref, dispersion,
                         row_basis, "; ".join(notes)))
    return rows


def _basis(spec: ModelSpec) -> str:
    errors = {"model": "model-based errors", "robust": "robust errors, each document a cluster (CRV1)",
              "cluster": f"cluster-robust errors by {spec.cluster} (CRV1)"}[spec.cov_type]
    extra = f", {' and '.join(spec.fixed_effects)} fixed effects" if spec.fixed_effects else ""
    return f"documents ({spec.family}{extra}, {errors})"


def _small_sample_notes(spec: ModelSpec, fit_part: pd.DataFrame, fit) -> list[str]:
    if spec.cov_type == "model" or fit is None:
        return []
    clusters = len(fit_part) if spec.cov_type == "robust" else fit_part[spec.cluster].nunique()
    if clusters >= FEW_CLUSTERS:
        return []
    return [f"sandwich errors from {clusters} clusters (fewer than about {FEW_CLUSTERS}): intervals tend to be "
            "too narrow even with the small-sample correction (CRV1, t with G-1 df); compare with cov_type='model'"]
