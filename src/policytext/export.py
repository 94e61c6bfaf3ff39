"""Tables for publication: CSV, LaTeX and Word, with Chinese text kept as it is.

:func:`write_table` picks the format from the file's suffix:

``.csv``
    UTF-8, every digit kept (for further analysis). A text cell that a
    spreadsheet would run as a formula (``=1+1``, ``@SUM(...)``) is written
    with a leading ``'`` (see :func:`policytext._output.spreadsheet_safe`).
``.tex``
    a ``booktabs`` table (``longtable`` when it is long) with LaTeX's special
    characters escaped (``_ % & # $ { } ~ ^ \\``); numbers formatted as below.
    Chinese needs XeLaTeX or LuaLaTeX with ``xeCJK`` (or the ``ctex`` class);
    the file's first lines say so.
``.xlsx``
    an Excel sheet: numbers as numbers, text as text (never a formula).
``.docx``
    a Word table (header in bold, numbers right-aligned, landscape pages for
    wide tables), written with python-docx.

Numbers in LaTeX and Word are rounded to three significant digits (``digits``):
123.456 becomes 123, 0.04567 becomes 0.0457, 0.0000123 becomes 1.23e-05;
integers (counts, years) are written in full and without separators; missing
values are left empty. The same table always gives the same bytes (a Word file
carries no dates). Characters XML cannot hold (control characters) are written
as ``\\xNN`` in Word files, with a warning naming the table, row and column.
Every file is written atomically: a failed write leaves the earlier file.
"""

from __future__ import annotations

import io
import logging
import math
import numbers
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from policytext._core.output import spreadsheet_safe, write_atomic, xml_safe

__all__ = ["write_table", "xlsx_bytes", "format_number", "TABLE_FORMATS"]

logger = logging.getLogger(__name__)

#: The formats :func:`write_table` writes, by suffix.
TABLE_FORMATS = ("csv", "tex", "docx", "xlsx")

#: LaTeX tables longer than this many rows are written as a ``longtable`` (breaks across pages).
LONGTABLE_ROWS = 60

#: Tables with more columns than this are put on landscape pages in Word.
LANDSCAPE_COLUMNS = 7


def format_number(value, digits: int = 3) -> str:
    """A cell as text: numbers to ``digits`` significant digits, integers in full, missing values empty.

    Examples
    --------
    >>> [format_number(v) for v in (123.456, 0.98765, 0.0000123, 2.0, 2024, 12345.6, float("nan"), None, "湖北省")]
    ['123', '0.988', '1.23e-05', '2', '2024', '12346', '', '', '湖北省']
    >>> format_number(True), format_number(0.5, digits=1)
    ('True', '0.5')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return ""
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        if abs(x) >= 10 ** digits:
            return f"{x:.0f}"
        return f"{x:.{digits}g}"
    return str(value)


def _as_text(table: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Every cell of the table as text; the column names as text."""
    shown = pd.DataFrame({str(c): [format_number(v, digits) for v in table[c].tolist()] for c in table.columns},
                         index=range(len(table)), dtype=object)
    return shown


def _numeric_columns(table: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
            for c in table.columns]


def _latex(table: pd.DataFrame, digits: int, longtable: bool | None) -> str:
    shown = _as_text(table, digits)
    columns = "".join("r" if numeric else "l" for numeric in _numeric_columns(table))
    long = len(table) > LONGTABLE_ROWS if longtable is None else longtable
    body = shown.to_latex(index=False, escape=True, column_format=columns or "l", longtable=long)
    needs = r"\usepackage{booktabs}" + (r" and \usepackage{longtable}" if long else "")
    return (f"% Written by policytext. Needs {needs}.\n"
            "% Chinese text: compile with XeLaTeX or LuaLaTeX and \\usepackage{xeCJK} (or the ctex class).\n"
            + body)


def _fixed_dates(data: bytes) -> bytes:
    """The zip archive (a .docx) again, its entries dated 1980-01-01, so that the same table gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _docx(table: pd.DataFrame, digits: int) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    shown = _as_text(table, digits)
    numeric = _numeric_columns(table)
    document = docx.Document()
    document.core_properties.author = "policytext"
    document.core_properties.last_modified_by = "policytext"
    n_cols = max(1, shown.shape[1])
    document.styles["Normal"].font.size = Pt(9 if n_cols > LANDSCAPE_COLUMNS else 10)
    if n_cols > LANDSCAPE_COLUMNS:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    grid = document.add_table(rows=1, cols=n_cols)
    grid.style = "Table Grid"
    for cell, name, right in zip(grid.rows[0].cells, shown.columns, numeric):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(name).bold = True
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in shown.itertuples(index=False, name=None):
        for cell, value, right in zip(grid.add_row().cells, values, numeric):
            cell.text = value
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_dates(buffer.getvalue())


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, widths: dict[str, dict[str, float]] | None = None,
               choices: dict[str, dict[str, list[str]]] | None = None, notes: dict[str, str] | None = None) -> bytes:
    """An Excel workbook (``.xlsx``) of one sheet per table, the same bytes for the same tables.

    Every text cell is written as text, never as a formula (``=1+1`` stays the four characters);
    characters XML cannot hold are written as ``\\xNN`` (with a warning). ``widths``: sheet -> column ->
    width; ``choices``: sheet -> column -> the values a cell may take (a drop-down list, Excel's data
    validation); ``notes``: sheet -> a comment on the header's first cell.
    """
    import datetime

    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    book.remove(book.active)
    fixed = datetime.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = book.properties.lastModifiedBy = "policytext"
    for name, table in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        table = xml_safe(table, name=name)
        sheet.append([str(c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in table.itertuples(index=False, name=None):
            sheet.append([None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                          else (v.item() if isinstance(v, np.generic) else v) for v in values])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, width in (widths or {}).get(name, {}).items():
            if col in table.columns:
                sheet.column_dimensions[get_column_letter(list(table.columns).index(col) + 1)].width = width
        for col, allowed in (choices or {}).get(name, {}).items():
            if col in table.columns and len(table):
                letter = get_column_letter(list(table.columns).index(col) + 1)
                rule = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
                rule.add(f"{letter}2:{letter}{len(table) + 1}")
                sheet.add_data_validation(rule)
        if (notes or {}).get(name):
            sheet["A1"].comment = Comment(notes[name], "policytext")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_dates(buffer.getvalue())


def write_table(table: pd.DataFrame, path: str | Path, *, format: str | None = None, digits: int = 3,
                index: bool = False, longtable: bool | None = None) -> Path:
    """Write a table as CSV, LaTeX (``.tex``) or Word (``.docx``); return the path.

    Parameters
    ----------
    table : DataFrame
        Any table of the package (or your own).
    path : str or Path
        The file to write (its folder is made if needed).
    format : {"csv", "tex", "docx", "xlsx"}, optional
        Default: from the suffix of ``path``.
    digits : int
        Significant digits of the numbers in LaTeX and Word (CSV keeps them all).
    index : bool
        Write the index as the first column(s).
    longtable : bool, optional
        LaTeX only: a ``longtable`` that breaks across pages; default: when
        the table has more than :data:`LONGTABLE_ROWS` rows.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> t = pd.DataFrame({"province": ["湖北省", "四川省"], "term": ["数字_经济", "5G"],
    ...                   "per_10k": [123.456, 0.0421]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> tex = write_table(t, folder / "top.tex").read_text(encoding="utf-8")
    >>> print(tex[tex.index(r"\\toprule"):])
    \\toprule
    province & term & per\\_10k \\\\
    \\midrule
    湖北省 & 数字\\_经济 & 123 \\\\
    四川省 & 5G & 0.0421 \\\\
    \\bottomrule
    \\end{tabular}
    <BLANKLINE>
    >>> import docx
    >>> cells = docx.Document(str(write_table(t, folder / "top.docx"))).tables[0].rows[1].cells
    >>> [c.text for c in cells]
    ['湖北省', '数字_经济', '123']
    """
    path = Path(path)
    fmt = (format or path.suffix).lower().lstrip(".")
    if not fmt:
        raise ValueError(f"{path}: no suffix to tell the format from; give format= (one of {', '.join(TABLE_FORMATS)})")
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"table format {fmt!r} is not supported; use one of {', '.join(TABLE_FORMATS)}")
    if index:
        table = table.reset_index()
    if fmt == "csv":
        write_atomic(path, spreadsheet_safe(table).to_csv(index=False))
    elif fmt == "tex":
        write_atomic(path, _latex(table, digits, longtable))
    elif fmt == "xlsx":
        write_atomic(path, xlsx_bytes({"table": table}))
    else:
        write_atomic(path, _docx(xml_safe(table, name=str(path)), digits))
    logger.debug("table of %d rows written to %s", len(table), path)
    return path
