"""LDA topics with gensim: reproducible, order-independent fits, a defensible choice of k, stability
shown where the topics appear, prevalence by group, and covariate effects with uncertainty.

The only module that imports gensim. Units (paragraphs, or documents) are fed to
the model in an order derived from their content and the vocabulary is numbered
in sorted order, so that renaming or reordering documents does not change a fit;
gensim's single-process ``LdaModel`` with a fixed ``random_state`` makes fits
identical byte for byte, in this process or a new one. Topics are numbered from
1 in every table, figure and the interactive view.

Functions: :func:`fit_lda` (a :class:`TopicModel`, optionally with its stability
across seeds), :func:`lda_sweep` (choosing k: held-out likelihood by document
completion, coherence, exclusivity, stability), :func:`topic_stability`,
:func:`topic_prevalence` (descriptive), :func:`estimate_effects` (regression of
document topic shares on covariates, with the uncertainty of the shares carried
by the method of composition), :func:`document_completion`, :func:`export_ldavis`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ._progress import progress_bar
from .counting import document_metadata, group_keys, in_text_order
from .inference import group_rng, percentile_interval, resample_sums

__all__ = ["TopicModel", "fit_lda", "lda_sweep", "topic_prevalence", "topic_prevalence_difference",
           "topic_stability", "estimate_effects", "document_completion", "export_ldavis", "RESAMPLE"]

logger = logging.getLogger(__name__)

_DEFAULTS = {"unit": "paragraph", "passes": 10, "iterations": 200, "alpha": "symmetric", "eta": None,
             "no_below": 2, "no_above": 0.5, "keep_n": 20000, "chunksize": 2000, "drop_places": False,
             "drop_boilerplate": False}

#: Mean matched similarity below which a topic is flagged unstable.
STABILITY_THRESHOLD = 0.7


# --------------------------------------------------------------------------------------
# Units, their order and the vocabulary
# --------------------------------------------------------------------------------------

def _vocabulary_tokens(tokens: pd.DataFrame, drop_places: bool, drop_boilerplate: bool) -> pd.DataFrame:
    """The tokens the topic model sees: without place names and genre boilerplate, if asked."""
    if not (drop_places or drop_boilerplate):
        return tokens
    drop: set[str] = set()
    if drop_places:
        from .places import place_names

        drop |= set(place_names()["name"])
    if drop_boilerplate:
        from . import loading

        drop |= set(loading.read_wordlist(loading.data_path("stopwords", "policy_boilerplate.txt")))
        drop |= set(loading.read_wordlist(loading.data_path("stopwords", "topic_boilerplate.txt")))
    keep = ~tokens["token"].astype("object").isin(drop).to_numpy()
    logger.info("topic vocabulary: %d of %d tokens left out (places=%s, boilerplate=%s)", int((~keep).sum()),
                len(tokens), drop_places, drop_boilerplate)
    return tokens[keep]


def _units(tokens: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, list[list[str]]]:
    """Units (paragraphs or documents) sorted by document and unit, their metadata, and their tokens."""
    if unit not in ("paragraph", "document"):
        raise ValueError(f"unit must be 'paragraph' or 'document', got {unit!r}")
    ordered = in_text_order(tokens)
    keys = ["doc_id", "para_id"] if unit == "paragraph" else ["doc_id"]
    ordered = ordered.assign(doc_id=ordered["doc_id"].astype(str))
    grouped = ordered.groupby(keys, sort=True, observed=True)
    texts = [g["token"].astype(str).tolist() for _, g in grouped]
    meta_cols = [c for c in tokens.columns if c not in ("para_id", "position", "token", "pos")]
    units = grouped[meta_cols].first().reset_index(drop=True) if meta_cols else grouped.size().reset_index()[keys]
    if unit == "paragraph":
        units.insert(1, "para_id", [k[1] for k in grouped.groups.keys()])
    units["doc_id"] = units["doc_id"].astype(str)
    meta = document_metadata(tokens)
    if meta is not None:  # the documents' metadata kept with the tokens
        extra = [c for c in meta.columns if c not in units.columns]
        units = units.merge(meta[["doc_id", *extra]].assign(doc_id=meta["doc_id"].astype(str)), on="doc_id",
                            how="left")
    return units.reset_index(drop=True), texts


def _content_key(text: list[str]) -> str:
    return hashlib.sha1("\x1f".join(text).encode("utf-8")).hexdigest()


def _content_order(texts: list[list[str]]) -> np.ndarray:
    """An order of the units that depends on their content only (not on their ids or input order)."""
    keys = [_content_key(t) for t in texts]
    return np.array(sorted(range(len(texts)), key=lambda i: (keys[i], len(texts[i]))), dtype=int)


def _dictionary(texts, no_below, no_above, keep_n):
    """A gensim Dictionary of the trimmed vocabulary, its ids in sorted term order."""
    from gensim.corpora import Dictionary

    full = Dictionary(texts)
    n_docs = full.num_docs
    # no_below counts units; on a tiny corpus keep what occurs at least once
    full.filter_extremes(no_below=min(no_below, max(1, n_docs // 10)), no_above=no_above if n_docs > 10 else 1.0,
                         keep_n=keep_n)
    terms = sorted(full.token2id)
    old = full.token2id
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(terms)}
    dictionary.id2token = {}
    dictionary.dfs = {i: full.dfs[old[t]] for i, t in enumerate(terms)}
    dictionary.cfs = {i: full.cfs[old[t]] for i, t in enumerate(terms)}
    dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = full.num_docs, full.num_pos, full.num_nnz
    return dictionary


def _fit_model(bows: list, dictionary, k: int, random_state: int, params: dict):
    """gensim LdaModel on the bags of words, in the order given (a content order)."""
    from gensim.models import LdaModel

    if not bows:
        raise ValueError("no unit keeps a token after vocabulary trimming: lower no_below or raise no_above")
    return LdaModel(corpus=bows, id2word=dictionary, num_topics=k, random_state=random_state,
                    passes=params["passes"], iterations=params["iterations"], alpha=params["alpha"],
                    eta=params["eta"], chunksize=params["chunksize"], eval_every=None, minimum_probability=0.0)


def _infer(model, bows: list, seed: int) -> np.ndarray:
    """Variational Dirichlet parameters (gamma) of each bag of words, with the model's RNG reset first,
    so that the result does not depend on what was inferred before."""
    if not bows:
        return np.empty((0, model.num_topics))
    model.random_state = np.random.RandomState(seed)
    gamma, _ = model.inference(bows)
    return np.asarray(gamma, dtype=float)


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------

class TopicModel:
    """A fitted LDA model with its vocabulary, units and configuration.

    Topics are numbered from 1 in every table.

    Attributes
    ----------
    model_ : gensim.models.LdaModel
    dictionary_ : gensim.corpora.Dictionary
        Ids in sorted term order.
    units_ : DataFrame
        One row per unit: ``doc_id`` (and ``para_id``), metadata, ``n_tokens``
        (tokens in the vocabulary) and ``used`` (False for a unit left empty by
        vocabulary trimming: it has no topic shares).
    gamma_ : ndarray
        Variational Dirichlet parameters of the used units (rows in the order
        of ``units_[units_.used]``): the posterior of their topic shares.
    theta_ : ndarray
        Their topic shares, ``gamma_`` normalised (rows sum to 1).
    params_ : dict
        Every setting of the fit, ``k`` and ``random_state`` included.
    stability_ : DataFrame or None
        Per topic: ``topic``, ``stability`` (mean matched similarity to the
        fits with other seeds), ``min_similarity``, ``stable``; None if the
        fit was not checked (``fit_lda(stability_seeds=...)``).
    """

    def __init__(self, model, dictionary, units: pd.DataFrame, gamma: np.ndarray, params: dict,
                 stability: pd.DataFrame | None = None):
        self.model_ = model
        self.dictionary_ = dictionary
        self.units_ = units
        self.gamma_ = np.asarray(gamma, dtype=float)
        self.theta_ = self.gamma_ / self.gamma_.sum(axis=1, keepdims=True) if len(self.gamma_) else self.gamma_
        self.params_ = params
        self.stability_ = stability

    @property
    def k(self) -> int:
        return self.params_["k"]

    @property
    def topics(self) -> np.ndarray:
        """The topic numbers, 1 to k."""
        return np.arange(1, self.k + 1)

    def __repr__(self):
        return (f"TopicModel(k={self.k}, random_state={self.params_['random_state']}, "
                f"unit={self.params_['unit']!r}, units={int(self.units_['used'].sum())}, "
                f"vocabulary={len(self.dictionary_)})")

    def beta(self) -> np.ndarray:
        """Topic-term probabilities, topics x terms (rows sum to 1), in dictionary order."""
        return self.model_.get_topics()

    def vocabulary(self) -> list[str]:
        """The terms, in dictionary (sorted) order."""
        id2token = {i: t for t, i in self.dictionary_.token2id.items()}
        return [id2token[i] for i in range(len(id2token))]

    def stability_flags(self) -> pd.DataFrame:
        """``topic``, ``stability`` and ``stable`` (NA where stability was not assessed)."""
        if self.stability_ is None:
            return pd.DataFrame({"topic": self.topics, "stability": np.nan,
                                 "stable": pd.array([pd.NA] * self.k, dtype="boolean")})
        return self.stability_[["topic", "stability", "stable"]].astype({"stable": "boolean"})

    def _with_stability(self, table: pd.DataFrame) -> pd.DataFrame:
        return table.merge(self.stability_flags()[["topic", "stable"]], on="topic", how="left")

    # -- tidy tables ---------------------------------------------------------------------
    def topic_terms(self, n: int | None = None) -> pd.DataFrame:
        """``topic, term, beta, stable``: each topic's terms by probability (``stable`` NA if not assessed)."""
        beta = self.beta()
        terms = np.array(self.vocabulary(), dtype=object)
        order = np.argsort(-beta, axis=1, kind="stable")
        if n is not None:
            order = order[:, :n]
        rows = [(t + 1, terms[j], float(beta[t, j])) for t in range(self.k) for j in order[t]]
        return self._with_stability(pd.DataFrame(rows, columns=["topic", "term", "beta"]))

    def unit_topics(self) -> pd.DataFrame:
        """One row per used unit and topic: the unit's columns, ``topic``, ``gamma`` (its share; sums to 1 per unit)."""
        used = self.units_[self.units_["used"]].reset_index(drop=True)
        table = used.loc[np.repeat(np.arange(len(used)), self.k)].reset_index(drop=True)
        table["topic"] = np.tile(self.topics, len(used))
        table["gamma"] = self.theta_.ravel()
        return table

    def document_topics(self) -> pd.DataFrame:
        """``doc_id, topic, gamma``: a document's topic shares, its units' shares weighted by their length."""
        table = self.unit_topics()
        table["_w"] = table["gamma"] * table["n_tokens"]
        out = table.groupby(["doc_id", "topic"], sort=True)["_w"].sum().rename("gamma").reset_index()
        out["gamma"] = out["gamma"] / out.groupby("doc_id")["gamma"].transform("sum")
        return out

    def labels(self, n: int = 8, *, lambda_: float = 0.6) -> pd.DataFrame:
        """Top terms of each topic by probability and by relevance, with the topic's stability.

        Relevance (Sievert and Shirley 2014) is ``λ log p(w|t) + (1 - λ) log
        (p(w|t) / p(w))``: with λ below 1, words common to every topic give
        way to words that set the topic apart.

        Returns
        -------
        DataFrame
            ``topic``, ``by_probability`` and ``by_relevance`` (terms joined by
            " · "), ``stability`` and ``stable`` (NA if not assessed), one row
            per topic.
        """
        beta = self.beta()
        weights = self.units_.loc[self.units_["used"], "n_tokens"].to_numpy()[:, None] * self.theta_
        p_topic = weights.sum(axis=0) / weights.sum()
        p_term = p_topic @ beta
        with np.errstate(divide="ignore"):
            relevance = lambda_ * np.log(beta) + (1 - lambda_) * np.log(beta / p_term)
        terms = self.vocabulary()
        rows = []
        for t in range(self.k):
            by_p = [terms[j] for j in np.argsort(-beta[t], kind="stable")[:n]]
            by_r = [terms[j] for j in np.argsort(-relevance[t], kind="stable")[:n]]
            rows.append((t + 1, " · ".join(by_p), " · ".join(by_r)))
        table = pd.DataFrame(rows, columns=["topic", "by_probability", "by_relevance"])
        return table.merge(self.stability_flags(), on="topic", how="left")

    # -- persistence ------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save model, vocabulary, units, posteriors, stability and configuration into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model_.save(str(folder / "lda.gensim"))
        self.dictionary_.save(str(folder / "dictionary.gensim"))
        self.units_.to_pickle(folder / "units.pkl")
        np.save(folder / "gamma.npy", self.gamma_)
        if self.stability_ is not None:
            self.stability_.to_csv(folder / "stability.csv", index=False)
        (folder / "params.json").write_text(json.dumps(self.params_, ensure_ascii=False, indent=1), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TopicModel":
        """Load a model saved with :meth:`save`."""
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        folder = Path(folder)
        if not (folder / "params.json").is_file():
            raise FileNotFoundError(f"{folder}: not a saved TopicModel (no params.json)")
        stability = pd.read_csv(folder / "stability.csv") if (folder / "stability.csv").is_file() else None
        return cls(LdaModel.load(str(folder / "lda.gensim")), Dictionary.load(str(folder / "dictionary.gensim")),
                   pd.read_pickle(folder / "units.pkl"), np.load(folder / "gamma.npy"),
                   json.loads((folder / "params.json").read_text(encoding="utf-8")), stability)


class _Prepared:
    """Units, their content order, the trimmed vocabulary and the bags of words: built once, fitted many times."""

    def __init__(self, tokens: pd.DataFrame, params: dict):
        tokens = _vocabulary_tokens(tokens, params["drop_places"], params["drop_boilerplate"])
        self.units, self.texts = _units(tokens, params["unit"])
        self.order = _content_order(self.texts)
        self.dictionary = _dictionary([self.texts[i] for i in self.order], params["no_below"], params["no_above"],
                                      params["keep_n"])
        self.bows = [self.dictionary.doc2bow(t) for t in self.texts]
        self.used = np.array([len(b) > 0 for b in self.bows])
        # the used units in content order, and where each sits among the used units in units order
        self.content_used = [i for i in self.order if self.used[i]]
        position = np.full(len(self.texts), -1)
        position[np.flatnonzero(self.used)] = np.arange(int(self.used.sum()))
        self.position = position[self.content_used]
        self.n_tokens = np.array([sum(c for _, c in b) for b in self.bows])

    def fit(self, params: dict):
        """A fitted gensim model and the gamma of the used units (in units order)."""
        model = _fit_model([self.bows[i] for i in self.content_used], self.dictionary, params["k"],
                           params["random_state"], params)
        gamma_content = _infer(model, [self.bows[i] for i in self.content_used], params["random_state"])
        gamma = np.empty_like(gamma_content)
        gamma[self.position] = gamma_content
        return model, gamma

    def model(self, params: dict) -> "TopicModel":
        model, gamma = self.fit(params)
        units = self.units.assign(n_tokens=self.n_tokens, used=self.used)
        return TopicModel(model, self.dictionary, units, gamma, params)


def fit_lda(tokens: pd.DataFrame, *, k: int, random_state: int = 0, unit: str = "paragraph",
            passes: int = 10, iterations: int = 200, alpha="symmetric", eta=None, no_below: int = 2,
            no_above: float = 0.5, keep_n: int = 20000, chunksize: int = 2000, drop_places: bool = False,
            drop_boilerplate: bool = False, stability_seeds: Sequence[int] | None = None,
            threshold: float = STABILITY_THRESHOLD, progress: bool | None = None) -> TopicModel:
    """Fit LDA (gensim) on the units of a tokens table.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize`. Not modified.
    k : int
        Number of topics (at least 2).
    random_state : int
        Seed: the same tokens and seed give the same model, byte for byte,
        whatever the documents are called and in whatever order they come.
    unit : {"paragraph", "document"}
        What LDA sees as a document: paragraphs (default) or whole documents.
    passes, iterations, alpha, eta, chunksize
        gensim ``LdaModel`` options.
    no_below, no_above, keep_n
        Vocabulary trimming: drop terms in fewer than ``no_below`` units or in
        more than the share ``no_above`` of them; keep at most ``keep_n``.
        On a corpus of ten units or fewer nothing is trimmed by share.
    drop_places : bool
        Leave place names out of the vocabulary (:func:`policytext.place_names`).
    drop_boilerplate : bool
        Leave the policy-genre boilerplate out: the stopword layer ``policy``
        and ``data/stopwords/topic_boilerplate.txt`` (建设, 发展, 完成 ... words
        that rank high in most topics of government texts).
    stability_seeds : sequence of int, optional
        Also fit with these seeds and record each topic's stability
        (:func:`topic_stability`) in ``stability_``; the labels, term and
        prevalence tables and the figures then flag unstable topics.
    threshold : float
        Mean matched similarity below which a topic is flagged unstable.
    progress : bool, optional
        Progress bar over the stability fits.

    Returns
    -------
    TopicModel

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 6 + ["b"] * 6, "para_id": [0, 0, 0, 1, 1, 1] * 2,
    ...                      "position": list(range(6)) * 2,
    ...                      "token": ["5G", "基站", "网络", "人才", "培训", "技能"] * 2})
    >>> m = fit_lda(toks, k=2, random_state=1)
    >>> m.document_topics().groupby("doc_id")["gamma"].sum().round(6).tolist()
    [1.0, 1.0]
    >>> m.topics.tolist()
    [1, 2]
    """
    if int(k) < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    params = {"k": int(k), "random_state": int(random_state), "unit": unit, "passes": passes,
              "iterations": iterations, "alpha": alpha, "eta": eta, "no_below": no_below, "no_above": no_above,
              "keep_n": keep_n, "chunksize": chunksize, "drop_places": bool(drop_places),
              "drop_boilerplate": bool(drop_boilerplate)}
    prepared = _Prepared(tokens, params)
    fitted = prepared.model(params)
    if (~prepared.used).any():
        logger.info("%d unit(s) have no token left after vocabulary trimming; they get no topic shares",
                    int((~prepared.used).sum()))
    if stability_seeds:
        fitted.stability_ = _stability(fitted, prepared, seeds=stability_seeds, threshold=threshold,
                                       progress=progress)
    return fitted


# --------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------

def _centred(topics: np.ndarray) -> np.ndarray:
    """Each topic's term probabilities minus its fit's mean topic, scaled to unit length: what sets the
    topic apart (raw distributions of near-uniform, meaningless topics look alike)."""
    dev = topics - topics.mean(axis=0, keepdims=True)
    return dev / np.maximum(np.linalg.norm(dev, axis=1, keepdims=True), 1e-12)


def _matched_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each topic of ``a`` (centred), its similarity to the topic of ``b`` it is matched with
    (Hungarian matching on the cosine similarity)."""
    from scipy.optimize import linear_sum_assignment

    sim = a @ b.T
    rows, cols = linear_sum_assignment(-sim)
    matched = np.empty(len(a))
    matched[rows] = sim[rows, cols]
    return matched


def topic_stability(model: TopicModel, tokens: pd.DataFrame, *, seeds: Sequence[int] = (1, 2, 3, 4),
                    threshold: float = STABILITY_THRESHOLD, progress: bool | None = None) -> pd.DataFrame:
    """How stably each topic of a fitted model recurs when it is fitted again with other seeds.

    The model is refitted on the same tokens with the same settings and each
    of ``seeds`` (the model's own seed is skipped, not refitted). Its topics
    are matched to each refit's topics by their term distributions (Hungarian
    matching on the cosine similarity of each topic's deviation from its
    fit's mean topic: raw distributions of near-uniform, meaningless topics
    would look alike). A topic's ``stability`` is the mean of its matched
    similarities over the refits, so it does not depend on the order of
    ``seeds``; a topic below ``threshold`` is flagged unstable. To keep the
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
    return _stability(model, _Prepared(tokens, model.params_), seeds=seeds, threshold=threshold, progress=progress)


def _stability(model: TopicModel, prepared: _Prepared, *, seeds, threshold, progress) -> pd.DataFrame:
    others = sorted({int(s) for s in seeds} - {model.params_["random_state"]})
    if not others:
        raise ValueError("topic_stability needs at least one seed other than the model's own")
    refits = [model]
    for seed in progress_bar(others, total=len(others), enabled=progress, desc=f"stability (k={model.k})",
                             unit="fit"):
        refits.append(prepared.model({**model.params_, "random_state": seed}))
    centred = [_centred(m.beta()) for m in refits]  # one vocabulary: the same prepared units
    mine = np.vstack([_matched_similarity(centred[0], c) for c in centred[1:]])
    pairs = [float(_matched_similarity(centred[i], centred[j]).mean())
             for i in range(len(centred)) for j in range(i + 1, len(centred))]
    table = pd.DataFrame({"topic": model.topics, "stability": mine.mean(axis=0), "min_similarity": mine.min(axis=0),
                          "stable": mine.mean(axis=0) >= threshold,
                          "label": model.labels(n=5)["by_probability"].to_numpy()})
    table.attrs["pairwise_stability"] = float(np.mean(pairs))
    table.attrs["seeds"] = [model.params_["random_state"], *others]
    return table


# --------------------------------------------------------------------------------------
# Held-out likelihood by document completion
# --------------------------------------------------------------------------------------

def _completion_split(text: list[str], token2id: dict) -> tuple[list[str], list[str]]:
    """The unit's in-vocabulary tokens split in two: even positions observed, odd positions to predict."""
    known = [w for w in text if w in token2id]
    return known[0::2], known[1::2]


def document_completion(model: TopicModel, tokens: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Held-out log-likelihood of units by document completion (Wallach et al. 2009).

    Each unit's tokens that are in the model's vocabulary are split in two
    (alternate tokens): its topic shares are inferred from the first half and
    the second half is predicted, ``log p(w) = log sum_k theta_k beta_kw``
    (natural logarithm). Tokens outside the vocabulary are counted, not
    predicted. Use it on units the model was not fitted on.

    Returns
    -------
    DataFrame
        One row per unit with at least two known tokens: ``doc_id`` (and
        ``para_id``), ``n_observed``, ``n_predicted``, ``n_unknown``,
        ``loglik``. The per-word log-likelihood of a set of units is
        ``loglik.sum() / n_predicted.sum()`` and its perplexity
        ``exp(-per-word log-likelihood)``.
    """
    units, texts = _units(tokens, model.params_["unit"])
    token2id = model.dictionary_.token2id
    beta = model.beta()
    rows, observed = [], []
    for i, text in enumerate(texts):
        first, second = _completion_split(text, token2id)
        if not first or not second:
            continue
        rows.append((i, len(first), len(second), len(text) - len(first) - len(second), second))
        observed.append(model.dictionary_.doc2bow(first))
    gamma = _infer(model.model_, observed, seed)
    theta = gamma / gamma.sum(axis=1, keepdims=True) if len(gamma) else gamma
    out = []
    for (i, n_obs, n_pred, n_unknown, second), th in zip(rows, theta):
        ids = [token2id[w] for w in second]
        loglik = float(np.log(th @ beta[:, ids]).sum())
        out.append((i, n_obs, n_pred, n_unknown, loglik))
    table = pd.DataFrame(out, columns=["_i", "n_observed", "n_predicted", "n_unknown", "loglik"])
    keys = ["doc_id", "para_id"] if model.params_["unit"] == "paragraph" else ["doc_id"]
    return pd.concat([units.loc[table["_i"], keys].reset_index(drop=True), table.drop(columns="_i")], axis=1)


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


def _held_out(texts: list[list[str]], share: float, seed: int) -> np.ndarray:
    """Which units are held out: decided by a hash of their content and the seed (not by ids or order)."""
    if len(texts) < 5 or share <= 0:
        return np.zeros(len(texts), dtype=bool)
    cut = int(share * 2 ** 32)
    return np.array([int(hashlib.sha1(f"{seed}\x1e{_content_key(t)}".encode()).hexdigest()[:8], 16) < cut
                     for t in texts])


#: The criteria of the recommended k, and whether higher is better.
CRITERIA = {"heldout_loglik": True, "c_npmi": True, "exclusivity": True, "stability": True}


def lda_sweep(tokens: pd.DataFrame, *, ks: Sequence[int], random_state: int = 0, held_out: float = 0.2,
              stability_seeds: Sequence[int] = (1, 2), measures: Sequence[str] = ("c_npmi", "u_mass"),
              topn: int = 10, progress: bool | None = None, **fit_options) -> pd.DataFrame:
    """Fit LDA for each k and report the criteria for choosing k.

    The units are split once into a training part and a held-out part (by a
    hash of their content and the seed, so not by their ids). For each k the
    model is fitted on the training units and scored by:

    - ``heldout_loglik`` and ``perplexity``: per-word log-likelihood of the
      held-out units by document completion (:func:`document_completion`;
      natural log; the words outside the model's vocabulary are counted in
      ``heldout_unknown``, not predicted) and ``exp(-heldout_loglik)``;
    - ``c_npmi`` and ``u_mass`` coherence of each topic's ``topn`` words on the
      training units (gensim; one pass over the texts for all k at once);
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
    measures : sequence of str
        Coherence measures of gensim's ``CoherenceModel`` (``c_npmi``,
        ``u_mass``, ``c_v`` ...); c_v is not used to choose (it rates random
        topics highly on small vocabularies).
    progress : bool, optional
        A progress bar over the fits.
    **fit_options
        Options of :func:`fit_lda` (``unit``, ``passes``, ``drop_places`` ...).

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
    options = {**_DEFAULTS, **fit_options}
    unknown = set(options) - set(_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown option(s) for fit_lda: {sorted(unknown)}")
    vocab_tokens = _vocabulary_tokens(tokens, options["drop_places"], options["drop_boilerplate"])
    units, texts = _units(vocab_tokens, options["unit"])
    test = _held_out(texts, held_out, random_state)
    keys = ["doc_id", "para_id"] if options["unit"] == "paragraph" else ["doc_id"]
    test_ids = units.loc[test, keys]
    marker = vocab_tokens.assign(doc_id=vocab_tokens["doc_id"].astype(str)).merge(
        test_ids.assign(_test=True), on=keys, how="left")
    is_test = marker["_test"].fillna(False).astype(bool).to_numpy()
    train_tokens, test_tokens = vocab_tokens[~is_test], vocab_tokens[is_test]
    plain = {**options, "drop_places": False, "drop_boilerplate": False}  # already applied above

    seeds = [int(random_state)] + [int(s) for s in stability_seeds if int(s) != int(random_state)]
    prepared = _Prepared(train_tokens, {**plain, "k": ks[0], "random_state": seeds[0]})
    jobs = [(k, s) for k in ks for s in seeds]
    fits: dict[tuple[int, int], TopicModel] = {}
    for k, seed in progress_bar(jobs, total=len(jobs), enabled=progress, desc="lda sweep", unit="fit"):
        fits[(k, seed)] = prepared.model({**plain, "k": k, "random_state": seed})

    rows = []
    for k in ks:
        main = fits[(k, seeds[0])]
        row = {"k": k}
        completion = document_completion(main, test_tokens, seed=random_state) if len(test_tokens) else None
        if completion is not None and completion["n_predicted"].sum() > 0:
            row["heldout_loglik"] = float(completion["loglik"].sum() / completion["n_predicted"].sum())
            row["perplexity"] = float(np.exp(-row["heldout_loglik"]))
            known = completion["n_observed"].sum() + completion["n_predicted"].sum()
            row["heldout_unknown"] = float(completion["n_unknown"].sum() / max(1, known + completion["n_unknown"].sum()))
        else:
            row["heldout_loglik"] = row["perplexity"] = row["heldout_unknown"] = float("nan")
        row["exclusivity"] = float(exclusivity(main.beta(), n=topn).mean())
        if len(seeds) > 1:
            centred = [_centred(fits[(k, s)].beta()) for s in seeds]
            pair = [_matched_similarity(centred[i], centred[j]) for i in range(len(seeds))
                    for j in range(i + 1, len(seeds))]
            row["stability"] = float(np.mean([p.mean() for p in pair]))
            mine = np.vstack([_matched_similarity(centred[0], c) for c in centred[1:]]).mean(axis=0)
            row["unstable_topics"] = int((mine < STABILITY_THRESHOLD).sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    for measure, values in _coherences([fits[(k, seeds[0])] for k in ks], prepared, measures, topn).items():
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
    table.attrs["held_out_units"] = int(test.sum())
    return table


def _coherences(models: list[TopicModel], prepared: _Prepared, measures: Sequence[str],
                topn: int) -> dict[str, list[float]]:
    """Mean coherence of each model's topics, for each measure: one gensim CoherenceModel per measure over
    the topics of all the models at once (one pass over the texts)."""
    from gensim.models import CoherenceModel

    dictionary = prepared.dictionary  # every model was fitted on these units
    texts = [[w for w in prepared.texts[i] if w in dictionary.token2id] for i in prepared.content_used]
    corpus = [prepared.bows[i] for i in prepared.content_used]
    topics, owner = [], []
    for i, m in enumerate(models):
        beta = m.beta()
        vocab = m.vocabulary()
        for t in range(m.k):
            topics.append([vocab[j] for j in np.argsort(-beta[t], kind="stable")[:topn]])
            owner.append(i)
    owner = np.array(owner)
    out = {}
    for measure in measures:
        cm = CoherenceModel(topics=topics, texts=texts if measure != "u_mass" else None,
                            corpus=corpus if measure == "u_mass" else None, dictionary=dictionary,
                            coherence=measure, topn=topn, processes=1)
        per_topic = np.asarray(cm.get_coherence_per_topic(), dtype=float)
        values = []
        for i in range(len(models)):
            finite = per_topic[(owner == i) & np.isfinite(per_topic)]
            values.append(float(finite.mean()) if len(finite) else float("nan"))
        if np.isnan(values).any():
            logger.warning("coherence %s could not be computed for some k", measure)
        out[measure] = values
    return out


# --------------------------------------------------------------------------------------
# Prevalence (descriptive)
# --------------------------------------------------------------------------------------

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


def topic_prevalence(model: TopicModel, *, by: str | Sequence[str] | None = "province", resample: str = "document",
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


def topic_prevalence_difference(model: TopicModel, *, by: str = "province", groups: tuple,
                                resample: str = "document", n_boot: int = 1000, ci: float = 0.95,
                                random_state: int = 0) -> pd.DataFrame:
    """Difference of topic prevalence between two groups (``groups[0]`` minus ``groups[1]``), with its interval.

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
    cols, samples = _prevalence_samples(model, by, n_boot, random_state, resample)
    a, b = ((g,) if not isinstance(g, tuple) else g for g in groups)
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
        settings are in ``attrs["effects_params"]``.
    """
    import statsmodels.api as sm

    from .inference import _design, _references

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
    references = _references(per_doc, cols, reference)
    X, names = _design(per_doc, cols, references)
    if len(per_doc) <= X.shape[1]:
        raise ValueError(f"{len(per_doc)} documents for {X.shape[1]} parameters: too few to estimate effects")
    rng = np.random.default_rng(random_state)
    pooled = np.empty((model.k, n_draws * n_sims, X.shape[1]))
    means = np.zeros((model.k, X.shape[1]))
    for d, (docs, shares) in enumerate(_document_share_draws(model, n_draws, rng)):
        if d == 0 and not np.array_equal(docs, per_doc["doc_id"].to_numpy()):
            raise RuntimeError("documents of the shares and of the covariates disagree")
        for t in range(model.k):
            fit = sm.OLS(shares[:, t], X).fit(cov_type=cov_type)
            params, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
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
    out.attrs["effects_params"] = {"covariates": cols, "reference": references, "n_draws": n_draws,
                                   "n_sims": n_sims, "ci": ci, "cov_type": cov_type, "random_state": random_state,
                                   "t_quantile_df": int(len(per_doc) - X.shape[1])}
    return out


# --------------------------------------------------------------------------------------
# The interactive view
# --------------------------------------------------------------------------------------

def export_ldavis(model: TopicModel, path: str | Path, *, lambda_step: float = 0.01) -> Path:
    """Write an interactive view of the model (pyLDAvis) as one HTML file that opens offline.

    The JavaScript and CSS that pyLDAvis would fetch from the web are embedded.
    Topics keep their numbers (1 to k, not re-sorted by size), as in every
    table and figure; the element id is fixed, so the same model gives the
    same file.
    """
    import pyLDAvis

    used = model.units_[model.units_["used"]]
    vocab = model.vocabulary()
    term_freq = np.zeros(len(vocab))
    for i, n in model.dictionary_.cfs.items():
        term_freq[i] = n
    data = pyLDAvis.prepare(topic_term_dists=model.beta(), doc_topic_dists=model.theta_,
                            doc_lengths=used["n_tokens"].to_numpy(), vocab=vocab, term_frequency=term_freq,
                            sort_topics=False, mds="pcoa", lambda_step=lambda_step, n_jobs=1)
    js_dir = Path(pyLDAvis.__file__).parent / "js"

    def inline(name, mime):
        return f"data:{mime};base64," + base64.b64encode((js_dir / name).read_bytes()).decode("ascii")

    html = pyLDAvis.prepared_data_to_html(
        data, d3_url=inline("d3.v5.min.js", "text/javascript"), ldavis_url=inline("ldavis.v3.0.0.js", "text/javascript"),
        ldavis_css_url=inline("ldavis.v1.0.0.css", "text/css"), visid="ldavis_policytext")
    path = Path(path)
    path.write_text(html, encoding="utf-8")
    return path
