"""Units: the paragraphs of a cleaned text, with long ones cut at numbered items and sentence ends.

Every unit-level analysis (tokens' ``para_id``, topics, co-occurrence, contexts) rests on
:func:`split_units`; the same text and ``max_chars`` give the same units and ids.
"""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

__all__ = ["split_units", "units_of"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ITEM_START = re.compile(
    r"(?<=[。;:!?\s])(?=(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|(?<!\d)\d{1,2}[.、](?!\d)))"
)
_SENTENCE_END = re.compile(r"(?<=[。!?;！？；])")
_CLAUSE_END = re.compile(r"(?<=[,，、:：])")

# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------

def _pack(pieces: Iterable[str], max_chars: int) -> list[str]:
    """Greedily join consecutive pieces into chunks of at most ``max_chars``."""
    out, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) > max_chars:
            out.append(current)
            current = ""
        current += piece
    if current:
        out.append(current)
    return out


def _split_long(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    out = []
    for item in (p for p in _ITEM_START.split(text) if p):
        if len(item) <= max_chars:
            out.append(item)
            continue
        for chunk in _pack([s for s in _SENTENCE_END.split(item) if s], max_chars):
            if len(chunk) <= max_chars:
                out.append(chunk)
                continue
            for sub in _pack([s for s in _CLAUSE_END.split(chunk) if s], max_chars):
                out.extend(sub[i:i + max_chars] for i in range(0, len(sub), max_chars))
    return [s.strip() for s in out if s.strip()]


def units_of(text: str, max_chars: int) -> list[str]:
    units = []
    for para in text.split("\n"):
        para = para.strip()
        if para:
            units.extend(_split_long(para, max_chars))
    return units


def split_units(docs: pd.DataFrame, *, column: str = "text_clean", max_chars: int = 300) -> pd.DataFrame:
    """Split each document into units: paragraphs, with long ones cut further.

    A paragraph is a line of the cleaned text. A paragraph longer than
    ``max_chars`` (a PDF extract can be one long line) is cut before numbered
    items (``一、``, ``(一)``, ``1.``), then at sentence ends, then at clause
    ends, packing consecutive pieces up to ``max_chars``.

    Returns
    -------
    DataFrame
        ``doc_id, para_id, text`` with ``para_id`` counting from 0 within each
        document; the same text and ``max_chars`` give the same ids.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["第一段。\\n第二段。一、甲。二、乙。"]})
    >>> split_units(docs, max_chars=6)["text"].tolist()
    ['第一段。', '第二段。', '一、甲。', '二、乙。']
    """
    rows = [(doc_id, i, unit)
            for doc_id, text in zip(docs["doc_id"], docs[column])
            for i, unit in enumerate(units_of(text, max_chars))]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "text"])


