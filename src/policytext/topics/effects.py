"""Topic prevalence by group (a description) and effects of covariates on topic shares (inference).

:func:`topic_prevalence` averages the topic shares of each group's units,
weighted by their length, with a bootstrap over the group's documents.
:func:`estimate_effects` regresses document topic shares on metadata
covariates and carries the uncertainty of the shares by the method of
composition, as stm's ``estimateEffect``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.deprecation import NOT_GIVEN, default_by, warn_deprecated
from policytext._core import attrs as _attrs
from policytext._core.design import NONE_LEVEL, build_design, formula_design, formula_variables, numeric_columns
from policytext.errors import NotEstimable
from policytext._core.tables import group_keys
from policytext._core.stats import group_rng, ols, percentile_interval, reference_levels, resample_sums
from policytext.topics.model import TopicModel

__all__ = ["topic_prevalence", "topic_prevalence_difference", "estimate_effects", "RESAMPLE"]


#: What :func:`topic_prevalence` can resample.
RESAMPLE = ("document", "unit")


def _prevalence_samples(model: TopicModel, by, n_boot: int, random_state: int, resample: str):
    """Per group: point prevalence, bootstrap samples (or None), units, documents and the interval basis."""
    if resample not in RESAMPLE:
        raise ValueError(f"resample must be one of {RESAMPLE}, got {resample!r}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be 0 or more, got {n_boot}")
    used = model.units_[model.units_["used"]].reset_index(drop=True)
    cols, keys = group_keys(used, by)
    weights = used["n_tokens"].to_numpy().astype(float)
    doc_ids = used["doc_id"].astype(str).to_numpy()
    out = {}
    for key, part in keys.groupby(cols, sort=True):
        idx = part.index.to_numpy()
        w = weights[idx]
        wtheta = w[:, None] * model.theta_[idx]
        point = wtheta.sum(axis=0) / w.sum()
        n_docs = len(np.unique(doc_ids[idx]))
        # clusters: documents (their units' weighted shares summed), or the units themselves
        if resample == "document" and n_docs > 1:
            codes, cluster = np.unique(doc_ids[idx], return_inverse=True)
            values = np.zeros((len(codes), model.k + 1))
            np.add.at(values, cluster, np.column_stack([wtheta, w]))
            basis = f"documents: bootstrap over {len(codes)}"
        else:
            values = np.column_stack([wtheta, w])
            basis = (f"paragraphs: bootstrap over {len(idx)}" + (" (one document)" if n_docs == 1 else ""))
        samples = None
        if n_boot > 0 and len(values) > 1:
            sums = resample_sums(group_rng(random_state, key), values, n_boot)
            samples = sums[:, :-1] / sums[:, -1:]
        else:
            basis = "none: one unit" if len(values) <= 1 else "none (n_boot=0)"
        out[key if isinstance(key, tuple) else (key,)] = (point, samples, len(idx), n_docs, len(values), basis)
    return cols, out


def topic_prevalence(model: TopicModel, *, by: str | Sequence[str] | None = NOT_GIVEN, resample: str = "document",
                     n_boot: int = 1000, ci: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Mean topic share per group, weighted by unit length, with a bootstrap interval: a description.

    The interval resamples the group's documents with replacement (a cluster
    bootstrap; ``resample="unit"`` resamples its paragraphs, as if they were
    independent), seeded per group, and uses the expanded percentile interval
    (Hesterberg 2015). A group with one document can only resample its
    paragraphs: ``interval_basis`` says so and ``single_document`` flags it.
    The interval treats the estimated topic shares as fixed and adjusts for
    nothing: it describes the groups. For inference about groups, adjusted for
    other covariates and carrying the uncertainty of the topic shares, use
    :func:`estimate_effects`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``topic`` (from 1), ``prevalence`` (shares of a group
        sum to 1), ``low``, ``high``, ``n_units``, ``n_docs``,
        ``single_document``, ``interval_basis`` and ``stable`` (the topic's
        stability flag; NA if not assessed).
    """
    by = default_by(by, model.units_, "topic_prevalence")
    cols, samples = _prevalence_samples(model, by, n_boot, random_state, resample)
    rows = []
    for key, (point, boot, n_units, n_docs, n_clusters, basis) in samples.items():
        low, high = (percentile_interval(boot, ci=ci, n_clusters=n_clusters) if boot is not None
                     else (np.full(model.k, np.nan), np.full(model.k, np.nan)))
        for t in range(model.k):
            rows.append((*key, t + 1, point[t], low[t], high[t], n_units, n_docs, n_docs == 1, basis))
    table = pd.DataFrame(rows, columns=cols + ["topic", "prevalence", "low", "high", "n_units", "n_docs",
                                               "single_document", "interval_basis"])
    return model._with_stability(table)


def topic_prevalence_difference(model: TopicModel, *, by: str | Sequence[str] = NOT_GIVEN, target=None,
                                reference=None, groups: tuple | None = None, resample: str = "document",
                                n_boot: int = 1000, ci: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Difference of topic prevalence between two groups (``target`` minus ``reference``), with its interval.

    ``target`` and ``reference`` name the groups as in :func:`policytext.keyness`;
    ``groups=(target, reference)`` is the way of earlier releases (deprecated).

    Each group is resampled as in :func:`topic_prevalence` (independently);
    the interval is the percentile interval of the differences, expanded for
    the smaller group's number of clusters. Descriptive, like
    :func:`topic_prevalence`; see :func:`estimate_effects` for inference.

    Returns
    -------
    DataFrame
        ``topic``, ``group_a`` and ``group_b`` (the groups compared),
        ``prevalence_a``, ``prevalence_b``, ``difference``, ``low``, ``high``,
        ``excludes_zero`` (the interval does not hold 0), ``interval_basis``
        and ``stable``.
    """
    if groups is not None:
        if target is not None or reference is not None:
            raise TypeError("give target= and reference=, not groups=")
        warn_deprecated("topic_prevalence_difference(groups=(a, b)) is now topic_prevalence_difference(target=a, "
                        "reference=b)")
        target, reference = groups
    if target is None or reference is None:
        raise TypeError("topic_prevalence_difference needs target= and reference= (the two groups compared)")
    by = default_by(by, model.units_, "topic_prevalence_difference")
    if by is None:
        raise TypeError("topic_prevalence_difference needs by= (the column whose groups are compared)")
    cols, samples = _prevalence_samples(model, by, n_boot, random_state, resample)
    a, b = ((g,) if not isinstance(g, tuple) else g for g in (target, reference))
    for g in (a, b):
        if g not in samples:
            raise KeyError(f"group {g} not found for by={by!r}; groups: {list(samples)}")
    (pa, sa, _, _, ca, basis_a), (pb, sb, _, _, cb, basis_b) = samples[a], samples[b]
    diff = pa - pb
    if sa is not None and sb is not None:
        low, high = percentile_interval(sa - sb, ci=ci, n_clusters=min(ca, cb))
    else:
        low = high = np.full(model.k, np.nan)

    def name(g):
        return g[0] if len(g) == 1 else g

    table = pd.DataFrame({"topic": model.topics, "group_a": [name(a)] * model.k, "group_b": [name(b)] * model.k,
                          "prevalence_a": pa, "prevalence_b": pb, "difference": diff, "low": low, "high": high,
                          "excludes_zero": (low > 0) | (high < 0), "interval_basis": f"{basis_a} | {basis_b}"})
    return model._with_stability(table)


# --------------------------------------------------------------------------------------
# Covariate effects (as stm's estimateEffect)
# --------------------------------------------------------------------------------------

def _document_share_draws(model: TopicModel, n_draws: int, rng: np.random.Generator):
    """Draws of every document's topic shares: each unit's shares drawn from its variational
    posterior Dirichlet(gamma), averaged over the document's units weighted by their length."""
    used = model.units_[model.units_["used"]].reset_index(drop=True)
    docs, doc_of_unit = np.unique(used["doc_id"].astype(str).to_numpy(), return_inverse=True)
    weights = used["n_tokens"].to_numpy().astype(float)
    totals = np.bincount(doc_of_unit, weights=weights, minlength=len(docs))
    for _ in range(n_draws):
        g = rng.standard_gamma(model.gamma_)
        theta = g / g.sum(axis=1, keepdims=True)
        shares = np.zeros((len(docs), model.k))
        np.add.at(shares, doc_of_unit, weights[:, None] * theta)
        yield docs, shares / totals[:, None]


def estimate_effects(model: TopicModel, *, covariates: str | Sequence[str] | None = None, reference=None,
                     categorical: str | Sequence[str] = (), per: dict | None = None,
                     fixed_effects: str | Sequence[str] = (), formula: str | None = None, cluster: str | None = None,
                     n_draws: int = 25, n_sims: int = 100, ci: float = 0.95, cov_type: str | None = None,
                     random_state: int = 0) -> pd.DataFrame:
    """Effects of document covariates on topic shares, with the uncertainty of the shares (as stm's estimateEffect).

    For each of ``n_draws`` draws, every unit's topic shares are drawn from
    its variational posterior (Dirichlet with the fitted ``gamma``) and
    aggregated to documents (weighted by unit length); each topic's document
    shares are regressed on the covariates (OLS, statsmodels), and ``n_sims``
    coefficient vectors are drawn from the regression's estimated sampling
    distribution. Pooling the draws of all the regressions (the method of
    composition) gives each effect's estimate (the mean) and interval
    (percentiles), which carry both the sampling of documents and the
    uncertainty of the topic shares.

    Parameters
    ----------
    model : TopicModel
    covariates : str or list of str
        Document-level metadata columns (default ``province``). A text column
        is categorical (treatment coding against a reference level; a missing
        value is the level ``(none)``); a numeric column (``year``, a share)
        is one effect per unit (per ``per[column]`` units). Documents without
        a value of a numeric covariate are left out and listed in
        ``attrs["params"]["documents_left_out"]``.
    reference : str or dict, optional
        The reference level of the first categorical covariate, or
        ``{column: level}``; default: the level with the most documents.
    categorical : str or list of str
        Numeric columns to treat as categories (``year`` as periods).
    per : dict, optional
        Units of a numeric covariate's effect: ``{"year": 10}`` per decade.
    fixed_effects : str or list of str
        Columns whose levels get their own intercept, not reported
        (``province``: effects within provinces).
    formula : str, optional
        The right-hand side of a formula instead of ``covariates``
        (formulaic: ``"cr(year, df=3, constraints='center') + level"``,
        interactions ``a:b``); one row per column of the design.
    cluster : str, optional
        Cluster-robust errors by this column (CRV1); with fewer than about 20
        clusters the note says the intervals tend to be too narrow.
    n_draws, n_sims : int
        Draws of the topic shares, and of the coefficients per regression.
    ci : float
        Coverage of the intervals.
    cov_type : str, optional
        statsmodels covariance of the OLS fits (``"nonrobust"`` by default,
        ``"HC1"`` ..., ``"cluster"`` with ``cluster=``).
    random_state : int

    Returns
    -------
    DataFrame
        One row per topic, covariate and non-reference level (or numeric
        covariate, or formula column): ``topic``, ``covariate``, ``level``
        (``per 10`` for a numeric covariate), ``reference``, ``estimate``
        (difference in the expected document share of the topic against the
        reference, or per ``per`` units), ``low``, ``high``, ``n_docs``,
        ``n_docs_reference``, ``stable``, ``interval_basis`` and ``note``
        (single-document levels, few clusters). The settings are in
        ``attrs["params"]``.
    """
    if n_draws < 1 or n_sims < 1:
        raise ValueError(f"n_draws and n_sims must be at least 1, got {n_draws} and {n_sims}")
    fixed = [fixed_effects] if isinstance(fixed_effects, str) else list(fixed_effects)
    if formula is not None:
        if covariates is not None:
            raise TypeError("give covariates= or formula=, not both (a formula names its covariates)")
        cols = [v for v in formula_variables(formula) if v not in fixed]
    else:
        cols = ["province"] if covariates is None else ([covariates] if isinstance(covariates, str)
                                                        else list(covariates))
    cov_type = cov_type or ("cluster" if cluster is not None else "nonrobust")
    if (cov_type == "cluster") != (cluster is not None):
        raise ValueError("cov_type='cluster' and cluster=<a column> go together")
    carried = list(dict.fromkeys(cols + fixed + ([cluster] if cluster else [])))
    used = model.units_[model.units_["used"]]
    missing = [c for c in carried if c not in used.columns]
    if missing:
        raise KeyError(f"covariate(s) {missing} are not metadata of the model's units; columns: "
                       f"{[c for c in used.columns if c not in ('n_tokens', 'used')]}")
    units = used[list(dict.fromkeys(["doc_id"] + carried))].assign(doc_id=used["doc_id"].astype(str))
    distinct = units.astype(str).drop_duplicates()
    if distinct["doc_id"].duplicated().any():
        bad = distinct.loc[distinct["doc_id"].duplicated(), "doc_id"].iloc[0]
        raise ValueError(f"document {bad!r} has more than one value of {carried}: covariates must be document-level")
    per_doc = units.drop_duplicates("doc_id").sort_values("doc_id").reset_index(drop=True)
    numeric = [] if formula is not None else numeric_columns(per_doc, cols, categorical)
    per = dict(per or {})
    wrong = [c for c in per if c not in numeric]
    if wrong:
        raise ValueError(f"per= scales numeric covariates only; {wrong} is not a numeric covariate")
    strict = numeric if formula is None else cols
    left_out = sorted(per_doc.loc[per_doc[strict].isna().any(axis=1), "doc_id"]) if strict else []
    keep_docs = ~per_doc["doc_id"].isin(set(left_out))
    categorical_cols = [c for c in cols if c not in numeric] if formula is None else []
    for col in categorical_cols + fixed:
        per_doc[col] = per_doc[col].astype("object").where(per_doc[col].notna(), NONE_LEVEL).astype(str)
    fit_docs = per_doc[keep_docs].reset_index(drop=True)
    references = reference_levels(fit_docs, categorical_cols, reference) if categorical_cols else {}
    fixed_refs = reference_levels(fit_docs, fixed, None) if fixed else {}
    if formula is not None:
        design = formula_design(fit_docs, formula, fixed_effects=fixed, references=fixed_refs)
    else:
        design = build_design(fit_docs, covariates=cols, references={**references, **fixed_refs}, numeric=numeric,
                              fixed_effects=fixed)
    X = design.X
    if len(fit_docs) <= X.shape[1]:
        single = [c for c in categorical_cols + fixed if fit_docs[c].value_counts().max() == 1]
        hint = (f"; one document per {', '.join(single)}: group by a coarser column (region, level)"
                if single else "")
        raise NotEstimable(f"{len(fit_docs)} documents for {X.shape[1]} parameters: too few to estimate effects{hint}")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise NotEstimable("the covariates are collinear (a column is a combination of others): not estimable")
    groups = fit_docs[cluster].astype(str).to_numpy() if cluster else None
    rng = np.random.default_rng(random_state)
    pooled = np.empty((model.k, n_draws * n_sims, X.shape[1]))
    means = np.zeros((model.k, X.shape[1]))
    for d, (docs, shares) in enumerate(_document_share_draws(model, n_draws, rng)):
        if d == 0 and not np.array_equal(docs, per_doc["doc_id"].to_numpy()):
            raise RuntimeError("documents of the shares and of the covariates disagree")
        shares = shares[keep_docs.to_numpy()]
        for t in range(model.k):
            params, cov = ols(shares[:, t], X, cov_type=cov_type, groups=groups)
            means[t] += params / n_draws
            pooled[t, d * n_sims:(d + 1) * n_sims] = rng.multivariate_normal(params, cov, size=n_sims,
                                                                              method="eigh")
    alpha = (1 - ci) / 2
    stable = model.stability_flags().set_index("topic")["stable"]
    basis = ("documents: OLS of document topic shares" + (f" with {' and '.join(fixed)} fixed effects" if fixed else "")
             + (f", errors clustered by {cluster}" if cluster else "")
             + f", method of composition over {n_draws} draws of the shares")
    common = []
    if cluster and fit_docs[cluster].nunique() < 20:
        common.append(f"cluster-robust errors from {fit_docs[cluster].nunique()} clusters (fewer than about 20): "
                      "intervals tend to be too narrow")
    if left_out:
        common.append(f"{len(left_out)} document(s) without a value of {strict} left out")
    rows = []
    for j in design.reported:
        col, lvl, kind = design.covariates[j], design.levels[j], design.kinds[j]
        scale = float(per.get(col, 1.0)) if kind == "slope" else 1.0
        notes = list(common)
        if kind == "level":
            n_lvl = int((fit_docs[col] == lvl).sum())
            n_ref = int((fit_docs[col] == references[col]).sum())
            ref = references[col]
            if n_lvl == 1:
                notes.append("one document: its effect rests on one document and the residual spread of the others")
            if n_ref == 1:
                notes.append("the reference has one document")
        else:
            n_lvl, n_ref, ref = len(fit_docs), np.nan, "(slope)" if kind == "slope" else ""
            lvl = f"per {scale:g}" if kind == "slope" else lvl
        for t in range(model.k):
            low, high = np.quantile(pooled[t, :, j] * scale, [alpha, 1 - alpha])
            rows.append((t + 1, col, lvl, ref, means[t, j] * scale, low, high, n_lvl, n_ref, stable[t + 1], basis,
                         "; ".join(notes)))
    out = pd.DataFrame(rows, columns=["topic", "covariate", "level", "reference", "estimate", "low", "high", "n_docs",
                                      "n_docs_reference", "stable", "interval_basis", "note"])
    out["stable"] = out["stable"].astype("boolean")
    _attrs.set_params(out, "effects", {"covariates": cols, "reference": references, "n_draws": n_draws,
                                       "n_sims": n_sims, "ci": ci, "cov_type": cov_type, "random_state": random_state,
                                       "numeric": numeric, "per": per, "fixed_effects": fixed, "formula": formula,
                                       "cluster": cluster, "documents_left_out": left_out,
                                       "t_quantile_df": int(len(fit_docs) - X.shape[1])})
    return out
