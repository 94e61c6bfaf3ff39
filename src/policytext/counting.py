"""Counting: term frequencies per group, top terms, and corpus summaries.

Every function takes the tidy tokens table first, takes options as keywords,
returns a new DataFrame and never changes its input.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from . import _attrs

__all__ = ["term_frequency", "top_terms", "corpus_summary", "group_columns"]


def group_columns(tokens: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    """The grouping columns for ``by`` (``None`` means per document), checked to exist."""
    cols = ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in cols if c not in tokens.columns]
    if missing:
        available = [c for c in tokens.columns if c not in ("para_id", "position", "token", "pos")]
        raise KeyError(f"by={by!r}: no column {missing} in the tokens table; metadata columns are {available}")
    return cols


def term_frequency(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                   term: str = "token") -> pd.DataFrame:
    """Count terms per group.

    Parameters
    ----------
    tokens : DataFrame
        One row per token (from :func:`policytext.tokenize`).
    by : str or list of str, optional
        Metadata column(s) to group by; ``None`` counts per document.
    term : str
        The column holding the terms.

    Returns
    -------
    DataFrame
        One row per group and term: the ``by`` columns, ``term``, ``n``,
        ``per_10k`` (occurrences per 10,000 tokens of the group), ``doc_freq``
        (documents of the group that use the term), ``rank`` (1 = most frequent;
        ties share the lower rank). Sorted by group, rank, then term.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "province": ["鄂", "鄂", "鄂", "鄂"],
    ...                      "token": ["数据", "数据", "平台", "数据"]})
    >>> term_frequency(toks, by="province")[["term", "n", "per_10k", "doc_freq", "rank"]].values.tolist()
    [['数据', 3, 7500.0, 2, 1], ['平台', 1, 2500.0, 1, 2]]
    """
    cols = group_columns(tokens, by)
    keys = cols + [term]
    data = tokens[list(dict.fromkeys(keys + ["doc_id"]))].astype({c: "object" for c in keys + ["doc_id"]})
    counts = data.groupby(keys, sort=False).size().rename("n")
    doc_freq = data.drop_duplicates(keys + ["doc_id"]).groupby(keys, sort=False).size().rename("doc_freq")
    table = pd.concat([counts, doc_freq], axis=1).reset_index().rename(columns={term: "term"})
    totals = table.groupby(cols, sort=False)["n"].transform("sum")
    table["per_10k"] = table["n"] / totals * 10_000
    table["rank"] = table.groupby(cols, sort=False)["n"].rank(method="min", ascending=False).astype(int)
    table = table.sort_values(cols + ["rank", "term"], kind="stable").reset_index(drop=True)
    return table[cols + ["term", "n", "per_10k", "doc_freq", "rank"]]


def top_terms(table: pd.DataFrame, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` most frequent terms of each group of a :func:`term_frequency` table.

    Ties at the cut are broken by term, so exactly ``n`` rows per group come
    back (fewer if the group has fewer terms). One long table, ready to plot.
    """
    cols = [c for c in table.columns if c not in ("term", "n", "per_10k", "doc_freq", "rank")]
    ordered = table.sort_values(cols + ["rank", "term"], kind="stable")
    return ordered.groupby(cols, sort=False).head(n).reset_index(drop=True)


def corpus_summary(docs: pd.DataFrame, tokens: pd.DataFrame, *, by: str | Sequence[str] | None = "province",
                   column: str = "text_clean") -> pd.DataFrame:
    """Documents, characters, units and tokens per group.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``documents``, ``chars_raw`` (characters of the
        original text), ``chars`` (of the cleaned text), ``units`` and
        ``tokens``, with a last row ``(all)`` for the whole corpus.
    """
    cols = ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in cols if c not in docs.columns]
    if missing:
        raise KeyError(f"by={by!r}: no column {missing} in the documents table")
    per_doc = docs[list(dict.fromkeys(["doc_id"] + cols))].astype("object").copy()
    per_doc["chars_raw"] = docs["text"].str.len().to_numpy() if "text" in docs else 0
    per_doc["chars"] = docs[column].str.len().to_numpy()
    doc_ids = tokens["doc_id"].astype("object")
    if "tokenize_account" in tokens.attrs:  # counts units that kept no token, too
        units = _attrs.fetch(tokens, "tokenize_account", "tokenize").set_index("doc_id")["n_units"]
    else:
        units = tokens.assign(doc_id=doc_ids).drop_duplicates(["doc_id", "para_id"]).groupby("doc_id").size()
    per_doc["units"] = per_doc["doc_id"].map(units).fillna(0).astype(int)
    per_doc["tokens"] = per_doc["doc_id"].map(doc_ids.value_counts()).fillna(0).astype(int)
    per_doc[cols] = per_doc[cols].fillna("(none)")
    summary = per_doc.groupby(cols, sort=True).agg(
        documents=("chars", "size"), chars_raw=("chars_raw", "sum"), chars=("chars", "sum"),
        units=("units", "sum"), tokens=("tokens", "sum")).reset_index()
    total = {c: "(all)" for c in cols} | summary.drop(columns=cols).sum().to_dict()
    return pd.concat([summary, pd.DataFrame([total])], ignore_index=True)
