"""Co-word networks: co-occurrence of terms within units, normalised, clustered into themes, exported.

The steps a co-word study takes (ROST CM or BICOMB for the counts, SPSS or
UCINET for the normalisation and clustering, Gephi for the picture), as tables
in and tables out:

1. :func:`cooccurrence` counts, for the top terms (or a given list), in how many
   units (paragraphs, documents, or sliding windows of tokens) each pair of
   terms occurs together, and normalises the counts (Ochiai, Jaccard,
   association strength, PMI): one row per pair;
2. :func:`coword_network` turns that table into a networkx graph;
3. :func:`coword_communities` finds its communities (Louvain) and the
   centrality of every term; :func:`community_terms` lists each community's
   top terms;
4. :func:`write_network` writes any graph as GEXF or GraphML (Gephi, UCINET,
   Cytoscape) or as an edge-list CSV; :func:`policytext.plots.network` draws it.

Presence is binary: a term that occurs three times in a paragraph counts once
for that paragraph. Every table is sorted, and the graph's nodes and edges are
inserted in sorted order, so results do not depend on the order of the tokens
or on what the documents are called.

Government work reports are dominated by genre words (发展, 建设, 推进): pass
``drop_boilerplate=True`` (the word lists :func:`policytext.fit_lda` uses) and
``drop_places=True`` to :func:`cooccurrence`, or filter the tokens first.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from policytext._core.codes import distinct_integers, sorted_codes
from policytext._core.deprecation import renamed
from policytext._core import attrs as _attrs
from policytext._core.output import XML_INVALID, atomic_path, spreadsheet_safe, xml_safe_text
from policytext._core.tables import group_keys

__all__ = ["cooccurrence", "cooccurrence_terms", "coword_network", "coword_communities", "community_terms",
           "write_network", "UNITS", "MEASURES", "NETWORK_FORMATS"]

logger = logging.getLogger(__name__)

#: The units :func:`cooccurrence` counts in (or an int: a sliding window of that many tokens).
UNITS = ("paragraph", "document")
#: The normalised co-occurrence measures of :func:`cooccurrence`, each a column and an edge attribute.
MEASURES = ("ochiai", "jaccard", "association_strength", "pmi")
#: The formats :func:`write_network` writes, by suffix.
NETWORK_FORMATS = ("gexf", "graphml", "csv")

#: The columns of a :func:`cooccurrence` table besides its grouping columns.
EDGE_COLUMNS = ("term_a", "term_b", "n_ab", "n_a", "n_b", "n_units") + MEASURES


# --------------------------------------------------------------------------------------
# Co-occurrence
# --------------------------------------------------------------------------------------

def _window(unit) -> int | None:
    """The window size of ``unit`` (None for paragraphs and documents); a clear error for anything else."""
    if isinstance(unit, str):
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS} or a window size (an int of at least 2), got {unit!r}")
        return None
    if isinstance(unit, numbers.Integral) and not isinstance(unit, bool) and int(unit) >= 2:
        return int(unit)
    raise ValueError(f"unit must be one of {UNITS} or a window size (an int of at least 2), got {unit!r}")


def _vocabulary(tokens: pd.DataFrame, drop_places: bool, drop_boilerplate: bool) -> pd.DataFrame:
    """The tokens without place names and genre boilerplate, if asked (the same lists everywhere)."""
    from policytext.text.vocabulary import content_tokens

    return content_tokens(tokens, drop_places=drop_places, drop_boilerplate=drop_boilerplate, purpose="co-occurrence vocabulary")


def _group_codes(tokens: pd.DataFrame, by) -> tuple[list[str], np.ndarray, pd.DataFrame]:
    """Grouping columns, a group code per token (groups in sorted order) and the groups' values."""
    if by is None:
        return [], np.zeros(len(tokens), dtype=np.int64), pd.DataFrame(index=[0])
    cols, keys = group_keys(tokens, by)
    combined = np.zeros(len(tokens), dtype=np.int64)
    levels = []
    for col in cols:
        codes, uniques = pd.factorize(keys[col].astype(str), sort=True)  # sorted as text; values kept as they are
        levels.append(pd.Series(keys[col].to_numpy()).groupby(codes).first().to_numpy(dtype=object))
        combined = combined * max(1, len(uniques)) + codes
    present, inverse = np.unique(combined, return_inverse=True)
    values = {}
    rest = present.copy()
    for col, level in zip(reversed(cols), reversed(levels)):
        values[col] = level[rest % max(1, len(level))]
        rest = rest // max(1, len(level))
    return cols, inverse.ravel().astype(np.int64), pd.DataFrame({col: values[col] for col in cols})


def _select(group: np.ndarray, term: np.ndarray, n_a: np.ndarray, n_groups: int, vocab: np.ndarray,
            top: int | None, terms: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """The selected (group, term) pairs, ordered by group then term: the columns of the unit x term matrix."""
    if terms is not None:
        wanted = list(dict.fromkeys(str(t) for t in terms))
        index = pd.Index(vocab)
        found = index.get_indexer(wanted)
        missing = [t for t, i in zip(wanted, found) if i < 0]
        if missing:
            logger.warning("%d of the %d terms given occur in no unit: %s", len(missing), len(wanted),
                           ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
        chosen = np.sort(found[found >= 0])
        return np.repeat(np.arange(n_groups), len(chosen)), np.tile(chosen, n_groups)
    order = np.lexsort((term, -n_a, group))  # per group: most units first, ties by term
    g, t = group[order], term[order]
    rank = np.arange(len(g)) - np.searchsorted(g, g, side="left")
    keep = rank < top if top is not None else np.ones(len(g), dtype=bool)
    g, t = g[keep], t[keep]
    order = np.lexsort((t, g))
    return g[order], t[order]



@renamed(top="n")
def cooccurrence(tokens: pd.DataFrame, *, unit: str | int = "paragraph", n: int | None = 50,
                 terms: Sequence[str] | None = None, by: str | Sequence[str] | None = None, min_count: int = 1,
                 drop_places: bool = False, drop_boilerplate: bool = False) -> pd.DataFrame:
    """Co-occurrence of terms within units, with the usual normalisations: one row per pair of terms.

    Parameters
    ----------
    tokens : DataFrame
        One row per token (from :func:`policytext.tokenize`): ``doc_id``,
        ``para_id``, ``position``, ``token``.
    unit : {"paragraph", "document"} or int
        What counts as being together. ``"paragraph"``: the same paragraph
        (``doc_id``, ``para_id``); ``"document"``: the same document; an int
        ``w`` (at least 2): the same sliding window of ``w`` consecutive tokens
        of a paragraph. Tokens are consecutive in the table as it is (tokens
        removed earlier, such as stopwords or place names, take no room):
        a paragraph of ``L >= w`` tokens has the ``L - w + 1`` windows starting
        at each of its tokens, and a shorter paragraph is one window. Windows
        never cross paragraphs. Units are counted alike in ``n_a``, ``n_ab``
        and ``n_units``.
    n : int or None
        How many terms: the ``n`` terms that occur in the most units (the
        unit frequency ``n_a``, the same count the measures rest on; ties
        broken by the term), chosen within each group. None: every term.
    terms : sequence of str, optional
        The terms to use instead of the most frequent ones (``n`` is then ignored),
        the same in every group: the way to compare groups on one vocabulary.
    by : str or list of str, optional
        Metadata column(s): one network per group, its units only (as if
        each group were run alone). None: the whole corpus.
    min_count : int
        Leave out pairs found together in fewer units than this.
    drop_places, drop_boilerplate : bool
        Leave place names (:func:`policytext.place_names`) and the genre
        boilerplate out first: the stopword layer ``policy`` and
        ``data/stopwords/topic_boilerplate.txt`` (发展, 建设 ...), the lists of
        ``fit_lda(drop_boilerplate=True)``. The same as removing those tokens
        from the table beforehand (windows then close over the gap).

    Returns
    -------
    DataFrame
        The ``by`` columns (none with ``by=None``), then ``term_a``, ``term_b``
        (``term_a < term_b``), ``n_ab`` (units holding both), ``n_a``, ``n_b``
        (units holding each), ``n_units`` (``N``: every unit of the group with
        at least one token left, holding a selected term or not), and:

        - ``ochiai`` = ``n_ab / sqrt(n_a n_b)``: the Ochiai coefficient, the
          cosine of the two terms' binary unit vectors (Zhou & Leydesdorff
          2016, *JASIST* 67(11)); from 0 to 1.
        - ``jaccard`` = ``n_ab / (n_a + n_b - n_ab)``; from 0 to 1.
        - ``association_strength`` = ``2 m n_ab / (c_a c_b)``, as VOSviewer
          normalises (van Eck & Waltman 2009, *JASIST* 60(8), with the
          "total number of co-occurrences" variant of ``s_i`` that van Eck &
          Waltman 2010, *Scientometrics* 84, describe for VOSviewer): ``c_a`` is
          the sum of ``n_ab`` of term ``a`` with every other selected term,
          ``m`` the sum of ``n_ab`` over all pairs of the group. It is the
          ratio of observed to expected co-occurrences given how much each
          term co-occurs at all (1: as expected); it depends on which terms
          were selected.
        - ``pmi`` = ``log2(n_ab N / (n_a n_b))``: pointwise mutual
          information in bits (base 2, as :func:`policytext.collocations`);
          0 when the terms are independent across units.

        Sorted by group, ``n_ab`` (descending), ``term_a``, ``term_b``.
        ``.attrs["cooccurrence"]`` records the unit, the window, ``N`` per
        group, how the terms were chosen and what was dropped.

    Examples
    --------
    Three paragraphs: 数据 and 平台 share two of them.

    >>> toks = pd.DataFrame({"doc_id": ["a"] * 6 + ["b"] * 2, "para_id": [0, 0, 1, 1, 2, 2, 0, 0],
    ...                      "position": [0, 1, 0, 1, 0, 1, 0, 1],
    ...                      "token": ["数据", "平台", "数据", "平台", "数据", "安全", "安全", "平台"]})
    >>> edges = cooccurrence(toks)
    >>> edges[["term_a", "term_b", "n_ab", "n_a", "n_b", "n_units"]].values.tolist()
    [['平台', '数据', 2, 3, 3, 4], ['安全', '平台', 1, 2, 3, 4], ['安全', '数据', 1, 2, 3, 4]]
    >>> round(float(edges["ochiai"].iloc[0]), 4), round(float(edges["pmi"].iloc[0]), 4)
    (0.6667, -0.1699)
    >>> cooccurrence(toks, unit="document")[["term_a", "term_b", "n_ab"]].values.tolist()[:1]
    [['安全', '平台', 2]]
    """
    window = _window(unit)
    if n is not None and (not isinstance(n, numbers.Integral) or n < 1):
        raise ValueError(f"n must be a positive int or None, got {n!r}")
    if not isinstance(min_count, numbers.Integral) or min_count < 1:
        raise ValueError(f"min_count must be a positive int, got {min_count!r}")
    if isinstance(terms, str):
        terms = [terms]
    from policytext.compare.datasets import is_token_dataset

    if is_token_dataset(tokens):
        if window:
            raise NotImplementedError("co-occurrence in windows of tokens is counted from a tokens table; from a "
                                      "token dataset, use unit='paragraph' or unit='document'")
        return _dataset_cooccurrence(tokens, unit=unit, n=n, terms=terms, by=by, min_count=min_count,
                                     drop_places=drop_places, drop_boilerplate=drop_boilerplate)
    missing = [c for c in ("doc_id", "token") + (("para_id",) if unit != "document" else ())
               + (("position",) if window else ()) if c not in tokens.columns]
    if missing:
        raise KeyError(f"the tokens table has no column {missing}; it needs doc_id, para_id, position and token")
    data = _vocabulary(tokens, drop_places, drop_boilerplate)
    cols, group, groups = _group_codes(data, by)
    n_groups = len(groups)
    term, vocab = sorted_codes(data["token"])
    doc, _ = sorted_codes(data["doc_id"])
    n_docs = int(doc.max()) + 1 if len(doc) else 1
    if unit == "document":
        key = group * n_docs + doc
    else:
        para, _ = sorted_codes(data["para_id"])
        key = (group * n_docs + doc) * (int(para.max()) + 1 if len(para) else 1) + para
    present, unit_of = np.unique(key, return_inverse=True)  # units (paragraphs when windows) in group order
    unit_of = unit_of.ravel()
    unit_group = np.zeros(len(present), dtype=np.int64)
    unit_group[unit_of] = group
    V = max(1, len(vocab))

    if window is None:
        n_units = np.bincount(unit_group, minlength=n_groups)
        pairs = distinct_integers(unit_of * V + term)  # distinct (unit, term): binary presence
        pair_unit, pair_term = pairs // V, pairs % V
        pair_group = unit_group[pair_unit]
        gt, n_a = np.unique(pair_group * V + pair_term, return_counts=True)
    else:
        # tokens in text order within each paragraph: index k in its paragraph of L tokens
        order = np.lexsort((data["position"].to_numpy(), unit_of))
        para_of, term_s, group_s = unit_of[order], term[order], group[order]
        length = np.bincount(para_of, minlength=len(present))
        first = np.concatenate([[0], np.cumsum(length)[:-1]])
        k = np.arange(len(para_of)) - first[para_of]
        L = length[para_of]
        n_windows = np.maximum(1, length - window + 1)
        offset = np.concatenate([[0], np.cumsum(n_windows)[:-1]])
        n_units = np.bincount(unit_group, weights=n_windows, minlength=n_groups).astype(np.int64)
        # the windows holding token k: those starting at max(0, k-w+1) .. min(k, L-w)
        start = np.where(L >= window, np.maximum(0, k - window + 1), 0)
        end = np.where(L >= window, np.minimum(k, L - window), 0)
        # windows holding each term: the union of its tokens' intervals per paragraph (they only move right)
        by_term = np.lexsort((k, para_of, term_s))
        t_, p_, s_, e_ = term_s[by_term], para_of[by_term], start[by_term], end[by_term]
        same = np.zeros(len(t_), dtype=bool)
        same[1:] = (t_[1:] == t_[:-1]) & (p_[1:] == p_[:-1])
        previous_end = np.concatenate([[-1], e_[:-1]])
        new = np.maximum(0, e_ - np.where(same, np.maximum(s_, previous_end + 1), s_) + 1)
        gt_all = group_s[by_term] * V + t_
        gt, where = np.unique(gt_all, return_inverse=True)
        n_a = np.bincount(where.ravel(), weights=new, minlength=len(gt)).astype(np.int64)

    sel_group, sel_term = _select(gt // V, gt % V, n_a, n_groups, vocab, n, terms)
    columns = sel_group * V + sel_term  # sorted: group, then term (vocab is in sorted order)
    n_cols = len(columns)

    if window is None:
        col = np.searchsorted(columns, pair_group * V + pair_term)
        hit = col < n_cols
        hit[hit] = columns[col[hit]] == (pair_group * V + pair_term)[hit]
        rows, cols_ = pair_unit[hit], col[hit]
        total_units = len(present)
    else:
        wanted = group_s * V + term_s
        col = np.searchsorted(columns, wanted)
        hit = col < n_cols
        hit[hit] = columns[col[hit]] == wanted[hit]
        counts = (end - start + 1)[hit]
        base = (offset[para_of] + start)[hit]
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        rows = np.repeat(base, counts) + (np.arange(int(counts.sum())) - starts)
        cols_ = np.repeat(col[hit], counts)
        total_units = int(n_windows.sum())
    X = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols_)), shape=(total_units, n_cols))
    X.sum_duplicates()
    X.data[:] = 1
    C = (X.T @ X).tocsr()  # block-diagonal: units belong to one group
    return _edges(C, sel_group, sel_term, vocab, groups, cols, n_units, total_units, n_groups,
                  unit=unit, window=window, n=n, terms=terms, min_count=min_count, drop_places=drop_places,
                  drop_boilerplate=drop_boilerplate)


def _edges(C, sel_group, sel_term, vocab, groups, cols, n_units, total_units, n_groups, *, unit, window, n, terms,
           min_count, drop_places, drop_boilerplate) -> pd.DataFrame:
    """The table of :func:`cooccurrence` from the selected terms' co-occurrence counts ``C`` (units holding
    both; the diagonal: units holding each)."""
    n_cols = C.shape[0]
    diag = C.diagonal().astype(np.int64)
    strength = np.asarray(C.sum(axis=1)).ravel().astype(float) - diag  # c_a: co-occurrences with the other terms
    m = np.bincount(sel_group, weights=strength, minlength=n_groups) / 2
    upper = sparse.triu(C, k=1).tocoo()
    i, j, n_ab = upper.row.astype(np.int64), upper.col.astype(np.int64), upper.data.astype(np.int64)
    keep = n_ab >= min_count
    i, j, n_ab = i[keep], j[keep], n_ab[keep]
    g = sel_group[i]
    n_i, n_j, N = diag[i], diag[j], n_units[g]
    with np.errstate(divide="ignore", invalid="ignore"):
        measures = {
            "ochiai": n_ab / np.sqrt(n_i * n_j),
            "jaccard": n_ab / (n_i + n_j - n_ab),
            "association_strength": 2 * m[g] * n_ab / (strength[i] * strength[j]),
            "pmi": np.log2(n_ab * N / (n_i * n_j)),
        }
    order = np.lexsort((j, i, -n_ab, g))
    table = pd.DataFrame({c: groups[c].to_numpy()[g[order]] for c in cols})
    table["term_a"] = vocab[sel_term[i[order]]]
    table["term_b"] = vocab[sel_term[j[order]]]
    table["n_ab"], table["n_a"], table["n_b"] = n_ab[order], n_i[order], n_j[order]
    table["n_units"] = N[order].astype(np.int64)
    for name in MEASURES:
        table[name] = measures[name][order].astype(float)
    per_group = {("(all)" if not cols else " / ".join(str(v) for v in row)): int(count)
                 for row, count in zip(groups[cols].itertuples(index=False) if cols else [()], n_units)}
    table.attrs["cooccurrence"] = {
        "unit": "window" if window else unit, "window": window, "n_units": per_group, "by": cols or None,
        "selection": "given terms" if terms is not None else
        (f"top {n} terms by units containing them" if n is not None else "every term"),
        "min_count": int(min_count), "drop_places": bool(drop_places), "drop_boilerplate": bool(drop_boilerplate)}
    frequency = pd.DataFrame({c: groups[c].to_numpy()[sel_group] for c in cols})
    frequency["term"] = vocab[sel_term]
    frequency["frequency"] = diag
    frequency["n_units"] = n_units[sel_group]
    _attrs.attach(table, "cooccurrence_terms", frequency)
    logger.info("co-occurrence of %d terms in %d %s unit(s) of %d group(s): %d pairs", n_cols, total_units,
                f"{window}-token window" if window else unit, n_groups, len(table))
    return table


def _file_presence(file: str, unit: str, group_of_doc: pd.Series, drop_places: bool, drop_boilerplate: bool):
    """On a worker: one token file's distinct (unit, term) pairs, with each unit's group; terms local and sorted."""
    from policytext.compare.datasets import read_token_file

    data = read_token_file(file, columns=["doc_id", "para_id", "token"])
    data = _vocabulary(data, drop_places, drop_boilerplate)
    term, vocab = sorted_codes(data["token"])
    doc, doc_names = sorted_codes(data["doc_id"])
    group = group_of_doc.reindex(np.asarray(doc_names, dtype=object).astype(str)).to_numpy(dtype=np.int64)
    if unit == "document":
        key = doc.astype(np.int64)
    else:
        para = data["para_id"].to_numpy().astype(np.int64)
        key = doc.astype(np.int64) * (int(para.max()) + 1 if len(para) else 1) + para
    present, unit_of = np.unique(key, return_inverse=True)
    unit_of = unit_of.ravel()
    unit_group = np.zeros(len(present), dtype=np.int64)
    unit_group[unit_of] = group[doc]
    V = max(1, len(vocab))
    pairs = distinct_integers(unit_of * V + term)
    return np.asarray(vocab, dtype=object), unit_group, pairs // V, pairs % V


def _file_unit_frequency(file: str, unit: str, group_of_doc: pd.Series, drop_places: bool, drop_boilerplate: bool,
                         n_groups: int):
    """On a worker: how many of one file's units hold each term, per group, and the units per group (counts
    only travel, never the units' words)."""
    vocab, unit_group, pair_unit, pair_term = _file_presence(file, unit, group_of_doc, drop_places, drop_boilerplate)
    V = max(1, len(vocab))
    key, n_a = np.unique(unit_group[pair_unit] * V + pair_term, return_counts=True)
    return vocab, key // V, key % V, n_a.astype(np.int64), np.bincount(unit_group, minlength=n_groups)


def _file_counts(file: str, unit: str, group_of_doc: pd.Series, drop_places: bool, drop_boilerplate: bool,
                 vocab: np.ndarray, columns: np.ndarray):
    """On a worker: the co-occurrence counts of the chosen (group, term) columns in one file's units, as the
    upper triangle and diagonal of columns x columns."""
    local_vocab, unit_group, pair_unit, pair_term = _file_presence(file, unit, group_of_doc, drop_places,
                                                                   drop_boilerplate)
    V = max(1, len(vocab))
    wanted = unit_group[pair_unit] * V + pd.Index(vocab).get_indexer(local_vocab)[pair_term]
    col = np.searchsorted(columns, wanted)
    hit = col < len(columns)
    hit[hit] = columns[col[hit]] == wanted[hit]
    X = sparse.csr_matrix((np.ones(int(hit.sum()), dtype=np.int64), (pair_unit[hit], col[hit])),
                          shape=(len(unit_group), len(columns)))
    C = sparse.triu(X.T @ X).tocoo()
    return C.row.astype(np.int64), C.col.astype(np.int64), C.data.astype(np.int64)


def _dataset_cooccurrence(path, *, unit, n, terms, by, min_count, drop_places, drop_boilerplate) -> pd.DataFrame:
    """:func:`cooccurrence` of a token dataset: each file's units counted on a worker, in two passes (how many
    units hold each term, to choose the terms; then the chosen terms' co-occurrences)."""
    from policytext.compare.datasets import dataset_documents, map_files, with_documents

    if unit not in ("paragraph", "document"):
        raise ValueError(f"unit must be 'paragraph', 'document' or a window size, got {unit!r}")
    documents = dataset_documents(path)
    frame = with_documents(documents[["doc_id"]].copy(), documents)
    cols, doc_group, groups = _group_codes(frame, by)
    group_of_doc = pd.Series(doc_group, index=documents["doc_id"].astype(str).to_numpy())
    n_all = len(groups)
    parts = map_files(path, _file_unit_frequency, unit, group_of_doc, bool(drop_places), bool(drop_boilerplate),
                      n_all)
    vocab = (np.unique(np.concatenate([p[0] for p in parts]).astype(str)).astype(object) if parts
             else np.zeros(0, dtype=object))
    V = max(1, len(vocab))
    n_units = np.zeros(n_all, dtype=np.int64)
    keys, weights = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for local_vocab, group, term, count, units in parts:
        n_units += units
        keys.append(group * V + pd.Index(vocab).get_indexer(local_vocab)[term])
        weights.append(count)
    key, weight = np.concatenate(keys), np.concatenate(weights)
    gt, where = np.unique(key, return_inverse=True)
    n_a = np.bincount(where.ravel(), weights=weight, minlength=len(gt)).astype(np.int64)
    # groups without a unit (their documents kept no token) are no groups, as in a tokens table
    used = np.flatnonzero(n_units > 0)
    renumber = np.full(n_all, -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    groups = groups.iloc[used].reset_index(drop=True) if cols else groups
    n_units = n_units[used]
    group_of_doc = group_of_doc.map(lambda g: renumber[g])
    gt = renumber[gt // V] * V + gt % V
    n_groups = len(groups)
    sel_group, sel_term = _select(gt // V, gt % V, n_a, n_groups, vocab, n, terms)
    columns = sel_group * V + sel_term
    counted = map_files(path, _file_counts, unit, group_of_doc, bool(drop_places), bool(drop_boilerplate), vocab,
                        columns)
    k = len(columns)
    if counted:
        i = np.concatenate([c[0] for c in counted])
        j = np.concatenate([c[1] for c in counted])
        v = np.concatenate([c[2] for c in counted])
    else:
        i = j = v = np.zeros(0, dtype=np.int64)
    upper = sparse.csr_matrix((v, (i, j)), shape=(k, k))
    upper.sum_duplicates()
    C = (upper + sparse.triu(upper, k=1).T).tocsr()
    return _edges(C, sel_group, sel_term, vocab, groups, cols, n_units, int(n_units.sum()), n_groups, unit=unit,
                  window=None, n=n, terms=terms, min_count=min_count, drop_places=drop_places,
                  drop_boilerplate=drop_boilerplate)


def cooccurrence_terms(edges: pd.DataFrame) -> pd.DataFrame:
    """The terms a :func:`cooccurrence` table was computed for: group, ``term``, ``frequency`` (units), ``n_units``.

    Includes selected terms that co-occur with none of the others.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 3, "para_id": [0, 0, 1], "position": [0, 1, 0],
    ...                      "token": ["数据", "平台", "安全"]})
    >>> cooccurrence_terms(cooccurrence(toks)).values.tolist()
    [['安全', 1, 2], ['平台', 1, 2], ['数据', 1, 2]]
    """
    return _attrs.fetch(edges, "cooccurrence_terms", "cooccurrence")


# --------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------

def _group_of(edges: pd.DataFrame, what: str) -> dict:
    """The single group of an edge table ({} without grouping columns); an error for several."""
    info = edges.attrs.get("cooccurrence")
    if isinstance(info, dict) and "by" in info:
        cols = [c for c in (info["by"] or []) if c in edges.columns]
    else:  # a table made otherwise: its columns of text besides the terms
        cols = [c for c in edges.columns if c not in EDGE_COLUMNS and not pd.api.types.is_numeric_dtype(edges[c])]
    if not cols:
        return {}
    distinct = edges[cols].drop_duplicates()
    if len(distinct) > 1:
        first = distinct.iloc[0].to_dict()
        example = " & ".join(f"{c} == {v!r}" for c, v in first.items())
        raise ValueError(f"{what}: the table holds {len(distinct)} groups ({', '.join(cols)}); draw one network per "
                         f"group, e.g. edges.query({example!r})")
    return {c: (v.item() if isinstance(v, np.generic) else v) for c, v in distinct.iloc[0].to_dict().items()} \
        if len(distinct) else {}



@renamed(top_edges="n")
def coword_network(edges: pd.DataFrame, *, weight: str = "ochiai", min_weight: float | None = None,
                   n: int | None = None, keep_isolates: bool = False):
    """A networkx Graph from a :func:`cooccurrence` table (one group's rows).

    Parameters
    ----------
    edges : DataFrame
        From :func:`cooccurrence`; with ``by=``, the rows of one group.
    weight : str
        The column that becomes each edge's ``weight`` (what Gephi, Louvain
        and the layout use): ``"ochiai"`` (default), ``"jaccard"``,
        ``"association_strength"``, ``"pmi"`` or ``"n_ab"``.
    min_weight : float, optional
        Keep the edges whose weight is at least this.
    n : int, optional
        Then keep the ``n`` strongest edges (ties by ``n_ab``, then by
        the terms).
    keep_isolates : bool
        Keep the terms whose every edge was cut as nodes without edges;
        by default a term is a node when it keeps an edge.

    Returns
    -------
    networkx.Graph
        Nodes are the terms, in sorted order, with the attribute
        ``frequency`` (units containing the term); edges, in sorted order,
        have ``weight`` and every column of the table (``n_ab``, ``ochiai``,
        ``jaccard``, ``association_strength``, ``pmi``). ``graph.graph``
        records ``weight``, the unit and ``n_units`` and, with ``by=``, the
        group.

    Examples
    --------
    >>> edges = pd.DataFrame({"term_a": ["平台", "安全"], "term_b": ["数据", "平台"], "n_ab": [2, 1], "n_a": [3, 2],
    ...                       "n_b": [3, 3], "n_units": [4, 4], "ochiai": [0.667, 0.408], "jaccard": [0.5, 0.25],
    ...                       "association_strength": [1.0, 1.0], "pmi": [-0.17, -0.58]})
    >>> g = coword_network(edges, min_weight=0.5)
    >>> list(g.nodes(data="frequency")), list(g.edges(data="weight"))
    ([('平台', 3), ('数据', 3)], [('平台', '数据', 0.667)])
    """
    import networkx as nx

    if weight not in edges.columns:
        raise KeyError(f"weight={weight!r} is not a column of the table; use one of {list(MEASURES) + ['n_ab']}")
    group = _group_of(edges, "coword_network")
    table = edges.sort_values(["term_a", "term_b"], kind="stable")
    kept = table
    if min_weight is not None:
        kept = kept[kept[weight] >= min_weight]
    if n is not None:
        if n < 0:
            raise ValueError(f"n must be a positive int or None, got {n!r}")
        kept = kept.sort_values([weight, "n_ab", "term_a", "term_b"], ascending=[False, False, True, True],
                                kind="stable").head(int(n)).sort_values(["term_a", "term_b"], kind="stable")
    frequency = dict(zip(table["term_a"], table["n_a"])) | dict(zip(table["term_b"], table["n_b"]))
    nodes = sorted(frequency) if keep_isolates else sorted(set(kept["term_a"]) | set(kept["term_b"]))
    graph = nx.Graph()
    info = dict(edges.attrs.get("cooccurrence", {}))
    graph.graph.update({"weight": weight, "unit": info.get("unit"), "window": info.get("window")})
    if len(table):
        graph.graph["n_units"] = int(table["n_units"].iloc[0])
    if group:
        graph.graph["group"] = group
    graph.add_nodes_from((str(t), {"frequency": int(frequency[t])}) for t in nodes)
    attributes = list(dict.fromkeys([c for c in ("n_ab",) + MEASURES if c in kept.columns] + [weight]))
    for row in kept[["term_a", "term_b"] + attributes].itertuples(index=False):
        data = {c: (int(v) if c == "n_ab" else float(v)) for c, v in zip(attributes, row[2:])}
        graph.add_edge(str(row[0]), str(row[1]), **(data | {"weight": data[weight]}))
    logger.info("co-word network: %d nodes, %d edges (weight %s)", graph.number_of_nodes(), graph.number_of_edges(),
                weight)
    return graph


def _canonical(graph):
    """A copy of ``graph`` with its nodes and edges inserted in sorted order (results then do not depend on it)."""
    copy = graph.__class__()
    copy.graph.update(graph.graph)
    copy.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: str(item[0])))
    edges = [(u, v, d) if str(u) <= str(v) or graph.is_directed() else (v, u, d) for u, v, d in graph.edges(data=True)]
    copy.add_edges_from(sorted(edges, key=lambda e: (str(e[0]), str(e[1]))))
    return copy


def coword_communities(graph, *, weight: str = "weight", resolution: float = 1.0, random_state: int = 0,
                       annotate: bool = True) -> pd.DataFrame:
    """Communities (Louvain) and centralities of the terms of a co-word network.

    Parameters
    ----------
    graph : networkx.Graph
        From :func:`coword_network` (or any weighted undirected graph).
    weight : str
        The edge attribute used as weight: ``"weight"`` (default, the
        measure chosen in :func:`coword_network`), or any of its attributes
        (``"ochiai"``, ``"n_ab"`` ...). Weights must not be negative (filter
        PMI with ``min_weight=0``).
    resolution : float
        Louvain's resolution: above 1 gives more, smaller communities.
    random_state : int
        Seed of Louvain: the same seed gives the same communities, whatever
        the order the graph was built in (it is rebuilt in sorted order).
    annotate : bool
        Also set ``community``, ``betweenness``, ``eigenvector`` and
        ``pagerank`` as attributes of the graph's nodes (changing ``graph``),
        so that :func:`write_network` carries them to Gephi.

    Returns
    -------
    DataFrame
        One row per term: the group columns of the graph (with ``by=``),
        ``term``, ``community`` (numbered from 1, largest first, ties by
        their most frequent term), ``frequency`` (units containing the term),
        ``degree`` (neighbours), ``strength`` (weighted degree), ``betweenness``
        (normalised, shortest paths with length ``1 / weight``: a strong tie
        is short), ``eigenvector`` (weighted eigenvector centrality; missing,
        with a warning, when the power iteration does not converge),
        ``pagerank`` (weighted). Sorted by community, frequency (descending),
        term. ``.attrs["communities"]`` holds the modularity of the partition.

    Notes
    -----
    Louvain: Blondel et al. (2008), as ``networkx.community.louvain_communities``.

    Examples
    --------
    Two triangles joined by a weak edge:

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("数据", "平台", 1), ("数据", "算力", 1), ("平台", "算力", 1),
    ...                            ("农业", "粮食", 1), ("农业", "乡村", 1), ("粮食", "乡村", 1), ("算力", "农业", 0.1)])
    >>> coword_communities(g).groupby("community")["term"].apply(sorted).tolist()
    [['乡村', '农业', '粮食'], ['平台', '数据', '算力']]
    """
    import networkx as nx

    if graph.is_directed() or graph.is_multigraph():
        raise ValueError("coword_communities takes an undirected simple graph (networkx.Graph)")
    g = _canonical(graph)
    values = [d.get(weight, 1.0) for _, _, d in g.edges(data=True)]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
        raise ValueError(f"some edges have no {weight!r}")
    if any(v < 0 for v in values):
        raise ValueError(f"some edges have a negative {weight!r} (PMI below 0): Louvain and the centralities need "
                         "weights of at least 0; keep them with coword_network(..., min_weight=0)")
    for u, v, d in g.edges(data=True):
        d["_w"] = float(d.get(weight, 1.0))
        d["_distance"] = 1.0 / d["_w"] if d["_w"] > 0 else math.inf
    nodes = list(g.nodes)
    found = nx.community.louvain_communities(g, weight="_w", resolution=resolution, seed=random_state)
    frequency = {n: g.nodes[n].get("frequency", np.nan) for n in nodes}

    def top_term(members):
        return sorted(members, key=lambda n: (-np.nan_to_num(frequency[n], nan=-1), str(n)))[0]

    ranked = sorted(found, key=lambda c: (-len(c), str(top_term(c))))
    community = {n: i for i, members in enumerate(ranked, start=1) for n in members}
    modularity = nx.community.modularity(g, ranked, weight="_w", resolution=resolution) if g.number_of_edges() else 0.0
    strength = dict(g.degree(weight="_w"))
    if g.number_of_edges():
        # an edge of weight 0 is no path (networkx skips an edge whose length is None)
        between = nx.betweenness_centrality(g, weight=lambda u, v, d: d["_distance"] if d["_w"] > 0 else None,
                                            normalized=True)
        try:
            eigen = nx.eigenvector_centrality(g, weight="_w", max_iter=1000, tol=1e-08)
        except nx.PowerIterationFailedConvergence:
            logger.warning("eigenvector centrality did not converge in 1000 iterations; it is left empty: use "
                           "pagerank")
            eigen = {}
        pagerank = nx.pagerank(g, weight="_w")
    else:
        between, eigen, pagerank = dict.fromkeys(nodes, 0.0), {}, dict.fromkeys(nodes, 1 / max(1, len(nodes)))
    group = graph.graph.get("group") or {}
    table = pd.DataFrame({c: [v] * len(nodes) for c, v in group.items()})
    table["term"] = nodes
    table["community"] = [community[n] for n in nodes]
    table["frequency"] = [frequency[n] for n in nodes]
    table["degree"] = [g.degree(n) for n in nodes]
    table["strength"] = [float(strength[n]) for n in nodes]
    table["betweenness"] = [float(between.get(n, 0.0)) for n in nodes]
    table["eigenvector"] = [float(eigen[n]) if n in eigen else np.nan for n in nodes]
    table["pagerank"] = [float(pagerank[n]) for n in nodes]
    if table["frequency"].notna().all():
        table["frequency"] = table["frequency"].astype(np.int64)
    table = table.sort_values(["community", "frequency", "term"], ascending=[True, False, True],
                              kind="stable").reset_index(drop=True)
    table.attrs["communities"] = {"algorithm": "louvain", "weight": weight, "resolution": float(resolution),
                                  "random_state": random_state, "modularity": float(modularity),
                                  "n_communities": len(ranked)}
    logger.info("%d communities (Louvain, resolution %g, seed %s), modularity %.3f", len(ranked), resolution,
                random_state, modularity)
    if annotate:
        for row in table.itertuples(index=False):
            graph.nodes[row.term].update(community=int(row.community), betweenness=row.betweenness,
                                         eigenvector=None if np.isnan(row.eigenvector) else row.eigenvector,
                                         pagerank=row.pagerank)
    return table


def community_terms(nodes: pd.DataFrame, *, n: int = 10, sep: str = " · ") -> pd.DataFrame:
    """Each community of a :func:`coword_communities` table with its size and top terms.

    Parameters
    ----------
    n : int
        Terms listed per community: the most frequent (units containing
        them), ties by strength, then by the term.

    Returns
    -------
    DataFrame
        The group columns (if any), ``community``, ``size`` (terms),
        ``frequency`` (their units summed: how much text the theme covers, a
        unit counted once per term), ``top_terms`` (joined by ``sep``).

    Examples
    --------
    >>> nodes = pd.DataFrame({"term": ["数据", "平台", "粮食"], "community": [1, 1, 2], "frequency": [9, 5, 4],
    ...                       "strength": [1.0, 1.0, 0.0]})
    >>> community_terms(nodes).values.tolist()
    [[1, 2, 14, '数据 · 平台'], [2, 1, 4, '粮食']]
    """
    known = {"term", "community", "frequency", "degree", "strength", "betweenness", "eigenvector", "pagerank"}
    cols = [c for c in nodes.columns if c not in known]
    data = nodes.assign(_s=nodes["strength"] if "strength" in nodes else 0.0)
    data = data.sort_values(cols + ["community", "frequency", "_s", "term"],
                            ascending=[True] * len(cols) + [True, False, False, True], kind="stable")
    grouped = data.groupby(cols + ["community"], sort=True)
    out = pd.DataFrame({"size": grouped.size(), "frequency": grouped["frequency"].sum(),
                        "top_terms": grouped["term"].apply(lambda t: sep.join(map(str, t.head(n))))}).reset_index()
    return out[cols + ["community", "size", "frequency", "top_terms"]]


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------

def _plain(value):
    """An attribute value as a plain Python bool, int, float or str; None for a missing one."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, str):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset, dict, np.ndarray, pd.Series)):
        if isinstance(value, (set, frozenset)):
            value = sorted(value, key=str)
        elif isinstance(value, (np.ndarray, pd.Series)):
            value = value.tolist()
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _unify(records: list[dict]) -> list[dict]:
    """Plain values, and one type per attribute (int and float as float; anything mixed with text as text)."""
    records = [{k: v for k, v in ((k, _plain(v)) for k, v in r.items()) if v is not None} for r in records]
    kinds: dict[str, set] = {}
    for r in records:
        for k, v in r.items():
            kinds.setdefault(k, set()).add(type(v))
    for k, types in kinds.items():
        if len(types) < 2:
            continue
        cast = float if types == {int, float} else str
        for r in records:
            if k in r:
                r[k] = (str(r[k]).lower() if isinstance(r[k], bool) else str(r[k])) if cast is str else float(r[k])
    return records


def _node_id(node):
    value = _plain(node)
    return "" if value is None else value


def _plain_graph(graph):
    """A copy of ``graph`` whose node ids and attributes are plain Python values (no numpy scalars, no None)."""
    copy = graph.__class__()
    graph_data = {k: v for k, v in ((k, _plain(v)) for k, v in graph.graph.items()) if v is not None}
    if "name" in graph_data:
        graph_data["name"] = str(graph_data["name"])
    copy.graph.update(graph_data)
    node_list = list(graph.nodes(data=True))
    for (node, _), data in zip(node_list, _unify([d for _, d in node_list])):
        copy.add_node(_node_id(node), **data)
    if graph.is_multigraph():
        edge_list = list(graph.edges(keys=True, data=True))
        for (u, v, key, _), data in zip(edge_list, _unify([d for *_, d in edge_list])):
            copy.add_edge(_node_id(u), _node_id(v), key=_plain(key), **data)
    else:
        edge_list = list(graph.edges(data=True))
        for (u, v, _), data in zip(edge_list, _unify([d for *_, d in edge_list])):
            copy.add_edge(_node_id(u), _node_id(v), **data)
    return copy


def _xml_safe_graph(graph, name: str):
    """``graph`` with every text id and attribute value XML can hold (control characters as ``\\xNN``);
    a warning names the nodes and edges changed."""
    changed = []

    def fix(value, where):
        if isinstance(value, str) and XML_INVALID.search(value):
            changed.append(where)
            return xml_safe_text(value)
        return value

    copy = graph.__class__()
    copy.graph.update({k: fix(v, f"graph attribute {k!r}") for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        copy.add_node(fix(node, f"node {node!r}"), **{k: fix(v, f"node {node!r}, attribute {k!r}")
                                                     for k, v in data.items()})
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True)
    for item in edges:
        u, v, *key, data = item
        attrs = {k: fix(x, f"edge {u!r}-{v!r}, attribute {k!r}") for k, x in data.items()}
        copy.add_edge(fix(u, f"node {u!r}"), fix(v, f"node {v!r}"), *key, **attrs)
    if changed:
        logger.warning("%s: characters that XML cannot hold (control characters) written as \\xNN escapes in %s",
                       name, "; ".join(dict.fromkeys(changed[:5])))
    return copy


def write_network(graph, path: str | Path, *, format: str | None = None) -> Path:
    """Write a networkx graph as GEXF, GraphML or an edge-list CSV, by the file's suffix.

    Any graph: directed or not, with several edges between two nodes or not
    (the text-reuse graphs too). Attributes are written as plain values:
    numpy scalars become Python numbers, missing values (None, NaN) are left
    out, lists and dicts become JSON text, and an attribute whose type
    varies between nodes (or edges) gets one type (int and float as float,
    anything mixed with text as text).

    ``.gexf``
        GEXF 1.2 (Gephi): the ``weight`` edge attribute is the edge's weight;
        ``label``, ``id``, ``type``, ``start`` and ``end`` have their GEXF
        meanings. The file carries no date, so the same graph gives the same
        bytes on any day. Characters XML cannot hold (control characters) are
        written as ``\\xNN``, with a warning naming the node or edge.
    ``.graphml``
        GraphML (Gephi, Cytoscape, igraph, UCINET through conversion).
    ``.csv``
        One row per edge: ``source``, ``target`` (``key`` for a multigraph)
        and every edge attribute (in the order first met), UTF-8; text that a
        spreadsheet would run as a formula gets a leading ``'``. Node
        attributes are not in it: write the nodes table with
        :func:`policytext.write_table`.

    Parameters
    ----------
    format : {"gexf", "graphml", "csv"}, optional
        Instead of the suffix.

    Returns
    -------
    Path

    Examples
    --------
    >>> import networkx as nx, tempfile
    >>> g = nx.Graph()
    >>> g.add_edge("数据", "平台", weight=np.float64(0.5), n_ab=np.int64(3), note=None)
    >>> folder = Path(tempfile.mkdtemp())
    >>> back = nx.read_gexf(write_network(g, folder / "net.gexf"))
    >>> back.edges["数据", "平台"]["weight"], back.edges["数据", "平台"]["n_ab"]
    (0.5, 3)
    >>> pd.read_csv(write_network(g, folder / "edges.csv")).values.tolist()
    [['数据', '平台', 0.5, 3]]
    """
    import networkx as nx

    path = Path(path)
    fmt = (format or path.suffix).lower().lstrip(".")
    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"network format {fmt!r} is not supported (from {path.name!r}); use a suffix or format= "
                         f"among {', '.join(NETWORK_FORMATS)}")
    plain = _plain_graph(graph)
    if fmt in ("gexf", "graphml"):
        plain = _xml_safe_graph(plain, str(path))
    with atomic_path(path) as tmp:
        if fmt == "gexf":
            from networkx.readwrite.gexf import GEXFWriter

            writer = GEXFWriter(graph=plain)
            meta = writer.xml.find("meta")
            if meta is not None:  # the day of writing (an optional attribute) would make reruns differ
                meta.attrib.pop("lastmodifieddate", None)
            writer.write(tmp)
        elif fmt == "graphml":
            nx.write_graphml(plain, tmp)
        else:
            reserved = ("source", "target", "key") if plain.is_multigraph() else ("source", "target")
            rows = []
            items = plain.edges(keys=True, data=True) if plain.is_multigraph() else plain.edges(data=True)
            for item in items:
                *ends, data = item
                row = dict(zip(reserved, ends))
                row.update({(f"attr_{k}" if k in reserved else k): v for k, v in data.items()})
                rows.append(row)
            table = pd.DataFrame(rows, columns=None if rows else list(reserved))
            for col in table.columns[len(reserved):]:  # an integer attribute missing on some edges stays integer
                present = [r[col] for r in rows if col in r]
                if table[col].dtype == float and present and all(type(v) is int for v in present):
                    table[col] = table[col].astype("Int64")
            spreadsheet_safe(table).to_csv(tmp, index=False)
    logger.info("network written to %s (%d nodes, %d edges)", path, plain.number_of_nodes(), plain.number_of_edges())
    return path
