"""Counting: term frequencies per group, top terms, and corpus summaries.

Every function takes the tidy tokens table first, takes options as keywords,
returns a new DataFrame and never changes its input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from policytext._core.codes import sorted_codes
from policytext.compare.datasets import dataset_counts, is_token_dataset
from policytext._core import attrs as _attrs
from policytext._core.deprecation import NOT_GIVEN, default_by, renamed, warn_deprecated
from policytext._core.stats import g2_2x2
from policytext._core.tables import (NONE, document_metadata, group_columns, group_keys,  # noqa: F401 (exported)
                                     in_text_order, metadata_column, metadata_columns, missing_label, row_labels)

logger = logging.getLogger(__name__)

__all__ = ["term_frequency", "top_terms", "corpus_summary", "group_sizes", "document_metadata", "term_matrix",
           "document_matrix", "TermMatrix", "ngrams", "ngram_frequency", "collocations"]


def term_frequency(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                   term: str = "token") -> pd.DataFrame:
    """Count terms per group.

    Parameters
    ----------
    tokens : DataFrame, TermMatrix or path
        One row per token (from :func:`policytext.tokenize`); or its matrix of
        documents (:func:`term_matrix`); or the path of a token dataset
        (:func:`policytext.tokenize_to_parquet`), counted on the current Dask
        cluster (see :mod:`policytext.compare.datasets`). All three give the same table.
    by : str or list of str, optional
        Metadata column(s) to group by; ``None`` counts per document.
    term : str
        The column holding the terms (of a tokens table).

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
    if is_token_dataset(tokens):
        tokens = term_matrix(tokens)
    if isinstance(tokens, TermMatrix):
        return _frequency_of_matrix(document_matrix(tokens), by)
    cols, group = group_keys(tokens, by)
    keys = cols + [term]
    data = group.assign(**{term: tokens[term].astype("object").to_numpy(),
                           "_doc": tokens["doc_id"].astype("object").to_numpy()})
    counts = data.groupby(keys, sort=False).size().rename("n")
    doc_freq = data.drop_duplicates(keys + ["_doc"]).groupby(keys, sort=False).size().rename("doc_freq")
    table = pd.concat([counts, doc_freq], axis=1).reset_index().rename(columns={term: "term"})
    totals = table.groupby(cols, sort=False)["n"].transform("sum")
    table["per_10k"] = table["n"] / totals * 10_000
    table["rank"] = table.groupby(cols, sort=False)["n"].rank(method="min", ascending=False).astype(int)
    table = table.sort_values(cols + ["rank", "term"], kind="stable").reset_index(drop=True)
    return table[cols + ["term", "n", "per_10k", "doc_freq", "rank"]]


def _frequency_of_matrix(docs: "TermMatrix", by) -> pd.DataFrame:
    """:func:`term_frequency` from a matrix of documents: counts and documents using each term, by group."""
    counts = docs.group(by)
    present = docs.matrix.copy()
    present.data = (present.data > 0).astype(np.int64)
    users = TermMatrix(present.tocsr(), docs.rows, docs.terms, docs.documents).group(by)
    cols = counts.by
    n = counts.matrix.tocsr()
    n.sum_duplicates()
    n.eliminate_zeros()
    n.sort_indices()
    row, col = np.repeat(np.arange(n.shape[0]), np.diff(n.indptr)), n.indices
    doc_freq = np.asarray(users.matrix.tocsr()[row, col]).ravel()
    table = counts.rows.iloc[row].reset_index(drop=True).infer_objects()  # group values typed as a groupby types them
    table["term"] = np.asarray(counts.terms, dtype=object)[col]
    table["n"] = n.data.astype(np.int64)
    table["doc_freq"] = doc_freq.astype(np.int64)
    totals = table.groupby(cols, sort=False)["n"].transform("sum")
    table["per_10k"] = table["n"] / totals * 10_000
    table["rank"] = table.groupby(cols, sort=False)["n"].rank(method="min", ascending=False).astype(int)
    table = table.sort_values(cols + ["rank", "term"], kind="stable").reset_index(drop=True)
    return table[cols + ["term", "n", "per_10k", "doc_freq", "rank"]]


def top_terms(table: pd.DataFrame, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` most frequent terms of each group of a :func:`term_frequency` table.

    Ties at the cut are broken by term, so exactly ``n`` rows per group come
    back (fewer if the group has fewer terms). One long table, ready to plot.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "token": ["数据", "数据", "平台", "安全"]})
    >>> top_terms(term_frequency(toks), n=2)[["term", "n"]].values.tolist()
    [['数据', 2], ['安全', 1]]
    """
    cols = [c for c in table.columns if c not in ("term", "n", "per_10k", "doc_freq", "rank")]
    ordered = table.sort_values(cols + ["rank", "term"], kind="stable")
    return ordered.groupby(cols, sort=False).head(n).reset_index(drop=True)


def group_sizes(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = NOT_GIVEN) -> pd.DataFrame:
    """Documents and tokens per group, with a flag for groups of a single document.

    ``by`` None: per document (the package's one default; before 0.2 this
    function grouped by ``province`` when ``by`` was not given).

    Join it to any table of groups (``table.merge(group_sizes(tokens, by=by))``)
    to say what each group rests on.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n_docs``, ``n_tokens``, ``single_document``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "province": ["鄂", "鄂", "鄂", "川"],
    ...                      "token": ["数据", "平台", "数据", "安全"]})
    >>> group_sizes(toks, by="province").values.tolist()
    [['川', 1, 1, True], ['鄂', 2, 3, False]]
    """
    by = default_by(by, tokens, "group_sizes")
    cols, keys = group_keys(tokens, by)
    data = keys.assign(_doc=tokens["doc_id"].astype("object").to_numpy())
    grouped = data.groupby(cols, sort=True)
    out = pd.DataFrame({"n_docs": grouped["_doc"].nunique(), "n_tokens": grouped.size()}).reset_index()
    out["single_document"] = out["n_docs"] == 1
    return out


def corpus_summary(tokens: pd.DataFrame, docs: pd.DataFrame, *, by: str | Sequence[str] | None = NOT_GIVEN,
                   column: str = "text_clean") -> pd.DataFrame:
    """Documents, characters, units and tokens per group.

    The tokens table first, then the documents (as every function that takes
    both); the earlier order ``corpus_summary(docs, tokens)`` still works for
    one release, with a DeprecationWarning. ``by`` None: per document.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``documents``, ``chars_raw`` (characters of the
        original text), ``chars`` (of the cleaned text), ``units`` and
        ``tokens``, with a last row ``(all)`` for the whole corpus.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "province": ["鄂", "川"], "text": ["数据。", "平台"],
    ...                      "text_clean": ["数据。", "平台"]})
    >>> toks = pd.DataFrame({"doc_id": ["a", "b"], "para_id": [0, 0], "token": ["数据", "平台"]})
    >>> corpus_summary(toks, docs, by="province")[["province", "documents", "chars", "tokens"]].values.tolist()
    [['川', 1, 2, 1], ['鄂', 1, 3, 1], ['(all)', 2, 5, 2]]
    """
    if "token" not in tokens.columns and "token" in docs.columns:  # the order of earlier releases
        warn_deprecated("corpus_summary(docs, tokens) is now corpus_summary(tokens, docs)")
        tokens, docs = docs, tokens
    by = default_by(by, docs, "corpus_summary")
    cols, keys = group_keys(docs, by)
    per_doc = keys.assign(doc_id=docs["doc_id"].astype(str).to_numpy())
    per_doc["chars_raw"] = docs["text"].str.len().to_numpy() if "text" in docs else 0
    per_doc["chars"] = docs[column].str.len().to_numpy()
    doc_ids = tokens["doc_id"].astype(str)
    if "tokenize_account" in tokens.attrs:  # counts units that kept no token, too
        units = _attrs.fetch(tokens, "tokenize_account", "tokenize").set_index("doc_id")["n_units"]
    else:
        units = tokens.assign(doc_id=doc_ids).drop_duplicates(["doc_id", "para_id"]).groupby("doc_id").size()
    per_doc["units"] = per_doc["doc_id"].map(units).fillna(0).astype(int)
    per_doc["tokens"] = per_doc["doc_id"].map(doc_ids.value_counts()).fillna(0).astype(int)
    summary = per_doc.groupby(cols, sort=True).agg(
        documents=("chars", "size"), chars_raw=("chars_raw", "sum"), chars=("chars", "sum"),
        units=("units", "sum"), tokens=("tokens", "sum")).reset_index()
    total = {c: "(all)" for c in cols} | summary.drop(columns=cols).sum().to_dict()
    return pd.concat([summary, pd.DataFrame([total])], ignore_index=True)


@dataclass(frozen=True)
class TermMatrix:
    """Counts of terms per document or group: the explicit step from tidy tokens to a matrix.

    Built once per corpus (:func:`term_matrix`) and handed to every statistic
    that counts: :func:`policytext.tfidf`, :func:`policytext.similarity` and
    :func:`policytext.keyness` take it in place of the tokens table, as
    quanteda's ``dfm`` is handed to its ``textstat_*`` functions. A matrix of
    documents keeps their metadata (``documents``), so that :meth:`group`
    sums it into any grouping (quanteda's ``dfm_group``).

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Rows are the groups (or documents), columns the terms; entries are counts.
    rows : DataFrame
        The grouping columns of each row, in order (sorted).
    terms : Index
        The term of each column, in order (sorted).
    documents : DataFrame or None
        For a matrix of documents (``rows`` is ``doc_id``): ``doc_id`` and the
        documents' metadata columns; None for a matrix of groups.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "province": ["鄂", "鄂", "鄂", "川"],
    ...                      "token": ["数据", "平台", "数据", "数据"]})
    >>> m = term_matrix(toks)
    >>> g = m.group("province")
    >>> g.rows["province"].tolist(), g.matrix.toarray().tolist()
    (['川', '鄂'], [[0, 1], [1, 2]])
    """

    matrix: sparse.csr_matrix
    rows: pd.DataFrame
    terms: pd.Index
    documents: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def by(self) -> list[str]:
        """The grouping columns of the rows (``["doc_id"]`` for documents)."""
        return list(self.rows.columns)

    @property
    def per_document(self) -> bool:
        """Whether the rows are documents."""
        return self.by == ["doc_id"]

    def _document_keys(self, by) -> tuple[list[str], pd.DataFrame]:
        if not self.per_document:
            raise ValueError(f"this matrix counts groups ({', '.join(self.by)}), not documents: build it with "
                             "term_matrix(tokens) (by=None) to group it")
        frame = pd.DataFrame({"doc_id": self.rows["doc_id"].astype(str).to_numpy()})
        if self.documents is not None:
            documents = self.documents
            cols = ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
            own = [c for c in cols if c in documents.columns and c != "doc_id"]
            if own:
                one = documents.drop_duplicates(["doc_id", *own])
                if one["doc_id"].duplicated().any():
                    bad = one.loc[one["doc_id"].duplicated(), "doc_id"].iloc[0]
                    raise ValueError(f"document {bad!r} falls in more than one group of by={own}: a matrix of "
                                     "documents groups whole documents")
            _attrs.attach(frame, "documents", documents.drop_duplicates("doc_id"))
        return group_keys(frame, by)

    def group_labels(self, by) -> list:
        """The group of each row (document), in row order: a value, or a tuple for several columns."""
        cols, keys = self._document_keys(by)
        return row_labels(keys.reset_index(drop=True), cols)

    def group(self, by) -> "TermMatrix":
        """The counts summed by ``by`` (metadata columns of the documents); ``None``: the matrix itself.

        Rows come sorted, as :func:`term_matrix` sorts them, so
        ``term_matrix(tokens).group(by)`` equals ``term_matrix(tokens, by=by)``.
        """
        if by is None or ([by] if isinstance(by, str) else list(by)) == self.by:
            return self
        cols, keys = self._document_keys(by)
        row_codes, rows = _row_codes(keys, cols)
        indicator = sparse.csr_matrix((np.ones(len(row_codes), dtype=np.int64), (row_codes, np.arange(len(row_codes)))),
                                      shape=(len(rows), len(row_codes)))
        return TermMatrix((indicator @ self.matrix).tocsr(), rows, self.terms)


def _row_codes(keys: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's group code and the distinct groups in sorted order (factorized column by column, then combined)."""
    codes, levels = [], []
    for col in cols:
        c, u = pd.factorize(keys[col], sort=True)
        codes.append(c.astype(np.int64))
        levels.append(u)
    combined = np.zeros(len(keys), dtype=np.int64)
    for c, u in zip(codes, levels):
        combined = combined * max(1, len(u)) + c
    present, row_codes = np.unique(combined, return_inverse=True)
    rows = {}
    for col, u in zip(reversed(cols), reversed(levels)):
        rows[col] = np.asarray(u, dtype=object)[present % max(1, len(u))]
        present = present // max(1, len(u))
    return row_codes.ravel(), pd.DataFrame({col: rows[col] for col in cols})


def _documents_of(tokens: pd.DataFrame) -> pd.DataFrame | None:
    """``doc_id`` and the metadata of each document of a tokens table (its own metadata columns too)."""
    meta = document_metadata(tokens)
    own = [c for c in tokens.columns if c not in ("doc_id", "para_id", "position", "token", "pos")]
    if not own:
        return meta
    table = pd.DataFrame({"doc_id": tokens["doc_id"].astype("object").astype(str).to_numpy(),
                          **{c: tokens[c].astype("object").to_numpy() for c in own}}).drop_duplicates()
    if meta is not None:
        more = [c for c in meta.columns if c not in table.columns]
        table = table.merge(meta[["doc_id", *more]], on="doc_id", how="left")
    return table


def term_matrix(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = None, term: str = "token",
                client=None) -> TermMatrix:
    """Turn the tidy tokens table into a sparse count matrix (documents or groups x terms).

    Rows and columns are sorted, so the row order of ``tokens`` does not matter.
    A matrix of documents (``by=None``) keeps their metadata: group it with
    :meth:`TermMatrix.group`, or hand it to :func:`policytext.tfidf`,
    :func:`policytext.similarity` and :func:`policytext.keyness` with any ``by=``.

    ``tokens`` may also be the path of a token dataset
    (:func:`policytext.tokenize_to_parquet`): each of its files is then counted
    on a worker of the Dask cluster (``client``, or the current one), and only
    the counts travel; the matrix equals the one of the tokens it holds
    (see :mod:`policytext.compare.datasets`).

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b"], "token": ["数据", "平台", "数据"]})
    >>> m = term_matrix(toks)
    >>> m.rows["doc_id"].tolist(), m.terms.tolist(), m.matrix.toarray().tolist()
    (['a', 'b'], ['平台', '数据'], [[1, 1], [0, 1]])
    """
    if is_token_dataset(tokens):
        if term != "token":
            raise ValueError(f"a token dataset holds the column 'token', not {term!r}")
        documents = TermMatrix(*dataset_counts(tokens, client=client))
        return documents if by is None else documents.group(by)
    cols, keys = group_keys(tokens, by)
    row_codes, rows = _row_codes(keys, cols)
    col_codes, uniques = sorted_codes(tokens[term])  # a categorical's codes reused: no string touched
    terms = pd.Index(uniques, dtype=object)
    matrix = sparse.csr_matrix((np.ones(len(tokens), dtype=np.int64), (row_codes, col_codes)),
                               shape=(len(rows), len(terms)))
    matrix.sum_duplicates()
    documents = _documents_of(tokens) if cols == ["doc_id"] else None
    logger.debug("term matrix: %d rows x %d terms from %d tokens", len(rows), len(terms), len(tokens))
    return TermMatrix(matrix, rows, terms, documents)


def document_matrix(data, *, term: str = "token") -> TermMatrix:
    """A matrix of documents: ``data`` itself when it is one, else :func:`term_matrix` of the tokens table."""
    if isinstance(data, TermMatrix):
        if not data.per_document:
            raise ValueError(f"a matrix of documents is needed; this one counts groups ({', '.join(data.by)}): "
                             "build it with term_matrix(tokens)")
        return data
    return term_matrix(data, by=None, term=term)


@renamed(n="ngram")
def ngrams(tokens: pd.DataFrame, *, ngram: int = 2, sep: str = " ", allow_gaps: bool = False) -> pd.DataFrame:
    """Adjacent token sequences of ``ngram`` tokens, one row per occurrence (``n=`` is the old name of ``ngram=``).

    Tokens are adjacent when they stand in the same unit (``doc_id``, ``para_id``)
    with consecutive ``position``: a token removed in between (a stopword, a
    punctuation mark) breaks the sequence unless ``allow_gaps`` is true.

    Returns
    -------
    DataFrame
        The tokens table's columns, with ``token`` replaced by the n-gram (its
        tokens joined by ``sep``) and ``position`` that of its first token.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "para_id": [0] * 4, "position": [0, 1, 3, 4],
    ...                      "token": ["工业互联网", "平台", "数字", "经济"]})
    >>> ngrams(toks)["token"].tolist()
    ['工业互联网 平台', '数字 经济']
    """
    n = ngram
    if n < 2:
        raise ValueError(f"ngram must be at least 2, got {n}")
    order = in_text_order(tokens)
    doc = order["doc_id"].astype("object").to_numpy()
    para = order["para_id"].to_numpy()
    pos = order["position"].to_numpy()
    words = order["token"].astype("object").to_numpy()
    m = len(order) - n + 1
    if m <= 0:
        return order.iloc[:0].reset_index(drop=True)
    valid = np.ones(m, dtype=bool)
    for k in range(1, n):
        valid &= (doc[k:k + m] == doc[:m]) & (para[k:k + m] == para[:m])
        if not allow_gaps:
            valid &= pos[k:k + m] == pos[:m] + k
    joined = words[:m].astype(str)
    for k in range(1, n):
        joined = np.char.add(np.char.add(joined, sep), words[k:k + m].astype(str))
    out = order.iloc[:m][valid].copy()
    out["token"] = joined[valid].astype(object)
    return out.reset_index(drop=True)


@renamed(n="ngram")
def ngram_frequency(tokens: pd.DataFrame, *, ngram: int = 2, by: str | Sequence[str] | None = None,
                    sep: str = " ", allow_gaps: bool = False) -> pd.DataFrame:
    """:func:`term_frequency` of the n-grams of :func:`ngrams` (same columns; ``ngram``: tokens per n-gram).

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 3, "para_id": [0] * 3, "position": [0, 1, 2],
    ...                      "token": ["数据", "安全", "数据"]})
    >>> ngram_frequency(toks)[["term", "n"]].values.tolist()
    [['安全 数据', 1], ['数据 安全', 1]]"""
    return term_frequency(ngrams(tokens, ngram=ngram, sep=sep, allow_gaps=allow_gaps), by=by)


def collocations(tokens: pd.DataFrame, *, min_count: int = 5, by: str | Sequence[str] | None = None,
                 allow_gaps: bool = False) -> pd.DataFrame:
    """Two-token collocations scored by PMI and log-likelihood (G²).

    For a pair ``w1 w2`` among the ``N`` adjacent pairs of a group: ``n`` pairs
    are ``w1 w2``, ``n_w1`` pairs start with ``w1``, ``n_w2`` pairs end with
    ``w2``. ``pmi = log2(n N / (n_w1 n_w2))``; ``g2`` is the log-likelihood
    ratio of the 2x2 table (first word is / is not ``w1`` x second word is / is
    not ``w2``), Dunning (1993). Pairs seen fewer than ``min_count`` times are
    left out. Sorted by group, then ``g2`` descending.

    Returns
    -------
    DataFrame
        The ``by`` columns (none with ``by=None``: the whole corpus), ``ngram``,
        ``w1``, ``w2``, ``n``, ``n_w1``, ``n_w2``, ``pmi``, ``g2``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 5, "para_id": [0] * 5, "position": range(5),
    ...                      "token": ["数据", "安全", "数据", "安全", "平台"]})
    >>> c = collocations(toks, min_count=2)
    >>> c[["ngram", "n", "n_w1", "n_w2"]].values.tolist(), round(float(c["pmi"].iloc[0]), 3)
    ([['数据 安全', 2, 2, 2]], 1.0)
    """
    cols = [] if by is None else group_columns(tokens, by)
    pairs = ngrams(tokens, ngram=2, sep="\t", allow_gaps=allow_gaps)
    if pairs.empty:
        return pd.DataFrame(columns=cols + ["ngram", "w1", "w2", "n", "n_w1", "n_w2", "pmi", "g2"])
    split = pairs["token"].str.split("\t", n=1, expand=True)
    pairs = pairs.assign(w1=split[0], w2=split[1])
    if cols:
        _, keys = group_keys(pairs, cols)
        grouped = pairs.groupby([keys[c] for c in cols], sort=True)
    else:
        grouped = [((), pairs)]
    tables = []
    for key, part in grouped:
        total = len(part)
        counts = part.groupby(["w1", "w2"]).size().rename("n").reset_index()
        counts["n_w1"] = counts["w1"].map(part["w1"].value_counts())
        counts["n_w2"] = counts["w2"].map(part["w2"].value_counts())
        counts = counts[counts["n"] >= min_count]
        o11 = counts["n"].to_numpy()
        o12 = counts["n_w1"].to_numpy() - o11
        o21 = counts["n_w2"].to_numpy() - o11
        o22 = total - o11 - o12 - o21
        counts["pmi"] = np.log2(o11 * total / (counts["n_w1"].to_numpy() * counts["n_w2"].to_numpy()))
        counts["g2"] = g2_2x2(o11, o12, o21, o22)
        for c, v in zip(cols, key if isinstance(key, tuple) else (key,)):
            counts[c] = v
        tables.append(counts)
    out = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=cols + ["w1", "w2", "n", "n_w1", "n_w2", "pmi", "g2"])
    out["ngram"] = out["w1"] + " " + out["w2"]
    out = out.sort_values(cols + ["g2", "ngram"], ascending=[True] * len(cols) + [False, True], kind="stable")
    return out[cols + ["ngram", "w1", "w2", "n", "n_w1", "n_w2", "pmi", "g2"]].reset_index(drop=True)
