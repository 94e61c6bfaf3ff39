"""Scale-out with Dask: tokenize on a cluster into a Parquet dataset, and count terms from it.

For a corpus that outgrows one machine, the same tokenization as
:func:`policytext.tokenize` runs on the workers of a Dask cluster
(``dask.distributed``), batch by batch, and each batch is written as one
Parquet file of a dataset (one row per token: ``doc_id``, ``para_id``,
``position``, ``token``), beside ``documents.parquet`` (the documents'
metadata) and ``account.parquet`` (per document: units, raw and kept tokens).
:func:`term_counts` then counts terms per group from that dataset with
``dask.dataframe``: each partition is counted where it lies and only the counts
are combined, so the tokens never have to fit in one process.

On one machine, a ``LocalCluster`` does; to point the same code at a real
cluster, the three lines are::

    from dask.distributed import Client
    client = Client("tcp://scheduler-host:8786")      # the cluster's scheduler
    pt.tokenize_to_parquet(docs, "/shared/tokens", client=client)  # a path every worker can write

Dask is an optional dependency (``pip install "dask[distributed]"``, or the
``dask`` extra of policytext). The scheduling is Dask's: this module only
cuts the work into batches and describes each task.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.deprecation import NOT_GIVEN, default_by
from policytext.text import segmentation
from policytext._core.output import default_mode
from policytext._core.tables import missing_label
from policytext._core.token_dataset import MARKER, is_token_dataset

__all__ = ["tokenize_to_parquet", "term_counts", "read_tokens", "is_token_dataset", "MARKER"]

logger = logging.getLogger(__name__)

#: Tokenizers built on a worker, by fingerprint (built once per worker process, not once per batch).
_WORKER_TOKENIZERS: dict[str, segmentation.PolicyTokenizer] = {}


def _dask():
    try:
        import dask.dataframe as dd
        from dask.distributed import Client, get_client
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("scale-out needs Dask: pip install \"dask[distributed]\" (or policytext[dask])") from None
    return dd, Client, get_client


def _tokenize_batch(batch: pd.DataFrame, params: dict, fingerprint: str, path: str, column: str) -> pd.DataFrame:
    """One task on a worker: tokenize a batch of documents and write it as one Parquet file."""
    tokenizer = _WORKER_TOKENIZERS.get(fingerprint)
    if tokenizer is None:
        tokenizer = _WORKER_TOKENIZERS[fingerprint] = segmentation.PolicyTokenizer(**params)
    frames, account = [], []
    for doc_id, text in zip(batch["doc_id"].astype(str), batch[column]):
        result = tokenizer.tokenize_doc(text if isinstance(text, str) else "")
        vocab = np.array(result["vocab"], dtype=object)
        frames.append(pd.DataFrame({"doc_id": doc_id, "para_id": result["para_id"],
                                    "position": result["position"], "token": vocab[result["codes"]]}))
        account.append((doc_id, result["n_units"], result["n_raw"], len(result["codes"])))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"doc_id": [], "para_id": [], "position": [], "token": []})
    table = table.astype({"doc_id": "string", "para_id": "int32", "position": "int32", "token": "string"})
    if tokenizer.drop_places:  # as tokenize() does
        from policytext.text.places import drop_place_names

        table = drop_place_names(table, exclusions=tokenizer.place_exclusions, keep=tokenizer.keep)
        table.attrs = {}
        table = table.astype({"token": "string"})
        kept = table["doc_id"].value_counts()
        account = [(d, u, r, int(kept.get(d, 0))) for d, u, r, _ in account]
    table.to_parquet(path, index=False)
    return pd.DataFrame(account, columns=["doc_id", "n_units", "n_tokens_raw", "n_tokens"])


def tokenize_to_parquet(docs: pd.DataFrame, path: str | Path, *, client=None,
                        tokenizer: segmentation.PolicyTokenizer | None = None, column: str = "text_clean",
                        batch_chars: int = 2_000_000, overwrite: bool = False, **options) -> Path:
    """Tokenize documents on a Dask cluster into a Parquet dataset, one file per batch of documents.

    Parameters
    ----------
    docs : DataFrame
        One row per document with ``doc_id`` and the cleaned text (as from
        :func:`policytext.clean`). Not modified.
    path : str or Path
        The dataset's folder (every worker must be able to write there).
    client : dask.distributed.Client, optional
        The cluster; default: the current client (``get_client()``).
    tokenizer : PolicyTokenizer, optional
        A configured tokenizer (its settings are sent to the workers, which
        build their own); or give its options as keywords.
    batch_chars : int
        About this many characters of text per batch (task, file).
    overwrite : bool
        Replace an existing dataset at ``path``: only a folder this function
        wrote (it holds the marker file :data:`MARKER`) is ever replaced;
        anything else at ``path`` is refused, naming it. The dataset is
        written into a temporary folder beside ``path`` and renamed into place
        when it is complete, so a failed run leaves nothing half-written.

    Returns
    -------
    Path
        The dataset: ``tokens/part-00000.parquet`` ..., ``documents.parquet``
        (metadata) and ``account.parquet``. :func:`read_tokens` reads it
        back as a Dask DataFrame, :func:`term_counts` counts from it.
    """
    _, _, get_client = _dask()
    if tokenizer is None:
        tokenizer = segmentation.PolicyTokenizer(**options)
    elif options:
        raise TypeError("give either a tokenizer or its options, not both")
    for needed in ("doc_id", column):
        if needed not in docs.columns:
            raise KeyError(f"tokenize_to_parquet needs the column {needed!r}; the table has {list(docs.columns)}")
    ids = docs["doc_id"].astype(str)
    if ids.duplicated().any():
        raise ValueError(f"doc_id must be unique (as text); repeated: {ids[ids.duplicated()].unique()[:5].tolist()}")
    root = Path(path)
    if root.exists() or root.is_symlink():
        if not overwrite:
            raise FileExistsError(f"{root} exists: pass overwrite=True to replace it")
        if not is_token_dataset(root):
            raise FileExistsError(f"{root} exists and is not a token dataset written by policytext (it has no "
                                  f"{MARKER} file): it is left as it is; choose another path")
    client = client or get_client()
    docs = docs.copy(deep=False)
    docs.attrs = {}  # accounts kept in attrs are not data, and pandas would try to write them into Parquet
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.partial-"))
    os.chmod(staging, default_mode(folder=True))  # workers on other machines write here too
    try:
        _write_dataset(docs, staging, client, tokenizer, column, batch_chars)
        if root.exists():
            old = root.with_name(f".{root.name}.old-{os.getpid()}")
            os.replace(root, old)
            os.replace(staging, root)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)  # a folder this call made, and only that
    return root


def _plain(value):
    """Settings as JSON can hold them (sets and tuples as lists, paths as text), so that the comparisons can
    rebuild the tokenizer that made the dataset."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _write_dataset(docs, root: Path, client, tokenizer, column: str, batch_chars: int) -> None:
    (root / "tokens").mkdir(parents=True)

    # batches of consecutive documents of about batch_chars characters each
    sizes = docs[column].fillna("").astype(str).str.len().to_numpy()
    batch_of = (np.cumsum(sizes) - sizes) // max(1, batch_chars)  # the batch in which each document starts
    bounds = [0, *(np.flatnonzero(np.diff(batch_of)) + 1).tolist(), len(docs)]
    batches = [docs.iloc[a:b][["doc_id", column]] for a, b in zip(bounds, bounds[1:]) if b > a]
    params = tokenizer.get_params()
    fingerprint = tokenizer.fingerprint_
    # a few batches in flight per worker, not all of them: the scheduler never holds the whole corpus's text
    from dask.distributed import as_completed

    in_flight = max(2, 2 * len(client.scheduler_info().get("workers", {})))
    pending = iter(enumerate(batches))
    accounts: list = [None] * len(batches)

    def submit(item):
        i, batch = item
        future = client.submit(_tokenize_batch, batch, params, fingerprint,
                               str(root / "tokens" / f"part-{i:05d}.parquet"), column, pure=False)
        index_of[future.key] = i
        return future

    index_of: dict = {}
    running = as_completed([submit(item) for item in itertools.islice(pending, in_flight)])
    for future in running:
        accounts[index_of.pop(future.key)] = future.result()
        nxt = next(pending, None)
        if nxt is not None:
            running.add(submit(nxt))
    account = pd.concat(accounts, ignore_index=True) if accounts else pd.DataFrame(
        columns=["doc_id", "n_units", "n_tokens_raw", "n_tokens"])
    account.attrs = {}
    account.to_parquet(root / "account.parquet", index=False)
    meta = docs[[c for c in docs.columns if c not in ("text", "text_clean", "encoding", column)]].copy()
    meta.attrs = {}
    meta["doc_id"] = meta["doc_id"].astype(str)
    meta.to_parquet(root / "documents.parquet", index=False)
    from policytext import __version__

    (root / MARKER).write_text(json.dumps({"written_by": "policytext", "version": __version__,
                                           "documents": len(docs), "files": len(batches),
                                           "tokenizer": _plain(params)}, ensure_ascii=False), encoding="utf-8")
    logger.info("tokenized %d documents into %d Parquet files (%d tokens)", len(docs), len(batches),
                int(account["n_tokens"].sum()))


def read_tokens(path: str | Path):
    """The tokens of a dataset written by :func:`tokenize_to_parquet`, as a Dask DataFrame (lazy)."""
    dd, _, _ = _dask()
    return dd.read_parquet(str(Path(path) / "tokens"))


def term_counts(path: str | Path, *, by: str | Sequence[str] | None = NOT_GIVEN, client=None) -> pd.DataFrame:
    """Term counts per group from a Parquet dataset of tokens, computed on the cluster.

    Each partition is counted on its worker and only the counts are
    combined: the tokens never have to fit in one process. The group of each
    token comes from ``documents.parquet`` (one small table, joined to every
    partition); a missing value is the group ``(none)``.

    Returns
    -------
    DataFrame
        The ``by`` columns (``doc_id`` with ``by=None``), ``term``, ``n``,
        ``per_10k`` (per 10,000 tokens of the group), ``doc_freq`` (documents
        of the group using the term) and ``rank``, as
        :func:`policytext.term_frequency` gives them.
    """
    _, _, get_client = _dask()
    client = client or get_client()
    root = Path(path)
    meta = pd.read_parquet(root / "documents.parquet")
    by = default_by(by, meta, "term_counts")
    cols = ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in cols if c not in meta.columns]
    if missing:
        raise KeyError(f"by={by!r}: no column {missing} in {root / 'documents.parquet'}; columns: {list(meta.columns)}")
    groups = meta[list(dict.fromkeys(["doc_id", *cols]))].copy()
    for col in cols:
        if col == "doc_id":
            continue
        values = groups[col].astype("object")
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
        groups[col] = np.where(blank, missing_label(values[~blank].dropna().unique()), values.astype(str))
    tokens = read_tokens(root)
    joined = tokens.merge(groups, on="doc_id", how="left")
    counted = joined.groupby(cols + ["token"]).size().rename("n")
    doc_freq = joined.drop_duplicates(subset=list(dict.fromkeys([*cols, "token", "doc_id"]))).groupby(
        cols + ["token"]).size().rename("doc_freq")
    n, df = client.compute([counted, doc_freq], sync=True)
    table = pd.concat([n, df], axis=1).reset_index().rename(columns={"token": "term"})
    table["term"] = table["term"].astype(str)
    totals = table.groupby(cols, sort=False)["n"].transform("sum")
    table["per_10k"] = table["n"] / totals * 10_000
    table["rank"] = table.groupby(cols, sort=False)["n"].rank(method="min", ascending=False).astype(int)
    table = table.sort_values(cols + ["rank", "term"], kind="stable").reset_index(drop=True)
    return table[cols + ["term", "n", "per_10k", "doc_freq", "rank"]].astype({"n": int, "doc_freq": int})
