"""Fits of one set of prepared units, cached on disk and run in parallel processes.

A fit's cache key holds the units, the vocabulary, the engine and its version, every setting
and the package's code: a rerun with nothing changed reads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

from policytext._core.cache import ArrayStore, default_cache_dir, join_strings, package_fingerprint
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext._core.progress import progress_bar
from policytext.topics.engines import COMPLETION_ITERATIONS, ENGINES, engine_bytes, engine_version, fit_engine, infer_theta
from policytext.topics.prepare import PreparedUnits

__all__ = ["FIT_DEFAULTS", "MODEL_CACHE_FORMAT", "Fits", "check_fit_params", "fit_key", "fit_arrays",
           "completion_loglik", "heldout_fingerprint"]

FIT_DEFAULTS = {"engine": "tomotopy", "unit": "paragraph", "passes": 10, "iterations": 200, "tolerance": 1e-3,
             "threads": 2,
             "alpha": "symmetric", "eta": None, "no_below": 2, "no_above": 0.5, "keep_n": 20000, "chunksize": 2000,
             "drop_places": False, "drop_boilerplate": False}

MODEL_CACHE_FORMAT = 1


def check_fit_params(params: dict) -> dict:
    if params["engine"] not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {params['engine']!r}")
    if int(params["k"]) < 2:
        raise ValueError(f"k must be at least 2, got {params['k']}")
    return params


# --------------------------------------------------------------------------------------
# Cached and parallel fits
# --------------------------------------------------------------------------------------

def fit_key(prepared: PreparedUnits, params: dict) -> str:
    relevant = {k: v for k, v in params.items() if k not in ("drop_places", "drop_boilerplate")}
    if params["engine"] == "tomotopy":  # gensim-only settings do not change a tomotopy fit
        relevant = {k: v for k, v in relevant.items() if k not in ("passes", "chunksize")}
    else:
        relevant.pop("threads", None)
        relevant.pop("tolerance", None)
    return ArrayStore.key(str(MODEL_CACHE_FORMAT), package_fingerprint(), engine_version(params["engine"]),
                          prepared.fingerprint, json.dumps(relevant, sort_keys=True, default=str))


class Fits:
    """Fits of one set of prepared units: read from the cache, else computed (in parallel with ``n_jobs``)."""

    def __init__(self, prepared: PreparedUnits, *, cache: bool = True, cache_dir=None, n_jobs: int = 1,
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
        extra = "" if heldout is None else heldout_fingerprint(heldout)
        keys = [fit_key(self.prepared, p) + extra for p in jobs]
        wanted = {"beta", "gamma", "engine", "trace"} if heldout is None else {"beta", "loglik", "trace"}
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
                    results[i] = fit_arrays(self.prepared, jobs[i], heldout)
            if self.store is not None:
                for i in todo:
                    self.store.put_arrays(keys[i], results[i])
        return results


_WORKER: tuple | None = None


def _init_worker(prepared: PreparedUnits, heldout) -> None:
    global _WORKER
    _WORKER = (prepared, heldout)


def _fit_job(params: dict) -> dict:
    return fit_arrays(_WORKER[0], params, _WORKER[1])


def fit_arrays(prepared: PreparedUnits, params: dict, heldout=None) -> dict:
    beta, gamma, model, trace = fit_engine(prepared, params, gamma=heldout is None)
    if heldout is None:
        return {"beta": beta, "gamma": gamma, "engine": engine_bytes(model, params["engine"]), "trace": trace}
    theta = infer_theta(model, params["engine"], [observed for observed, _ in heldout], prepared.vocabulary, params,
                         params["random_state"], COMPLETION_ITERATIONS, jointly=True)
    return {"beta": beta, "loglik": completion_loglik(theta, beta, prepared.vocabulary, [p for _, p in heldout]),
            "trace": trace}


def completion_loglik(theta: np.ndarray, beta: np.ndarray, vocabulary: list[str],
                      predicted: list[list[str]]) -> np.ndarray:
    """log p of each unit's predicted words, ``sum log sum_k theta_k beta_kw`` (natural log)."""
    index = {w: i for i, w in enumerate(vocabulary)}
    out = np.empty(len(predicted))
    for u, words in enumerate(predicted):
        ids = [index[w] for w in words]
        out[u] = float(np.log(theta[u] @ beta[:, ids]).sum()) if ids else 0.0
    return out


def heldout_fingerprint(heldout: list) -> str:
    digest = hashlib.sha256()
    for observed, predicted in heldout:
        digest.update(join_strings(observed).tobytes())
        digest.update(b"\x1e")
        digest.update(join_strings(predicted).tobytes())
        digest.update(b"\x1d")
    return "heldout" + digest.hexdigest()

