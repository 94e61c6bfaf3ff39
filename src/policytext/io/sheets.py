"""Reading a user's tables: CSV, TSV and XLSX, as rows of text, with the place of every cell.

Metadata tables (:func:`policytext.io.loading.read_metadata`) and judged validation
sheets (:func:`policytext.read_validation_sheet`) are read here, so that a CSV in GBK or
a workbook's dates are handled once.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path
from typing import Callable

from policytext.errors import CorpusError
from policytext.io.decoding import DecodeFailure, decode

__all__ = ["read_rows", "SHEET_SUFFIXES"]

#: The suffixes :func:`read_rows` reads.
SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read_rows(path: str | Path, *, sheet: str | None = None, what: str = "table", data: bytes | None = None
              ) -> tuple[list[list[str]], Callable[[int, int], str]]:
    """The rows of a table file as text, and a function naming a cell: ``place(row, column)``.

    ``row`` counts as a spreadsheet does (the header is row 1), ``column`` from 0. In an XLSX
    workbook the sheet ``sheet`` is read (default: the first); whole numbers are written without
    ``.0`` and dates as ISO dates; trailing empty rows and cells are dropped. A CSV or TSV file
    may be in any encoding :func:`policytext.decode_bytes` tells. ``what`` names the table in errors.
    ``data``: the file's bytes, when the caller has read them already (the file is then not read again).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = path.write_text("file,year\\na.txt,2021\\n", encoding="gbk")
    >>> rows, place = read_rows(path)
    >>> rows, place(2, 1)
    ([['file', 'year'], ['a.txt', '2021']], "m.csv, row 2, column 'year'")
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path if data is None else io.BytesIO(data), read_only=True,
                                          data_only=True)
        except FileNotFoundError:
            raise CorpusError(f"{path}: {what} file not found") from None
        except (OSError, zipfile.BadZipFile, KeyError, ValueError) as err:
            raise CorpusError(f"{path}: not a readable XLSX workbook: {err}") from None
        try:
            chosen = book[sheet] if sheet is not None and sheet in book.sheetnames else book.worksheets[0]
            title = chosen.title
            rows = [[_cell_text(v) for v in row] for row in chosen.iter_rows(values_only=True)]
        finally:
            book.close()
        while rows and not any(c.strip() for c in rows[-1]):
            rows.pop()
        if rows:  # the empty cells after the header's width
            width = max((i + 1 for i, c in enumerate(rows[0]) if c.strip()), default=0)
            rows = [r[:width] + [c for c in r[width:] if c.strip()] for r in rows]

        def place(row: int, column: int) -> str:
            from openpyxl.utils import get_column_letter

            return f"{path.name}, cell {title}!{get_column_letter(column + 1)}{row}"

        return rows, place
    if suffix not in SHEET_SUFFIXES:
        raise CorpusError(f"{path}: a {what} is read from {', '.join(SHEET_SUFFIXES)} files, not {suffix or 'no suffix'}")
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        raise CorpusError(f"{path}: {what} file not found") from None
    except OSError as err:
        raise CorpusError(f"{path}: cannot read the {what}: {err.strerror or err}") from None
    try:
        text = decode(data).text
    except DecodeFailure as failure:
        raise CorpusError(f"{path}: cannot read the {what}: {failure.reason} ({failure.detail})") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if suffix == ".tsv" else ",",
                               skipinitialspace=True))
    except csv.Error as err:
        raise CorpusError(f"{path}: not a readable {suffix[1:].upper()} table: {err}") from None

    def place(row: int, column: int) -> str:
        name = rows[0][column].strip() if rows and column < len(rows[0]) else str(column + 1)
        return f"{path.name}, row {row}, column {name!r}"

    return rows, place
