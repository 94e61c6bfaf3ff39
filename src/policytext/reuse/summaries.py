"""Summaries of the passages documents share: per pair of documents, per pair of groups, from a source,
and as a network for Gephi."""

from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

from policytext._core import attrs as _attrs
from policytext.reuse.documents import PASSAGE_COLUMNS, date_column, date_text, text_column  # noqa: E402

__all__ = ["reuse_from", "reuse_pairs", "reuse_groups", "reuse_network"]

# --------------------------------------------------------------------------------------------
# Pairs, groups, network
# --------------------------------------------------------------------------------------------

def union_length(starts, ends) -> int:
    total, reach = 0, -1
    for s, e in sorted(zip(starts, ends)):
        if e <= reach:
            continue
        total += e - max(s, reach)
        reach = e
    return total


def union_lengths(groups: np.ndarray, starts: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    """:func:`union_length` of the spans of each group ``0 .. n - 1`` at once: spans sorted by group and
    start, each adding what it covers beyond the furthest end of the group's earlier spans.

    Examples
    --------
    >>> union_lengths(np.array([0, 0, 1, 0]), np.array([0, 5, 3, 30]), np.array([10, 20, 4, 40]), 3).tolist()
    [30, 1, 0]
    """
    if not len(groups):
        return np.zeros(n, dtype=np.int64)
    order = np.lexsort((ends, starts, groups))
    g, s, e = groups[order].astype(np.int64), starts[order], ends[order]
    span = int(max(e.max(), 0)) + 2
    reach = np.maximum.accumulate(g * span + e + 1)  # within a group, 1 + the furthest end so far
    before = np.full(len(g), -1, dtype=np.int64)
    same = np.flatnonzero(g[1:] == g[:-1]) + 1
    before[same] = reach[same - 1] - g[same] * span - 1
    covered = np.maximum(0, e - np.maximum(s, before))
    return np.bincount(g, weights=covered, minlength=n).round().astype(np.int64)


def doc_lengths(passages: pd.DataFrame, docs: pd.DataFrame) -> pd.Series:
    column = (_attrs.params_of(passages, "reuse") or {}).get("column")
    column = text_column(docs, column if column in docs.columns else None)
    return pd.Series(docs[column].fillna("").astype(str).str.len().to_numpy(), index=docs["doc_id"].astype(str))


def reuse_from(passages: pd.DataFrame, docs: pd.DataFrame, *, source: str | Sequence[str] | None) -> pd.DataFrame:
    """The passages that some documents (the source) share with the others, the source always on side a.

    The question of diffusion from a centre: what does the national plan share
    with the provinces' plans? Passages between two source documents are left
    out; passages between two other documents too.

    Parameters
    ----------
    passages : DataFrame
        From :func:`find_reuse`.
    docs : DataFrame
        The documents, for their metadata.
    source : str, list of str or None
        A query on ``docs`` selecting the source documents (``"level ==
        'national'"``, pandas' :meth:`~pandas.DataFrame.query` syntax), or a
        list of their ``doc_id``; None: every passage, as it is.

    Returns
    -------
    DataFrame
        The columns of ``passages``, sides swapped where the source document
        was ``doc_b``, and ``source_earlier``: True or False when the two
        dates differ, missing when they do not tell (the same, or one
        missing). Sorted by length, longest first. An error names a
        ``doc_id`` given that no document has, or a query that selects none.

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["city", "city"], "doc_b": ["nation", "town"], "start_a": [0, 5],
    ...                   "end_a": [60, 70], "start_b": [3, 0], "end_b": [63, 65], "length": [60, 65],
    ...                   "a_earlier": [False, False], "date_a": [None, None], "date_b": [None, None]})
    >>> d = pd.DataFrame({"doc_id": ["nation", "city", "town"], "level": ["national", "city", "city"]})
    >>> reuse_from(p, d, source="level == 'national'")[["doc_a", "doc_b", "start_a", "start_b"]].values.tolist()
    [['nation', 'city', 3, 0]]
    """
    if source is None:
        return passages.copy()
    ids = docs["doc_id"].astype(str)
    if isinstance(source, str):
        try:
            chosen = set(docs.query(source)["doc_id"].astype(str))
        except Exception as err:  # pandas raises many kinds of error for a bad query
            raise ValueError(f"source={source!r} is not a query on the documents' columns "
                             f"({', '.join(c for c in docs.columns if c not in ('text', 'text_clean'))}): {err}") from err
        if not chosen:
            raise ValueError(f"source={source!r} selects no document")
    else:
        chosen = {str(d) for d in source}
        unknown = sorted(chosen - set(ids))
        if unknown:
            raise ValueError(f"source: no document has the doc_id {', '.join(map(repr, unknown[:5]))}")
    a_in = passages["doc_a"].astype(str).isin(chosen).to_numpy()
    b_in = passages["doc_b"].astype(str).isin(chosen).to_numpy()
    table = passages[a_in != b_in].copy()
    swap = b_in[a_in != b_in]
    for col in list(table.columns):
        if col.endswith("_a") and col[:-2] + "_b" in table.columns:
            other = col[:-2] + "_b"
            a_values, b_values = table[col].copy(), table[other].copy()
            table.loc[swap, col] = b_values[swap]
            table.loc[swap, other] = a_values[swap]
    if "a_earlier" in table.columns:
        # a_earlier is True when the dates differ (doc_a then the earlier); after a swap the source is the later
        differ = table["a_earlier"].to_numpy(dtype=bool)
        table["a_earlier"] = differ & ~swap
        table["source_earlier"] = pd.array([(not s) if d else None for d, s in zip(differ, swap)], dtype="boolean")
    sort = [c for c in ("length", "doc_a", "doc_b", "start_a") if c in table.columns]
    return table.sort_values(sort, ascending=[False] + [True] * (len(sort) - 1), kind="stable").reset_index(drop=True)


def reuse_pairs(passages: pd.DataFrame, docs: pd.DataFrame, *, all_pairs: bool = False) -> pd.DataFrame:
    """Per document pair: how much of each document's text the other shares with it.

    Parameters
    ----------
    passages : DataFrame
        From :func:`find_reuse` (possibly filtered).
    docs : DataFrame
        The documents, for the length of their texts (the column the passages
        were found in).
    all_pairs : bool
        Also list the pairs without a passage (with zeros).

    Returns
    -------
    DataFrame
        ``doc_a, doc_b``, the ``by`` columns, ``date_a, date_b, a_earlier``,
        ``passages``, ``chars_a, chars_b`` (characters of each document in a
        passage: the union of the spans, so overlapping passages count once),
        ``length_a, length_b`` (characters of each text) and ``share_a,
        share_b`` (chars / length, in [0, 1]).

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["x", "x"], "doc_b": ["y", "y"], "start_a": [0, 5], "end_a": [10, 20],
    ...                   "start_b": [0, 30], "end_b": [10, 45]})
    >>> d = pd.DataFrame({"doc_id": ["x", "y"], "text_clean": ["字" * 40, "字" * 100]})
    >>> t = reuse_pairs(p, d)
    >>> t[["passages", "chars_a", "chars_b"]].values.tolist(), t[["share_a", "share_b"]].values.tolist()
    ([[2, 20, 25]], [[0.5, 0.25]])
    """
    lengths = doc_lengths(passages, docs)
    keys = ["doc_a", "doc_b"]
    extra = [c for c in passages.columns if c not in PASSAGE_COLUMNS and c not in keys
             and (c.endswith("_a") or c.endswith("_b"))] + [c for c in ("date_a", "date_b", "a_earlier")
                                                              if c in passages.columns]
    plain = passages[keys + extra + ["start_a", "end_a", "start_b", "end_b"]]
    plain.attrs = {}  # a column taken from a frame with attrs copies them
    if len(plain):
        grouped = plain.groupby(keys, sort=True)
        codes, n = grouped.ngroup().to_numpy(), grouped.ngroups
        order = np.argsort(codes, kind="stable")
        firsts = order[np.searchsorted(codes[order], np.arange(n))]  # each pair's first passage
        table = plain.iloc[firsts][keys + extra].reset_index(drop=True)
        table["passages"] = np.bincount(codes, minlength=n)
        for side in ("a", "b"):
            table[f"chars_{side}"] = union_lengths(codes, plain[f"start_{side}"].to_numpy(np.int64),
                                                   plain[f"end_{side}"].to_numpy(np.int64), n)
    else:
        table = pd.DataFrame(columns=keys + extra + ["passages", "chars_a", "chars_b"])
    if all_pairs:
        ids = sorted(lengths.index)
        seen = set(zip(table["doc_a"], table["doc_b"])) | set(zip(table["doc_b"], table["doc_a"]))
        missing = [(x, y) for k, x in enumerate(ids) for y in ids[k + 1:] if (x, y) not in seen]
        if missing:
            zeros = pd.DataFrame(missing, columns=keys).assign(passages=0, chars_a=0, chars_b=0)
            table = pd.concat([table, zeros], ignore_index=True) if len(table) else zeros.reindex(columns=table.columns)
    unknown = sorted((set(table["doc_a"]) | set(table["doc_b"])) - set(lengths.index))
    if unknown:
        raise KeyError(f"documents of the passages are not in docs: {unknown[:5]}")
    table["length_a"] = table["doc_a"].map(lengths).astype("int64")
    table["length_b"] = table["doc_b"].map(lengths).astype("int64")
    table["share_a"] = table["chars_a"] / table["length_a"].where(table["length_a"] > 0, 1)
    table["share_b"] = table["chars_b"] / table["length_b"].where(table["length_b"] > 0, 1)
    table = table.astype({"passages": "int64", "chars_a": "int64", "chars_b": "int64"})
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def group_of(docs: pd.DataFrame, by) -> tuple[list[str], dict]:
    from policytext._core.tables import group_keys

    ids = docs["doc_id"].astype(str)
    cols, keys = group_keys(docs.assign(doc_id=ids), by)
    values = keys[cols].astype(str)
    return cols, {d: tuple(v) for d, v in zip(ids, values.itertuples(index=False))}


def reuse_groups(passages: pd.DataFrame, docs: pd.DataFrame, *, by: str | Sequence[str]) -> pd.DataFrame:
    """Per pair of groups (provinces, levels ...): how much their documents share.

    Every pair of documents from the two groups counts, with or without a
    passage, so the shares are means over document pairs: the unit of the
    comparison is the document pair, and a group of one document rests on
    that one document (flagged).

    Returns
    -------
    DataFrame
        One row per unordered pair of groups (a group with itself included):
        ``<col>_a, <col>_b``, ``documents_a, documents_b``,
        ``single_document_a, single_document_b``, ``doc_pairs`` (pairs of
        documents between the groups), ``doc_pairs_with_reuse``, ``passages``,
        ``chars_a, chars_b`` (characters of the groups' documents in a
        passage, summed over document pairs), ``mean_share_a, mean_share_b``
        (the mean over all document pairs of the share of the group's document
        in a passage). ``attrs["rests_on"]`` says so.

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["x"], "doc_b": ["y"], "start_a": [0], "end_a": [10], "start_b": [0],
    ...                   "end_b": [10]})
    >>> d = pd.DataFrame({"doc_id": ["x", "y", "z"], "province": ["湖北省", "山东省", "山东省"],
    ...                   "text_clean": ["字" * 20, "字" * 40, "字" * 40]})
    >>> t = reuse_groups(p, d, by="province")
    >>> cols = ["province_a", "province_b", "doc_pairs", "doc_pairs_with_reuse", "mean_share_a", "mean_share_b"]
    >>> t[cols].values.tolist()
    [['山东省', '山东省', 1, 0, 0.0, 0.0], ['山东省', '湖北省', 2, 1, 0.125, 0.25], ['湖北省', '湖北省', 0, 0, nan, nan]]
    """
    cols, doc_group = group_of(docs, by)
    pairs = reuse_pairs(passages, docs)
    sizes: dict = {}
    for g in doc_group.values():
        sizes[g] = sizes.get(g, 0) + 1
    groups = sorted(sizes)
    stats = {}
    for r in pairs.itertuples(index=False):
        ga, gb = doc_group[r.doc_a], doc_group[r.doc_b]
        sa, sb, ca, cb = r.share_a, r.share_b, r.chars_a, r.chars_b
        if ga > gb:
            ga, gb, sa, sb, ca, cb = gb, ga, sb, sa, cb, ca
        s = stats.setdefault((ga, gb), [0, 0, 0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += r.passages
        s[2] += ca
        s[3] += cb
        s[4] += sa
        s[5] += sb
    rows = []
    for k, ga in enumerate(groups):
        for gb in groups[k:]:
            n_pairs = sizes[ga] * (sizes[ga] - 1) // 2 if ga == gb else sizes[ga] * sizes[gb]
            s = stats.get((ga, gb), [0, 0, 0, 0, 0.0, 0.0])
            row = {f"{c}_a": v for c, v in zip(cols, ga)} | {f"{c}_b": v for c, v in zip(cols, gb)}
            row.update(documents_a=sizes[ga], documents_b=sizes[gb], single_document_a=sizes[ga] == 1,
                       single_document_b=sizes[gb] == 1, doc_pairs=n_pairs, doc_pairs_with_reuse=s[0],
                       passages=s[1], chars_a=s[2], chars_b=s[3],
                       mean_share_a=s[4] / n_pairs if n_pairs else np.nan,
                       mean_share_b=s[5] / n_pairs if n_pairs else np.nan)
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["rests_on"] = ("document pairs: every pair of documents between the two groups counts, with a "
                               "share of 0 when they share no passage; single_document_* flags a group of one document")
    return table


def plain_value(value):
    """A value GEXF and GraphML can write: no None, numpy scalars as Python ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, np.generic):
        return value.item()
    return value


def reuse_network(passages: pd.DataFrame, docs: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                  directed: bool | None = None):
    """The network of text reuse between documents or groups, ready for Gephi (networkx).

    Parameters
    ----------
    by : str or list of str, optional
        ``None``: one node per document; otherwise one node per group.
    directed : bool, optional
        ``None`` (default): a ``networkx.DiGraph`` when at least one pair with
        a passage has two different dates, else an undirected ``networkx.Graph``.
        In a directed graph an edge runs from the earlier document (or its
        group) to the later one; a pair without two different dates (a date
        missing, or the same) gets an edge each way, with ``dated=False``.
        ``False``: always undirected.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Nodes: every document (``label``, ``documents`` = 1, ``date``,
        ``length``, the ``by`` columns) or group (``label``, ``documents``,
        ``single_document``, ``length``), isolated ones included. Edges (a
        group's own documents give a self-loop): ``passages``, ``doc_pairs``
        (pairs with a passage), ``characters`` (per document pair, the mean of
        the two documents' characters in a passage, summed), ``weight`` (=
        ``characters``), ``share`` (mean over document pairs of the mean of the
        two shares), ``share_source`` and ``share_target`` (the same for each
        end), ``dated`` (every document pair of the edge runs from an earlier
        to a later date) and ``dated_pairs`` (how many do). Every attribute is a plain str, int, float or bool,
        so ``networkx.write_gexf`` and ``networkx.write_graphml`` write it.

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["x"], "doc_b": ["y"], "a_earlier": [True], "start_a": [0], "end_a": [10],
    ...                   "start_b": [0], "end_b": [10]})
    >>> d = pd.DataFrame({"doc_id": ["x", "y", "z"], "date": ["2021", "2022", ""], "text_clean": ["字" * 20] * 3})
    >>> g = reuse_network(p, d)
    >>> type(g).__name__, sorted(g.nodes), list(g.edges(data="characters"))
    ('DiGraph', ['x', 'y', 'z'], [('x', 'y', 10.0)])
    """
    import networkx as nx

    pairs = reuse_pairs(passages, docs)
    if "a_earlier" not in pairs.columns:
        pairs["a_earlier"] = False
    dated_any = bool(pairs["a_earlier"].any())
    is_directed = dated_any if directed is None else bool(directed)
    graph = nx.DiGraph() if is_directed else nx.Graph()
    ids = docs["doc_id"].astype(str).tolist()
    lengths = doc_lengths(passages, docs)
    if by is None:
        node_of = {d: d for d in ids}
        date_col = (_attrs.params_of(passages, "reuse") or {}).get("date")
        date_col = date_col if date_col in docs.columns else date_column(docs, "date")
        dates = dict(zip(ids, (date_text(v) or "" for v in docs[date_col]))) if date_col else {}
        params_by = (_attrs.params_of(passages, "reuse") or {}).get("by", [])
        for k, d in enumerate(ids):
            attrs = {"label": d, "documents": 1, "date": dates.get(d, ""), "length": int(lengths[d])}
            for c in params_by:
                if c in docs.columns:
                    attrs[c] = plain_value(docs[c].iloc[k]) if not pd.isna(docs[c].iloc[k]) else ""
            graph.add_node(d, **{k2: plain_value(v) for k2, v in attrs.items()})
    else:
        cols, doc_group = group_of(docs, by)
        node_of = {d: " / ".join(g) for d, g in doc_group.items()}
        counts: dict = {}
        total: dict = {}
        for d, node in node_of.items():
            counts[node] = counts.get(node, 0) + 1
            total[node] = total.get(node, 0) + int(lengths[d])
        for node in sorted(counts):
            graph.add_node(node, label=node, documents=counts[node], single_document=counts[node] == 1,
                           length=total[node])
    edges: dict = {}
    for r in pairs.itertuples(index=False):
        u, v = node_of[r.doc_a], node_of[r.doc_b]
        contributions = [(u, v, r.share_a, r.share_b)]
        if is_directed and not r.a_earlier:
            contributions.append((v, u, r.share_b, r.share_a))
        elif not is_directed and u > v:
            contributions = [(v, u, r.share_b, r.share_a)]
        for s, t, share_s, share_t in contributions:
            e = edges.setdefault((s, t), {"passages": 0, "doc_pairs": 0, "characters": 0.0, "share": 0.0,
                                          "share_source": 0.0, "share_target": 0.0, "dated": True,
                                          "dated_pairs": 0})
            e["passages"] += int(r.passages)
            e["doc_pairs"] += 1
            e["characters"] += (r.chars_a + r.chars_b) / 2
            e["share"] += (r.share_a + r.share_b) / 2
            e["share_source"] += share_s
            e["share_target"] += share_t
            e["dated"] = e["dated"] and bool(r.a_earlier)
            e["dated_pairs"] += int(bool(r.a_earlier))
    for (s, t), e in sorted(edges.items()):
        n = e["doc_pairs"]
        graph.add_edge(s, t, passages=e["passages"], doc_pairs=n, characters=float(e["characters"]),
                       weight=float(e["characters"]), share=float(e["share"] / n),
                       share_source=float(e["share_source"] / n), share_target=float(e["share_target"] / n),
                       dated=bool(e["dated"]), dated_pairs=int(e["dated_pairs"]))
    graph.graph["directed_by"] = "date" if is_directed else "none"
    return graph
