"""Reading a PDF's text layer, page by page, with PDFium (through pypdfium2).

Each page gives its lines as PDFium lays them out (a line broken inside a sentence stays
broken: :func:`policytext.join_pdf_breaks`, a step of :func:`policytext.clean`, joins them
later). From each page's top and bottom the reader removes

* page numbers (``- 1 -``, ``— 2 —``, ``第 1 页 共 3 页``, ``1/3``, ``Page 1 of 3``, or a bare
  number that is a page's first or last line), and
* running headers and footers: a line that stands at the top (or bottom) of at least half of
  the pages, and of two at least, the same on each (but for a page number in it, that goes up
  by one from page to page: ``某某市人民政府公报 · 3 ·``); at most :data:`EDGE_LINES` lines
  at each end of a page,

and counts in :attr:`Read.removed` how many lines of each kind it removed. Pages follow each
other on the next line.

A PDF whose pages have no text layer (a scan) is :class:`Unreadable` with the reason
``"scanned PDF"``: run OCR on it first (``ocrmypdf --language chi_sim in.pdf out.pdf`` writes a
text layer), or save its text as a ``.txt`` file of the same name beside it. An encrypted,
damaged or page-less PDF is :class:`Unreadable` with the reason ``"unreadable"``.

Chinese government PDFs often set their text in CID fonts (``STSong-Light`` with a GB
encoding, at times without a ``ToUnicode`` map): PDFium maps the predefined Adobe-GB1 CMaps
to Unicode itself. A text layer that still gives no readable characters (fonts without any
Unicode mapping) is :class:`Unreadable` too, with the advice to run OCR.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

from policytext.io.formats import Read, Unreadable

__all__ = ["read", "is_page_number", "remove_page_furniture", "SCANNED_CHARS_PER_PAGE"]

logger = logging.getLogger(__name__)

#: A page with fewer characters than this (white space, page numbers and running headers not counted) has no
#: text layer worth the name; a PDF none of whose pages has more is taken for a scan.
SCANNED_CHARS_PER_PAGE = 10
#: Below this plausibility (:func:`policytext.plausibility`) the text layer is taken for unreadable.
UNREADABLE_PLAUSIBILITY = 0.5
#: How many lines at a page's top and bottom can be page numbers or running headers and footers.
EDGE_LINES = 2

_DASHES = "-‐‑‒–—―－─~～·•"
_PAGE_NUMBER_RES = [re.compile(p) for p in (
    rf"[{_DASHES}]+\s*\d{{1,4}}\s*[{_DASHES}]+",                      # - 1 -, — 2 —, －3－
    r"第\s*\d{1,4}\s*页\s*(?:[,，/／、]?\s*共\s*\d{1,4}\s*页)?",       # 第 1 页, 第 1 页 共 3 页, 第1页/共3页
    r"共\s*\d{1,4}\s*页\s*[,，/／、]?\s*第\s*\d{1,4}\s*页",              # 共 3 页 第 1 页
    r"\d{1,4}\s*[/／]\s*\d{1,4}",                                     # 1/3
    r"(?i:page)\s*\d{1,4}(?:\s*(?i:of|/)\s*\d{1,4})?",               # Page 1 of 3
)]
_BARE_NUMBER_RE = re.compile(r"\d{1,3}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE_RE = re.compile(r"\s+")


def is_page_number(line: str, *, bare: bool = False) -> bool:
    """Whether a line is a page number: ``- 1 -``, ``— 2 —``, ``第 1 页 共 3 页``, ``1/3``, ``Page 2``; with
    ``bare=True`` a number alone (``7``) too.

    Examples
    --------
    >>> [is_page_number(s) for s in ("- 1 -", "— 12 —", "第 1 页 共 3 页", "共3页 第2页", "2/3", "第一条")]
    [True, True, True, True, True, False]
    >>> is_page_number("7"), is_page_number("7", bare=True), is_page_number("2021", bare=True)
    (False, True, False)
    """
    line = line.strip(" \t\u3000\u00a0")
    if any(p.fullmatch(line) for p in _PAGE_NUMBER_RES):
        return True
    return bare and bool(_BARE_NUMBER_RE.fullmatch(line))


def _numbers(line: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", line)]


def _running(edge: list[str | None], needed: int) -> set[int]:
    """The pages whose edge line is a running header (or footer): the same line on ``needed`` pages at least;
    or lines that differ in one number only, which goes up by one from page to page (a page number in the
    header: ``某某市人民政府公报 · 3 ·``)."""
    exact: dict[str, list[int]] = {}
    for page, line in enumerate(edge):
        if line is not None:
            exact.setdefault(_SPACE_RE.sub("", line), []).append(page)
    found = {page for pages in exact.values() if len(pages) >= needed for page in pages}
    shapes: dict[str, list[int]] = {}
    for page, line in enumerate(edge):
        if line is not None and page not in found and re.search(r"\d", line):
            shapes.setdefault(re.sub(r"\d+", "#", _SPACE_RE.sub("", line)), []).append(page)
    for pages in shapes.values():
        if len(pages) < needed:
            continue
        numbers = [_numbers(edge[page]) for page in pages]
        varying = [i for i in range(len(numbers[0])) if len({n[i] for n in numbers}) > 1]
        if len(varying) == 1 and len({n[varying[0]] - page for n, page in zip(numbers, pages)}) == 1:
            found.update(pages)
    return found


def _strip_page_numbers(lines: list[str]) -> int:
    """Remove page numbers among the first and last :data:`EDGE_LINES` lines, in place; return how many."""
    removed = 0
    for top in (True, False):
        i = 0
        while lines and i < min(EDGE_LINES, len(lines)):
            index = i if top else len(lines) - 1 - i
            if is_page_number(lines[index], bare=(i == 0)):
                del lines[index]
                removed += 1
            else:
                i += 1
    return removed


def _strip_running(pages: list[list[str]], top: bool, budget: list[int]) -> int:
    """Remove running headers (``top``) or footers from the pages, in place, at most ``budget[page]`` lines
    of each page; return how many lines."""
    n_pages = len(pages)
    if n_pages < 2:
        return 0
    needed = max(2, math.ceil(n_pages / 2))
    removed = 0
    while True:
        edge = [(p[0] if top else p[-1]) if p and left > 0 else None for p, left in zip(pages, budget)]
        running = _running(edge, needed)
        if not running:
            return removed
        for page in running:
            del pages[page][0 if top else -1]
            budget[page] -= 1
            removed += 1


def remove_page_furniture(pages: list[list[str]]) -> tuple[list[list[str]], dict[str, int]]:
    """The pages' lines without page numbers and running headers and footers, and how many of each went.

    Parameters
    ----------
    pages : list of list of str
        Each page's lines, top to bottom, without empty lines.

    Returns
    -------
    (pages, removed) : tuple
        New lists of lines, and the counts by kind (``page numbers``, ``running headers``, ``running
        footers``; kinds with none left out).

    Examples
    --------
    >>> pages = [["XX市人民政府文件", "第一条 为了规范", "- 1 -"], ["XX市人民政府文件", "第二条 本办法", "- 2 -"]]
    >>> remove_page_furniture(pages)
    ([['第一条 为了规范'], ['第二条 本办法']], {'page numbers': 2, 'running headers': 2})
    """
    pages = [list(p) for p in pages]
    counts = {"page numbers": 0, "running headers": 0, "running footers": 0}
    tops, bottoms = [EDGE_LINES] * len(pages), [EDGE_LINES] * len(pages)  # running lines a page may lose
    for _ in range(3):  # a page number under a running footer, a running header over a page number ...
        before = sum(counts.values())
        counts["page numbers"] += sum(_strip_page_numbers(p) for p in pages)
        counts["running headers"] += _strip_running(pages, True, tops)
        counts["running footers"] += _strip_running(pages, False, bottoms)
        if sum(counts.values()) == before:
            break
    return pages, {kind: n for kind, n in counts.items() if n}


def _page_lines(text: str) -> list[str]:
    text = _CONTROL_RE.sub("", text.replace("\x02", ""))  # PDFium marks a hyphen at a line's end with \x02
    lines = (line.strip(" \t\u3000\u00a0") for line in text.splitlines())
    return [line for line in lines if line]


def _ranges(numbers: list[int]) -> str:
    """1-based page numbers as ranges: ``2, 4-6``."""
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(out)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pypdfium2 {version('pypdfium2')}"
    except PackageNotFoundError:  # pragma: no cover - an unusual installation
        return "pypdfium2"


OCR_ADVICE = ("run OCR on it first (e.g. ocrmypdf --language chi_sim in.pdf out.pdf writes a text layer, and "
              "out.pdf is then read), or save its text as a .txt file of the same name beside it")


def read(path: str | Path, *, data: bytes | None = None) -> Read:
    """Read the text layer of a PDF: lines kept, page numbers and running headers and footers removed.

    Parameters
    ----------
    path : str or Path
        The PDF (named in messages; read unless ``data`` is given).
    data : bytes, optional
        The file's bytes, if already read.

    Returns
    -------
    Read
        ``text`` (pages one after another, lines kept), ``reader`` (``"pypdfium2 4.30.0"``),
        ``removed`` (page numbers, running headers and running footers, counted in lines) and
        ``detail`` (pages without text, a doubtful text layer).

    Raises
    ------
    Unreadable
        ``"scanned PDF"`` when no page has a text layer; ``"unreadable"`` for a PDF that is
        encrypted, damaged, without pages, or whose text layer gives no readable characters.

    Examples
    --------
    >>> read(Path("missing.pdf"), data=b"%PDF-1.7")
    Traceback (most recent call last):
    ...
    policytext.io.formats.Unreadable: missing.pdf: not a PDF PDFium can open (damaged, or not a PDF at all)
    """
    import pypdfium2 as pdfium

    from policytext.io.decoding import LOW_PLAUSIBILITY, plausibility

    path = Path(path)
    source = data if data is not None else path
    try:
        pdf = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as err:
        code = getattr(err, "err_code", None)
        if code == 4:  # FPDF_ERR_PASSWORD
            why = "encrypted: it needs a password to open; save an unprotected copy (or its text as .txt)"
        elif code in (0, None) and "success" in str(err).lower():
            why = "the PDF has no pages"
        elif code == 6:  # FPDF_ERR_SECURITY
            why = "protected by an unsupported security handler; save an unprotected copy (or its text as .txt)"
        else:
            why = "not a PDF PDFium can open (damaged, or not a PDF at all)"
        raise Unreadable("unreadable", f"{path.name}: {why}") from None
    except OSError as err:
        raise Unreadable("unreadable", f"{path}: {err.strerror or err}") from None
    try:
        raw_pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    raw_pages.append(_page_lines(textpage.get_text_bounded()))
                finally:
                    textpage.close()
            finally:
                page.close()
    except pdfium.PdfiumError as err:
        raise Unreadable("unreadable", f"{path.name}: page {len(raw_pages) + 1} cannot be read ({err})") from None
    finally:
        pdf.close()
    n_pages = len(raw_pages)
    if not n_pages:
        raise Unreadable("unreadable", f"{path.name}: the PDF has no pages")
    pages, removed = remove_page_furniture(raw_pages)
    chars = [sum(len(_SPACE_RE.sub("", line)) for line in page) for page in pages]
    empty = [i + 1 for i, n in enumerate(chars) if n < SCANNED_CHARS_PER_PAGE]
    if len(empty) == n_pages:
        raise Unreadable("scanned PDF", f"{path.name}: no text layer on any of its {n_pages} page(s) (a scan, or "
                                        f"pages of images): {OCR_ADVICE}")
    text = "\n".join(line for page in pages for line in page)
    notes = []
    score = plausibility(text)
    if score < UNREADABLE_PLAUSIBILITY:
        raise Unreadable("unreadable", f"{path.name}: its text layer gives no readable text (plausibility "
                                       f"{score:.2f}: fonts without a Unicode map?); run OCR on it (e.g. ocrmypdf "
                                       "--force-ocr --language chi_sim in.pdf out.pdf), or save its text as a .txt "
                                       "file of the same name beside it")
    if score < LOW_PLAUSIBILITY:
        notes.append(f"text layer doubtful (plausibility {score:.2f}, below {LOW_PLAUSIBILITY}: some fonts may "
                     "lack a Unicode map; compare with the PDF, or run OCR)")
    if empty:
        notes.append(f"page(s) {_ranges(empty)} of {n_pages} have no text layer (scanned pages?): their text is "
                     f"missing; to include it, {OCR_ADVICE}")
    for note in notes:
        logger.warning("%s: %s", path, note)
    return Read(text, _version(), removed=removed, detail="; ".join(notes))
