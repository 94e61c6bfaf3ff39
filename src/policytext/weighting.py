"""TF-IDF and similarity, with scikit-learn on the already segmented tokens.

The count matrix is built from the tokens table (:func:`policytext.term_matrix`),
so nothing is tokenized again and no token is dropped by scikit-learn's
``token_pattern`` (which silently discards single-character terms).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .counting import group_columns, row_labels, term_matrix

__all__ = ["tfidf", "similarity"]


def _weights(tokens, by, term, sublinear_tf, smooth_idf, norm):
    from sklearn.feature_extraction.text import TfidfTransformer

    m = term_matrix(tokens, by=by, term=term)
    transformer = TfidfTransformer(norm=norm, use_idf=True, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf)
    return m, transformer.fit_transform(m.matrix.astype(float)).tocsr()


def tfidf(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    top: int | None = None,
    sublinear_tf: bool = True,
    smooth_idf: bool = True,
    norm: str | None = "l2",
    term: str = "token",
) -> pd.DataFrame:
    """TF-IDF of each term per document, or per group taken as one document.

    Parameters
    ----------
    by : str or list of str, optional
        ``None``: documents; otherwise each group's tokens form one document.
    top : int, optional
        Keep the ``top`` most distinctive terms of each row (ties by term).
    sublinear_tf, smooth_idf, norm
        scikit-learn's ``TfidfTransformer`` options: ``1 + log(tf)``;
        ``idf = ln((1 + n) / (1 + df)) + 1``; rows scaled to unit length.

    Returns
    -------
    DataFrame
        ``by`` columns, ``term``, ``n``, ``tf_idf``, ``rank`` (1 = most
        distinctive in the row); sorted by group and rank. The options are in
        ``attrs["tfidf_params"]``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "token": ["数据", "省", "数据", "平台"]})
    >>> tfidf(toks, norm=None)[["doc_id", "term", "tf_idf"]].round(3).values.tolist()
    [['a', '省', 1.405], ['a', '数据', 1.0], ['b', '平台', 1.405], ['b', '数据', 1.0]]
    """
    cols = group_columns(tokens, by)
    m, weights = _weights(tokens, cols, term, sublinear_tf, smooth_idf, norm)
    coo = weights.tocoo()
    counts = m.matrix.tocsr()
    table = m.rows.iloc[coo.row].reset_index(drop=True)
    table["term"] = m.terms[coo.col]
    table["n"] = np.asarray(counts[coo.row, coo.col]).ravel().astype(int)
    table["tf_idf"] = coo.data
    table = table.sort_values(cols + ["tf_idf", "term"], ascending=[True] * len(cols) + [False, True],
                              kind="stable").reset_index(drop=True)
    table["rank"] = table.groupby(cols, sort=False).cumcount() + 1
    if top is not None:
        table = table[table["rank"] <= top].reset_index(drop=True)
    table.attrs["tfidf_params"] = {"by": cols, "sublinear_tf": sublinear_tf, "smooth_idf": smooth_idf,
                                   "norm": norm, "top": top}
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

    cols = group_columns(tokens, by)
    if weighting == "tfidf":
        m, weights = _weights(tokens, cols, term, sublinear_tf, smooth_idf, "l2")
    elif weighting == "count":
        m = term_matrix(tokens, by=cols, term=term)
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
