"""Keyword in context: every occurrence of a term with what stands around it."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.tables import in_text_order, metadata_column, metadata_columns
from policytext.text.units import split_units

__all__ = ["kwic"]


def kwic(data: pd.DataFrame, term: str | Sequence[str], *, window: int | None = None,
         column: str = "text_clean", max_unit_chars: int = 300) -> pd.DataFrame:
    """Every occurrence of a term or phrase with its left and right context.

    Parameters
    ----------
    data : DataFrame
        Either the tokens table (from :func:`policytext.tokenize`): the term is
        matched against tokens, a phrase given as a list of tokens (or a string
        with spaces) against adjacent tokens of a unit (as :func:`policytext.ngrams`
        has them: a removed token in between breaks the phrase), and the
        context is up to ``window`` tokens of the same document (default 5); or the documents table with
        ``text_clean`` (from :func:`policytext.clean`): the term is found as a
        substring of each unit's text and the context is ``window`` characters
        (default 20), which shows occurrences that segmentation split or
        absorbed into a longer token.
    term : str or list of str
    window : int, optional
    column : str
        The text column, for a documents table.
    max_unit_chars : int
        For a documents table: the unit length used to number paragraphs; give
        the tokenizer's ``max_unit_chars`` so that ``para_id`` matches the tokens.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``position`` (of the first token, or the
        character offset within the unit), ``left``, ``keyword``, ``right``,
        and the metadata columns that the input carries. In document then
        unit order.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["推动工业互联网平台建设。加快工业互联网发展。"]})
    >>> kwic(docs, "工业互联网", window=4)[["left", "keyword", "right"]].values.tolist()
    [['推动', '工业互联网', '平台建设'], ['设。加快', '工业互联网', '发展。']]
    """
    if "token" in data.columns and "position" in data.columns:
        return _kwic_tokens(data, term, 5 if window is None else window)
    if column not in data.columns:
        raise KeyError(f"kwic needs a tokens table or a documents table with {column!r}")
    return _kwic_text(data, term if isinstance(term, str) else "".join(term), 20 if window is None else window,
                      column, max_unit_chars)


def _kwic_text(docs: pd.DataFrame, term: str, window: int, column: str, max_chars: int) -> pd.DataFrame:
    units = split_units(docs, column=column, max_chars=max_chars)
    pattern = re.compile(re.escape(term))
    rows = []
    for doc_id, para_id, text in units[["doc_id", "para_id", "text"]].itertuples(index=False):
        for m in pattern.finditer(text):
            rows.append((doc_id, para_id, m.start(), text[max(0, m.start() - window):m.start()], m.group(),
                         text[m.end():m.end() + window]))
    out = pd.DataFrame(rows, columns=["doc_id", "para_id", "position", "left", "keyword", "right"])
    meta = [c for c in docs.columns if c not in ("doc_id", "text", column, "encoding", "file")]
    return out.merge(docs[["doc_id"] + meta], on="doc_id", how="left")


def _kwic_tokens(tokens: pd.DataFrame, term, window: int) -> pd.DataFrame:
    phrase = term.split() if isinstance(term, str) else list(term)
    order = in_text_order(tokens).reset_index(drop=True)
    words = order["token"].astype("object").to_numpy()
    docs = order["doc_id"].astype("object").to_numpy()
    paras, positions = order["para_id"].to_numpy(), order["position"].to_numpy()
    k = len(phrase)
    meta = [c for c in metadata_columns(tokens) if c not in ("doc_id",)]
    rows, index = [], []
    for i in np.flatnonzero(words[: max(0, len(words) - k + 1)] == phrase[0]):  # candidates only
        if (list(words[i:i + k]) != phrase or docs[i + k - 1] != docs[i] or paras[i + k - 1] != paras[i]
                or positions[i + k - 1] != positions[i] + k - 1):
            continue
        lo = i
        while lo > 0 and i - lo < window and docs[lo - 1] == docs[i]:
            lo -= 1
        hi = i + k
        while hi < len(words) and hi - (i + k) < window and docs[hi] == docs[i]:
            hi += 1
        rows.append((docs[i], int(paras[i]), int(positions[i]), " ".join(words[lo:i]), " ".join(phrase),
                     " ".join(words[i + k:hi])))
        index.append(i)
    out = pd.DataFrame(rows, columns=["doc_id", "para_id", "position", "left", "keyword", "right"])
    for c in meta:
        out[c] = metadata_column(order, c).iloc[index].to_numpy()
    return out
