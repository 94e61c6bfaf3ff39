"""TF-IDF and similarity, with scikit-learn on the already segmented tokens.

The count matrix is built from the tokens table (:func:`policytext.term_matrix`),
so nothing is tokenized again and no token is dropped by scikit-learn's
``token_pattern`` (which silently discards single-character terms).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.tables import group_columns, row_labels
from policytext._core import attrs as _attrs
from policytext._core.deprecation import renamed
from policytext.compare.counting import TermMatrix, document_matrix, term_matrix

__all__ = ["tfidf", "similarity", "IDF"]


#: Inverse document frequencies :func:`tfidf` offers.
IDF = ("log", "smooth")


def _from_dataset(data):
    """A token dataset's matrix of documents, counted on the cluster; anything else as it is."""
    from policytext.compare.datasets import is_token_dataset

    return term_matrix(data) if is_token_dataset(data) else data


def _counts(data, by, term) -> TermMatrix:
    """The counts of ``data`` (a tokens table or a matrix of documents) by ``by``."""
    if isinstance(data, TermMatrix):
        return document_matrix(data).group(by)
    return term_matrix(data, by=by, term=term)


def _columns(data, by) -> list[str]:
    if isinstance(data, TermMatrix):
        return ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
    return group_columns(data, by)


def _weights(tokens, by, term, sublinear_tf, smooth_idf, norm, idf="smooth"):
    """The count matrix and its TF-IDF weights (same sparsity pattern: every counted cell kept)."""
    from sklearn.preprocessing import normalize

    m = _counts(tokens, by, term)
    counts = m.matrix.tocsr().astype(float)
    n_rows = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(float)
    if idf == "log":  # quanteda's and tidytext's: a term in every row weighs 0
        weights_idf = np.log(n_rows / np.maximum(df, 1))
    elif idf == "smooth" and smooth_idf:  # scikit-learn's default
        weights_idf = np.log((1 + n_rows) / (1 + df)) + 1
    elif idf == "smooth":
        weights_idf = np.log(n_rows / np.maximum(df, 1)) + 1
    else:
        raise ValueError(f"idf must be one of {IDF}, got {idf!r}")
    tf = counts.copy()
    if sublinear_tf:
        tf.data = 1 + np.log(tf.data)
    weights = tf.multiply(weights_idf[None, :]).tocsr()
    if norm is not None:
        weights = normalize(weights, norm=norm, copy=False)
    return m, weights


@renamed(top="n")
def tfidf(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    n: int | None = None,
    idf: str = "log",
    sublinear_tf: bool = True,
    smooth_idf: bool = True,
    norm: str | None = "l2",
    term: str = "token",
) -> pd.DataFrame:
    """TF-IDF of each term per document, or per group taken as one document.

    Parameters
    ----------
    tokens : DataFrame, TermMatrix or path
        The tokens table, or its matrix of documents (:func:`policytext.term_matrix`,
        built once and handed to every statistic), or the path of a token dataset
        (:func:`policytext.tokenize_to_parquet`), counted on the current Dask cluster.
    by : str or list of str, optional
        ``None``: documents; otherwise each group's tokens form one document.
    n : int, optional
        Keep the ``n`` most distinctive terms of each row (ties by term);
        ``top=`` is its old name.
    idf : {"log", "smooth"}
        ``log`` (default): ``ln(N / df)``, the inverse document frequency of
        quanteda (``dfm_tfidf``, up to the base of the logarithm) and
        tidytext (``bind_tf_idf``): a term used by every row weighs 0, so
        that with few groups the words they all use do not rank as
        distinctive. ``smooth``: scikit-learn's ``ln((1 + N) / (1 + df)) + 1``
        (with ``smooth_idf``; ``ln(N / df) + 1`` without), never 0.
    sublinear_tf, smooth_idf, norm
        ``1 + ln(tf)`` instead of the count; scikit-learn's smoothing (for
        ``idf="smooth"``); rows scaled to unit length (``"l2"``, ``"l1"`` or
        ``None``).

    Returns
    -------
    DataFrame
        ``by`` columns, ``term``, ``n``, ``tf_idf``, ``rank`` (1 = most
        distinctive in the row); sorted by group and rank. Every term a row
        uses is listed, with ``tf_idf`` 0 where its idf is 0. The options are
        in ``attrs["tfidf_params"]``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "token": ["数据", "省", "数据", "平台"]})
    >>> tfidf(toks, norm=None)[["doc_id", "term", "tf_idf"]].round(3).values.tolist()
    [['a', '省', 0.693], ['a', '数据', 0.0], ['b', '平台', 0.693], ['b', '数据', 0.0]]
    >>> tfidf(toks, norm=None, idf="smooth")[["doc_id", "term", "tf_idf"]].round(3).values.tolist()
    [['a', '省', 1.405], ['a', '数据', 1.0], ['b', '平台', 1.405], ['b', '数据', 1.0]]
    """
    tokens = _from_dataset(tokens)
    cols = _columns(tokens, by)
    m, weights = _weights(tokens, cols, term, sublinear_tf, smooth_idf, norm, idf)
    counts = m.matrix.tocoo()
    table = m.rows.iloc[counts.row].reset_index(drop=True)
    table["term"] = m.terms[counts.col]
    table["n"] = counts.data.astype(int)
    table["tf_idf"] = np.asarray(weights[counts.row, counts.col]).ravel()
    table = table.sort_values(cols + ["tf_idf", "term"], ascending=[True] * len(cols) + [False, True],
                              kind="stable").reset_index(drop=True)
    table["rank"] = table.groupby(cols, sort=False).cumcount() + 1
    if n is not None:
        table = table[table["rank"] <= n].reset_index(drop=True)
    _attrs.set_params(table, "tfidf", {"by": cols, "idf": idf, "sublinear_tf": sublinear_tf, "smooth_idf": smooth_idf,
                                       "norm": norm, "n": n})
    return table


def similarity(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    weighting: str = "tfidf",
    matrix: bool = False,
    sublinear_tf: bool = True,
    smooth_idf: bool = True,
    term: str = "token",
) -> pd.DataFrame:
    """Cosine similarity between documents or groups.

    Parameters
    ----------
    tokens : DataFrame, TermMatrix or path
        The tokens table, its matrix of documents, or the path of a token dataset
        (counted on the current Dask cluster).
    weighting : {"tfidf", "count"}
        Compare TF-IDF vectors (as :func:`tfidf`) or raw counts.
    matrix : bool
        Return the square matrix (rows and columns named by the groups)
        instead of the tidy table.

    Returns
    -------
    DataFrame
        Tidy: ``<col>_a``, ``<col>_b`` for each ``by`` column and
        ``similarity``, one row per ordered pair (the diagonal included).
        Square: groups x groups.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b"], "token": ["数据", "平台", "数据"]})
    >>> similarity(toks, weighting="count", matrix=True).round(3).values.tolist()
    [[1.0, 0.707], [0.707, 1.0]]
    """
    from sklearn.metrics.pairwise import cosine_similarity

    tokens = _from_dataset(tokens)
    cols = _columns(tokens, by)
    if weighting == "tfidf":
        m, weights = _weights(tokens, cols, term, sublinear_tf, smooth_idf, "l2", "smooth")
    elif weighting == "count":
        m = _counts(tokens, cols, term)
        weights = m.matrix.astype(float)
    else:
        raise ValueError(f"weighting must be 'tfidf' or 'count', got {weighting!r}")
    sim = cosine_similarity(weights)
    labels = row_labels(m.rows, cols)
    square = pd.DataFrame(sim, index=pd.Index(labels, name=cols[0] if len(cols) == 1 else None),
                          columns=pd.Index(labels))
    if matrix:
        return square
    left = m.rows.loc[np.repeat(np.arange(len(m.rows)), len(m.rows))].reset_index(drop=True)
    right = m.rows.loc[np.tile(np.arange(len(m.rows)), len(m.rows))].reset_index(drop=True)
    out = pd.concat([left.add_suffix("_a"), right.add_suffix("_b")], axis=1)
    out["similarity"] = sim.ravel()
    return out
