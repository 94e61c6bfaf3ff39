"""Validating a lexicon: read a random sample of its hits, judge each, and report the precision.

A dictionary measure is as good as the share of its hits that mean what the
dimension names. The workflow a methods section reports:

1. :func:`validation_sample` draws, with a seed, ``n`` hits of each dimension
   (or of each term) in their context;
2. :func:`write_validation_sheet` writes them as a sheet (XLSX and CSV) with an
   empty ``judgement`` column for the reader (1: the hit means what the dimension
   names; 0: it does not; empty: not judged);
3. :func:`read_validation_sheet` reads the judged sheet back, checking every cell
   and naming the cell of any error;
4. :func:`lexicon_precision` gives, per term and per dimension, the share judged
   correct with its exact (Clopper-Pearson) interval.

The hits are drawn uniformly among a dimension's hits, so a dimension's
precision estimates the share of its hits (as counted by
:func:`policytext.emphasis`) that are correct; a term's precision rests on the
hits of that term that happen to be drawn, and says how many. Write the
figures, and the reasons for keeping or dropping a term, into the lexicon
file, as the shipped lexicons do in their comments.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext.io.sheets import read_rows
from policytext._core.output import spreadsheet_safe, write_atomic
from policytext.errors import CorpusError
from policytext._core.stats import binomial_interval
from policytext.compare.lexicons import lexicon_table

__all__ = ["validation_sample", "write_validation_sheet", "read_validation_sheet", "lexicon_precision",
           "JUDGEMENTS"]

logger = logging.getLogger(__name__)

#: What a judgement cell may hold (case and outer spaces ignored), and what it means.
JUDGEMENTS = {"1": 1, "0": 0, "y": 1, "n": 0, "yes": 1, "no": 0, "true": 1, "false": 0, "是": 1, "否": 0,
              "对": 1, "错": 0, "✓": 1, "✗": 0, "x": 0}

SHEET_COLUMNS = ["sample_id", "dimension", "label", "term", "doc_id", "para_id", "left", "keyword", "right",
                 "judgement", "comment"]


def validation_sample(tokens: pd.DataFrame, docs: pd.DataFrame, *, lexicon: str | Path | pd.DataFrame = "digital_policy",
                      level: str = "dimension", n: int = 30, per: str = "dimension", window: int = 30,
                      random_state: int = 0, column: str = "text_clean") -> pd.DataFrame:
    """A seeded random sample of each dimension's (or term's) hits in their context, to judge.

    Parameters
    ----------
    tokens, docs
        The tokens and the documents they came from (with the cleaned text).
    lexicon, level
        As for :func:`policytext.emphasis`.
    n : int
        Hits drawn per dimension (``per="dimension"``) or per term (``per="term"``), without
        replacement; fewer where there are fewer.
    per : {"dimension", "term"}
        Draw per dimension (the precision of each dimension's count) or per term (enough of each
        term to decide whether to keep it).
    window : int
        Characters of context on either side.
    random_state : int
        Seed: the same tokens and seed give the same sample.

    Returns
    -------
    DataFrame
        :data:`SHEET_COLUMNS`: ``sample_id`` (from 1), the hit and its context, and empty
        ``judgement`` and ``comment`` columns. ``attrs["params"]`` holds the settings.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["建设5G基站和千兆光网。"]})
    >>> toks = pd.DataFrame({"doc_id": ["a", "a"], "para_id": [0, 0], "position": [1, 3],
    ...                      "token": ["5G基站", "千兆光网"]})
    >>> validation_sample(toks, docs, n=5)[["sample_id", "term", "keyword", "judgement"]].values.tolist()
    [[1, '5G基站', '5G基站', ''], [2, '千兆光网', '千兆光网', '']]
    """
    from policytext.compare.emphasis import emphasis_examples

    if per not in ("dimension", "term"):
        raise ValueError(f"per must be 'dimension' or 'term', got {per!r}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    lex = lexicon
    if per == "term":  # each term its own dimension, labelled with the dimension it belongs to
        table = lexicon_table(lexicon, level)
        lex = table.assign(dimension=table["dimension"] + "\x1f" + table["term"])
    sample = emphasis_examples(tokens, docs, lexicon=lex, level="dimension" if per == "term" else level, n=n,
                               window=window, random_state=random_state, column=column)
    if per == "term":
        sample["dimension"] = sample["dimension"].str.split("\x1f").str[0]
    sample = sample.sort_values(["dimension", "term", "doc_id", "para_id"], kind="stable").reset_index(drop=True)
    sample.insert(0, "sample_id", np.arange(1, len(sample) + 1))
    sample["judgement"] = ""
    sample["comment"] = ""
    sample = sample[SHEET_COLUMNS]
    _attrs.set_params(sample, "validation", {"lexicon": "table" if isinstance(lexicon, pd.DataFrame) else str(lexicon),
                                         "level": level, "n": n, "per": per, "window": window,
                                         "random_state": random_state})
    return sample


_INSTRUCTIONS = [
    ("judgement", "1 if the hit means what its dimension names, 0 if it does not; leave empty if you cannot tell. "
                  "Also accepted: y/n, yes/no, 是/否, 对/错."),
    ("comment", "Optional: why (another sense, a place name, a fragment of a longer word)."),
    ("left, keyword, right", "The hit in its context: the characters before it, the hit, the characters after it."),
    ("sample_id", "Do not change: it ties your judgement to the hit."),
]


def write_validation_sheet(sample: pd.DataFrame, path: str | Path) -> list[Path]:
    """Write a sample as a sheet to judge: ``path.xlsx`` (with a drop-down for the judgement and a sheet of
    instructions) and ``path.csv`` (the same rows); a suffix of ``path`` is replaced. Returns both paths.

    Cells are written as text (a hit that starts with ``=`` is no formula), atomically.
    """
    from policytext.export import xlsx_bytes

    missing = [c for c in ("sample_id", "keyword", "judgement") if c not in sample.columns]
    if missing:
        raise KeyError(f"write_validation_sheet needs the columns of validation_sample; missing {missing}")
    stem = Path(path).with_suffix("")
    instructions = pd.DataFrame(_INSTRUCTIONS, columns=["column", "what to write"])
    params = _attrs.params_of(sample, "validation") or {}
    if params:
        instructions = pd.concat([instructions, pd.DataFrame(
            [(f"setting: {k}", str(v)) for k, v in params.items()], columns=instructions.columns)], ignore_index=True)
    xlsx = stem.with_name(stem.name + ".xlsx")
    csv = stem.with_name(stem.name + ".csv")
    write_atomic(xlsx, xlsx_bytes({"hits": sample, "instructions": instructions},
                                  widths={"hits": {"left": 34, "keyword": 14, "right": 34, "judgement": 11,
                                                   "comment": 30, "label": 16},
                                          "instructions": {"column": 22, "what to write": 90}},
                                  choices={"hits": {"judgement": ["1", "0"]}},
                                  notes={"hits": "Write 1 or 0 in the judgement column (see the instructions sheet)."}))
    write_atomic(csv, spreadsheet_safe(sample).to_csv(index=False))
    logger.info("validation sheet of %d hits written to %s and %s", len(sample), xlsx, csv)
    return [xlsx, csv]


def read_validation_sheet(path: str | Path) -> pd.DataFrame:
    """Read a judged sheet (XLSX or CSV) back: the sample with ``judgement`` as 1, 0 or missing.

    Every judgement cell is checked; an error names the file and the cell (``hits!J7`` in a
    workbook, row 7 in a CSV file) and what it may hold (:data:`JUDGEMENTS`). A sample id that
    occurs twice is an error too.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise CorpusError(f"{path}: a validation sheet is .xlsx or .csv, not {path.suffix or 'no suffix'}")
    rows, place = read_rows(path, sheet="hits", what="validation sheet")
    where = lambda r, c: f"{path.parent / place(r, c)}"  # noqa: E731
    if not rows:
        raise CorpusError(f"{path}: the sheet is empty")
    header = [h.strip() for h in rows[0]]
    for needed in ("sample_id", "judgement"):
        if needed not in header:
            raise CorpusError(f"{path}: column {needed!r} is missing (header: {header})")
    records, seen = [], {}
    j, s = header.index("judgement"), header.index("sample_id")
    for number, row in enumerate(rows[1:], start=2):
        row = row + [""] * (len(header) - len(row))
        if not any(str(c).strip() for c in row):
            continue
        sid = row[s].strip().lstrip("'")
        if not sid.isdigit():
            raise CorpusError(f"{where(number, s)}: sample_id {row[s]!r} is not a number")
        if sid in seen:
            raise CorpusError(f"{where(number, s)}: sample_id {sid} is also in row {seen[sid]}")
        seen[sid] = number
        raw = str(row[j]).strip().lower()
        if raw not in JUDGEMENTS and raw != "":
            raise CorpusError(f"{where(number, j)}: judgement {row[j]!r} is not one of 1, 0 (or y/n, yes/no, 是/否), "
                              "or empty for not judged")
        record = dict(zip(header, (str(c) for c in row)))
        for col in header:  # the escape written for spreadsheets is not part of the value
            if record[col].startswith("'") and record[col][1:2] in ("=", "+", "-", "@", "\t", "\r"):
                record[col] = record[col][1:]
        record["sample_id"] = int(sid)
        record["judgement"] = JUDGEMENTS.get(raw, pd.NA)
        records.append(record)
    table = pd.DataFrame(records, columns=header)
    table["judgement"] = table["judgement"].astype("Int64")
    if "para_id" in table:
        table["para_id"] = pd.to_numeric(table["para_id"], errors="coerce").astype("Int64")
    return table


def lexicon_precision(judged: pd.DataFrame, *, by: str | Sequence[str] = ("dimension", "term"),
                      ci: float = 0.95) -> pd.DataFrame:
    """The share of judged hits that are correct, with its exact (Clopper-Pearson) interval.

    Parameters
    ----------
    judged : DataFrame
        From :func:`read_validation_sheet` (or any table with ``judgement`` 1/0/NA and the
        ``by`` columns).
    by : str or sequence of str
        The levels to report: by default one row per dimension (``term`` empty) and one per
        term of each dimension, and a last row for all hits.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``level`` (``dimension``, ``term`` or ``all``), ``n_judged``,
        ``n_correct``, ``precision``, ``low``, ``high``, ``n_unjudged`` and ``note`` (few hits: the
        interval is wide; no hit judged: no estimate).

    Examples
    --------
    >>> j = pd.DataFrame({"dimension": ["d"] * 4, "term": ["a", "a", "b", "b"], "judgement": [1, 1, 0, pd.NA]})
    >>> p = lexicon_precision(j)
    >>> p[["level", "term", "n_judged", "n_correct", "precision"]].values.tolist()
    [['dimension', '', 3, 2, 0.6666666666666666], ['term', 'a', 2, 2, 1.0], ['term', 'b', 1, 0, 0.0], ['all', '', 3, 2, 0.6666666666666666]]
    """
    by = [by] if isinstance(by, str) else list(by)
    if "judgement" not in judged.columns:
        raise KeyError("lexicon_precision needs a 'judgement' column (1, 0 or missing)")
    table = judged.copy()
    table["judgement"] = pd.to_numeric(table["judgement"], errors="coerce")
    rows = []

    def row(level: str, keys: dict, part: pd.DataFrame):
        values = part["judgement"]
        judged_n = int(values.notna().sum())
        correct = int((values == 1).sum())
        low, high = binomial_interval(correct, judged_n, ci=ci)
        note = ("no hit judged: no estimate" if judged_n == 0 else
                f"{judged_n} hit(s) judged: a wide interval" if judged_n < 10 else "")
        rows.append({**{c: keys.get(c, "") for c in by}, "level": level, "n_judged": judged_n, "n_correct": correct,
                     "precision": correct / judged_n if judged_n else np.nan, "low": low, "high": high,
                     "n_unjudged": int(values.isna().sum()), "note": note})

    first = by[0]
    for key, part in table.groupby(first, sort=True):
        row(first, {first: key}, part)
        if len(by) > 1:
            for sub, subpart in part.groupby(by[1:], sort=True):
                sub = sub if isinstance(sub, tuple) else (sub,)
                row(by[-1], {first: key, **dict(zip(by[1:], sub))}, subpart)
    row("all", {}, table)
    out = pd.DataFrame(rows)
    out.attrs["rests_on"] = ("hits drawn at random and judged by a reader; the interval is the exact binomial "
                             "interval of the share judged correct, over the judged hits")
    return out
