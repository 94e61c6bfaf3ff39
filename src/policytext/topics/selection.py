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

__all__ = ["lda_sweep", "recommend_k", "chosen_k", "topic_stability", "document_completion", "exclusivity", "CRITERIA",
           "MAX_UNSTABLE_SHARE"]

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
#: The largest share of a model's topics that may be unstable for its k to be recommended.
MAX_UNSTABLE_SHARE = 0.25


def _ratio_se(loglik: np.ndarray, words: np.ndarray) -> float:
    """Standard error of a per-word log-likelihood ``sum(loglik) / sum(words)`` over held-out units
    (the delta method for a ratio of sums, each unit one observation)."""
    m = len(loglik)
    if m < 2:
        return float("nan")
    ratio = loglik.sum() / words.sum()
    residual = loglik - ratio * words
    return float(np.sqrt(m / (m - 1) * (residual ** 2).sum()) / words.sum())


def recommend_k(table: pd.DataFrame) -> tuple[int | None, str, str]:
    """The k that :func:`lda_sweep`'s rule recommends from a table of criteria, the reason and the rule.

    Stability first, then the one-standard-error rule (see :func:`lda_sweep`).
    ``table`` has ``k``, ``heldout_loglik``, ``heldout_se`` and, when
    stability was measured, ``unstable_topics`` and ``unstable_share``
    (as :func:`lda_sweep` returns it; or your own). The k is None when no k
    passes.

    Examples
    --------
    >>> table = pd.DataFrame({"k": [5, 10, 15], "heldout_loglik": [-7.00, -6.96, -6.90],
    ...                       "heldout_se": [0.05, 0.05, 0.05], "unstable_topics": [0, 2, 9]})
    >>> table["unstable_share"] = table["unstable_topics"] / table["k"]
    >>> recommend_k(table)[0]   # 15 is best but unstable; 5 is within one error of 10
    5
    """
    stable = table["unstable_share"] <= MAX_UNSTABLE_SHARE if "unstable_share" in table else None
    eligible = table if stable is None else table[stable]
    gate = ("every k (stability was not measured: give stability_seeds)" if stable is None else
            f"the k whose unstable topics are at most {MAX_UNSTABLE_SHARE:.0%} of their topics")
    if table["heldout_loglik"].notna().any():
        rule = (f"among {gate}, the smallest k whose held-out log-likelihood is within one standard error of "
                "the best of them")
    else:
        rule = f"among {gate}, the k with the best c_npmi coherence (no held-out units to score)"
    if eligible.empty:
        least = table.sort_values(["unstable_share", "k"], kind="stable").iloc[0]
        return None, (f"no k of the grid {table['k'].tolist()} gives stable topics: at best "
                      f"{int(least['unstable_topics'])} of k = {int(least['k'])} topics are unstable; no k is "
                      "recommended (try fewer topics, more units, or paragraphs as units)"), rule
    if eligible["heldout_loglik"].notna().any():
        best = eligible.loc[eligible["heldout_loglik"].idxmax()]
        floor = best["heldout_loglik"] - (0.0 if np.isnan(best["heldout_se"]) else best["heldout_se"])
        pick = eligible[eligible["heldout_loglik"] >= floor].sort_values("k").iloc[0]
        reason = (f"{rule}: the best is k = {int(best['k'])} ({best['heldout_loglik']:.4f} ± "
                  f"{best['heldout_se']:.4f} per word); k = {int(pick['k'])} is within it")
    elif "c_npmi" in eligible and eligible["c_npmi"].notna().any():
        pick = eligible.sort_values(["c_npmi", "k"], ascending=[False, True], kind="stable").iloc[0]
        reason = f"{rule}: c_npmi {pick['c_npmi']:.3f}"
    else:
        pick = eligible.sort_values("k").iloc[0]
        reason = f"{rule}: no criterion could be computed, the smallest such k"
    if stable is not None:
        reason += f", {int(pick['unstable_topics'])} of its {int(pick['k'])} topics unstable"
    return int(pick["k"]), reason, rule


def chosen_k(sweep: pd.DataFrame, *, k: int | None = None) -> tuple[int, str]:
    """The k to fit after a sweep, and a sentence saying who chose it and why.

    ``k`` given: that k (the user's choice, beside what the rule says).
    Otherwise the sweep's recommended k. When the sweep recommends no k
    (no k of the grid gives stable topics), the least unstable k (the
    smaller on ties) is returned, and the sentence says it is not
    recommended.

    Examples
    --------
    >>> sweep = pd.DataFrame({"k": [5, 10], "unstable_share": [0.4, 0.6], "recommended": [False, False]})
    >>> chosen_k(sweep)[0], chosen_k(sweep, k=10)[0]
    (5, 10)
    """
    picked = sweep.loc[sweep["recommended"].astype(bool), "k"]
    said = (f"the rule recommends k = {int(picked.iloc[0])}" if len(picked) else
            sweep.attrs.get("no_recommendation", "the rule recommends no k of the grid"))
    if k is not None:
        return int(k), f"k = {int(k)}, given by the user ({said})"
    if len(picked):
        return int(picked.iloc[0]), f"k = {int(picked.iloc[0])}, recommended by the sweep's rule"
    order = ["unstable_share", "k"] if "unstable_share" in sweep else ["k"]
    least = int(sweep.sort_values(order, kind="stable")["k"].iloc[0])
    return least, f"k = {least}, the least unstable k of the grid, shown although it is not recommended: {said}"


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

    The rule. A k whose topics are mostly unstable is not recommended,
    however well it predicts: held-out likelihood and exclusivity tend to
    rise with k, so a rule that ranks them picks the largest k of any grid.
    Among the k whose unstable topics are at most
    :data:`MAX_UNSTABLE_SHARE` (a quarter) of their topics, the
    recommended k is the smallest whose held-out log-likelihood per word is
    within one standard error of the best of them (the one-standard-error
    rule; the error treats each held-out unit as one observation). When no k
    of the grid passes, nothing is recommended: every row has
    ``recommended`` False, the reason is in ``attrs["no_recommendation"]``
    and logged, and :func:`chosen_k` says what to fit instead. stm's
    ``searchK`` is the anchor: it shows the criteria and recommends nothing;
    this rule adds a stated default that a reader can check in the table.
    When the recommended k is the smallest or the largest of the grid, the
    reason says so and a warning is logged: the best k may lie outside it.
    Coherence, exclusivity and stability are shown beside it.

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
        One row per k: ``k``, ``heldout_loglik``, ``heldout_se`` (its
        standard error), ``perplexity``, ``heldout_unknown``, the coherence
        measures, ``exclusivity``, ``stability``, ``unstable_topics``,
        ``unstable_share``, ``recommended`` (True on one row, or on none),
        ``at_edge`` and ``reason``. The rule is in ``attrs["rule"]``.
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
    sizes = np.array([len(p) for _, p in heldout], dtype=float)
    table["heldout_se"] = [_ratio_se(results[(k, seeds[0])]["loglik"], sizes) if heldout else float("nan")
                           for k in ks]
    if "unstable_topics" in table:
        table["unstable_share"] = table["unstable_topics"] / table["k"]
    pick, reason, rule = recommend_k(table)
    table["recommended"] = table["k"] == pick if pick is not None else False
    table["at_edge"] = table["recommended"] & table["k"].isin([min(ks), max(ks)]) & (len(ks) > 2)
    if pick is not None and bool(table.loc[table["recommended"], "at_edge"].iloc[0]):
        side = "largest" if pick == max(ks) else "smallest"
        reason += (f"; k = {pick} is the {side} k of the grid {ks}: the best k may lie outside it, "
                   "widen the grid")
        logger.warning("lda_sweep: the recommended k = %d is at the edge of the grid %s; widen the grid", pick, ks)
    elif pick is None:
        logger.warning("lda_sweep: %s", reason)
        table.attrs["no_recommendation"] = reason
    table["reason"] = np.where(table["recommended"], reason, "")
    order = ["k", "heldout_loglik", "heldout_se", "perplexity", "heldout_unknown", *measures, "exclusivity",
             "stability", "unstable_topics", "unstable_share", "recommended", "at_edge", "reason"]
    table = table[[c for c in order if c in table.columns]]
    table.attrs["rule"] = rule
    table.attrs["dropped_ks"] = dropped
    table.attrs["held_out_units"] = int(test.sum())
    table.attrs["engine"] = options["engine"]
    return table
