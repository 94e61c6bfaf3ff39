"""LDA topic models: reproducible, order-independent fits with tomotopy or gensim, cached and run in parallel.

The only module that imports a topic-model library. Units (paragraphs, or
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

Choosing k and stability are in :mod:`policytext.topic_selection`; prevalence
and covariate effects in :mod:`policytext.topic_effects`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.cache import ArrayStore, default_cache_dir, join_strings, package_fingerprint
from policytext._core.output import write_atomic
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext._core.progress import progress_bar
from policytext.errors import NotEstimable
from policytext.compare.counting import document_metadata

__all__ = ["TopicModel", "fit_lda", "export_ldavis", "completion_loglik", "coherence_per_topic", "ENGINES",
           "STABILITY_THRESHOLD"]

logger = logging.getLogger(__name__)

#: Topic-model engines: ``tomotopy`` (the default) and ``gensim``.
ENGINES = ("tomotopy", "gensim")

_DEFAULTS = {"engine": "tomotopy", "unit": "paragraph", "passes": 10, "iterations": 200, "threads": 2,
             "alpha": "symmetric", "eta": None, "no_below": 2, "no_above": 0.5, "keep_n": 20000, "chunksize": 2000,
             "drop_places": False, "drop_boilerplate": False}

#: Gibbs iterations that infer the topic shares of a held-out unit's observed half (document completion).
COMPLETION_ITERATIONS = 50

#: Mean matched similarity below which a topic is flagged unstable.
STABILITY_THRESHOLD = 0.7

_MODEL_CACHE_FORMAT = 1


# --------------------------------------------------------------------------------------
# Units and the vocabulary, as integer arrays
# --------------------------------------------------------------------------------------

def _vocabulary_tokens(tokens: pd.DataFrame, drop_places: bool, drop_boilerplate: bool) -> pd.DataFrame:
    """The tokens without place names and genre boilerplate, if asked (the same lists everywhere)."""
    from policytext.text.vocabulary import content_tokens

    return content_tokens(tokens, drop_places=drop_places, drop_boilerplate=drop_boilerplate, purpose="topic vocabulary")


def _codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their values in sorted order (a categorical's own codes when its categories are sorted)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories.astype(str).to_numpy(dtype=object)
        codes = series.cat.codes.to_numpy().astype(np.int64)
        order = np.argsort(categories, kind="stable")
        if np.array_equal(order, np.arange(len(order))):
            return codes, categories
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank[codes], categories[order]
    codes, uniques = pd.factorize(series.astype(str), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


class _Prepared:
    """Units, their content order, the trimmed vocabulary and each unit's word ids: built once, fitted many times.

    Everything is an integer array built in time linear in the number of
    tokens (plus a sort): no per-token Python objects.
    """

    def __init__(self, tokens: pd.DataFrame, params: dict):
        unit = params["unit"]
        if unit not in ("paragraph", "document"):
            raise ValueError(f"unit must be 'paragraph' or 'document', got {unit!r}")
        tokens = _vocabulary_tokens(tokens, params["drop_places"], params["drop_boilerplate"])
        doc_codes, doc_names = _codes(tokens["doc_id"])
        term_codes, terms = _codes(tokens["token"])
        para = tokens["para_id"].to_numpy() if unit == "paragraph" else np.zeros(len(tokens), dtype=np.int64)
        position = tokens["position"].to_numpy() if "position" in tokens else np.arange(len(tokens))
        # one stable sort on a combined key (document, unit, position): less memory than lexsort's
        para_span = int(para.max(initial=0)) + 1
        pos_span = int(position.max(initial=0)) + 1
        if len(doc_names) * para_span * pos_span < 2 ** 62:
            key = (doc_codes * para_span + para) * pos_span + position
            order = np.argsort(key, kind="stable")
            del key
        else:
            order = np.lexsort((position, para, doc_codes))
        doc_sorted = doc_codes[order].astype(np.int32)
        para_sorted = para[order]
        term_sorted = term_codes[order].astype(np.int32)
        del doc_codes, term_codes, position
        new_unit = np.ones(len(order), dtype=bool)
        new_unit[1:] = (doc_sorted[1:] != doc_sorted[:-1]) | (para_sorted[1:] != para_sorted[:-1])
        starts = np.flatnonzero(new_unit)
        unit_of_token = (np.cumsum(new_unit, dtype=np.int64) - 1)
        del new_unit
        n_units = len(starts)

        # units table: doc_id, para_id and the metadata
        units = pd.DataFrame({"doc_id": doc_names[doc_sorted[starts]].astype(str)})
        if unit == "paragraph":
            units["para_id"] = para_sorted[starts]
        extra = [c for c in tokens.columns if c not in ("doc_id", "para_id", "position", "token", "pos")]
        for col in extra:
            units[col] = tokens[col].to_numpy()[order[starts]]
        meta = document_metadata(tokens)
        if meta is not None:
            more = [c for c in meta.columns if c not in units.columns]
            units = units.merge(meta[["doc_id", *more]].assign(doc_id=meta["doc_id"].astype(str)), on="doc_id",
                                how="left")
        self.units = units

        # vocabulary trimming (as gensim's filter_extremes), on document frequencies over units
        # (unit, term) pairs: sorted, then the first of each run (a sort is faster than a hash here)
        pairs = np.sort(unit_of_token * len(terms) + term_sorted) if len(order) else np.zeros(0, dtype=np.int64)
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:] != pairs[:-1]
        df = np.bincount(pairs[first] % max(1, len(terms)), minlength=len(terms))
        del pairs, first
        cf = np.bincount(term_sorted, minlength=len(terms))
        no_below = min(params["no_below"], max(1, n_units // 10))  # on a tiny corpus keep what occurs once
        no_above = params["no_above"] if n_units > 10 else 1.0
        kept = (df >= no_below) & (df <= no_above * n_units)
        if kept.sum() > params["keep_n"]:
            ranked = np.flatnonzero(kept)[np.argsort(-df[kept], kind="stable")][:params["keep_n"]]
            kept = np.zeros(len(terms), dtype=bool)
            kept[ranked] = True
        self.vocabulary = [str(t) for t in terms[kept]]  # sorted, since terms are
        id_of_term = np.full(len(terms), -1, dtype=np.int64)
        id_of_term[kept] = np.arange(int(kept.sum()))
        self.df, self.cf = df[kept], cf[kept]

        # each unit's word ids (in text order), concatenated, and where each unit starts
        ids = id_of_term[term_sorted]
        del term_sorted
        keep_token = ids >= 0
        self.ids = ids[keep_token].astype(np.int32)
        unit_kept = unit_of_token[keep_token]
        del ids, keep_token, unit_of_token
        self.n_tokens = np.bincount(unit_kept, minlength=n_units)
        self.offsets = np.concatenate([[0], np.cumsum(self.n_tokens)])
        self.used = self.n_tokens > 0
        # the used units in an order derived from their content
        keys = [hashlib.sha1(self.ids[self.offsets[u]:self.offsets[u + 1]].tobytes()).hexdigest()
                for u in range(n_units)]
        used_idx = np.flatnonzero(self.used)
        self.content_used = np.array(sorted(used_idx, key=lambda u: keys[u]), dtype=np.int64)
        position_of = np.full(n_units, -1)
        position_of[used_idx] = np.arange(len(used_idx))
        self.position = position_of[self.content_used]  # where each content-ordered unit sits among the used
        digest = hashlib.sha256()
        digest.update(join_strings(self.vocabulary).tobytes())
        for u in self.content_used:
            digest.update(self.ids[self.offsets[u]:self.offsets[u + 1]].tobytes())
            digest.update(b"|")
        self.fingerprint = digest.hexdigest()
        self._dictionary = None

    def unit_ids(self, u: int) -> np.ndarray:
        return self.ids[self.offsets[u]:self.offsets[u + 1]]

    def words(self, u: int) -> list[str]:
        vocab = self.vocabulary
        return [vocab[i] for i in self.unit_ids(u)]

    def bow(self, u: int) -> list[tuple[int, int]]:
        values, counts = np.unique(self.unit_ids(u), return_counts=True)
        return list(zip(values.tolist(), counts.tolist()))

    @property
    def dictionary(self):
        """A gensim Dictionary of the vocabulary (ids in sorted order), for gensim's models and coherence."""
        if self._dictionary is None:
            self._dictionary = _gensim_dictionary(self.vocabulary, self.df, self.cf, int(self.used.sum()),
                                                  int(self.n_tokens.sum()))
        return self._dictionary

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_dictionary"] = None
        return state


def _gensim_dictionary(vocabulary: list[str], df, cf, num_docs: int, num_pos: int):
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocabulary)}
    dictionary.id2token = {}
    dictionary.dfs = {i: int(n) for i, n in enumerate(df)}
    dictionary.cfs = {i: int(n) for i, n in enumerate(cf)}
    dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = num_docs, num_pos, int(np.sum(df))
    return dictionary


# --------------------------------------------------------------------------------------
# Engines: fit, infer, serialise
# --------------------------------------------------------------------------------------

def _alpha(params: dict, k: int):
    alpha = params["alpha"]
    if alpha in ("symmetric", None):
        return 1.0 / k
    return alpha


def _fit_engine(prepared: _Prepared, params: dict, gamma: bool = True) -> tuple[np.ndarray, np.ndarray | None, object]:
    """Fit one model: topic-term matrix (k x V, vocabulary order), gamma of the used units (units order;
    None if not asked for), and the engine's own model object."""
    k, seed = params["k"], params["random_state"]
    if not len(prepared.content_used):
        raise ValueError("no unit keeps a token after vocabulary trimming: lower no_below or raise no_above")
    if params["engine"] == "tomotopy":
        import tomotopy as tp

        alpha = _alpha(params, k)
        if isinstance(alpha, str):
            raise ValueError(f"alpha={alpha!r} is a gensim option; with tomotopy give a number")
        model = tp.LDAModel(k=k, alpha=float(alpha), eta=float(params["eta"] if params["eta"] is not None else 0.01),
                            seed=int(seed))
        model.optim_interval = 0  # keep the given priors
        for u in prepared.content_used:
            model.add_doc(prepared.words(u))
        threads = int(params.get("threads", 1))
        with warnings.catch_warnings():
            # tomotopy warns that more than one worker may change the result; its partition scheme does not
            # (tested: the same model in a new process, and on one CPU): threads is a setting like the seed
            warnings.simplefilter("ignore", RuntimeWarning)
            model.train(int(params["iterations"]), workers=threads,
                        parallel=tp.ParallelScheme.PARTITION if threads > 1 else tp.ParallelScheme.DEFAULT)
        beta = _tomotopy_beta(model, prepared.vocabulary)
        if not gamma:
            return beta, None, model
        gamma_content = np.vstack([np.bincount(np.asarray(doc.topics), minlength=k) + float(alpha)
                                   for doc in model.docs]) if len(model.docs) else np.empty((0, k))
    elif params["engine"] == "gensim":
        from gensim.models import LdaModel

        bows = [prepared.bow(u) for u in prepared.content_used]
        model = LdaModel(corpus=bows, id2word=prepared.dictionary, num_topics=k, random_state=seed,
                         passes=params["passes"], iterations=params["iterations"], alpha=params["alpha"],
                         eta=params["eta"], chunksize=params["chunksize"], eval_every=None, minimum_probability=0.0)
        beta = model.get_topics().astype(np.float64)
        if not gamma:
            return beta, None, model
        gamma_content = _gensim_infer(model, bows, seed)
    else:
        raise ValueError(f"engine must be one of {ENGINES}, got {params['engine']!r}")
    out = np.empty_like(gamma_content, dtype=np.float64)
    out[prepared.position] = gamma_content
    return beta, out, model


def _tomotopy_beta(model, vocabulary: list[str]) -> np.ndarray:
    index = {w: i for i, w in enumerate(vocabulary)}
    cols = np.array([index[w] for w in model.used_vocabs])
    beta = np.zeros((model.k, len(vocabulary)))
    for t in range(model.k):
        beta[t, cols] = model.get_topic_word_dist(t)
    return beta / beta.sum(axis=1, keepdims=True)


def _gensim_infer(model, bows: list, seed: int) -> np.ndarray:
    """gensim's variational gamma, with the model's RNG reset first, so that it does not depend on what
    was inferred before."""
    if not bows:
        return np.empty((0, model.num_topics))
    model.random_state = np.random.RandomState(seed)
    gamma, _ = model.inference(bows)
    return np.asarray(gamma, dtype=np.float64)


def _infer_theta(model, engine: str, word_lists: list[list[str]], vocabulary: list[str], params: dict,
                 seed: int, iterations: int | None = None, jointly: bool = False) -> np.ndarray:
    """Topic shares of new units (lists of words; words outside the vocabulary are ignored).

    ``jointly`` (tomotopy): infer the units in one joint Gibbs run, about ten times faster than one run
    per unit; on the city reports the shares differed from separate runs by as much as two separate runs
    differ from each other (mean absolute difference 0.028 against 0.029)."""
    k = params["k"]
    if not word_lists:
        return np.empty((0, k))
    if engine == "tomotopy":
        docs = [model.make_doc(words) for words in word_lists]
        theta, _ = model.infer(docs, iterations=int(iterations or params["iterations"]), workers=1, together=jointly)
        theta = np.asarray(theta, dtype=np.float64)
    else:
        index = {w: i for i, w in enumerate(vocabulary)}
        bows = []
        for words in word_lists:
            ids, counts = np.unique([index[w] for w in words if w in index], return_counts=True)
            bows.append(list(zip(ids.tolist(), counts.tolist())))
        theta = _gensim_infer(model, bows, seed)
    return theta / theta.sum(axis=1, keepdims=True)


def _engine_bytes(model, engine: str) -> np.ndarray:
    """The engine's model as bytes, in a format that cannot run code when read."""
    if engine == "tomotopy":  # the topic parameters only (full=False): what inference needs, a few kB
        return np.frombuffer(model.saves(full=False), dtype=np.uint8)
    # gensim: the variational topic-word parameters and the priors rebuild the model
    lam = model.state.get_lambda().astype(np.float64)
    buffer = io.BytesIO()
    np.savez(buffer, lam=lam, alpha=np.asarray(model.alpha, dtype=np.float64), eta=np.asarray(model.eta, dtype=np.float64))
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8)


def _engine_from_bytes(data: np.ndarray, engine: str, vocabulary: list[str], params: dict):
    if engine == "tomotopy":
        import tomotopy as tp

        return tp.LDAModel.loads(bytes(np.asarray(data, dtype=np.uint8)))
    from gensim.models import LdaModel

    with np.load(io.BytesIO(bytes(np.asarray(data, dtype=np.uint8))), allow_pickle=False) as arrays:
        lam, alpha, eta = arrays["lam"], arrays["alpha"], arrays["eta"]
    dictionary = _gensim_dictionary(vocabulary, np.zeros(len(vocabulary)), np.zeros(len(vocabulary)), 0, 0)
    model = LdaModel(id2word=dictionary, num_topics=params["k"], alpha=alpha, eta=eta,
                     random_state=params["random_state"], eval_every=None)
    model.state.sstats[...] = lam - model.eta
    model.sync_state()
    return model


def _engine_version(engine: str) -> str:
    import importlib.metadata

    try:
        return f"{engine} {importlib.metadata.version(engine)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{engine} (unknown version)"


# --------------------------------------------------------------------------------------
# Cached and parallel fits
# --------------------------------------------------------------------------------------

def _fit_key(prepared: _Prepared, params: dict) -> str:
    relevant = {k: v for k, v in params.items() if k not in ("drop_places", "drop_boilerplate")}
    if params["engine"] == "tomotopy":  # gensim-only settings do not change a tomotopy fit
        relevant = {k: v for k, v in relevant.items() if k not in ("passes", "chunksize")}
    else:
        relevant.pop("threads", None)
    return ArrayStore.key(str(_MODEL_CACHE_FORMAT), package_fingerprint(), _engine_version(params["engine"]),
                          prepared.fingerprint, json.dumps(relevant, sort_keys=True, default=str))


class _Fits:
    """Fits of one set of prepared units: read from the cache, else computed (in parallel with ``n_jobs``)."""

    def __init__(self, prepared: _Prepared, *, cache: bool = True, cache_dir=None, n_jobs: int = 1,
                 progress: bool | None = None):
        self.prepared = prepared
        self.store = ArrayStore(Path(cache_dir) if cache_dir is not None else default_cache_dir(), "models") \
            if cache else None
        self.n_jobs = resolve_n_jobs(n_jobs)
        self.progress = progress
        self.hits_ = self.misses_ = 0

    def run(self, jobs: list[dict], desc: str = "fits", heldout: list | None = None) -> list[dict]:
        """Results of each job's parameters, in order: ``beta``, ``gamma``, ``engine`` (bytes); with
        ``heldout`` (pairs of observed and predicted word lists), ``beta`` and the held-out
        log-likelihood by document completion instead (``loglik``, one value per pair)."""
        results: list[dict | None] = [None] * len(jobs)
        extra = "" if heldout is None else _heldout_fingerprint(heldout)
        keys = [_fit_key(self.prepared, p) + extra for p in jobs]
        wanted = {"beta", "gamma", "engine"} if heldout is None else {"beta", "loglik"}
        if self.store is not None:
            for i, key in enumerate(keys):
                arrays = self.store.get_arrays(key)
                if arrays is not None and wanted <= set(arrays):
                    results[i] = arrays
        todo = [i for i, r in enumerate(results) if r is None]
        self.hits_, self.misses_ = len(jobs) - len(todo), len(todo)
        if todo:
            if self.n_jobs > 1 and len(todo) > 1:
                with process_pool(min(self.n_jobs, len(todo)), initializer=_init_worker,
                                  initargs=(self.prepared, heldout)) as pool:
                    done = pool.map(_fit_job, [jobs[i] for i in todo])
                    for i, out in zip(todo, progress_bar(done, total=len(todo), enabled=self.progress, desc=desc,
                                                         unit="fit")):
                        results[i] = out
            else:
                for i in progress_bar(todo, total=len(todo), enabled=self.progress, desc=desc, unit="fit"):
                    results[i] = _fit_arrays(self.prepared, jobs[i], heldout)
            if self.store is not None:
                for i in todo:
                    self.store.put_arrays(keys[i], results[i])
        return results

    def models(self, jobs: list[dict], desc: str = "fits") -> list["TopicModel"]:
        return [TopicModel.from_arrays(self.prepared, params, arrays)
                for params, arrays in zip(jobs, self.run(jobs, desc))]


_WORKER: tuple | None = None


def _init_worker(prepared: _Prepared, heldout) -> None:
    global _WORKER
    _WORKER = (prepared, heldout)


def _fit_job(params: dict) -> dict:
    return _fit_arrays(_WORKER[0], params, _WORKER[1])


def _fit_arrays(prepared: _Prepared, params: dict, heldout=None) -> dict:
    beta, gamma, model = _fit_engine(prepared, params, gamma=heldout is None)
    if heldout is None:
        return {"beta": beta, "gamma": gamma, "engine": _engine_bytes(model, params["engine"])}
    theta = _infer_theta(model, params["engine"], [observed for observed, _ in heldout], prepared.vocabulary, params,
                         params["random_state"], COMPLETION_ITERATIONS, jointly=True)
    return {"beta": beta, "loglik": completion_loglik(theta, beta, prepared.vocabulary, [p for _, p in heldout])}


def completion_loglik(theta: np.ndarray, beta: np.ndarray, vocabulary: list[str],
                      predicted: list[list[str]]) -> np.ndarray:
    """log p of each unit's predicted words, ``sum log sum_k theta_k beta_kw`` (natural log)."""
    index = {w: i for i, w in enumerate(vocabulary)}
    out = np.empty(len(predicted))
    for u, words in enumerate(predicted):
        ids = [index[w] for w in words]
        out[u] = float(np.log(theta[u] @ beta[:, ids]).sum()) if ids else 0.0
    return out


def _heldout_fingerprint(heldout: list) -> str:
    digest = hashlib.sha256()
    for observed, predicted in heldout:
        digest.update(join_strings(observed).tobytes())
        digest.update(b"\x1e")
        digest.update(join_strings(predicted).tobytes())
        digest.update(b"\x1d")
    return "heldout" + digest.hexdigest()


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
        self._dictionary = None

    @classmethod
    def from_arrays(cls, prepared: _Prepared, params: dict, arrays: dict) -> "TopicModel":
        units = prepared.units.assign(n_tokens=prepared.n_tokens, used=prepared.used)
        model = _engine_from_bytes(arrays["engine"], params["engine"], prepared.vocabulary, params)
        fitted = cls(arrays["beta"], prepared.vocabulary, units, arrays["gamma"], params, model,
                     term_counts=prepared.cf)
        fitted._dictionary = prepared._dictionary
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
            self._dictionary = _gensim_dictionary(self.vocabulary_, np.zeros(len(self.vocabulary_)),
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

    def infer(self, word_lists: Sequence[Sequence[str]], *, seed: int = 0, iterations: int | None = None,
              jointly: bool = False) -> np.ndarray:
        """Topic shares of new units given as lists of words (words outside the vocabulary are ignored).

        Deterministic: the engine's random state is set from ``seed`` first.
        ``iterations``: Gibbs iterations with tomotopy (default: the fit's).
        ``jointly``: with tomotopy, one joint Gibbs run for all the units
        (about ten times faster; used for held-out likelihoods).
        """
        if self.model_ is None:
            raise ValueError("this model has no engine attached (it was built from arrays only)")
        return _infer_theta(self.model_, self.params_["engine"], [list(w) for w in word_lists], self.vocabulary_,
                            self.params_, seed, iterations, jointly)

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
        write_atomic(folder / "engine.npy", array(_engine_bytes(self.model_, self.params_["engine"])
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
        model = _engine_from_bytes(engine, params["engine"], vocabulary, params) if len(engine) else None
        stability = pd.read_csv(folder / "stability.csv") if (folder / "stability.csv").is_file() else None
        return cls(np.load(folder / "beta.npy", allow_pickle=False), vocabulary, units,
                   np.load(folder / "gamma.npy", allow_pickle=False), params, model, stability,
                   np.load(folder / "term_counts.npy", allow_pickle=False))


def _check_params(params: dict) -> dict:
    if params["engine"] not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {params['engine']!r}")
    if int(params["k"]) < 2:
        raise ValueError(f"k must be at least 2, got {params['k']}")
    return params


def fit_lda(tokens: pd.DataFrame, *, k: int, random_state: int = 0, engine: str = "tomotopy",
            unit: str = "paragraph", iterations: int = 200, threads: int = 2, passes: int = 10, alpha="symmetric",
            eta=None,
            no_below: int = 2, no_above: float = 0.5, keep_n: int = 20000, chunksize: int = 2000,
            drop_places: bool = False, drop_boilerplate: bool = False, stability_seeds: Sequence[int] | None = None,
            threshold: float = STABILITY_THRESHOLD, n_jobs: int = 1, cache: bool = True, cache_dir=None,
            progress: bool | None = None) -> TopicModel:
    """Fit LDA on the units of a tokens table.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize`. Not modified.
    k : int
        Number of topics (at least 2).
    random_state : int
        Seed: the same tokens and seed give the same model, byte for byte,
        whatever the documents are called and in whatever order they come.
    engine : {"tomotopy", "gensim"}
        ``tomotopy`` (default): collapsed Gibbs sampling, ``iterations``
        sweeps. ``gensim``: variational Bayes, ``passes`` over the corpus
        with up to ``iterations`` E-step iterations per unit.
    threads : int
        Threads of a tomotopy fit (its partition scheme): a setting like the
        seed, not the machine's cores. The same seed and threads give the
        same model on any machine, also in a new process or on one CPU
        (tested); another number of threads gives another (equally good)
        model. gensim fits use one.
    unit : {"paragraph", "document"}
        What LDA sees as a document: paragraphs (default) or whole documents.
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
        Leave place names out of the vocabulary (:func:`policytext.place_names`).
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
    params = _check_params({"engine": engine, "k": int(k), "random_state": int(random_state), "unit": unit,
                            "passes": passes, "iterations": iterations, "threads": int(threads), "alpha": alpha,
                            "eta": eta,
                            "no_below": no_below, "no_above": no_above, "keep_n": keep_n, "chunksize": chunksize,
                            "drop_places": bool(drop_places), "drop_boilerplate": bool(drop_boilerplate)})
    prepared = _Prepared(tokens, params)
    n_used = int(prepared.used.sum())
    if params["k"] >= n_used:
        raise NotEstimable(f"k={params['k']} topics from {n_used} {params['unit']} unit(s) with words left after "
                           "vocabulary trimming: a topic model needs more units than topics; choose a smaller k"
                           + (" or unit='paragraph'" if params["unit"] == "document" else ""))
    if (~prepared.used).any():
        logger.info("%d unit(s) have no token left after vocabulary trimming; they get no topic shares",
                    int((~prepared.used).sum()))
    fits = _Fits(prepared, cache=cache, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
    seeds = [] if not stability_seeds else sorted({int(s) for s in stability_seeds} - {int(random_state)})
    if stability_seeds and not seeds:
        raise ValueError("stability_seeds needs at least one seed other than random_state")
    models = fits.models([params] + [{**params, "random_state": s} for s in seeds],
                         desc=f"fits (k={params['k']})")
    fitted = models[0]
    if seeds:
        from policytext.topics.selection import stability_table

        fitted.stability_ = stability_table(fitted, models[1:], threshold=threshold)
    return fitted


#: Coherence measures :func:`coherence_per_topic` computes.
COHERENCE_MEASURES = ("c_npmi", "u_mass", "c_uci", "c_v")


def coherence_per_topic(prepared: _Prepared, topics: list[list[str]], measures: str | Sequence[str],
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
