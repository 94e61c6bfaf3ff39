"""The documents of text reuse: their texts, groups and dates, and the boilerplate masked in them."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from policytext.errors import CorpusError
from policytext.io import resources

logger = logging.getLogger(__name__)

__all__ = ["PASSAGE_COLUMNS", "text_column", "date_column", "parse_date", "date_text", "compare_dates",
           "boilerplate_rules", "boilerplate_masks"]

#: Columns of the passages table (besides the ``by`` columns, ``<col>_a`` and ``<col>_b``).
PASSAGE_COLUMNS = ["doc_a", "doc_b", "date_a", "date_b", "a_earlier", "start_a", "end_a", "start_b", "end_b",
                   "text_a", "text_b", "length", "score", "similarity"]

# --------------------------------------------------------------------------------------------
# Documents: texts, groups, dates, boilerplate
# --------------------------------------------------------------------------------------------

def text_column(docs: pd.DataFrame, column: str | None) -> str:
    if column is None:
        column = "text_clean" if "text_clean" in docs.columns else "text"
    if column not in docs.columns:
        raise KeyError(f"no column {column!r} in the documents table (columns: {list(docs.columns)})")
    return column


def date_column(docs: pd.DataFrame, date: str | None) -> str | None:
    if date is None:
        return None
    if date in docs.columns:
        return date
    if date == "date" and "year" in docs.columns:
        logger.info("find_reuse: no 'date' column; documents are ordered by 'year'")
        return "year"
    if date != "date":
        raise KeyError(f"date={date!r}: no such column in the documents table (columns: {list(docs.columns)})")
    logger.info("find_reuse: neither 'date' nor 'year' in the documents table: pairs are not ordered by date")
    return None


DATE_RE = re.compile(r"^\s*(\d{4})(?:[-/.年](\d{1,2}))?(?:[-/.月](\d{1,2}))?")


def parse_date(value) -> tuple[int, ...] | None:
    """``2023-09-08`` -> (2023, 9, 8), ``2021-03`` -> (2021, 3), 2024 -> (2024,); missing -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()):
        return (int(value),)
    if isinstance(value, pd.Timestamp):
        return (value.year, value.month, value.day)
    match = DATE_RE.match(str(value))
    if not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def date_text(value) -> str | None:
    parsed = parse_date(value)
    return None if parsed is None else "-".join(f"{x:04d}" if k == 0 else f"{x:02d}" for k, x in enumerate(parsed))


def compare_dates(x, y) -> int | None:
    """-1 if x is earlier, 1 if later, 0 if the same at the precision both have, None if either is missing."""
    if x is None or y is None:
        return None
    k = min(len(x), len(y))
    return (x[:k] > y[:k]) - (x[:k] < y[:k])


def boilerplate_rules(boilerplate) -> list[tuple[str, str]]:
    if boilerplate is False or boilerplate is None:
        return []
    rules = list(resources.read_boilerplate())
    if boilerplate is True:
        return rules
    extras = [boilerplate] if isinstance(boilerplate, (str, Path)) else list(boilerplate)
    for k, extra in enumerate(extras):
        if isinstance(extra, Path) or (isinstance(extra, str) and "\n" not in extra and Path(extra).is_file()):
            rules.extend(resources.read_boilerplate(extra))
        elif isinstance(extra, str) and re.search(r"\.(txt|tsv)$", extra) and not Path(extra).exists():
            raise CorpusError(f"{extra}: boilerplate file not found")
        elif isinstance(extra, str):
            for line in (x.strip() for x in extra.splitlines()):
                if not line or line.startswith("#"):
                    continue
                rules.append((resources.checked_boilerplate_regex(line, where=f"boilerplate phrase {line!r}"),
                              f"boilerplate[{k}]"))
        else:
            raise TypeError(f"boilerplate: expected True, False, a phrase, a file or a list of them, got {extra!r}")
    return rules


def boilerplate_masks(texts: list[str], rules: list[tuple[str, str]]):
    """Per document: a boolean mask of its boilerplate characters, and which rule matched each span."""
    masks, spans = [], []
    compiled = [(re.compile(p, re.MULTILINE), source) for p, source in rules]
    for text in texts:
        mask = np.zeros(len(text), dtype=bool)
        mine = []
        for pattern, source in compiled:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    mask[m.start():m.end()] = True
                    mine.append((m.start(), m.end(), source))
        masks.append(mask)
        spans.append(mine)
    return masks, spans


