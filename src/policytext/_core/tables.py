"""The tokens table's metadata and groups: what every ``by=`` of the package rests on.

A tokens table keeps its documents' metadata once per document (``attrs``), and any
metadata column can be grouped by. A missing value is a group of its own, ``"(none)"``.
"""

from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs

__all__ = ["NONE", "document_metadata", "metadata_column", "metadata_columns", "group_columns", "missing_label",
           "group_keys", "in_text_order", "row_labels"]

logger = logging.getLogger(__name__)

#: The group of documents without a value of the grouping column.
NONE = "(none)"
_WARNED: set = set()


def document_metadata(table: pd.DataFrame) -> pd.DataFrame | None:
    """The documents' metadata kept with a tokens table (one row per document), or None.

    :func:`policytext.tokenize` keeps the metadata once per document instead of
    on every token row; this is that table (``doc_id`` and the metadata columns),
    not a copy: do not modify it.
    """
    return _attrs.held(table, "documents")


def metadata_column(table: pd.DataFrame, col: str) -> pd.Series:
    """A metadata column aligned with the rows of a tokens table: a real column, or the documents'
    metadata mapped through ``doc_id`` (categorical, so it costs one code per row)."""
    if col in table.columns:
        return table[col]
    meta = document_metadata(table)
    if meta is None or col not in meta.columns:
        raise KeyError(col)
    values = meta.set_index("doc_id")[col]
    doc = table["doc_id"]
    if isinstance(doc.dtype, pd.CategoricalDtype):
        per_category = values.reindex(doc.cat.categories.astype(str))
        if pd.api.types.is_numeric_dtype(per_category):  # the column's own dtype (a year with gaps stays Int64)
            return pd.Series(per_category.array.take(doc.cat.codes.to_numpy()), index=table.index, name=col)
        cat = pd.Categorical(per_category.astype("object").where(per_category.notna(), None))
        codes = cat.codes[doc.cat.codes.to_numpy()]
        return pd.Series(pd.Categorical.from_codes(codes, categories=cat.categories), index=table.index, name=col)
    return pd.Series(doc.astype(str).map(values).to_numpy(), index=table.index, name=col)


def metadata_columns(table: pd.DataFrame) -> list[str]:
    """The metadata columns a ``by=`` can name: real columns besides the token columns, and the documents'."""
    own = [c for c in table.columns if c not in ("para_id", "position", "token", "pos")]
    meta = document_metadata(table)
    extra = [c for c in (meta.columns if meta is not None else []) if c not in own]
    return own + extra


def group_columns(tokens: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    """The grouping columns for ``by`` (``None`` means per document), checked to exist."""
    cols = ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
    available = metadata_columns(tokens)
    missing = [c for c in cols if c not in available]
    if missing:
        raise KeyError(f"by={by!r}: no column {missing} in the tokens table or its documents' metadata; "
                       f"metadata columns are {available}")
    return cols


def missing_label(values) -> str:
    """The group of documents without a value: ``"(none)"``, unless a real value is written so.

    Examples
    --------
    >>> missing_label(["湖北省"]), missing_label(["(none)", "湖北省"])
    ('(none)', '(none) (missing)')
    """
    taken = {str(v) for v in values}
    label = NONE
    while label in taken:
        label += " (missing)"
    return label


def group_keys(table: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[list[str], pd.DataFrame]:
    """The grouping columns and their values, ready to group by.

    A column may be a real column of ``table`` or a metadata column of its
    documents (:func:`document_metadata`). A column with missing values (a
    document without a year, or an empty metadata cell such as the province
    of a national document) is grouped as text, with ``"(none)"`` for the
    missing value, and a warning is logged: pandas would otherwise drop NA
    rows from a groupby silently, and an empty label is unreadable in a table
    or a plot.
    """
    cols = group_columns(table, by)
    keys = pd.DataFrame({c: metadata_column(table, c).astype("object").to_numpy() for c in cols}, index=table.index)
    for col in cols:
        values = keys[col]
        present = pd.unique(values.dropna())
        blank = [v for v in present if isinstance(v, str) and not v.strip()]
        missing = values.isna() | (values.isin(blank) if blank else False)
        if missing.any():
            label = missing_label(present)
            docs = table.loc[missing, "doc_id"].astype(str).unique() if "doc_id" in table else []
            said = (col, len(docs), tuple(docs[:3]))
            # once per process for the same documents: a report groups the same table many times
            level = logging.INFO if said in _WARNED else logging.WARNING
            _WARNED.add(said)
            logger.log(level, "by=%r: %d document(s) have no %s (e.g. %s); they form the group %r",
                       by, len(docs), col, ", ".join(docs[:3]), label)
            keys[col] = np.where(missing.to_numpy(), label, _as_text(values).to_numpy()).astype(object)
    return cols, keys


def _as_text(values: pd.Series) -> pd.Series:
    """Values as text labels; a whole number stored as a float (a year read beside empty cells) without ``.0``."""
    def text(v):
        if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
            return str(int(v))
        return str(v)

    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # each distinct value once, not each row
    labels = np.array([text(v) for v in uniques], dtype=object)
    return pd.Series(labels[codes] if len(codes) else np.zeros(0, dtype=object), index=values.index,
                     dtype=object)


def in_text_order(tokens: pd.DataFrame) -> pd.DataFrame:
    """The tokens sorted by document, unit and position (whatever the row order was)."""
    order = tokens.assign(_doc=tokens["doc_id"].astype("object"))
    return order.sort_values(["_doc", "para_id", "position"], kind="stable").drop(columns="_doc")


def row_labels(rows: pd.DataFrame, cols: list[str]) -> list:
    """One label per row of a :class:`TermMatrix`: the value, or a tuple for several columns."""
    return rows[cols[0]].tolist() if len(cols) == 1 else [tuple(r) for r in rows[cols].itertuples(index=False)]


