"""LDA topic models: reproducible, order-independent fits with tomotopy or gensim, cached and run in parallel.

With :mod:`policytext.topics.engines`, the only modules that import a topic-model library. Units (paragraphs, or
documents) are built from the tokens table with integer arrays, fed to the
engine in an order derived from their content, and the vocabulary is numbered
in sorted order, so that renaming or reordering documents does not change a
fit. Two engines:

- ``tomotopy`` (default): collapsed Gibbs sampling in C++, one thread per fit;
  the same seed gives the same model, in this process or a new one (tested);
- ``gensim``: variational Bayes (``LdaModel``, single process).

Fits are cached on disk (keyed by the units, the vocabulary, the engine and its
version, and every setting), so that a rerun with nothing changed reads them;
several fits (a sweep over k, refits with other seeds) run in parallel
processes with ``n_jobs``. Topics are numbered from 1 in every table, figure and
the interactive view.

The package's other modules: the units (:mod:`~policytext.topics.prepare`), the engines
(:mod:`~policytext.topics.engines`), cached and parallel fits (:mod:`~policytext.topics.fits`),
stability (:mod:`~policytext.topics.stability`), choosing k (:mod:`~policytext.topics.selection`),
prevalence and covariate effects (:mod:`~policytext.topics.effects`).
"""

from __future__ import annotations

import base64
import io
import json
import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.output import write_atomic
from policytext.errors import NotEstimable
from policytext.topics.engines import ENGINES, engine_bytes, engine_from_bytes, infer_theta
from policytext.topics.fits import Fits, check_fit_params, completion_loglik  # noqa: F401 (exported)
from policytext._core.deprecation import renamed
from policytext.topics.prepare import PreparedUnits, TopicUnits, gensim_dictionary, units_and_settings
from policytext.topics.stability import STABILITY_THRESHOLD, stability_table

__all__ = ["TopicModel", "fit_lda", "fitted_models", "export_ldavis", "completion_loglik", "coherence_per_topic",
           "ENGINES", "STABILITY_THRESHOLD"]

logger = logging.getLogger(__name__)







# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------

class TopicModel:
    """A fitted LDA model with its vocabulary, units and configuration.

    Topics are numbered from 1 in every table.

    Attributes
    ----------
    beta_ : ndarray
        Topic-term probabilities, topics x terms (rows sum to 1), in the
        order of ``vocabulary_``.
    vocabulary_ : list of str
        The terms, in sorted order.
    units_ : DataFrame
        One row per unit: ``doc_id`` (and ``para_id``), metadata, ``n_tokens``
        (tokens in the vocabulary) and ``used`` (False for a unit left empty by
        vocabulary trimming: it has no topic shares).
    gamma_ : ndarray
        Posterior Dirichlet parameters of the used units' topic shares (rows
        in the order of ``units_[units_.used]``): variational parameters with
        gensim, the prior plus the topic counts of the last Gibbs sample with
        tomotopy.
    theta_ : ndarray
        Their topic shares, ``gamma_`` normalised (rows sum to 1).
    params_ : dict
        Every setting of the fit, ``engine``, ``k`` and ``random_state`` included.
    stability_ : DataFrame or None
        Per topic: ``topic``, ``stability`` (mean matched similarity to the
        fits with other seeds), ``min_similarity``, ``stable``; None if the
        fit was not checked (``fit_lda(stability_seeds=...)``).
    term_counts_ : ndarray
        Occurrences of each term in the units (the corpus frequency).
    model_ : object
        The engine's own model (``tomotopy.LDAModel`` or ``gensim.models.LdaModel``).
    """

    def __init__(self, beta: np.ndarray, vocabulary: list[str], units: pd.DataFrame, gamma: np.ndarray, params: dict,
                 model=None, stability: pd.DataFrame | None = None, term_counts: np.ndarray | None = None):
        self.beta_ = np.asarray(beta, dtype=np.float64) if beta is not None else None
        self.term_counts_ = (np.asarray(term_counts, dtype=np.int64) if term_counts is not None
                             else np.zeros(len(vocabulary or []), dtype=np.int64))
        self.vocabulary_ = list(vocabulary) if vocabulary is not None else []
        self.units_ = units
        self.gamma_ = np.asarray(gamma, dtype=float)
        self.theta_ = self.gamma_ / self.gamma_.sum(axis=1, keepdims=True) if len(self.gamma_) else self.gamma_
        self.params_ = params
        self.model_ = model
        self.stability_ = stability
        self.trace_ = None
        self._dictionary = None

    @classmethod
    def from_arrays(cls, prepared: PreparedUnits, params: dict, arrays: dict) -> "TopicModel":
        units = prepared.units.assign(n_tokens=prepared.n_tokens, used=prepared.used)
        model = engine_from_bytes(arrays["engine"], params["engine"], prepared.vocabulary, params)
        fitted = cls(arrays["beta"], prepared.vocabulary, units, arrays["gamma"], params, model,
                     term_counts=prepared.cf)
        fitted._dictionary = prepared._dictionary
        fitted.trace_ = pd.DataFrame(np.asarray(arrays.get("trace", np.empty((0, 2)))).reshape(-1, 2),
                                     columns=["iterations", "loglik_per_word"]).astype({"iterations": int})
        return fitted

    @property
    def k(self) -> int:
        return self.params_["k"]

    @property
    def topics(self) -> np.ndarray:
        """The topic numbers, 1 to k."""
        return np.arange(1, self.k + 1)

    @property
    def dictionary_(self):
        """A gensim Dictionary of the vocabulary (ids in sorted order)."""
        if self._dictionary is None:
            used = self.units_["used"].to_numpy()
            self._dictionary = gensim_dictionary(self.vocabulary_, np.zeros(len(self.vocabulary_)),
                                                  np.zeros(len(self.vocabulary_)), int(used.sum()),
                                                  int(self.units_["n_tokens"].sum()))
        return self._dictionary

    def __repr__(self):
        return (f"TopicModel(engine={self.params_.get('engine')!r}, k={self.k}, "
                f"random_state={self.params_['random_state']}, unit={self.params_['unit']!r}, "
                f"units={int(self.units_['used'].sum())}, vocabulary={len(self.vocabulary_)})")

    def beta(self) -> np.ndarray:
        """Topic-term probabilities, topics x terms (rows sum to 1), in vocabulary order."""
        return self.beta_

    def vocabulary(self) -> list[str]:
        """The terms, in sorted order."""
        return self.vocabulary_

    @renamed(seed="random_state")
    def infer(self, word_lists: Sequence[Sequence[str]], *, random_state: int = 0, iterations: int | None = None,
              jointly: bool = False) -> np.ndarray:
        """Topic shares of new units given as lists of words (words outside the vocabulary are ignored).

        Deterministic: the engine's random state is set from ``random_state`` first (``seed=`` is its old name).
        ``iterations``: Gibbs iterations with tomotopy (default: the fit's).
        ``jointly``: with tomotopy, one joint Gibbs run for all the units
        (about ten times faster; used for held-out likelihoods).
        """
        if self.model_ is None:
            raise ValueError("this model has no engine attached (it was built from arrays only)")
        return infer_theta(self.model_, self.params_["engine"], [list(w) for w in word_lists], self.vocabulary_,
                            self.params_, random_state, iterations, jointly)

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
        beta = self.beta_
        terms = np.array(self.vocabulary_, dtype=object)
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
        used = self.units_[self.units_["used"]]
        docs, doc_of_unit = np.unique(used["doc_id"].astype(str).to_numpy(), return_inverse=True)
        weights = used["n_tokens"].to_numpy().astype(float)
        shares = np.zeros((len(docs), self.k))
        np.add.at(shares, doc_of_unit, weights[:, None] * self.theta_)
        shares /= shares.sum(axis=1, keepdims=True)
        return pd.DataFrame({"doc_id": np.repeat(docs, self.k), "topic": np.tile(self.topics, len(docs)),
                             "gamma": shares.ravel()})

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
        beta = self.beta_
        weights = self.units_.loc[self.units_["used"], "n_tokens"].to_numpy()[:, None] * self.theta_
        p_topic = weights.sum(axis=0) / weights.sum()
        p_term = p_topic @ beta
        with np.errstate(divide="ignore", invalid="ignore"):
            relevance = lambda_ * np.log(beta) + (1 - lambda_) * np.log(beta / p_term)
        terms = self.vocabulary_
        rows = []
        for t in range(self.k):
            by_p = [terms[j] for j in np.argsort(-beta[t], kind="stable")[:n]]
            by_r = [terms[j] for j in np.argsort(-np.nan_to_num(relevance[t], nan=-np.inf), kind="stable")[:n]]
            rows.append((t + 1, " · ".join(by_p), " · ".join(by_r)))
        table = pd.DataFrame(rows, columns=["topic", "by_probability", "by_relevance"])
        return table.merge(self.stability_flags(), on="topic", how="left")

    # -- persistence ------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save the model into ``folder``: plain files (JSON, CSV, NumPy without pickles), byte-identical for
        the same model, and the engine's model in a format that cannot run code when read."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)

        def array(a) -> bytes:
            buffer = io.BytesIO()
            np.save(buffer, a)
            return buffer.getvalue()

        write_atomic(folder / "beta.npy", array(self.beta_))
        write_atomic(folder / "gamma.npy", array(self.gamma_))
        write_atomic(folder / "term_counts.npy", array(self.term_counts_))
        write_atomic(folder / "engine.npy", array(engine_bytes(self.model_, self.params_["engine"])
                                                  if self.model_ is not None else np.zeros(0, dtype=np.uint8)))
        write_atomic(folder / "vocabulary.json", json.dumps(self.vocabulary_, ensure_ascii=False))
        write_atomic(folder / "units.csv", self.units_.to_csv(index=False))
        dtypes = {c: str(t) for c, t in self.units_.dtypes.items()}
        write_atomic(folder / "units_dtypes.json", json.dumps(dtypes))
        if self.stability_ is not None:
            write_atomic(folder / "stability.csv", self.stability_.to_csv(index=False))
        write_atomic(folder / "params.json", json.dumps(self.params_, ensure_ascii=False, indent=1, default=str))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TopicModel":
        """Load a model saved with :meth:`save`."""
        folder = Path(folder)
        if not (folder / "params.json").is_file():
            raise FileNotFoundError(f"{folder}: not a saved TopicModel (no params.json)")
        params = json.loads((folder / "params.json").read_text(encoding="utf-8"))
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        dtypes = json.loads((folder / "units_dtypes.json").read_text(encoding="utf-8"))
        units = pd.read_csv(folder / "units.csv", dtype={c: "str" for c, t in dtypes.items()
                                                         if t in ("object", "str", "string", "category")},
                            keep_default_na=False)
        for col, t in dtypes.items():
            if t not in ("object", "str", "string", "category"):
                units[col] = units[col].replace("", np.nan).astype(t)
        engine = np.load(folder / "engine.npy", allow_pickle=False)
        model = engine_from_bytes(engine, params["engine"], vocabulary, params) if len(engine) else None
        stability = pd.read_csv(folder / "stability.csv") if (folder / "stability.csv").is_file() else None
        return cls(np.load(folder / "beta.npy", allow_pickle=False), vocabulary, units,
                   np.load(folder / "gamma.npy", allow_pickle=False), params, model, stability,
                   np.load(folder / "term_counts.npy", allow_pickle=False))


def fitted_models(fits: Fits, jobs: list[dict], desc: str = "fits") -> list[TopicModel]:
    """The models of some fits (each job's parameters), read from the cache or fitted."""
    return [TopicModel.from_arrays(fits.prepared, params, arrays) for params, arrays in zip(jobs, fits.run(jobs, desc))]


def fit_lda(tokens: pd.DataFrame | TopicUnits, *, k: int, random_state: int = 0, engine: str = "tomotopy",
            unit: str | None = None, iterations: int = 200, tolerance: float | None = 1e-3, threads: int = 2,
            passes: int = 10, alpha="symmetric",
            eta=None,
            no_below: int = 2, no_above: float = 0.5, keep_n: int = 20000, chunksize: int = 2000,
            drop_places: bool | None = None, drop_boilerplate: bool | None = None, stability_seeds: Sequence[int] | None = None,
            threshold: float = STABILITY_THRESHOLD, n_jobs: int = 1, cache: bool = True, cache_dir=None,
            progress: bool | None = None) -> TopicModel:
    """Fit LDA on the units of a tokens table.

    Parameters
    ----------
    tokens : DataFrame or TopicUnits
        From :func:`policytext.tokenize`, or its topic units
        (:func:`policytext.topic_units`, prepared once for many fits). Not modified.
    k : int
        Number of topics (at least 2).
    random_state : int
        Seed: the same tokens and seed give the same model, byte for byte,
        whatever the documents are called and in whatever order they come.
    engine : {"tomotopy", "gensim"}
        ``tomotopy`` (default): collapsed Gibbs sampling, ``iterations``
        sweeps. ``gensim``: variational Bayes, ``passes`` over the corpus
        with up to ``iterations`` E-step iterations per unit.
    tolerance : float, optional
        tomotopy: stop before ``iterations`` sweeps once the fit has
        converged, when a block of 10 sweeps (after the first 30) raised the
        log-likelihood per word by less than ``tolerance`` nats (default
        0.001); ``None``: exactly ``iterations`` sweeps. The sweeps done and
        the log-likelihood after each block are in ``model.trace_``. On the
        141 city reports (k = 10, five seeds) the default stopped after a
        median of 130 sweeps, 1.37x faster than 200, with held-out
        log-likelihood and c_npmi coherence within the seeds' spread of 200
        sweeps (``benchmarks/bench_convergence.py``).
    threads : int
        Threads of a tomotopy fit (its partition scheme): a setting like the
        seed, not the machine's cores. The same seed and threads give the
        same model on any machine, also in a new process or on one CPU
        (tested); another number of threads gives another (equally good)
        model. gensim fits use one.
    unit : {"paragraph", "document"}
        What LDA sees as a document: paragraphs (default) or whole documents;
        with topic units, theirs.
    alpha, eta
        Dirichlet priors of the topic shares and the topic terms: ``alpha``
        ``"symmetric"`` is 1/k (gensim also takes its other options); ``eta``
        None is gensim's 1/k, and 0.01 with tomotopy.
    passes, chunksize
        gensim ``LdaModel`` options.
    no_below, no_above, keep_n
        Vocabulary trimming: drop terms in fewer than ``no_below`` units or in
        more than the share ``no_above`` of them; keep at most ``keep_n``.
        On a corpus of ten units or fewer nothing is trimmed by share.
    drop_places : bool
        Leave place names out of the vocabulary (:func:`policytext.place_names`);
        default False, or as the topic units given.
    drop_boilerplate : bool
        Leave the policy-genre boilerplate out: the stopword layer ``policy``
        and ``data/stopwords/topic_boilerplate.txt`` (建设, 发展, 完成 ... words
        that rank high in most topics of government texts).
    stability_seeds : sequence of int, optional
        Also fit with these seeds and record each topic's stability
        (:func:`policytext.topic_stability`) in ``stability_``; the labels,
        term and prevalence tables and the figures then flag unstable topics.
    threshold : float
        Mean matched similarity below which a topic is flagged unstable.
    n_jobs : int
        Processes for the stability refits (each fit uses one thread).
    cache, cache_dir
        Read and write fitted models in the cache (``~/.cache/policytext`` or
        ``$POLICYTEXT_CACHE_DIR``), keyed by the units, the vocabulary, the
        engine and its version, and every setting.
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
    >>> m = fit_lda(toks, k=2, random_state=1, cache=False)
    >>> m.document_topics().groupby("doc_id")["gamma"].sum().round(6).tolist()
    [1.0, 1.0]
    >>> m.topics.tolist()
    [1, 2]
    """
    base, settings = units_and_settings(tokens, {"unit": unit, "drop_places": drop_places,
                                                 "drop_boilerplate": drop_boilerplate})
    params = check_fit_params({"engine": engine, "k": int(k), "random_state": int(random_state), "unit": settings["unit"],
                            "passes": passes, "iterations": iterations,
                            "tolerance": None if tolerance is None else float(tolerance), "threads": int(threads),
                            "alpha": alpha,
                            "eta": eta,
                            "no_below": no_below, "no_above": no_above, "keep_n": keep_n, "chunksize": chunksize,
                            "drop_places": settings["drop_places"], "drop_boilerplate": settings["drop_boilerplate"]})
    prepared = base.prepared(params)
    n_used = int(prepared.used.sum())
    if params["k"] >= n_used:
        raise NotEstimable(f"k={params['k']} topics from {n_used} {params['unit']} unit(s) with words left after "
                           "vocabulary trimming: a topic model needs more units than topics; choose a smaller k"
                           + (" or unit='paragraph'" if params["unit"] == "document" else ""))
    if (~prepared.used).any():
        logger.info("%d unit(s) have no token left after vocabulary trimming; they get no topic shares",
                    int((~prepared.used).sum()))
    fits = Fits(prepared, cache=cache, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
    seeds = [] if not stability_seeds else sorted({int(s) for s in stability_seeds} - {int(random_state)})
    if stability_seeds and not seeds:
        raise ValueError("stability_seeds needs at least one seed other than random_state")
    models = fitted_models(fits, [params] + [{**params, "random_state": s} for s in seeds],
                         desc=f"fits (k={params['k']})")
    fitted = models[0]
    if seeds:
        fitted.stability_ = stability_table(fitted, models[1:], threshold=threshold)
    return fitted


#: Coherence measures :func:`coherence_per_topic` computes.
COHERENCE_MEASURES = ("c_npmi", "u_mass", "c_uci", "c_v")


def coherence_per_topic(prepared: PreparedUnits, topics: list[list[str]], measures: str | Sequence[str],
                        topn: int) -> np.ndarray | dict[str, np.ndarray]:
    """Coherence of each topic (lists of words) on the prepared units, with tomotopy's implementation
    (C++; Röder, Both and Hinneburg 2015): ``c_npmi`` and ``c_uci`` on sliding windows of 10 words,
    ``u_mass`` on units, ``c_v`` on windows of 110. The units are read once for every measure and topic.

    Returns an array per topic for one measure, or a dict of them for a list of measures.
    """
    import tomotopy as tp

    wanted = [measures] if isinstance(measures, str) else list(measures)
    unknown = [m for m in wanted if m not in COHERENCE_MEASURES]
    if unknown:
        raise ValueError(f"coherence measures must be among {COHERENCE_MEASURES}, got {unknown}")
    corpus = tp.utils.Corpus()
    for u in prepared.content_used:
        corpus.add_doc(prepared.words(u))
    targets = sorted({w for topic in topics for w in topic[:topn]})
    out = {}
    for measure in wanted:
        scorer = tp.coherence.Coherence(corpus, coherence=measure, targets=targets)
        out[measure] = np.array([scorer.get_score(words=topic[:topn]) for topic in topics], dtype=float)
    return out[measures] if isinstance(measures, str) else out


# --------------------------------------------------------------------------------------
# The interactive view
# --------------------------------------------------------------------------------------

def export_ldavis(model: TopicModel, path: str | Path, *, lambda_step: float = 0.05) -> Path:
    """Write an interactive view of the model (pyLDAvis) as one HTML file that opens offline.

    The JavaScript and CSS that pyLDAvis would fetch from the web are embedded.
    Topics keep their numbers (1 to k, not re-sorted by size), as in every
    table and figure; the element id is fixed, so the same model gives the
    same file.
    """
    import pyLDAvis

    used = model.units_[model.units_["used"]]
    vocab = model.vocabulary()
    doc_lengths = used["n_tokens"].to_numpy()
    term_freq = model.term_counts_.astype(float)
    if not term_freq.any():  # a model built without counts: expected frequencies
        term_freq = (model.theta_ * doc_lengths[:, None]).sum(axis=0) @ model.beta_
    data = pyLDAvis.prepare(topic_term_dists=model.beta_, doc_topic_dists=model.theta_, doc_lengths=doc_lengths,
                            vocab=vocab, term_frequency=term_freq, sort_topics=False, mds="pcoa",
                            lambda_step=lambda_step, n_jobs=1)
    js_dir = Path(pyLDAvis.__file__).parent / "js"

    def inline(name, mime):
        return f"data:{mime};base64," + base64.b64encode((js_dir / name).read_bytes()).decode("ascii")

    html = pyLDAvis.prepared_data_to_html(
        data, d3_url=inline("d3.v5.min.js", "text/javascript"), ldavis_url=inline("ldavis.v3.0.0.js", "text/javascript"),
        ldavis_css_url=inline("ldavis.v1.0.0.css", "text/css"), visid="ldavis_policytext")
    return write_atomic(Path(path), html)
