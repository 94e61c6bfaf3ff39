"""LDA topics with gensim: reproducible fits, choosing k, prevalence by group, stability.

The only module that imports gensim. One :class:`gensim.corpora.Dictionary` and
one bag-of-words corpus are built from the tidy tokens; gensim's (single-process)
``LdaModel`` is fitted with a fixed ``random_state``, which makes fits identical
byte for byte, in this process or a new one. The unit-topic shares are inferred
once, right after fitting, and kept with the model (gensim's inference draws
random numbers, so inferring again would give slightly different shares).
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .counting import group_keys, in_text_order
from .inference import group_rng, percentile_interval, resample_sums

__all__ = ["TopicModel", "fit_lda", "lda_sweep", "topic_prevalence", "topic_prevalence_difference",
           "topic_stability", "export_ldavis"]

logger = logging.getLogger(__name__)

_DEFAULTS = {"unit": "paragraph", "passes": 10, "iterations": 200, "alpha": "symmetric", "eta": None,
             "no_below": 2, "no_above": 0.5, "keep_n": 20000, "chunksize": 2000}


def _units(tokens: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, list[list[str]]]:
    """Units (paragraphs or documents) in text order, their metadata, and their tokens."""
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
    return units.reset_index(drop=True), texts


class TopicModel:
    """A fitted LDA model with its vocabulary, units and configuration.

    Attributes
    ----------
    model_ : gensim.models.LdaModel
    dictionary_ : gensim.corpora.Dictionary
    units_ : DataFrame
        One row per unit: ``doc_id`` (and ``para_id``), metadata, ``n_tokens``
        (tokens in the vocabulary) and ``used`` (False for a unit left empty by
        vocabulary trimming: it has no topic shares).
    theta_ : ndarray
        Topic shares of the used units (rows sum to 1), in the order of
        ``units_[units_.used]``.
    params_ : dict
        Every setting of the fit, ``k`` and ``random_state`` included.
    """

    def __init__(self, model, dictionary, units: pd.DataFrame, theta: np.ndarray, params: dict):
        self.model_ = model
        self.dictionary_ = dictionary
        self.units_ = units
        self.theta_ = theta
        self.params_ = params

    @property
    def k(self) -> int:
        return self.params_["k"]

    def __repr__(self):
        return (f"TopicModel(k={self.k}, random_state={self.params_['random_state']}, "
                f"unit={self.params_['unit']!r}, units={int(self.units_['used'].sum())}, "
                f"vocabulary={len(self.dictionary_)})")

    # -- tidy tables ---------------------------------------------------------------------
    def topic_terms(self, n: int | None = None) -> pd.DataFrame:
        """``topic, term, beta`` (the term's probability in the topic), by topic and beta."""
        beta = self.model_.get_topics()
        terms = np.array([self.dictionary_[i] for i in range(len(self.dictionary_))], dtype=object)
        order = np.argsort(-beta, axis=1, kind="stable")
        if n is not None:
            order = order[:, :n]
        rows = [(t, terms[j], float(beta[t, j])) for t in range(self.k) for j in order[t]]
        return pd.DataFrame(rows, columns=["topic", "term", "beta"])

    def unit_topics(self) -> pd.DataFrame:
        """One row per used unit and topic: the unit's columns, ``topic``, ``gamma`` (sums to 1 per unit)."""
        used = self.units_[self.units_["used"]].reset_index(drop=True)
        table = used.loc[np.repeat(np.arange(len(used)), self.k)].reset_index(drop=True)
        table["topic"] = np.tile(np.arange(self.k), len(used))
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
        """Top terms of each topic by probability and by relevance.

        Relevance (Sievert and Shirley 2014) is ``λ log p(w|t) + (1 - λ) log
        (p(w|t) / p(w))``: with λ below 1, words common to every topic give
        way to words that set the topic apart.

        Returns
        -------
        DataFrame
            ``topic``, ``by_probability`` and ``by_relevance`` (terms joined by
            " · "), one row per topic.
        """
        beta = self.model_.get_topics()
        used = self.units_[self.units_["used"]]
        weights = used["n_tokens"].to_numpy()[:, None] * self.theta_
        p_topic = weights.sum(axis=0) / weights.sum()
        p_term = p_topic @ beta
        with np.errstate(divide="ignore"):
            relevance = lambda_ * np.log(beta) + (1 - lambda_) * np.log(beta / p_term)
        terms = [self.dictionary_[i] for i in range(len(self.dictionary_))]
        rows = []
        for t in range(self.k):
            by_p = [terms[j] for j in np.argsort(-beta[t], kind="stable")[:n]]
            by_r = [terms[j] for j in np.argsort(-relevance[t], kind="stable")[:n]]
            rows.append((t, " · ".join(by_p), " · ".join(by_r)))
        return pd.DataFrame(rows, columns=["topic", "by_probability", "by_relevance"])

    # -- persistence ------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save model, vocabulary, units, shares and configuration into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model_.save(str(folder / "lda.gensim"))
        self.dictionary_.save(str(folder / "dictionary.gensim"))
        self.units_.to_pickle(folder / "units.pkl")
        np.save(folder / "theta.npy", self.theta_)
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
        return cls(LdaModel.load(str(folder / "lda.gensim")), Dictionary.load(str(folder / "dictionary.gensim")),
                   pd.read_pickle(folder / "units.pkl"), np.load(folder / "theta.npy"),
                   json.loads((folder / "params.json").read_text(encoding="utf-8")))


def _dictionary(texts, no_below, no_above, keep_n):
    from gensim.corpora import Dictionary

    dictionary = Dictionary(texts)
    n_docs = dictionary.num_docs
    # no_below counts units; on a tiny corpus keep what occurs at least once
    dictionary.filter_extremes(no_below=min(no_below, max(1, n_docs // 10)), no_above=no_above if n_docs > 10 else 1.0,
                               keep_n=keep_n)
    return dictionary


def _fit(texts: list[list[str]], dictionary, k: int, random_state: int, params: dict):
    from gensim.models import LdaModel

    corpus = [dictionary.doc2bow(t) for t in texts]
    used = np.array([len(b) > 0 for b in corpus])
    fit_corpus = [b for b in corpus if b]
    if not fit_corpus:
        raise ValueError("no unit keeps a token after vocabulary trimming: lower no_below or raise no_above")
    model = LdaModel(corpus=fit_corpus, id2word=dictionary, num_topics=k, random_state=random_state,
                     passes=params["passes"], iterations=params["iterations"], alpha=params["alpha"],
                     eta=params["eta"], chunksize=params["chunksize"], eval_every=None, minimum_probability=0.0)
    gamma, _ = model.inference(fit_corpus)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    n_tokens = np.array([sum(c for _, c in b) for b in corpus])
    return model, theta, used, n_tokens


def fit_lda(tokens: pd.DataFrame, *, k: int, random_state: int = 0, unit: str = "paragraph",
            passes: int = 10, iterations: int = 200, alpha="symmetric", eta=None, no_below: int = 2,
            no_above: float = 0.5, keep_n: int = 20000, chunksize: int = 2000) -> TopicModel:
    """Fit LDA (gensim) on the units of a tokens table.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize`. Not modified.
    k : int
        Number of topics.
    random_state : int
        Seed: the same tokens and seed give the same model, byte for byte.
    unit : {"paragraph", "document"}
        What LDA sees as a document: paragraphs (default) or whole documents.
    passes, iterations, alpha, eta, chunksize
        gensim ``LdaModel`` options.
    no_below, no_above, keep_n
        Vocabulary trimming: drop terms in fewer than ``no_below`` units or in
        more than the share ``no_above`` of them; keep at most ``keep_n``.
        On a corpus of ten units or fewer nothing is trimmed by share.

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
    """
    params = {"k": int(k), "random_state": int(random_state), "unit": unit, "passes": passes,
              "iterations": iterations, "alpha": alpha, "eta": eta, "no_below": no_below, "no_above": no_above,
              "keep_n": keep_n, "chunksize": chunksize}
    units, texts = _units(tokens, unit)
    dictionary = _dictionary(texts, no_below, no_above, keep_n)
    model, theta, used, n_tokens = _fit(texts, dictionary, int(k), int(random_state), params)
    units = units.assign(n_tokens=n_tokens, used=used)
    if (~used).any():
        logger.info("%d unit(s) have no token left after vocabulary trimming; they get no topic shares",
                    int((~used).sum()))
    return TopicModel(model, dictionary, units, theta, params)


def _coherence(model, dictionary, texts, corpus, measure: str, topn: int) -> float:
    from gensim.models import CoherenceModel

    cm = CoherenceModel(model=model, texts=texts if measure != "u_mass" else None,
                        corpus=corpus if measure == "u_mass" else None, dictionary=dictionary,
                        coherence=measure, topn=topn, processes=1)
    per_topic = np.asarray(cm.get_coherence_per_topic(), dtype=float)
    finite = per_topic[np.isfinite(per_topic)]
    return float(finite.mean()) if len(finite) else float("nan")


def lda_sweep(tokens: pd.DataFrame, *, ks: Sequence[int], random_state: int = 0, held_out: float = 0.2,
              measures: Sequence[str] = ("c_npmi", "u_mass", "c_v"), topn: int = 10,
              **fit_options) -> pd.DataFrame:
    """Fit LDA for each k and report coherence and held-out perplexity.

    The units are split once (seeded) into a training and a held-out part.
    Coherence is computed in-process (no worker processes, so it cannot hang
    on Windows or macOS) on the training units, leaving out empty units, and
    averaged over the topics for which it is defined, so an empty unit never
    yields NaN. Perplexity is ``2 ** -bound`` per word on the held-out units.

    Returns
    -------
    DataFrame
        ``k``, one column per coherence measure, ``perplexity``,
        ``recommended`` (True on one row) and ``reason``. The recommended k
        has the highest ``c_npmi`` (else the first measure given), the smaller
        k on ties; c_v is reported but not used to choose, because on small
        vocabularies it scores random topics above fitted ones.
    """
    options = {**_DEFAULTS, **fit_options}
    units, texts = _units(tokens, options["unit"])
    rng = np.random.default_rng(random_state)
    test = rng.random(len(texts)) < held_out if len(texts) >= 5 else np.zeros(len(texts), dtype=bool)
    train_texts = [t for t, h in zip(texts, test) if not h]
    test_texts = [t for t, h in zip(texts, test) if h]
    dictionary = _dictionary(train_texts, options["no_below"], options["no_above"], options["keep_n"])
    train_corpus = [dictionary.doc2bow(t) for t in train_texts]
    kept = [(t, b) for t, b in zip(train_texts, train_corpus) if b]
    coh_texts, coh_corpus = [[w for w in t if w in dictionary.token2id] for t, _ in kept], [b for _, b in kept]
    test_corpus = [b for b in (dictionary.doc2bow(t) for t in test_texts) if b]
    rows = []
    for k in ks:
        params = {**options, "k": int(k), "random_state": int(random_state)}
        model, _, _, _ = _fit(train_texts, dictionary, int(k), int(random_state), params)
        row = {"k": int(k)}
        for measure in measures:
            row[measure] = _coherence(model, dictionary, coh_texts, coh_corpus, measure, topn)
        row["perplexity"] = float(np.exp2(-model.log_perplexity(test_corpus))) if test_corpus else float("nan")
        rows.append(row)
    table = pd.DataFrame(rows)
    choose = "c_npmi" if "c_npmi" in measures else measures[0]
    best = table.sort_values([choose, "k"], ascending=[False, True], kind="stable").iloc[0]
    table["recommended"] = table["k"] == best["k"]
    table["reason"] = ""
    table.loc[table["recommended"], "reason"] = (
        f"highest {choose} coherence ({best[choose]:.3f}) among k = {list(map(int, ks))}"
        + ("; c_v is shown but not used: it rates random topics highly on small vocabularies" if "c_v" in measures
           else ""))
    if table[list(measures)].isna().any().any():
        logger.warning("a coherence could not be computed for some k: %s", table.to_dict("records"))
    return table


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
    nothing: it describes the groups, it does not test them.

    Returns
    -------
    DataFrame
        ``by`` columns, ``topic``, ``prevalence`` (shares of a group sum to
        1), ``low``, ``high``, ``n_units``, ``n_docs``, ``single_document``
        and ``interval_basis``.
    """
    cols, samples = _prevalence_samples(model, by, n_boot, random_state, resample)
    rows = []
    for key, (point, boot, n_units, n_docs, n_clusters, basis) in samples.items():
        low, high = (percentile_interval(boot, ci=ci, n_clusters=n_clusters) if boot is not None
                     else (np.full(model.k, np.nan), np.full(model.k, np.nan)))
        for t in range(model.k):
            rows.append((*key, t, point[t], low[t], high[t], n_units, n_docs, n_docs == 1, basis))
    return pd.DataFrame(rows, columns=cols + ["topic", "prevalence", "low", "high", "n_units", "n_docs",
                                             "single_document", "interval_basis"])


def topic_prevalence_difference(model: TopicModel, *, by: str = "province", groups: tuple,
                                resample: str = "document", n_boot: int = 1000, ci: float = 0.95,
                                random_state: int = 0) -> pd.DataFrame:
    """Difference of topic prevalence between two groups (``groups[0]`` minus ``groups[1]``), with its interval.

    Each group is resampled as in :func:`topic_prevalence` (independently);
    the interval is the percentile interval of the differences, expanded for
    the smaller group's number of clusters.

    Returns
    -------
    DataFrame
        ``topic``, ``group_a`` and ``group_b`` (the groups compared),
        ``prevalence_a``, ``prevalence_b``, ``difference``, ``low``, ``high``,
        ``excludes_zero`` (the interval does not hold 0) and ``interval_basis``.
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
    name = (lambda g: g[0] if len(g) == 1 else g)
    return pd.DataFrame({"topic": np.arange(model.k), "group_a": [name(a)] * model.k, "group_b": [name(b)] * model.k,
                         "prevalence_a": pa, "prevalence_b": pb, "difference": diff, "low": low, "high": high,
                         "excludes_zero": (low > 0) | (high < 0),
                         "interval_basis": f"{basis_a} | {basis_b}"})


def topic_stability(tokens: pd.DataFrame, *, k: int, seeds: Sequence[int] = (0, 1, 2, 3, 4),
                    threshold: float = 0.7, **fit_options) -> pd.DataFrame:
    """How stably each topic recurs when the model is fitted with other seeds.

    Topics of each fit are matched to those of the first seed's fit by their
    term distributions (Hungarian matching on the cosine similarity of each
    topic's deviation from its fit's mean topic: raw distributions of
    near-uniform, meaningless topics would look alike). A topic whose mean
    similarity to its matches falls below ``threshold`` is flagged.

    Returns
    -------
    DataFrame
        ``topic`` (of the first fit), ``mean_similarity``, ``min_similarity``,
        ``stable`` and ``label`` (top terms by probability).
    """
    from scipy.optimize import linear_sum_assignment

    if len(seeds) < 2:
        raise ValueError("topic_stability needs at least two seeds")
    fits = [fit_lda(tokens, k=k, random_state=s, **fit_options) for s in seeds]

    def centred(topics):
        # what sets each topic apart: its term probabilities minus the fit's mean topic
        dev = topics - topics.mean(axis=0, keepdims=True)
        return dev / np.maximum(np.linalg.norm(dev, axis=1, keepdims=True), 1e-12)

    ref_n = centred(fits[0].model_.get_topics())
    sims = []
    for other in fits[1:]:
        sim = ref_n @ centred(other.model_.get_topics()).T
        rows, cols = linear_sum_assignment(-sim)
        matched = np.empty(k)
        matched[rows] = sim[rows, cols]
        sims.append(matched)
    sims = np.vstack(sims)
    labels = fits[0].labels(n=5)["by_probability"]
    return pd.DataFrame({"topic": np.arange(k), "mean_similarity": sims.mean(axis=0),
                         "min_similarity": sims.min(axis=0), "stable": sims.mean(axis=0) >= threshold,
                         "label": labels})


def export_ldavis(model: TopicModel, path: str | Path, *, lambda_step: float = 0.01) -> Path:
    """Write an interactive view of the model (pyLDAvis) as one HTML file that opens offline.

    The JavaScript and CSS that pyLDAvis would fetch from the web are embedded.
    """
    import pyLDAvis

    used = model.units_[model.units_["used"]]
    vocab = [model.dictionary_[i] for i in range(len(model.dictionary_))]
    term_freq = np.zeros(len(vocab))
    for i, n in model.dictionary_.cfs.items():
        term_freq[i] = n
    data = pyLDAvis.prepare(topic_term_dists=model.model_.get_topics(), doc_topic_dists=model.theta_,
                            doc_lengths=used["n_tokens"].to_numpy(), vocab=vocab, term_frequency=term_freq,
                            sort_topics=False, mds="pcoa", lambda_step=lambda_step, n_jobs=1)
    js_dir = Path(pyLDAvis.__file__).parent / "js"

    def inline(name, mime):
        return f"data:{mime};base64," + base64.b64encode((js_dir / name).read_bytes()).decode("ascii")

    html = pyLDAvis.prepared_data_to_html(
        data, d3_url=inline("d3.v5.min.js", "text/javascript"), ldavis_url=inline("ldavis.v3.0.0.js", "text/javascript"),
        ldavis_css_url=inline("ldavis.v1.0.0.css", "text/css"))
    path = Path(path)
    path.write_text(html, encoding="utf-8")
    return path
