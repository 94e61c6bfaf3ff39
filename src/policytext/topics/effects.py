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
from policytext.errors import NotEstimable
from policytext._core.tables import group_keys
from policytext._core.stats import group_rng, ols, percentile_interval, reference_levels, resample_sums, treatment_design
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


def estimate_effects(model: TopicModel, *, covariates: str | Sequence[str] = "province", reference=None,
                     n_draws: int = 25, n_sims: int = 100, ci: float = 0.95, cov_type: str = "nonrobust",
                     random_state: int = 0) -> pd.DataFrame:
    """Effects of document covariates on topic shares, with the uncertainty of the shares (as stm's estimateEffect).

    For each of ``n_draws`` draws, every unit's topic shares are drawn from
    its variational posterior (Dirichlet with the fitted ``gamma``) and
    aggregated to documents (weighted by unit length); each topic's document
    shares are regressed on the covariates (OLS, statsmodels, treatment
    coding against a reference level), and ``n_sims`` coefficient vectors are
    drawn from the regression's estimated sampling distribution. Pooling the
    draws of all the regressions (the method of composition) gives each
    effect's estimate (the mean) and interval (percentiles), which carry both
    the sampling of documents and the uncertainty of the topic shares.

    Parameters
    ----------
    model : TopicModel
    covariates : str or list of str
        Document-level metadata columns (categorical; a missing value is the
        level ``(none)``).
    reference : str or dict, optional
        The reference level of the first covariate, or ``{column: level}``;
        default: the level with the most documents.
    n_draws, n_sims : int
        Draws of the topic shares, and of the coefficients per regression.
    ci : float
        Coverage of the intervals.
    cov_type : str
        statsmodels covariance of the OLS fits (``"nonrobust"``, ``"HC1"`` ...).
    random_state : int

    Returns
    -------
    DataFrame
        One row per topic, covariate and non-reference level: ``topic``,
        ``covariate``, ``level``, ``reference``, ``estimate`` (difference in
        the expected document share of the topic against the reference),
        ``low``, ``high``, ``n_docs``, ``n_docs_reference``, ``stable``,
        ``interval_basis`` and ``note`` (single-document levels). The
        settings are in ``attrs["params"]``.
    """
    cols = [covariates] if isinstance(covariates, str) else list(covariates)
    if n_draws < 1 or n_sims < 1:
        raise ValueError(f"n_draws and n_sims must be at least 1, got {n_draws} and {n_sims}")
    used = model.units_[model.units_["used"]]
    missing = [c for c in cols if c not in used.columns]
    if missing:
        raise KeyError(f"covariate(s) {missing} are not metadata of the model's units; columns: "
                       f"{[c for c in used.columns if c not in ('n_tokens', 'used')]}")
    _, keys = group_keys(used.reset_index(drop=True), cols)
    per_doc = keys.assign(doc_id=used["doc_id"].astype(str).to_numpy()).drop_duplicates("doc_id")
    if per_doc["doc_id"].duplicated().any():
        raise ValueError(f"covariates {cols} must be document-level")
    per_doc = per_doc.sort_values("doc_id").reset_index(drop=True)
    references = reference_levels(per_doc, cols, reference)
    X, names = treatment_design(per_doc, cols, references)
    if len(per_doc) <= X.shape[1]:
        raise NotEstimable(f"{len(per_doc)} documents for {X.shape[1]} parameters: too few to estimate effects")
    rng = np.random.default_rng(random_state)
    pooled = np.empty((model.k, n_draws * n_sims, X.shape[1]))
    means = np.zeros((model.k, X.shape[1]))
    for d, (docs, shares) in enumerate(_document_share_draws(model, n_draws, rng)):
        if d == 0 and not np.array_equal(docs, per_doc["doc_id"].to_numpy()):
            raise RuntimeError("documents of the shares and of the covariates disagree")
        for t in range(model.k):
            params, cov = ols(shares[:, t], X, cov_type=cov_type)
            means[t] += params / n_draws
            pooled[t, d * n_sims:(d + 1) * n_sims] = rng.multivariate_normal(params, cov, size=n_sims,
                                                                              method="eigh")
    alpha = (1 - ci) / 2
    stable = model.stability_flags().set_index("topic")["stable"]
    rows = []
    for j, name in enumerate(names):
        if name == "(intercept)":
            continue
        col, lvl = name
        n_lvl = int((per_doc[col].astype(str) == lvl).sum())
        n_ref = int((per_doc[col].astype(str) == references[col]).sum())
        notes = []
        if n_lvl == 1:
            notes.append("one document: its effect rests on one document and the residual spread of the others")
        if n_ref == 1:
            notes.append("the reference has one document")
        for t in range(model.k):
            low, high = np.quantile(pooled[t, :, j], [alpha, 1 - alpha])
            rows.append((t + 1, col, lvl, references[col], means[t, j], low, high, n_lvl, n_ref, stable[t + 1],
                         "documents: OLS of document topic shares, method of composition over "
                         f"{n_draws} draws of the shares", "; ".join(notes)))
    out = pd.DataFrame(rows, columns=["topic", "covariate", "level", "reference", "estimate", "low", "high", "n_docs",
                                      "n_docs_reference", "stable", "interval_basis", "note"])
    out["stable"] = out["stable"].astype("boolean")
    _attrs.set_params(out, "effects", {"covariates": cols, "reference": references, "n_draws": n_draws,
                                   "n_sims": n_sims, "ci": ci, "cov_type": cov_type, "random_state": random_state,
                                   "t_quantile_df": int(len(per_doc) - X.shape[1])})
    return out
