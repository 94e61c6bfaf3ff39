"""Choosing the number of topics and checking that topics recur: held-out likelihood by document
completion, coherence, exclusivity and stability across seeds.

:func:`lda_sweep` fits every k of a grid (several seeds each, in parallel with
``n_jobs``, cached like every fit) and recommends a k by a stated rule over
several criteria, saying so when the chosen k is at the edge of the grid.
:func:`topic_stability` measures how each topic of a fitted model recurs when
the model is fitted with other seeds; :func:`document_completion` is the
held-out likelihood of new units.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Sequence

import numpy as np
import pandas as pd

from policytext.errors import NotEstimable
from policytext.topics.engines import COMPLETION_ITERATIONS
from policytext.topics.fits import FIT_DEFAULTS, Fits, check_fit_params, completion_loglik
from policytext.topics.model import TopicModel, coherence_per_topic, fitted_models
from policytext._core.deprecation import renamed
from policytext.topics.prepare import TopicUnits, units_and_settings
from policytext.topics.stability import (STABILITY_THRESHOLD, centred, matched_similarity, pairwise_similarity,
                                         stability_table)

__all__ = ["lda_sweep", "topic_stability", "document_completion", "exclusivity", "CRITERIA"]

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------

@renamed(seeds="stability_seeds")

def topic_stability(model: TopicModel, tokens: pd.DataFrame, *, stability_seeds: Sequence[int] = (1, 2, 3, 4),
                    threshold: float = STABILITY_THRESHOLD, n_jobs: int = 1, cache: bool = True, cache_dir=None,
                    progress: bool | None = None) -> pd.DataFrame:
    """How stably each topic of a fitted model recurs when it is fitted again with other seeds.

    The model is refitted on the same tokens with the same settings and each
    of ``stability_seeds`` (the model's own seed is skipped, not refitted). Its topics
    are matched to each refit's topics by their term distributions (Hungarian
    matching on the cosine similarity of each topic's deviation from its
    fit's mean topic: raw distributions of near-uniform, meaningless topics
    would look alike). A topic's ``stability`` is the mean of its matched
    similarities over the refits, so it does not depend on the order of
    ``stability_seeds``; a topic below ``threshold`` is flagged unstable. To keep the
    result with the model (and see it in its labels, terms and prevalence),
    fit with ``fit_lda(..., stability_seeds=...)``.

    Returns
    -------
    DataFrame
        ``topic``, ``stability``, ``min_similarity``, ``stable``, ``label``
        (top terms by probability); in ``attrs["pairwise_stability"]`` the
        mean matched similarity over all pairs of fits (the model and the
        refits), a symmetric summary of the whole solution.
    """
    others = sorted({int(s) for s in stability_seeds} - {model.params_["random_state"]})
    if not others:
        raise ValueError("topic_stability needs at least one seed other than the model's own")
    base, _ = units_and_settings(tokens, {s: model.params_[s] for s in ("unit", "drop_places", "drop_boilerplate")})
    prepared = base.prepared(model.params_)
    fits = Fits(prepared, cache=cache, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
    refits = fitted_models(fits, [{**model.params_, "random_state": s} for s in others], desc=f"stability (k={model.k})")
    return stability_table(model, refits, threshold=threshold)


# --------------------------------------------------------------------------------------
# Held-out likelihood by document completion
# --------------------------------------------------------------------------------------

def _completion_split(words: list[str], known: set) -> tuple[list[str], list[str]]:
    """A unit's in-vocabulary words split in two: even positions observed, odd positions to predict."""
    inside = [w for w in words if w in known]
    return inside[0::2], inside[1::2]


@renamed(seed="random_state")
def document_completion(model: TopicModel, tokens: pd.DataFrame, *, random_state: int = 0) -> pd.DataFrame:
    """Held-out log-likelihood of units by document completion (Wallach et al. 2009).

    Each unit's tokens that are in the model's vocabulary are split in two
    (alternate tokens): its topic shares are inferred from the first half
    (:meth:`TopicModel.infer`: with tomotopy one joint run of 50 Gibbs
    iterations for all the units) and the second half is predicted,
    ``log p(w) = log sum_k theta_k beta_kw`` (natural logarithm). Tokens
    outside the vocabulary are counted, not predicted. Use it on units the
    model was not fitted on.

    Returns
    -------
    DataFrame
        One row per unit with at least two known tokens: ``doc_id`` (and
        ``para_id``), ``n_observed``, ``n_predicted``, ``n_unknown``,
        ``loglik``. The per-word log-likelihood of a set of units is
        ``loglik.sum() / n_predicted.sum()`` and its perplexity
        ``exp(-per-word log-likelihood)``.
    """
    base, _ = units_and_settings(tokens, {s: model.params_[s] for s in ("unit", "drop_places", "drop_boilerplate")})
    known = set(model.vocabulary())
    rows, observed, predicted = [], [], []
    for u in range(len(base)):
        words = base.words(u)  # every word of the unit, nothing trimmed
        first, second = _completion_split(words, known)
        if not first or not second:
            continue
        rows.append((u, len(first), len(second), len(words) - len(first) - len(second)))
        observed.append(first)
        predicted.append(second)
    theta = model.infer(observed, random_state=random_state, iterations=COMPLETION_ITERATIONS, jointly=True)
    loglik = completion_loglik(theta, model.beta(), model.vocabulary(), predicted)
    table = pd.DataFrame(rows, columns=["_u", "n_observed", "n_predicted", "n_unknown"])
    table["loglik"] = loglik
    keys = ["doc_id", "para_id"] if model.params_["unit"] == "paragraph" else ["doc_id"]
    return pd.concat([base.units.loc[table["_u"], keys].reset_index(drop=True), table.drop(columns="_u")], axis=1)


# --------------------------------------------------------------------------------------
# Choosing k
# --------------------------------------------------------------------------------------

def exclusivity(beta: np.ndarray, *, n: int = 10, frex_weight: float = 0.7) -> np.ndarray:
    """Exclusivity of each topic: the summed FREX score of its ``n`` most probable words (as stm's
    ``exclusivity``, used by ``searchK``).

    FREX is the weighted harmonic mean of a word's rank within the topic by
    exclusivity (its probability in the topic over its summed probability in
    all topics) and by frequency (its probability), ranks as shares of the
    vocabulary. Higher means topics whose top words belong to them alone.
    """
    from scipy.stats import rankdata

    k, v = beta.shape
    excl = beta / beta.sum(axis=0, keepdims=True)
    ex_rank = np.vstack([rankdata(row) / v for row in excl])
    fr_rank = np.vstack([rankdata(row) / v for row in beta])
    frex = 1 / (frex_weight / ex_rank + (1 - frex_weight) / fr_rank)
    top = np.argsort(-beta, axis=1, kind="stable")[:, :n]
    return np.array([frex[t, top[t]].sum() for t in range(k)])


def _held_out(units: TopicUnits, share: float, seed: int) -> np.ndarray:
    """Which units are held out: decided by a hash of their content and the seed (not by ids or order)."""
    n = len(units)
    if n < 5 or share <= 0:
        return np.zeros(n, dtype=bool)
    cut = int(share * 2 ** 32)
    out = np.zeros(n, dtype=bool)
    for u in range(n):
        digest = hashlib.sha1(str(seed).encode() + b"\x1e" + units.unit_hashes(u).tobytes()).hexdigest()
        out[u] = int(digest[:8], 16) < cut
    return out


#: The criteria of the recommended k, and whether higher is better.
CRITERIA = {"heldout_loglik": True, "c_npmi": True, "exclusivity": True, "stability": True}


@renamed(topn="n")
def lda_sweep(tokens: pd.DataFrame | TopicUnits, *, ks: Sequence[int], random_state: int = 0, held_out: float = 0.2,
              stability_seeds: Sequence[int] = (1, 2), measures: Sequence[str] = ("c_npmi", "u_mass"),
              n: int = 10, n_jobs: int = 1, cache: bool = True, cache_dir=None, progress: bool | None = None,
              **fit_options) -> pd.DataFrame:
    """Fit LDA for each k and report the criteria for choosing k.

    The units are split once into a training part and a held-out part (by a
    hash of their content and the seed, so not by their ids). The vocabulary
    is trimmed on the training units. For each k the model is fitted on the
    training units and scored by:

    - ``heldout_loglik`` and ``perplexity``: per-word log-likelihood of the
      held-out units by document completion (as :func:`document_completion`;
      natural log; the share of held-out words outside the model's
      vocabulary is ``heldout_unknown``, not predicted) and
      ``exp(-heldout_loglik)``;
    - ``c_npmi`` and ``u_mass`` coherence of each topic's ``n`` words on the
      training units (tomotopy's implementation; one pass over the texts for
      all k at once);
    - ``exclusivity``: mean FREX exclusivity of the topics (as stm's searchK);
    - ``stability``: mean matched similarity of the topics over all pairs of
      fits with ``random_state`` and ``stability_seeds``;
    - ``unstable_topics``: topics of the ``random_state`` fit below the
      stability threshold.

    The recommended k has the best mean rank over the four criteria
    (held-out likelihood, c_npmi, exclusivity, stability; the smaller k on
    ties). When it is the smallest or the largest k of the grid, the reason
    says so and a warning is logged: the best k may lie outside the grid.

    Parameters
    ----------
    ks : sequence of int
        The k values (each at least 2).
    stability_seeds : sequence of int
        The seeds of the refits for ``stability`` (the cost is one more fit per
        seed and k); empty: no stability column.
    n : int
        Top words of each topic scored by coherence and exclusivity (``topn=``
        is its old name).
    measures : sequence of str
        Coherence measures (``c_npmi``, ``u_mass``, ``c_uci``, ``c_v``); c_v is
        not used to choose (it rates random topics highly on small
        vocabularies).
    n_jobs : int
        Processes: the fits run in parallel, each on one thread, each
        reproducible on its own.
    cache, cache_dir
        Read and write the fits in the model cache (see :func:`policytext.fit_lda`).
    progress : bool, optional
        A progress bar over the fits.
    **fit_options
        Options of :func:`policytext.fit_lda` (``engine``, ``unit``,
        ``iterations``, ``drop_places`` ...).

    Returns
    -------
    DataFrame
        One row per k: ``k``, ``heldout_loglik``, ``perplexity``,
        ``heldout_unknown``, the coherence measures, ``exclusivity``,
        ``stability``, ``unstable_topics``, ``mean_rank``, ``recommended``
        (True on one row), ``at_edge`` and ``reason``. The rule is in
        ``attrs["rule"]``.
    """
    ks = sorted({int(k) for k in ks})
    if not ks or min(ks) < 2:
        raise ValueError(f"ks must hold whole numbers of at least 2, got {ks}")
    if not 0 <= held_out < 1:
        raise ValueError(f"held_out must be a share in [0, 1), got {held_out}")
    # the fits run in parallel processes: one thread each unless asked otherwise
    unknown = set(fit_options) - set(FIT_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown option(s) for fit_lda: {sorted(unknown)}")
    everything, settings = units_and_settings(tokens, {s: fit_options.get(s) for s in ("unit", "drop_places",
                                                                                        "drop_boilerplate")})
    options = {**FIT_DEFAULTS, "threads": 1, **fit_options, **settings}
    # every word of the units first (the split must not depend on the vocabulary), then the training part
    test = _held_out(everything, held_out, random_state)
    seeds = [int(random_state)] + sorted({int(s) for s in stability_seeds} - {int(random_state)})
    prepared = everything.prepared({**options, "k": ks[0], "random_state": seeds[0]}, subset=~test)
    n_used = int(prepared.used.sum())
    dropped = [k for k in ks if k >= n_used]
    if dropped:
        ks = [k for k in ks if k < n_used]
        if not ks:
            raise NotEstimable(f"every k of the grid {dropped} needs more training units than the {n_used} there are "
                               "(a topic model needs more units than topics): choose smaller values of k")
        logger.warning("lda_sweep: k = %s left out: the %d training units are too few for so many topics",
                       ", ".join(map(str, dropped)), n_used)
    known = set(prepared.vocabulary)
    heldout, unknown_words, known_words = [], 0, 0
    for u in np.flatnonzero(test):
        words = everything.words(u)
        first, second = _completion_split(words, known)
        unknown_words += len(words) - len(first) - len(second)
        known_words += len(first) + len(second)
        if first and second:
            heldout.append((first, second))
    n_predicted = sum(len(p) for _, p in heldout)

    # the largest fits first, so that parallel workers finish together
    jobs = [check_fit_params({**options, "k": k, "random_state": s}) for k in sorted(ks, reverse=True) for s in seeds]
    fits = Fits(prepared, cache=cache, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
    results = dict(zip([(p["k"], p["random_state"]) for p in jobs],
                       fits.run(jobs, desc="lda sweep", heldout=heldout if heldout else None)))
    rows, tops = [], []
    for k in ks:
        main = results[(k, seeds[0])]
        beta = main["beta"]
        row = {"k": k}
        if heldout:
            row["heldout_loglik"] = float(main["loglik"].sum() / n_predicted)
            row["perplexity"] = float(np.exp(-row["heldout_loglik"]))
        else:
            row["heldout_loglik"] = row["perplexity"] = float("nan")
        row["heldout_unknown"] = unknown_words / max(1, unknown_words + known_words)
        row["exclusivity"] = float(exclusivity(beta, n=n).mean())
        if len(seeds) > 1:
            betas = [results[(k, s)]["beta"] for s in seeds]
            row["stability"] = pairwise_similarity(betas)
            mine = np.vstack([matched_similarity(centred(betas[0]), centred(b)) for b in betas[1:]]).mean(axis=0)
            row["unstable_topics"] = int((mine < STABILITY_THRESHOLD).sum())
        rows.append(row)
        tops.append([[prepared.vocabulary[j] for j in np.argsort(-beta[t], kind="stable")[:n]]
                     for t in range(k)])
    table = pd.DataFrame(rows)
    owner = np.repeat(np.arange(len(ks)), ks)
    scores = coherence_per_topic(prepared, [t for topics in tops for t in topics], list(measures), n)
    for measure in measures:
        per_topic = scores[measure]
        values = []
        for i in range(len(ks)):
            finite = per_topic[(owner == i) & np.isfinite(per_topic)]
            values.append(float(finite.mean()) if len(finite) else float("nan"))
        if np.isnan(values).any():
            logger.warning("coherence %s could not be computed for some k", measure)
        table[measure] = values
    criteria = [c for c in CRITERIA if c in table.columns and table[c].notna().any()]
    ranks = pd.DataFrame({c: table[c].rank(ascending=not CRITERIA[c], method="average") for c in criteria})
    table["mean_rank"] = ranks.mean(axis=1)
    best = table.sort_values(["mean_rank", "k"], kind="stable").iloc[0]
    table["recommended"] = table["k"] == best["k"]
    table["at_edge"] = table["recommended"] & table["k"].isin([min(ks), max(ks)]) & (len(ks) > 2)
    rule = (f"the k with the best mean rank over {', '.join(criteria)} (higher is better for each; ties: the "
            "smaller k)")
    reason = f"{rule}: mean rank {best['mean_rank']:.2f} of {len(ks)} values of k"
    if bool(table.loc[table["recommended"], "at_edge"].iloc[0]):
        side = "largest" if best["k"] == max(ks) else "smallest"
        reason += (f"; k = {int(best['k'])} is the {side} k of the grid {ks}: the best k may lie outside it, "
                   "widen the grid")
        logger.warning("lda_sweep: the recommended k = %d is at the edge of the grid %s; widen the grid", best["k"], ks)
    table["reason"] = np.where(table["recommended"], reason, "")
    order = ["k", "heldout_loglik", "perplexity", "heldout_unknown", *measures, "exclusivity", "stability",
             "unstable_topics", "mean_rank", "recommended", "at_edge", "reason"]
    table = table[[c for c in order if c in table.columns]]
    table.attrs["rule"] = rule
    table.attrs["dropped_ks"] = dropped
    table.attrs["held_out_units"] = int(test.sum())
    table.attrs["engine"] = options["engine"]
    return table
