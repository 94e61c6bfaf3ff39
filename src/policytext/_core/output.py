"""Writing files for people: atomically, with cells that cannot attack the reader.

Every file the package writes goes through :func:`write_atomic` (or
:func:`atomic_path` for writers that want a path): the content goes into a
temporary file in the same folder, which is renamed over the target only when
it is complete. A failed write (a full disk, an interrupted run) leaves the
earlier file as it was and no temporary file behind, and its error names the
file.

Cells are made safe where they leave Python, never in the tables the package
returns:

* :func:`spreadsheet_safe`: a text cell that Excel, WPS or LibreOffice would
  read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return, as OWASP's CSV-injection guidance lists them) gets a
  leading ``'``; numbers, and text that is a plain number (``-5``, ``+86``),
  stay as they are.
* :func:`xml_safe`: characters XML 1.0 cannot hold (control characters other
  than tab and line breaks, lone surrogates, U+FFFE and U+FFFF) are written
  as a visible escape (``\\x0b``), with a warning that names the table, row
  and column.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

__all__ = ["write_atomic", "atomic_path", "default_mode", "spreadsheet_safe", "xml_safe", "xml_safe_text", "is_formula_like",
           "XML_INVALID"]

logger = logging.getLogger(__name__)

#: Characters that XML 1.0 does not allow in a document.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def default_mode(*, folder: bool = False) -> int:
    """The permissions a new file (or folder) gets from the process's umask, as ``open`` would give them."""
    return (0o777 if folder else 0o666) & ~_umask()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to ``path`` when the block ends without an error.

    The folder of ``path`` is created if needed. On an error the temporary
    file is removed and the error (an :class:`OSError` names the file) is
    raised; ``path`` keeps its earlier content.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("数据")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('数据', ['a.txt'])
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as err:
        raise OSError(err.errno, f"cannot write {path}: {err.strerror or err}") from None
    tmp = Path(name)
    try:
        yield tmp
        try:
            mode = path.stat().st_mode & 0o7777 if path.exists() else default_mode()
        except OSError:
            mode = default_mode()
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)  # mkstemp made it private; the file gets the permissions open() would give
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError) and str(path) not in str(err):
            raise OSError(err.errno, f"cannot write {path}: {err.strerror or err}") from None
        raise


def write_atomic(path: str | Path, data: bytes | str, *, encoding: str = "utf-8", fsync: bool = False) -> Path:
    """Write ``data`` (bytes, or text in ``encoding``) to ``path`` atomically; return the path.

    ``fsync=True`` also flushes the file to the disk before the rename (for
    files that must survive a power cut, at a cost per file).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "b.txt"
    >>> write_atomic(target, "一").read_bytes()
    b'\\xe4\\xb8\\x80'
    """
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
    return path


def is_formula_like(value) -> bool:
    """Whether a spreadsheet would take this cell for a formula.

    Examples
    --------
    >>> [is_formula_like(v) for v in ("=1+1", "@SUM(1)", "+86", "-5", "-2.5e3", "湖北省", 3, "\\t=x")]
    [True, True, False, False, False, False, False, True]
    """
    return (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value))


def _escape_formula(value):
    return "'" + value if is_formula_like(value) else value


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and column names cannot run as spreadsheet formulas.

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["=1+1", "湖北省"], "n": [-1, 2]})
    >>> spreadsheet_safe(t).values.tolist()
    [["'=1+1", -1], ['湖北省', 2]]
    """
    out = table.copy(deep=False)
    out.attrs = {}
    for col in out.columns:
        values = out[col]
        if values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            text = values.astype(object)
            if text.map(is_formula_like).any():
                out[col] = text.map(_escape_formula)
    if any(is_formula_like(str(c)) for c in out.columns):
        out.columns = [_escape_formula(str(c)) if is_formula_like(str(c)) else c for c in out.columns]
    return out


def xml_safe_text(value: str) -> str:
    r"""``value`` with each character XML cannot hold written as ``\xNN`` (``\uNNNN``).

    Examples
    --------
    >>> xml_safe_text("a\x0bb\x01")
    'a\\x0bb\\x01'
    """
    return XML_INVALID.sub(lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                      else f"\\u{ord(m.group()):04x}"), value)


def xml_safe(table: pd.DataFrame, *, name: str) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and column names XML can hold; a warning names each place changed.

    Examples
    --------
    >>> xml_safe(pd.DataFrame({"doc_id": ["a\\x0b"]}), name="demo")["doc_id"].tolist()
    ['a\\\\x0b']
    """
    out = table.copy(deep=False)
    out.attrs = {}
    places = []
    for col in out.columns:
        values = out[col]
        if values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            text = values.astype(object)
            bad = text.map(lambda v: isinstance(v, str) and XML_INVALID.search(v) is not None)
            if bad.any():
                places += [(int(i) + 1, col) for i in bad.to_numpy().nonzero()[0][:3]]
                out[col] = text.map(lambda v: xml_safe_text(v) if isinstance(v, str) else v)
    renamed = {c: xml_safe_text(c) for c in out.columns if isinstance(c, str) and XML_INVALID.search(c)}
    if renamed:
        places += [("header", c) for c in renamed]
        out = out.rename(columns=renamed)
    if places:
        where = "; ".join(f"{'header' if r == 'header' else f'data row {r}'}, column {c!r}" for r, c in places[:5])
        logger.warning("%s: characters that XML cannot hold (control characters) written as \\xNN escapes: %s",
                       name, where)
    return out
