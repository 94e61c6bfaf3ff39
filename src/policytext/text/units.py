"""Units: the paragraphs of a cleaned text, with long ones cut at numbered items and sentence ends.

Every unit-level analysis (tokens' ``para_id``, topics, co-occurrence, contexts) rests on
:func:`split_units`; the same text and ``max_chars`` give the same units and ids.
"""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

__all__ = ["split_units", "unit_spans", "units_of", "strip_span"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ITEM_START = re.compile(
    r"(?<=[。;:!?\s])(?=(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|(?<!\d)\d{1,2}[.、](?!\d)))"
)
_SENTENCE_END = re.compile(r"(?<=[。!?;！？；])")
_CLAUSE_END = re.compile(r"(?<=[,，、:：])")

# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------

def _pieces(text: str, start: int, end: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """The spans of ``text[start:end]`` between the split points of ``pattern``, empty pieces left out."""
    cuts = [start] + [start + m.start() for m in pattern.finditer(text[start:end]) if 0 < m.start() < end - start]
    cuts = sorted(set(cuts)) + [end]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _pack(pieces: Iterable[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Greedily join consecutive (adjacent) spans into chunks of at most ``max_chars`` characters."""
    out, current = [], None
    for a, b in pieces:
        if current is not None and (current[1] - current[0]) + (b - a) > max_chars:
            out.append(current)
            current = None
        current = (a, b) if current is None else (current[0], b)
    if current is not None:
        out.append(current)
    return out


def strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    """The span ``text[a:b]`` without white space at either end (empty when all of it is white space).

    Examples
    --------
    >>> strip_span("  甲乙 ", 0, 5)
    (2, 4)
    """
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _split_long(text: str, a: int, b: int, max_chars: int) -> list[tuple[int, int]]:
    if b - a <= max_chars:
        return [(a, b)]
    out = []
    for item in _pieces(text, a, b, _ITEM_START):
        if item[1] - item[0] <= max_chars:
            out.append(item)
            continue
        for chunk in _pack(_pieces(text, *item, _SENTENCE_END), max_chars):
            if chunk[1] - chunk[0] <= max_chars:
                out.append(chunk)
                continue
            for sub in _pack(_pieces(text, *chunk, _CLAUSE_END), max_chars):
                out.extend((i, min(i + max_chars, sub[1])) for i in range(sub[0], sub[1], max_chars))
    return [s for s in (strip_span(text, *span) for span in out) if s[1] > s[0]]


def unit_spans(text: str, max_chars: int) -> list[tuple[int, int]]:
    """The units of one cleaned text as ``(start, end)`` character offsets (see :func:`split_units`).

    Examples
    --------
    >>> text = "第一段。\\n 第二段。一、甲。"
    >>> [(a, b, text[a:b]) for a, b in unit_spans(text, 6)]
    [(0, 4, '第一段。'), (6, 10, '第二段。'), (10, 14, '一、甲。')]
    """
    spans, start = [], 0
    for line in text.split("\n"):
        a, b = strip_span(text, start, start + len(line))
        if b > a:
            spans.extend(_split_long(text, a, b, max_chars))
        start += len(line) + 1
    return spans


def units_of(text: str, max_chars: int) -> list[str]:
    """The units of one cleaned text (the texts of :func:`unit_spans`)."""
    return [text[a:b] for a, b in unit_spans(text, max_chars)]


def split_units(docs: pd.DataFrame, *, column: str = "text_clean", max_chars: int = 300) -> pd.DataFrame:
    """Split each document into units: paragraphs, with long ones cut further.

    A paragraph is a line of the cleaned text. A paragraph longer than
    ``max_chars`` (a PDF extract can be one long line) is cut before numbered
    items (``一、``, ``(一)``, ``1.``), then at sentence ends, then at clause
    ends, packing consecutive pieces up to ``max_chars``.

    Returns
    -------
    DataFrame
        ``doc_id, para_id, start, end, text`` with ``para_id`` counting from 0
        within each document and ``text`` equal to ``text_clean[start:end]``
        (character offsets); the same text and ``max_chars`` give the same ids.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["第一段。\\n第二段。一、甲。二、乙。"]})
    >>> split_units(docs, max_chars=6)[["start", "end", "text"]].values.tolist()
    [[0, 4, '第一段。'], [5, 9, '第二段。'], [9, 13, '一、甲。'], [13, 17, '二、乙。']]
    """
    rows = [(doc_id, i, a, b, text[a:b])
            for doc_id, text in zip(docs["doc_id"], docs[column])
            for i, (a, b) in enumerate(unit_spans(text if isinstance(text, str) else "", max_chars))]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "start", "end", "text"])
