"""Count-based comparisons from a token dataset on disk, computed on a Dask cluster.

A corpus too large for one process is tokenized into a Parquet dataset by
:func:`policytext.tokenize_to_parquet`. The comparisons that rest on counts
take the dataset's path in place of a tokens table: :func:`policytext.term_frequency`,
:func:`policytext.tfidf`, :func:`policytext.similarity`, :func:`policytext.keyness`,
:func:`policytext.emphasis` and :func:`policytext.cooccurrence`. Each token file is
read and counted by a worker, where it lies; only counts travel: the
documents x terms matrix (one integer per document and term it uses), the
lexicon hits of each paragraph, the co-occurrence counts of the chosen terms.
The statistics are then the in-memory functions' own, on those counts, so a
dataset gives the same table as the tokens it holds.

The cluster is the current Dask client (``dask.distributed.get_client()``), or
the one given as ``client=``. On one machine::

    from dask.distributed import Client, LocalCluster
    client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
    path = pt.tokenize_to_parquet(docs, "tokens-dataset")
    pt.keyness(path, by="province")

On a real cluster, connect to its scheduler (``Client("tcp://scheduler:8786")``)
and put the dataset where every worker can read it (a shared file system).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from policytext._core import attrs as _attrs
from policytext._core.token_dataset import MARKER, documents_file, is_token_dataset, token_files

__all__ = ["is_token_dataset", "dataset_client", "dataset_documents", "dataset_tokenizer_params", "map_files",
           "dataset_counts"]

logger = logging.getLogger(__name__)


def dataset_client(client=None):
    """The Dask client to compute on: ``client``, or the current one; an error that says how to start one."""
    if client is not None:
        return client
    try:
        from dask.distributed import get_client
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("a token dataset is counted on Dask: pip install \"dask[distributed]\" "
                          "(or policytext[dask])") from None
    try:
        return get_client()
    except ValueError:
        raise ValueError("a token dataset is counted on a Dask cluster, and there is none: start one "
                         "(from dask.distributed import Client; client = Client()) or pass client=") from None


def dataset_documents(path) -> pd.DataFrame:
    """The dataset's documents and their metadata (``doc_id`` as text; text columns as Python strings, as a
    tokens table keeps them)."""
    meta = pd.read_parquet(documents_file(path))
    meta.attrs = {}
    for col in meta.columns:
        if pd.api.types.is_string_dtype(meta[col]) or isinstance(meta[col].dtype, pd.CategoricalDtype):
            meta[col] = meta[col].astype(object).where(meta[col].notna(), None)
    meta["doc_id"] = meta["doc_id"].astype(str)
    return meta


def dataset_tokenizer_params(path) -> dict | None:
    """The settings of the tokenizer that made the dataset (None for a dataset that does not record them)."""
    info = json.loads((Path(path) / MARKER).read_text(encoding="utf-8"))
    return info.get("tokenizer")


def map_files(path, function, *args, client=None) -> list:
    """``function(file, *args)`` for every token file of the dataset, on the workers; the results in file order.

    The arguments are sent to the cluster once (scattered), not once per file."""
    if not is_token_dataset(path):
        raise ValueError(f"{path} is not a token dataset written by policytext.tokenize_to_parquet "
                         f"(no {MARKER} in it)")
    client = dataset_client(client)
    files = [str(f) for f in token_files(path)]
    if not files:
        return []
    shared = [client.scatter(a, broadcast=True, hash=False) for a in args]  # a fresh key: never one being released
    futures = [client.submit(function, f, *shared, pure=False) for f in files]
    return client.gather(futures)


def read_token_file(file: str, columns=None) -> pd.DataFrame:
    """One token file as a tokens table (``doc_id`` and ``token`` as categoricals, as tokenize gives them)."""
    table = pd.read_parquet(file, columns=columns)
    table.attrs = {}
    for col in ("doc_id", "token"):
        if col in table:
            table[col] = table[col].astype(object).astype("category")
    return table


def _file_counts(file: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """On a worker: one file's documents, terms (sorted), and its (document, term, count) cells."""
    table = pd.read_parquet(file, columns=["doc_id", "token"])
    doc_codes, docs = pd.factorize(table["doc_id"].to_numpy(dtype=object), sort=True)
    term_codes, terms = pd.factorize(table["token"].to_numpy(dtype=object), sort=True)
    key = doc_codes.astype(np.int64) * max(1, len(terms)) + term_codes
    key = np.sort(key, kind="stable")
    if len(key):
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        counts = np.diff(np.concatenate([starts, [len(key)]]))
        cells = key[starts]
    else:
        cells, counts = key, np.zeros(0, dtype=np.int64)
    width = max(1, len(terms))
    return (np.asarray(docs, dtype=object), np.asarray(terms, dtype=object), (cells // width).astype(np.int64),
            (cells % width).astype(np.int64), counts.astype(np.int64))


def dataset_counts(path, *, client=None) -> tuple[sparse.csr_matrix, pd.DataFrame, pd.Index, pd.DataFrame]:
    """The documents x terms counts of a token dataset, counted on the workers: the parts of a
    :class:`policytext.TermMatrix` (``pt.term_matrix(path)`` builds it from them).

    Rows are the documents with a token (sorted by ``doc_id``), columns the terms (sorted), as
    :func:`policytext.term_matrix` gives them from the tokens the dataset holds; the documents' metadata
    come along for any ``by=``. Memory: one integer per document and term it uses, never one per token.

    Examples
    --------
    >>> dataset_counts("no/such/folder")
    Traceback (most recent call last):
    ...
    ValueError: no/such/folder is not a token dataset written by policytext.tokenize_to_parquet (no policytext-dataset.json in it)
    """
    parts = map_files(path, _file_counts, client=client)
    documents = dataset_documents(path)
    if not parts:
        return (sparse.csr_matrix((0, 0), dtype=np.int64), pd.DataFrame({"doc_id": pd.Series([], dtype=object)}),
                pd.Index([], dtype=object), documents)
    all_docs = np.concatenate([p[0] for p in parts])
    doc_index = pd.Index(np.unique(all_docs.astype(str)).astype(object), dtype=object)
    if doc_index.size != all_docs.size:
        logger.info("a document's tokens lie in several files of %s: their counts are summed", path)
    term_index = pd.Index(np.unique(np.concatenate([p[1] for p in parts]).astype(str)).astype(object), dtype=object)
    rows, cols, data = [], [], []
    for docs, terms, r, c, n in parts:
        rows.append(doc_index.get_indexer(docs.astype(str))[r])
        cols.append(term_index.get_indexer(terms.astype(str))[c])
        data.append(n)
    matrix = sparse.csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(len(doc_index), len(term_index)))
    matrix.sum_duplicates()
    logger.info("term matrix from %s: %d documents x %d terms, %d cells", path, matrix.shape[0], matrix.shape[1],
                matrix.nnz)
    return matrix, pd.DataFrame({"doc_id": np.asarray(doc_index, dtype=object)}), term_index, documents


def with_documents(frame: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``doc_id``) carrying the documents' metadata, so that every ``by=`` reaches them."""
    _attrs.attach(frame, "documents", documents)
    return frame
