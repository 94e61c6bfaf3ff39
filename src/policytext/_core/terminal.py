"""Text for the terminal: tables and notes that fit its width, Chinese text included.

A terminal shows an East Asian wide or full-width character (every Chinese
character, full-width punctuation) in two columns, so padding by ``len`` breaks
the alignment of a table as soon as a cell holds Chinese text. Everything here
counts display columns instead. Only the command line uses this module.
"""

from __future__ import annotations

import math
import numbers
import shutil
import unicodedata

import pandas as pd

ELLIPSIS = "…"  # East Asian width "ambiguous": one column in the usual (non-CJK-legacy) terminal setting
SEP = "  "
MIN_WIDTH = 40


def terminal_width() -> int:
    """Columns of the terminal (``$COLUMNS`` first; 80 when it cannot be told), at least 40."""
    return max(MIN_WIDTH, shutil.get_terminal_size().columns)


def char_width(ch: str) -> int:
    """Display columns of one character: 2 for wide and full-width ones, 0 for combining marks."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 1


def display_width(text: str) -> int:
    """Display columns of a string."""
    return sum(char_width(ch) for ch in text)


def one_line(text: str) -> str:
    """The text with line breaks, tabs and other control characters made spaces."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(text))


def truncate(text: str, columns: int) -> str:
    """The text cut to ``columns`` display columns, ending in an ellipsis when it was cut."""
    if display_width(text) <= columns:
        return text
    if columns <= 0:
        return ""
    kept, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > columns - 1:
            break
        kept.append(ch)
        used += w
    return "".join(kept) + ELLIPSIS


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """The text padded with spaces to ``columns`` display columns (aligned right with ``right``)."""
    fill = " " * max(0, columns - display_width(text))
    return fill + text if right else text + fill


def wrap(text: str, columns: int, *, indent: str = "", subsequent_indent: str | None = None) -> list[str]:
    """Lines of at most ``columns`` display columns.

    Breaks at spaces where there are some; a run without spaces that does not
    fit (Chinese text, a long path) is broken between characters.
    """
    if subsequent_indent is None:
        subsequent_indent = indent
    lines: list[str] = []
    line, prefix = indent, indent
    used = display_width(indent)
    for word in one_line(text).split():
        room = columns - used - (0 if line == prefix else 1)
        if display_width(word) <= room:
            if line != prefix:
                line += " "
                used += 1
            line += word
            used += display_width(word)
            continue
        if line != prefix and display_width(word) <= columns - display_width(subsequent_indent):
            lines.append(line)  # the word fits on a line of its own
            line, prefix = subsequent_indent, subsequent_indent
            used = display_width(line)
            line += word
            used += display_width(word)
            continue
        if line != prefix:  # break the word where the line is, or on the next line if nothing more fits
            if used + 1 + char_width(word[0]) <= columns:
                line += " "
                used += 1
            else:
                lines.append(line)
                line, prefix = subsequent_indent, subsequent_indent
                used = display_width(line)
        for ch in word:
            w = char_width(ch)
            if used + w > columns and line != prefix:
                lines.append(line)
                line, prefix = subsequent_indent, subsequent_indent
                used = display_width(line)
            line += ch
            used += w
    if line != prefix or not lines:
        lines.append(line.rstrip() if line != prefix else line)
    return lines


def wrap_items(head: str, items: list[str], columns: int, *, sep: str = ", ", indent: str = "    ") -> list[str]:
    """``head`` followed by the items joined by ``sep``, in lines of at most ``columns`` display columns.

    Lines break between items (an item wider than a line is broken as :func:`wrap` does); the lines after
    the first start with ``indent``.
    """
    lines: list[str] = []
    line = head
    for k, item in enumerate(one_line(x) for x in items):
        piece = item + (sep.rstrip() if k < len(items) - 1 else "")
        glue = " " if line.strip() and not line.endswith(" ") else ""
        if display_width(line + glue + piece) <= columns:
            line += glue + piece
        elif line.strip() and display_width(indent + piece) <= columns:
            lines.append(line.rstrip())
            line = indent + piece
        else:
            broken = wrap(line + glue + piece, columns, subsequent_indent=indent)
            lines += broken[:-1]
            line = broken[-1]
    lines.append(line.rstrip())
    return lines


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _cell(value) -> str:
    if isinstance(value, (list, tuple, set, dict)):
        return one_line(value)
    if pd.isna(value):
        return "NA"
    if isinstance(value, (bool,)) or not isinstance(value, numbers.Number):
        return one_line(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude == 0 or value.is_integer() and magnitude < 1e15:
        return str(int(value))
    if 1e-4 <= magnitude < 1e4:
        return f"{value:.4g}"
    if 1e4 <= magnitude < 1e15:
        return f"{value:.0f}"
    return f"{value:.3e}"


def format_table(table: pd.DataFrame, *, width: int | None = None, max_rows: int | None = 60,
                 hint: str = "use -o FILE.csv to write every row") -> list[str]:
    """The lines of a table as the terminal shows it, without the index.

    Columns are aligned by display width (text to the left, numbers to the
    right). A text column wider than a third of ``width`` (the terminal's by
    default) is cut to it, its cells ending in an ellipsis. A table still
    wider than ``width`` is shown in blocks of columns, one under the other,
    each block repeating the leading text columns (the groups, the term) so
    that its rows can be read on their own. A table of more than ``max_rows``
    rows shows the first ones and a last line that says how many more there
    are, followed by ``hint``.
    """
    columns = width or terminal_width()
    n_rows = len(table)
    shown = table if max_rows is None or n_rows <= max_rows else table.iloc[:max_rows]
    names = [one_line(c) for c in table.columns]
    numeric = [_is_numeric(shown.iloc[:, j]) for j in range(table.shape[1])]
    cells = [[_cell(v) for v in shown.iloc[:, j].tolist()] for j in range(table.shape[1])]
    cap = max(24, columns // 3)
    widths = []
    for j, name in enumerate(names):
        content = max([display_width(c) for c in cells[j]], default=0)
        if numeric[j]:  # numbers are never cut, a long header may be
            widths.append(max(content, min(display_width(name), cap)))
        else:
            widths.append(min(max(content, display_width(name)), cap))

    def total(js):
        return sum(widths[j] for j in js) + len(SEP) * max(0, len(js) - 1)

    everything = list(range(len(names)))
    if total(everything) <= columns:
        blocks, labels = [everything], []
    else:
        labels = []  # the leading text columns (else a narrow first column, k say), repeated in every block
        for j in everything:
            if numeric[j] or total(labels + [j]) > columns // 2:
                break
            labels.append(j)
        if not labels and widths[0] <= columns // 4:
            labels = [0]
        blocks, current = [], []
        for j in everything[len(labels):]:
            if current and total(labels + current + [j]) > columns:
                blocks.append(current)
                current = []
            current.append(j)
        if current:
            blocks.append(current)

    def line(js, values):
        text = SEP.join(pad(truncate(values[j], widths[j]), widths[j], right=numeric[j]) for j in js)
        return text if display_width(text) <= columns else truncate(text, columns)

    lines: list[str] = []
    for b, block in enumerate(blocks):
        js = labels + block
        if b:
            lines.append("")
        lines.append(line(js, names))
        lines += [line(js, [cells[j][i] for j in range(len(names))]) for i in range(len(shown))]
    if not len(shown):
        lines.append("(no rows)")
    if len(shown) < n_rows:
        lines += wrap(f"… {n_rows - len(shown)} more rows not shown ({n_rows} in all): {hint}", columns)
    return lines
