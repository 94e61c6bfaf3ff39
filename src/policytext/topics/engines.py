"""The topic-model engines: fit, infer and serialise with tomotopy (collapsed Gibbs sampling) or gensim
(variational Bayes). With :mod:`policytext.topics` the only modules that import a topic-model library."""

from __future__ import annotations

import io
import logging

import numpy as np

logger = logging.getLogger(__name__)
import warnings

from policytext._core.codes import engine_label
from policytext.topics.prepare import PreparedUnits, gensim_dictionary

__all__ = ["ENGINES", "COMPLETION_ITERATIONS", "CHECK_EVERY", "MIN_ITERATIONS", "gibbs_until_converged", "fit_engine", "infer_theta", "engine_bytes", "engine_from_bytes",
           "engine_version"]

#: Topic-model engines: ``tomotopy`` (the default) and ``gensim``.
ENGINES = ("tomotopy", "gensim")

#: Gibbs iterations that infer the topic shares of a held-out unit's observed half (document completion).
COMPLETION_ITERATIONS = 50

# --------------------------------------------------------------------------------------
# Engines: fit, infer, serialise
# --------------------------------------------------------------------------------------

def _alpha(params: dict, k: int):
    alpha = params["alpha"]
    if alpha in ("symmetric", None):
        return 1.0 / k
    return alpha


def fit_engine(prepared: PreparedUnits, params: dict, gamma: bool = True) -> tuple[np.ndarray, np.ndarray | None,
                                                                                   object, np.ndarray]:
    """Fit one model: topic-term matrix (k x V, vocabulary order), gamma of the used units (units order;
    None if not asked for), the engine's own model object, and the trace of the fit (rows of sweeps and
    log-likelihood per word; tomotopy only, empty with gensim)."""
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
        for words in prepared.word_lists(prepared.content_used):
            model.add_doc(words)
        threads = int(params.get("threads", 1))
        scheme = tp.ParallelScheme.PARTITION if threads > 1 else tp.ParallelScheme.DEFAULT
        with warnings.catch_warnings():
            # tomotopy warns that more than one worker may change the result; its partition scheme does not
            # (tested: the same model in a new process, and on one CPU): threads is a setting like the seed
            warnings.simplefilter("ignore", RuntimeWarning)
            trace = gibbs_until_converged(
                lambda n: model.train(n, workers=threads, parallel=scheme), lambda: model.ll_per_word,
                int(params["iterations"]), params.get("tolerance"))
        beta = _tomotopy_beta(model, prepared.vocabulary)
        if not gamma:
            return beta, None, model, trace
        gamma_content = _topic_counts([doc.topics for doc in model.docs], k) + float(alpha)
    elif params["engine"] == "gensim":
        from gensim.models import LdaModel

        bows = [prepared.bow(u) for u in prepared.content_used]
        model = LdaModel(corpus=bows, id2word=prepared.dictionary, num_topics=k, random_state=seed,
                         passes=params["passes"], iterations=params["iterations"], alpha=params["alpha"],
                         eta=params["eta"], chunksize=params["chunksize"], eval_every=None, minimum_probability=0.0)
        beta = model.get_topics().astype(np.float64)
        trace = np.empty((0, 2))
        if not gamma:
            return beta, None, model, trace
        gamma_content = _gensim_infer(model, bows, seed)
    else:
        raise ValueError(f"engine must be one of {ENGINES}, got {params['engine']!r}")
    out = np.empty_like(gamma_content, dtype=np.float64)
    out[prepared.position] = gamma_content
    return beta, out, model, trace


#: Gibbs sweeps between two checks of convergence.
CHECK_EVERY = 10
#: Sweeps before the first check: the log-likelihood climbs steeply at first.
MIN_ITERATIONS = 30


def gibbs_until_converged(train, loglik, iterations: int, tolerance: float | None) -> np.ndarray:
    """Train in blocks of :data:`CHECK_EVERY` sweeps until the log-likelihood per word has converged.

    ``train(n)`` runs n sweeps, ``loglik()`` is the model's log-likelihood per word. With ``tolerance``
    None: exactly ``iterations`` sweeps. Otherwise the fit stops after the first block (from
    :data:`MIN_ITERATIONS` sweeps) in which the log-likelihood per word rose by less than ``tolerance``
    (an absolute change in nats per word, over the block), or at ``iterations``. Returns the sweeps
    done and the log-likelihood after each block, as rows ``(sweeps, loglik)``.
    """
    if tolerance is None:
        train(iterations)
        return np.array([[iterations, loglik()]])
    trace, done, last = [], 0, None
    while done < iterations:
        step = min(CHECK_EVERY if done >= MIN_ITERATIONS else MIN_ITERATIONS, iterations - done)
        train(step)
        done += step
        now = float(loglik())
        trace.append((done, now))
        if last is not None and now - last < tolerance:
            break
        last = now
    return np.array(trace)


def _topic_counts(assignments: list, k: int) -> np.ndarray:
    """Tokens of each topic in each document (documents x k), from each document's topic assignments.

    Examples
    --------
    >>> _topic_counts([np.array([0, 2, 2]), np.array([], dtype=np.int64), np.array([1])], 3).tolist()
    [[1, 0, 2], [0, 0, 0], [0, 1, 0]]
    """
    if not len(assignments):
        return np.zeros((0, k), dtype=np.int64)
    lengths = np.array([len(a) for a in assignments], dtype=np.int64)
    topics = np.concatenate([np.asarray(a, dtype=np.int64) for a in assignments]) if lengths.sum() else \
        np.zeros(0, dtype=np.int64)
    cells = np.repeat(np.arange(len(assignments), dtype=np.int64), lengths) * k + topics
    return np.bincount(cells, minlength=len(assignments) * k).reshape(len(assignments), k)


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


def infer_theta(model, engine: str, word_lists: list[list[str]], vocabulary: list[str], params: dict,
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


def engine_bytes(model, engine: str) -> np.ndarray:
    """The engine's model as bytes, in a format that cannot run code when read."""
    if engine == "tomotopy":  # the topic parameters only (full=False): what inference needs, a few kB
        return np.frombuffer(model.saves(full=False), dtype=np.uint8)
    # gensim: the variational topic-word parameters and the priors rebuild the model
    lam = model.state.get_lambda().astype(np.float64)
    buffer = io.BytesIO()
    np.savez(buffer, lam=lam, alpha=np.asarray(model.alpha, dtype=np.float64), eta=np.asarray(model.eta, dtype=np.float64))
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8)


def engine_from_bytes(data: np.ndarray, engine: str, vocabulary: list[str], params: dict):
    if engine == "tomotopy":
        import tomotopy as tp

        return tp.LDAModel.loads(bytes(np.asarray(data, dtype=np.uint8)))
    from gensim.models import LdaModel

    with np.load(io.BytesIO(bytes(np.asarray(data, dtype=np.uint8))), allow_pickle=False) as arrays:
        lam, alpha, eta = arrays["lam"], arrays["alpha"], arrays["eta"]
    dictionary = gensim_dictionary(vocabulary, np.zeros(len(vocabulary)), np.zeros(len(vocabulary)), 0, 0)
    model = LdaModel(id2word=dictionary, num_topics=params["k"], alpha=alpha, eta=eta,
                     random_state=params["random_state"], eval_every=None)
    model.state.sstats[...] = lam - model.eta
    model.sync_state()
    return model


engine_version = engine_label  # one way to name an engine and its version (kept under this name here)
