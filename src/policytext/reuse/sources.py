"""Common sources of text reuse: passages two documents share because both quote a third text.

Provincial and city reports quote the centre: the guiding-ideology sentence,
the wording of the Central Economic Work Conference, the national work report.
Two provinces that quote the same central sentence share a passage without
either borrowing from the other. :func:`attribute_sources` registers such
common sources (documents of the corpus chosen by a query on their metadata,
``"level == 'national'"``, or texts the corpus does not hold) and marks each
passage both documents share with one of them; :func:`without_sources` leaves
those passages out, so that :func:`policytext.reuse_pairs`,
:func:`policytext.reuse_groups` and :func:`policytext.reuse_network` show the
borrowing between documents on their own, and beside it, on the whole table,
the borrowing with the quotations.

How a passage is attributed
---------------------------
Each text is compared on its letters and digits only (after NFKC; punctuation,
spaces and line breaks are left out, so that full-width and half-width
punctuation, a paragraph break or a cleaned and an uncleaned text do not
matter). A character of a passage is *in the source* when it lies in a
character n-gram (``ngram`` characters, default 8) that occurs somewhere in
the source's text. The passage's *share* in a source is, for each of its two
sides (``text_a`` and ``text_b``), the share of its characters in the source,
and the smaller of the two: both documents must share the passage with the
source. A passage is attributed to every registered source (other than its
own two documents) whose share reaches ``min_share`` (default 0.5).

A passage between a source document itself and another document is never
attributed to that source: it is borrowing from the source, and it stays.

Defaults
--------
``ngram=8``
    Long enough that unrelated texts of the genre rarely share one by chance:
    in the 141 city government work reports of 2024, of 3,000 random
    60-character stretches of the city reports outside any passage, the
    national report held 8-grams covering half or more of 0.3% of them (99th
    percentile of the share: 0.39); with 4-grams, of 6.1% (0.69). Short
    enough that a changed number or an inserted clause leaves the rest of a
    quoted sentence in the source (a changed character takes only itself
    out). Shorter n-grams find sources in fragments: with 6-grams the
    national report of 2024 "holds" the Central Economic Work Conference's
    2023年是…三年新冠疫情防控转段后经济恢复发展的一年, which it does not contain,
    at shares of 0.6 to 0.7 (0.35 to 0.49 with 8-grams).
``min_share=0.5``
    A passage is the source's when most of it, on both sides, is the
    source's text. Between cities of different provinces in that corpus,
    passages above 0.5 are the guiding-ideology sentence, the wording the
    national report shares with the Central Economic Work Conference
    (统筹扩大内需和深化供给侧结构性改革…: 96% of its 1,013 passages) and the
    like; a passage with a clause of central wording in a sentence of its own
    stays below, and so does the Conference's wording the national report
    does not hold (2023年是…经济恢复发展的一年: 55% of its 319 passages, those
    with the guiding ideology after it). There, 291 of the 325 pairs of
    provinces share a passage, 112 without those attributed to the national
    report (60 with 6-grams; 86 with ``min_share=0.4``, 161 with 0.6;
    ``benchmarks/reuse_sources_city.py``).

The method is independent of the alignment that found the passages (it needs
no position in the source, only its n-grams) and costs one pass over each
passage; :func:`source_account` lists what each source took.
"""

from __future__ import annotations

import itertools
import logging
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext.reuse.documents import text_column

__all__ = ["SOURCE_COLUMNS", "attribute_sources", "source_account", "without_sources"]

logger = logging.getLogger(__name__)

#: The columns :func:`attribute_sources` adds to a passages table.
SOURCE_COLUMNS = ["common_source", "source_share"]

#: Where :func:`attribute_sources` keeps its settings (read with ``params_of(table, "attribute_sources")``) and
#: its account of the sources. The table's own ``params`` and ``made_by`` stay those of :func:`find_reuse`,
#: which the summaries read.
PARAMS_KEY = "attribute_sources_params"
ACCOUNT_KEY = "sources_account"


def comparable(text) -> str:
    """The letters and digits of ``text`` (NFKC, case-folded): what n-grams are taken of.

    Examples
    --------
    >>> comparable("坚持稳中求进，以进促稳。\\n2024年 GDP")
    '坚持稳中求进以进促稳2024年gdp'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", str(text)).casefold() if c.isalnum())


def covered_share(text: str, grams: dict, n: int, count: int) -> np.ndarray:
    """For each of ``count`` sources, the share of ``text``'s characters (already :func:`comparable`) that lie
    in an ``n``-gram of that source; ``grams`` maps each n-gram to the sources that hold it."""
    if not text or count == 0:
        return np.zeros(count)
    starts: dict = {}
    for i in range(len(text) - n + 1):
        for s in grams.get(text[i:i + n], ()):
            starts.setdefault(s, []).append(i)
    shares = np.zeros(count)
    for s, found in starts.items():
        covered = sum(min(n, b - a) for a, b in itertools.pairwise(found)) + n  # the union of [i, i + n)
        shares[s] = covered / len(text)
    return shares


def _source_query(docs: pd.DataFrame, sources) -> list[str]:
    """The doc_ids of the corpus's source documents: a query on ``docs`` or a list of doc_ids."""
    ids = docs["doc_id"].astype(str)
    if isinstance(sources, str):
        try:
            chosen = docs.query(sources)["doc_id"].astype(str).tolist()
        except Exception as err:  # pandas raises many kinds of error for a bad query
            columns = ", ".join(c for c in docs.columns if c not in ("text", "text_clean"))
            raise ValueError(f"sources={sources!r} is not a query on the documents' columns ({columns}): "
                             f"{err}") from err
        if not chosen:
            raise ValueError(f"sources={sources!r} selects no document of the {len(docs)}")
        return sorted(chosen)
    chosen = sorted({str(d) for d in sources})
    unknown = [d for d in chosen if d not in set(ids)]
    if unknown:
        raise ValueError(f"sources: no document has the doc_id {', '.join(map(repr, unknown[:5]))}")
    if not chosen:
        raise ValueError("sources: an empty list of doc_ids")
    return chosen


def _extra_texts(texts: pd.DataFrame, column: str | None, corpus_ids: set) -> tuple[list[str], list[str]]:
    """The doc_ids and texts of sources given as a table (``doc_id`` and a text column)."""
    if not isinstance(texts, pd.DataFrame):
        raise TypeError(f"texts: a table with 'doc_id' and a text column, got {type(texts).__name__}")
    if "doc_id" not in texts.columns:
        raise KeyError(f"texts: the table of source texts needs a 'doc_id' column (columns: {list(texts.columns)})")
    if column is not None and column in texts.columns:
        col = column
    elif "text_clean" in texts.columns:
        col = "text_clean"
    elif "text" in texts.columns:
        col = "text"
    else:
        wanted = f"{column!r}, 'text_clean' or 'text'" if column else "'text_clean' or 'text'"
        raise KeyError(f"texts: the table of source texts has no text column {wanted} "
                       f"(columns: {list(texts.columns)})")
    ids = texts["doc_id"].astype(str).tolist()
    twice = sorted({d for d in ids if ids.count(d) > 1})
    if twice:
        raise ValueError(f"texts: doc_id must be unique; repeated: {twice[:5]}")
    clash = sorted(set(ids) & corpus_ids)
    if clash:
        raise ValueError(f"texts: the doc_id {', '.join(map(repr, clash[:5]))} is also a document of the corpus; "
                         "give the source texts names of their own (or choose corpus documents with sources=)")
    return ids, ["" if pd.isna(t) else str(t) for t in texts[col]]


def attribute_sources(
    passages: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    sources: str | Sequence[str] | None = None,
    texts: pd.DataFrame | None = None,
    min_share: float = 0.5,
    ngram: int = 8,
    column: str | None = None,
) -> pd.DataFrame:
    """Mark the passages two documents share because both share them with a common source.

    See the module's documentation for the method and its defaults.

    Parameters
    ----------
    passages : DataFrame
        From :func:`policytext.find_reuse`: ``doc_a, doc_b`` and ``text_a,
        text_b`` (or the spans ``start_a, end_a, start_b, end_b``, whose texts
        are then read from ``docs``). Not modified.
    docs : DataFrame
        The documents, with ``doc_id``, their metadata and their texts. Not
        modified.
    sources : str or list of str, optional
        Documents of the corpus that are common sources: a query on ``docs``
        (pandas' :meth:`~pandas.DataFrame.query`, ``"level == 'national'"``)
        or a list of their ``doc_id``.
    texts : DataFrame, optional
        Sources the corpus does not hold (a central document, the communiqué
        of a conference): ``doc_id`` and the text, in ``column``, else
        ``text_clean``, else ``text`` (cleaning is not needed: only letters
        and digits are compared). Their ``doc_id`` must differ from the
        corpus's. At least one of ``sources`` and ``texts`` is needed.
    min_share : float
        The share of a passage's characters, on both of its sides, that must
        lie in the source for the passage to be the source's (default 0.5).
    ngram : int
        Characters (letters and digits) of the n-grams looked up in a source
        (default 8).
    column : str, optional
        The text of the corpus's source documents: the column the passages
        were found in (``find_reuse``'s ``column``), else ``text_clean``,
        else ``text``.

    Returns
    -------
    DataFrame
        ``passages`` with two more columns: ``common_source`` (the source, or
        the sources joined by ``", "``, the highest share first; missing when
        the passage is nobody's but its two documents') and ``source_share``
        (the highest share of the passage in a source other than its own two
        documents, in [0, 1]; missing when no such source is registered). The
        rows and their order are those of ``passages``; its ``attrs`` are
        kept (``params`` remain find_reuse's), the settings added under
        ``attrs["attribute_sources_params"]`` (read with
        ``policytext._core.attrs.params_of(table, "attribute_sources")``)
        and, per source, what it took in :func:`source_account`. Errors name a
        query that selects no document, an unknown ``doc_id``, a missing text
        column and a source without text.

    Examples
    --------
    >>> quote = "坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展。"
    >>> own = "推动沿江城市协同建设港口物流枢纽，共建跨市产业园区，打通断头路二十条。"
    >>> docs = pd.DataFrame({"doc_id": ["centre", "a", "b"], "level": ["national", "city", "city"],
    ...                      "text_clean": ["总体要求。" + quote, quote + own, own + quote]})
    >>> passages = pd.DataFrame({"doc_a": ["a", "a", "a"], "doc_b": ["b", "b", "centre"],
    ...                          "text_a": [quote, own, quote], "text_b": [quote, own, quote]})
    >>> marked = attribute_sources(passages, docs, sources="level == 'national'")
    >>> marked[["doc_b", "common_source", "source_share"]].values.tolist()
    [['b', 'centre', 1.0], ['b', None, 0.0], ['centre', None, nan]]
    >>> without_sources(marked)[["doc_a", "doc_b", "text_a"]].values.tolist() == [["a", "b", own], ["a", "centre", quote]]
    True
    """
    for col in ("doc_a", "doc_b"):
        if col not in passages.columns:
            raise KeyError(f"passages: no {col!r} column; attribute_sources takes the table of find_reuse")
    if "doc_id" not in docs.columns:
        raise KeyError("the documents table needs a 'doc_id' column")
    if sources is None and texts is None:
        raise ValueError("attribute_sources needs sources= (a query on the documents, or their doc_ids), "
                         "texts= (a table of source texts), or both")
    if not (isinstance(ngram, (int, np.integer)) and ngram >= 1):
        raise ValueError(f"ngram must be a whole number of characters, at least 1, got {ngram!r}")
    if not (isinstance(min_share, (int, float, np.floating)) and 0 < min_share <= 1):
        raise ValueError(f"min_share must be a share in (0, 1], got {min_share!r}")
    corpus_ids = docs["doc_id"].astype(str).tolist()
    spans_only = not {"text_a", "text_b"} <= set(passages.columns)
    col, corpus_text = None, {}
    if sources is not None or spans_only or (column is not None and column in docs.columns):
        found_in = (_attrs.params_of(passages, "reuse") or {}).get("column")
        col = text_column(docs, column if column is not None else (found_in if found_in in docs.columns else None))
        corpus_text = dict(zip(corpus_ids, ("" if pd.isna(t) else str(t) for t in docs[col])))

    names, raw, origin = [], [], []
    if sources is not None:
        for d in _source_query(docs, sources):
            names.append(d)
            raw.append(corpus_text[d])
            origin.append("corpus")
    if texts is not None:
        extra_ids, extra_texts = _extra_texts(texts, column, set(corpus_ids))
        names += extra_ids
        raw += extra_texts
        origin += ["texts"] * len(extra_ids)
    prepared = [comparable(t) for t in raw]
    empty = [d for d, t in zip(names, prepared) if not t]
    if empty:
        raise ValueError(f"the source(s) {', '.join(map(repr, empty[:5]))} have no text (no letter or digit)")
    short = [d for d, t in zip(names, prepared) if len(t) < ngram]
    if short:
        logger.warning("attribute_sources: %d source(s) shorter than ngram=%d characters can hold no passage: %s",
                       len(short), ngram, ", ".join(short[:5]))
    grams: dict = {}
    for s, t in enumerate(prepared):
        for g in {t[i:i + ngram] for i in range(len(t) - ngram + 1)}:
            grams.setdefault(g, []).append(s)

    side_texts = []
    for side in ("a", "b"):
        if f"text_{side}" in passages.columns:
            side_texts.append(passages[f"text_{side}"].tolist())
        elif {f"start_{side}", f"end_{side}"} <= set(passages.columns):
            unknown = sorted(set(passages[f"doc_{side}"].astype(str)) - set(corpus_text))
            if unknown:
                raise KeyError(f"documents of the passages are not in docs: {unknown[:5]}")
            side_texts.append([corpus_text[str(d)][int(s):int(e)] for d, s, e in
                               zip(passages[f"doc_{side}"], passages[f"start_{side}"], passages[f"end_{side}"])])
        else:
            raise KeyError(f"passages: neither 'text_{side}' nor the spans 'start_{side}, end_{side}'")

    index = {d: s for s, d in enumerate(names)}
    n_src = len(names)
    attributed, best = [], []
    for da, db, ta, tb in zip(passages["doc_a"].astype(str), passages["doc_b"].astype(str), *side_texts):
        share = np.minimum(covered_share(comparable(ta), grams, ngram, n_src),
                           covered_share(comparable(tb), grams, ngram, n_src))
        eligible = np.ones(n_src, dtype=bool)
        for own in (da, db):
            if own in index:
                eligible[index[own]] = False
        if not eligible.any():
            attributed.append(None)
            best.append(np.nan)
            continue
        share = np.where(eligible, share, -1.0)
        order = sorted((s for s in range(n_src) if share[s] >= min_share - 1e-12), key=lambda s: (-share[s], names[s]))
        attributed.append(", ".join(names[s] for s in order) if order else None)
        best.append(float(share.max()))
    out = passages.copy()
    out["common_source"] = pd.Series(attributed, index=out.index, dtype=object)
    out["source_share"] = np.asarray(best, dtype=float)

    pair_keys = list(zip(out["doc_a"].astype(str), out["doc_b"].astype(str)))
    rows = []
    for s, d in enumerate(names):
        mine = [k for k, v in enumerate(attributed) if v is not None and d in v.split(", ")]
        own = [k for k, (a, b) in enumerate(pair_keys) if d in (a, b)]
        rows.append({"doc_id": d, "origin": origin[s], "characters": len(prepared[s]), "passages": len(mine),
                     "doc_pairs": len({pair_keys[k] for k in mine}), "own_passages": len(own)})
    account = pd.DataFrame(rows, columns=["doc_id", "origin", "characters", "passages", "doc_pairs",
                                          "own_passages"])
    params = {"sources": sources if sources is None or isinstance(sources, str) else sorted(map(str, sources)),
              "texts": [d for d, o in zip(names, origin) if o == "texts"], "min_share": float(min_share),
              "ngram": int(ngram), "column": col}
    _attrs.set_params(account, "attribute_sources", params)
    out.attrs[PARAMS_KEY] = params
    _attrs.attach(out, ACCOUNT_KEY, account)
    n_attr = int(out["common_source"].notna().sum())
    pairs_before = len(set(pair_keys))
    pairs_after = len({k for k, v in zip(pair_keys, attributed) if v is None})
    logger.info("attribute_sources: %d of %d passages attributed to %d common source(s) (share >= %.2f of "
                "%d-grams); document pairs with a passage: %d, without those passages: %d", n_attr, len(out),
                n_src, min_share, ngram, pairs_before, pairs_after)
    return out


def without_sources(passages: pd.DataFrame) -> pd.DataFrame:
    """The passages of :func:`attribute_sources` that no common source accounts for: borrowing between documents.

    Passages between a source document itself and another document stay
    (they are borrowing from the source). The summaries need no option:
    ``reuse_pairs(without_sources(marked), docs)``,
    ``reuse_groups(...)``, ``reuse_network(...)``.

    Returns
    -------
    DataFrame
        The rows of ``passages`` whose ``common_source`` is missing, in their
        order, with the same columns and ``attrs``.

    Examples
    --------
    >>> marked = pd.DataFrame({"doc_a": ["a", "a"], "doc_b": ["b", "c"],
    ...                        "common_source": ["centre", None]})
    >>> without_sources(marked)["doc_b"].tolist()
    ['c']
    """
    if "common_source" not in passages.columns:
        raise KeyError("the passages carry no 'common_source' column: run attribute_sources(passages, docs, "
                       "sources=...) first")
    out = passages[passages["common_source"].isna().to_numpy()].reset_index(drop=True)
    out.attrs = dict(passages.attrs)
    logger.info("without_sources: %d of %d passages left (%d attributed to a common source)", len(out),
                len(passages), len(passages) - len(out))
    return out


def source_account(passages: pd.DataFrame) -> pd.DataFrame:
    """Per registered source, what :func:`attribute_sources` attributed to it.

    Returns
    -------
    DataFrame
        ``doc_id``, ``origin`` (``"corpus"``: a document of the corpus;
        ``"texts"``: a text given apart), ``characters`` (its letters and
        digits), ``passages`` and ``doc_pairs`` (passages, and pairs of other
        documents, attributed to it) and ``own_passages`` (passages between it
        and another document, which stay: borrowing from it). Its
        ``attrs["params"]`` hold the settings.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["centre", "a", "b"], "text": ["甲乙丙丁戊己庚辛壬癸", "x", "y"]})
    >>> p = pd.DataFrame({"doc_a": ["a"], "doc_b": ["b"], "text_a": ["甲乙丙丁戊己庚辛"], "text_b": ["甲乙丙丁戊己庚辛"]})
    >>> source_account(attribute_sources(p, docs, sources=["centre"]))[["doc_id", "passages", "doc_pairs"]].values.tolist()
    [['centre', 1, 1]]
    """
    return _attrs.fetch(passages, ACCOUNT_KEY, "attribute_sources")
