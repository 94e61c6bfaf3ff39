"""Reading web pages saved from government portals: the main text, and the metadata the page itself states.

:func:`read` (a file) and :func:`read_html` (bytes) give a :class:`~policytext.io.formats.Read`:

* **Decoding.** Portals serve UTF-8, GBK/GB2312 and GB18030, declared in ``<meta charset>``, in
  ``<meta http-equiv="Content-Type">``, in an XML declaration, or not at all; and a page saved by a
  browser is often re-encoded as UTF-8 while it keeps its old declaration. A declared encoding is used
  when the bytes are valid in it and read as plausible Chinese in it; otherwise (no declaration, an
  unknown one, bytes invalid in it, or another encoding that reads far more plausibly) the encoding
  :func:`policytext.io.decoding.decode` chooses. GB2312 and GBK are read as GB18030, their superset.
  A byte-order mark decides over any declaration.
* **The main text** is trafilatura's (with tables, without comments, images, links or formatting):
  one paragraph a line, a table one row a line with its cells separated by a tab. Scripts, styles,
  ``<noscript>`` and ``<template>`` content and HTML comments are removed before anything is read;
  a page of the 1990s is made to look like one of today first (its layout tables become ``<div>``
  elements, text broken by ``<br>`` becomes paragraphs), and trafilatura's threshold for a main text
  is lowered for Chinese (:data:`MIN_EXTRACTED_CHARS`). When trafilatura finds no prose (nothing, or
  lines without a sentence or a table), the page's largest text block is taken instead (the element
  whose text, links excepted, is largest, counting its children's text half and its grandchildren's
  a quarter), and ``Read.detail`` says so. The control bars, fields and footers left in the text
  (字号, 打印本页, 发布时间, a metadata box ...) are removed later by the cleaning step
  (:func:`policytext.text.chrome.strip_chrome`), which this module does not repeat.
* **Metadata**, by the kit's column names, only what the page states: ``title`` (meta
  ``ArticleTitle``, meta ``og:title``, a 标题 field, or ``<title>`` without the site name), ``date``
  (a 成文日期 field, the date the document bears; else meta ``PubDate``/``pubdate``/``publishdate``;
  else a 发布日期 or 发布时间 field; as an ISO date), ``source`` (meta ``ContentSource`` or a 来源
  field), ``doc_number`` (a 发文字号 or 文号 field) and ``issuer`` (a 发文机关, 发布机构 or 发文单位
  field). A field is a label and its value on one line (``发布时间：2021-03-25``) or a label alone in a
  cell with its value in the next (a 政府信息公开 metadata box).
* **What was removed**, in lines: ``Read.removed["boilerplate"]`` counts the page's text lines (one a
  block element or table cell) whose text occurs nowhere in the text given: navigation, footers,
  related links and the like. A line whose text the main text happens to contain (首页) is not counted,
  so the count is a lower bound.

A page without a main text (its body loaded by a script, held in a frame, or a page of links alone)
raises :class:`~policytext.io.formats.Unreadable` with the reason :data:`NO_MAIN_TEXT`.

Examples
--------
>>> page = ('<html><head><meta charset="utf-8"><title>关于促进消费的通知_某市人民政府</title></head>'
...         '<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
...         '<p>发布日期：2023年5月6日 来源：市商务局</p>'
...         '<div class="content"><p>各区县人民政府：</p><p>为促进消费持续恢复，现将有关事项通知如下。</p>'
...         '</div></body></html>').encode("utf-8")
>>> got = read_html(page)
>>> got.metadata
{'title': '关于促进消费的通知', 'date': '2023-05-06', 'source': '市商务局'}
>>> "为促进消费持续恢复，现将有关事项通知如下。" in got.text.splitlines()
True
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from policytext.io.decoding import BOMS, LOW_MARGIN, DecodeFailure, decode, plausibility
from policytext.io.document_numbers import parse_date
from policytext.io.formats import Read, Unreadable

__all__ = ["read", "read_html", "NO_MAIN_TEXT"]

logger = logging.getLogger(__name__)

#: The reason of :class:`~policytext.io.formats.Unreadable` for a page that holds no main text.
NO_MAIN_TEXT = "no main text"

#: Bytes at the start of a page searched for its declared encoding.
_DECLARATION_BYTES = 8192
_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION_RE = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
#: Labels of encodings whose codec in Python is another (a superset, as browsers read them).
_CODEC_OF_LABEL = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "gb_2312": "gb18030",
    "csgb2312": "gb18030", "csiso58gb231280": "gb18030", "euc-cn": "gb18030", "cp936": "gb18030",
    "windows-936": "gb18030", "ms936": "gb18030", "chinese": "gb18030", "iso-ir-58": "gb18030",
    "hz-gb-2312": "hz", "big5": "cp950", "x-x-big5": "cp950", "cn-big5": "cp950", "csbig5": "cp950",
    "big5-hkscs": "big5hkscs", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_MARKUP_RE = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>",
                        re.IGNORECASE | re.DOTALL)

#: Elements whose content is never text.
_NOT_TEXT = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas",
             "select", "textarea", "button")
#: Elements that start and end a line.
_BLOCKS = frozenset("""address article aside blockquote body caption center dd details dir div dl dt fieldset
    figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hr html legend li main menu nav ol
    p pre section summary table tbody td tfoot th thead title tr ul""".split())
#: Block elements that are not paragraphs: the elements a largest text block can be.
_CONTAINERS = frozenset("""article aside blockquote body center dd div dl fieldset figure footer form header
    html li main nav ol section table tbody td tfoot th thead tr ul""".split())
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = _HAN + "\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2026"
#: A line break between two CJK characters in the source, which a browser does not show as a space.
_CJK_BREAK_RE = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*(?=[{_CJK}])")
_SPACES_RE = re.compile(r"[ \t\n\r\f\v\xa0]+")
_HAN_RE = re.compile(f"[{_HAN}]")
#: What a line needs to be prose: a Han character, then a sentence's closing punctuation (or a letter
#: then a full stop, in a page in English).
_SENTENCE_RE = re.compile(f"[{_HAN}][^。！？；]*[。！？；]|[A-Za-z]{{2,}}[.!?](\\s|$)")

_FIELD_KINDS = {
    "成文日期": "date_written", "发布日期": "date_published", "发布时间": "date_published",
    "信息来源": "source", "文章来源": "source", "来源": "source",
    "发文字号": "doc_number", "文号": "doc_number",
    "发文机关": "issuer", "发布机构": "issuer", "发文单位": "issuer",
    "标题": "title",
}


def _spaced(label: str) -> str:
    return r"[\s\u3000]*".join(label)


_LABELS = "|".join(_spaced(label) for label in sorted(_FIELD_KINDS, key=len, reverse=True))
#: A field's label and colon on a line, where it starts or after a space, a bar or a bracket.
_FIELD_RE = re.compile(f"(?:^|(?<=[\\s|【\\[（(]))(?P<label>{_LABELS})[\\s\\u3000]*[:：][\\s\\u3000]*")
#: A field's label alone on a line (a table cell), its value in the next.
_LABEL_LINE_RE = re.compile(f"(?P<label>{_LABELS})[\\s\\u3000]*[:：]?")
#: The start of a line that is a field of any kind (a few Han characters and a colon): no value of another.
_ANY_LABEL_RE = re.compile(f"[{_HAN}\\s\\u3000]{{1,10}}[:：]")
_VALUE_RE = re.compile(r"[^\s\u3000|【】]+")
_NO_VALUE = frozenset({"无", "暂无", "-", "--", "—", "/", "／", "空"})

_DATE_META = ("pubdate", "publishdate", "publishtime", "firstpublishedtime", "article:published_time")
_TITLE_SEPARATOR = (r"\s*(?:_+|\|+|｜|--+|——|—|－|–|>>|»|(?<=\s)-(?=\s)"
                    f"|(?<=[{_HAN}])-(?=[{_HAN}]))\\s*")
_SITE_RE = re.compile(r"(网|网站|门户|人民政府|政府|信息公开|信息公开平台|政务服务平台|办公厅|办公室)$")


def read(path: str | Path, *, data: bytes | None = None) -> Read:
    """Read the main text and metadata of an HTML page saved from a portal.

    Parameters
    ----------
    path : str or Path
        The page (``.html`` or ``.htm``), in any of the encodings of Chinese portals; named in messages,
        and read unless ``data`` is given.
    data : bytes, optional
        The file's bytes, if already read.

    Returns
    -------
    Read
        See :func:`read_html`.

    Raises
    ------
    Unreadable
        With the reason ``empty``, ``binary`` or ``undecodable`` (bytes that are no text),
        :data:`NO_MAIN_TEXT`, or ``unreadable`` (the file cannot be read); the detail names the file.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> page = "<html><body><p>第一条 为了规范行政规范性文件管理，制定本办法。</p></body></html>"
    >>> _ = (folder / "a.html").write_bytes(page.encode("gbk"))
    >>> read(folder / "a.html").text
    '第一条 为了规范行政规范性文件管理，制定本办法。'
    >>> read(folder / "b.html")
    Traceback (most recent call last):
    ...
    policytext.io.formats.Unreadable: .../b.html: No such file or directory
    """
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise Unreadable("unreadable", f"{path}: {err.strerror or err}") from None
    try:
        return read_html(data)
    except Unreadable as err:
        raise Unreadable(err.reason, f"{path.name}: {err.detail}") from None


def read_html(data: bytes, *, url: str | None = None) -> Read:
    """Read the main text and metadata of an HTML page given as bytes.

    Parameters
    ----------
    data : bytes
        The page as saved.
    url : str, optional
        The page's address, if known (trafilatura may use it; nothing is fetched).

    Returns
    -------
    Read
        ``text``: the main text, one paragraph or table row a line (a row's cells separated by a tab);
        ``reader``: ``"trafilatura X.Y.Z"``, or ``"lxml X.Y.Z (largest text block)"`` when
        trafilatura found no prose; ``metadata``: what the page states of ``title``, ``date``
        (``YYYY-MM-DD``), ``source``, ``doc_number`` and ``issuer``; ``removed``: the page's lines
        left out, as ``{"boilerplate": n}``; ``detail``: how the encoding was chosen when the page
        did not declare it rightly, and whether the largest text block was taken.

    Raises
    ------
    Unreadable
        ``empty``, ``binary`` or ``undecodable`` when the bytes are no text; :data:`NO_MAIN_TEXT`
        when the page holds no prose (a body that a script loads, frames, links only).

    Examples
    --------
    >>> page = ('<html><head><meta name="ArticleTitle" content="关于开展安全生产检查的通知"></head>'
    ...         '<body><table><tr><td>发文字号：</td><td>某政办发〔2024〕3号</td></tr></table>'
    ...         '<p>各乡镇人民政府：</p><p>为切实做好安全生产工作，决定开展一次全面检查。</p></body></html>')
    >>> got = read_html(page.encode("gb18030"))
    >>> got.metadata["title"], got.metadata["doc_number"]
    ('关于开展安全生产检查的通知', '某政办发〔2024〕3号')
    >>> read_html(b'<html><body><div id="app"></div><script>load()</script></body></html>')
    Traceback (most recent call last):
    ...
    policytext.io.formats.Unreadable: the page holds no prose, only markup and scripts ...
    """
    text, notes = _decode_page(data)
    tree = _parse(text)
    meta = _meta_tags(tree)
    frames = [element.get("src") or "" for element in tree.iter("frame", "iframe")]
    _prepare(tree)
    body = tree.find("body")
    page_lines = _text_lines(body if body is not None else tree)
    metadata = _metadata(tree, meta, [line.text for line in page_lines])
    _restructure(tree)

    main, reader = _trafilatura_text(tree, url)
    if not _is_prose(main):
        block, block_reader, note = _largest_block(page_lines)
        if not _is_prose(block):
            raise Unreadable(NO_MAIN_TEXT, _why_no_text(tree, page_lines, frames))
        found = (f"found no prose (only {len(main.splitlines())} lines)" if main.strip()
                 else "found no main text")
        main, reader = block, block_reader
        notes.append(f"trafilatura {found}: {note}")
    removed = _removed(page_lines, main)
    return Read(main, reader, metadata, removed, "; ".join(notes))


# --- decoding -------------------------------------------------------------------------------------------

def _declared_encoding(data: bytes) -> str | None:
    """The encoding label a page declares (XML declaration, then the first ``<meta>`` naming a charset)."""
    head = data[:_DECLARATION_BYTES]
    m = _XML_DECLARATION_RE.match(head) or _META_CHARSET_RE.search(head)
    return m[1].decode("ascii").lower() if m else None


def _visible(text: str) -> str:
    """The text of a page without its tags, scripts, styles and comments: what plausibility is scored on."""
    return _MARKUP_RE.sub(" ", text)


def _decode_page(data: bytes) -> tuple[str, list[str]]:
    """The page's text and notes for the account on how its encoding was chosen."""
    try:
        guess = decode(data)
    except DecodeFailure as failure:
        raise Unreadable(failure.reason, failure.detail) from None
    label = _declared_encoding(data)
    if label is None or any(data.startswith(bom) for bom, _ in BOMS):
        # no declaration, or a byte-order mark (which decides over a declaration)
        notes = []
        if label is None and guess.doubtful:
            notes.append(f"no charset declared, and the encoding is doubtful: read as {guess.encoding} "
                         f"(plausibility {guess.plausibility:.2f}, margin {guess.confidence:.2f})")
        return guess.text, notes
    codec = _CODEC_OF_LABEL.get(label, label)
    try:
        codecs.lookup(codec)
        text = data.decode(codec)
    except LookupError:
        return guess.text, [f"declares the unknown charset {label!r}: read as {guess.encoding}"]
    except UnicodeDecodeError as err:
        return guess.text, [f"declares charset {label} but is not valid {label} (byte 0x{data[err.start]:02x} "
                            f"at offset {err.start}): read as {guess.encoding}"]
    if text.lstrip("\ufeff") == guess.text:
        return guess.text, []
    declared_score, guessed_score = plausibility(_visible(text)), plausibility(_visible(guess.text))
    if guessed_score - declared_score > LOW_MARGIN:
        return guess.text, [f"declares charset {label} but reads as {guess.encoding} (plausibility "
                            f"{guessed_score:.2f} against {declared_score:.2f}): read as {guess.encoding}"]
    return text.lstrip("\ufeff"), []


# --- the tree -------------------------------------------------------------------------------------------

def _parse(text: str):
    """The page's element tree; comments and processing instructions are left out."""
    import lxml.etree
    import lxml.html

    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", errors="surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise Unreadable(NO_MAIN_TEXT, f"the file holds no HTML document ({err})") from None
    return tree


def _drop(element) -> None:
    """Remove an element, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _prepare(tree) -> None:
    """Remove what is never text (scripts, styles ...) and the source's line breaks between CJK characters."""
    for element in list(tree.iter(*_NOT_TEXT)):
        _drop(element)
    for element in tree.iter():
        if element.text and "\n" in element.text:
            element.text = _CJK_BREAK_RE.sub("", element.text)
        if element.tail and "\n" in element.tail:
            element.tail = _CJK_BREAK_RE.sub("", element.tail)


_PARAGRAPHS = ("p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
               "center", "form")
#: Text in one table cell beyond which the cell is a page's column, not a datum; and beyond which a cell
#: of several lines or paragraphs is.
_LAYOUT_CELL_CHARS = 300
_LAYOUT_LINES_CHARS = 100


def _is_layout_table(table) -> bool:
    """Whether a table lays a page out (the portals of the 1990s and 2000s) rather than holding data: it
    holds a table, or a cell of a column's text, or of more than a few words in two or more lines
    (``<br>``) or paragraphs. A table of a paragraph a cell (exported from Word), or of a few names a
    line in a cell (市发展改革委<br>市财政局), holds data."""
    if table.get("role") in ("presentation", "none") or table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        chars = len(_SPACES_RE.sub("", cell.text_content()))
        if chars > _LAYOUT_CELL_CHARS:
            return True
        lines = len(cell.findall(".//br")) + len(cell.findall(".//p")) + len(cell.findall(".//div"))
        if lines >= 2 and chars > _LAYOUT_LINES_CHARS:
            return True
    return False


def _restructure(tree) -> None:
    """Make a page of the 1990s look like a page of today to trafilatura: layout tables become divs
    (their cells too), and text broken into lines by two or more ``<br>`` becomes paragraphs."""
    from lxml.html import Element

    for table in [t for t in tree.iter("table") if _is_layout_table(t)]:
        for element in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"):
            element.tag = "div"
    for element in [e for e in tree.iter() if isinstance(e.tag, str) and e.tag not in ("p", "pre", "li")
                    and sum(1 for child in e if child.tag == "br") >= 2]:
        children, text = list(element), element.text
        for child in children:
            element.remove(child)
        element.text = None
        paragraph = Element("p")
        paragraph.text = text

        def close(paragraph) -> None:
            if (paragraph.text or "").strip(" \t\r\n\xa0\u3000") or len(paragraph):
                element.append(paragraph)

        for child in children:
            if child.tag == "br":
                close(paragraph)
                paragraph = Element("p")
                paragraph.text = child.tail
            elif isinstance(child.tag, str) and child.tag in _PARAGRAPHS:
                close(paragraph)
                tail, child.tail = child.tail, None
                element.append(child)
                paragraph = Element("p")
                paragraph.text = tail
            else:
                paragraph.append(child)
        close(paragraph)


@dataclass
class _Line:
    """One line of a page as a browser shows it: its text, how much of it is link text, and the block
    element it is in."""

    text: str
    link_chars: int
    container: object


def _text_lines(root) -> list[_Line]:
    """The page's text by lines: a block element, a table cell or a ``<br>`` ends one."""
    import lxml.etree

    lines: list[_Line] = []
    parts: list[str] = []
    state = {"link": 0, "container": None}
    containers = [root]
    in_link = 0

    def add(text: str | None) -> None:
        if not text:
            return
        if not parts:
            state["container"] = containers[-1]
        parts.append(text)
        if in_link:
            state["link"] += len(text.strip())

    def flush() -> None:
        line = _SPACES_RE.sub(" ", "".join(parts)).strip(" \u3000")
        if line:
            lines.append(_Line(line, min(state["link"], len(line)), state["container"]))
        parts.clear()
        state["link"] = 0

    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS or tag == "br":
                flush()
            if tag in _CONTAINERS:
                containers.append(element)
            if tag == "a":
                in_link += 1
            if tag != "title":
                add(element.text)
        else:
            if tag in _BLOCKS:
                flush()
            if tag in _CONTAINERS and len(containers) > 1:
                containers.pop()
            if tag == "a":
                in_link -= 1
            if element is not root:
                add(element.tail)
    flush()
    return lines


# --- the main text ----------------------------------------------------------------------------------------

#: The fewest characters trafilatura's main extractor must find before it falls back to the whole page
#: (its default, 250, is set for European languages: a short Chinese notice, or a list published as a
#: table, holds fewer, since a Chinese word takes a third of the characters of an English one).
MIN_EXTRACTED_CHARS = 100


@functools.lru_cache(maxsize=1)
def _trafilatura_config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(MIN_EXTRACTED_CHARS))
    return config


def _trafilatura_text(tree, url: str | None) -> tuple[str, str]:
    """trafilatura's main text, table rows as tab-separated lines; empty when it finds none."""
    import trafilatura

    reader = f"trafilatura {trafilatura.__version__}"
    try:
        text = trafilatura.extract(tree, url=url, output_format="txt", include_comments=False,
                                   include_tables=True, include_images=False, include_links=False,
                                   include_formatting=False, deduplicate=False, with_metadata=False,
                                   config=_trafilatura_config())
    except Exception as err:  # trafilatura gives up on some malformed trees: the fallback reads them
        logger.debug("trafilatura failed on a page: %s", err)
        text = None
    return _plain_rows(text or ""), reader


_ROW_RULE_RE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")
_CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")


def _plain_rows(text: str) -> str:
    """trafilatura's table rows (``| a | b |``, with ``|---|`` under a head row) as ``a<TAB>b``."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if _ROW_RULE_RE.match(stripped):
                continue
            cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT_RE.split(stripped[1:-1])]
            line = "\t".join(cells).strip("\t")
            if not line.strip():
                continue
        out.append(line.strip())
    return "\n".join(line for line in out if line)


def _is_prose(text: str) -> bool:
    """Whether a text holds a sentence, or two or more table rows of two or more cells (a list published
    as a table has no sentences); the chrome of a page (menus, bars, fields, a footer) holds neither."""
    lines = text.splitlines()
    if any(_SENTENCE_RE.search(line) for line in lines):
        return True
    return sum(1 for line in lines if "\t" in line and _HAN_RE.search(line)) >= 2


def _largest_block(lines: list[_Line]) -> tuple[str, str, str]:
    """The page's largest text block: the text, the reader, and the note for the account."""
    import lxml

    scores: dict[int, float] = {}
    elements: dict[int, object] = {}
    for line in lines:
        own = len(line.text) - line.link_chars
        if own <= 0:
            continue
        element, weight = line.container, 1.0
        while element is not None and weight >= 0.25:
            scores[id(element)] = scores.get(id(element), 0.0) + own * weight
            elements[id(element)] = element
            element, weight = element.getparent(), weight / 2
    reader = f"lxml {lxml.__version__} (largest text block)"
    if not scores:
        return "", reader, ""
    best = elements[max(scores, key=scores.get)]
    chosen = [line.text for line in lines
              if line.container is best or any(a is best for a in line.container.iterancestors())]
    name = best.tag + "".join(f' {k}="{best.get(k)}"' for k in ("id", "class") if best.get(k))
    return "\n".join(chosen), reader, f"took the page's largest text block, <{name}> ({len(chosen)} lines)"


def _why_no_text(tree, lines: list[_Line], frames: list[str]) -> str:
    """Why a page has no main text, and what the user can do."""
    if frames:
        return (f"the page holds no prose, and {len(frames)} frames ({frames[0] or 'without an address'}): "
                f"its text is in the pages of its frames, save those instead")
    if not lines:
        return ("the page holds no prose, only markup and scripts (its body is loaded by a script?): "
                "save the page as a browser shows it, or the document it links to")
    attachments = [a.get("href") for a in tree.iter("a")
                   if re.search(r"\.(pdf|docx?|wps|ofd|xlsx?|rar|zip)$", (a.get("href") or "").lower())]
    if attachments:
        return (f"the page holds no prose, only links (its document is in an attachment: "
                f"{attachments[0]}): read the attachment instead")
    return (f"the page holds no prose, only {len(lines)} lines of links, labels and page chrome (its body "
            f"is loaded by a script?): save the page as a browser shows it")


def _removed(lines: list[_Line], text: str) -> dict[str, int]:
    """The page's lines whose text occurs nowhere in the main text."""
    kept = re.sub(r"\s+", "", text)
    count = sum(1 for line in lines if re.sub(r"\s+", "", line.text) not in kept)
    return {"boilerplate": count} if count else {}


# --- metadata -------------------------------------------------------------------------------------------

def _meta_tags(tree) -> dict[str, str]:
    """The page's ``<meta>`` contents by name or property (lower case), the first of each, and its
    ``<title>`` as ``"<title>"``."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("name") or element.get("property") or element.get("itemprop") or "").strip().lower()
        content = _SPACES_RE.sub(" ", element.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    title = tree.find(".//title")
    if title is not None:
        found["<title>"] = _SPACES_RE.sub(" ", title.text_content()).strip(" \u3000")
    return found


def _fields(lines: list[str]) -> dict[str, str]:
    """The first value of each kind of field on the page's lines (see ``_FIELD_KINDS``)."""
    found: dict[str, str] = {}

    def put(label: str, value: str) -> None:
        kind = _FIELD_KINDS[re.sub(r"[\s\u3000]", "", label)]
        value = value.strip(" \u3000")
        if kind in found or not value or value in _NO_VALUE:
            return
        if kind.startswith("date"):
            value = parse_date(value)
            if value is None:
                return
        found[kind] = value

    for number, line in enumerate(lines):
        alone = _LABEL_LINE_RE.fullmatch(line)
        if alone is not None:
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if (following and not _LABEL_LINE_RE.fullmatch(following)
                    and not _ANY_LABEL_RE.match(following)):  # an empty cell, the next label beside it
                put(alone["label"], following)
            continue
        for m in _FIELD_RE.finditer(line):
            value = _VALUE_RE.match(line, m.end())
            if value is not None and not (":" in value[0] or "：" in value[0]):  # 来源： 浏览次数：12
                put(m["label"], value[0])
    return found


def _headings(tree) -> list[str]:
    """Texts a page shows as its heading: ``<h1>``-``<h3>``, bold or large text, elements named title."""
    import lxml.etree

    found = []
    xpath = ("//h1|//h2|//h3|//b|//strong|//font[@size]|//*[contains(@class, 'title')]"
             "|//*[contains(@id, 'title')]|//*[contains(concat(' ', normalize-space(@class), ' '), ' bt ')]")
    for element in lxml.etree.XPath(xpath)(tree):
        text = _SPACES_RE.sub(" ", element.text_content()).strip(" \u3000")
        if 4 <= len(text) <= 200:
            found.append(text)
    return found


def _page_title(title: str, site: str | None, headings: list[str]) -> str | None:
    """The ``<title>`` without the site's name (meta ``SiteName``, or a segment that names a site:
    ``_湖北省人民政府门户网站``), and without the columns between it and a heading of the page that the
    title holds (``_国务院文件_中国政府网``); None when nothing but a site's name is left."""
    if not title:
        return None
    separator = re.compile(_TITLE_SEPARATOR)

    def site_like(segment: str) -> bool:
        return segment == site or (len(segment) <= 24 and _SITE_RE.search(segment) is not None)

    def segments(text: str) -> list[str]:
        return [s.strip() for s in separator.split(text) if s.strip()]

    fits = []
    for heading in headings:
        if heading == title:
            return title
        if title.startswith(heading) and separator.match(title, len(heading)):
            rest = segments(title[len(heading):])
            if rest and site_like(rest[-1]):
                fits.append(heading)
        elif title.endswith(heading) and re.search(f"(?:{_TITLE_SEPARATOR})$", title[: -len(heading)]):
            rest = segments(title[: -len(heading)])
            if rest and site_like(rest[0]):
                fits.append(heading)
    if fits:
        return max(fits, key=len)
    parts = segments(title)
    if len(parts) <= 1:
        return None if title == site or re.search(r"(网站|门户)$", title) else title
    while len(parts) > 1 and site_like(parts[-1]):
        parts.pop()
    while len(parts) > 1 and site_like(parts[0]):
        parts.pop(0)
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end] if 0 <= start < end else title


def _metadata(tree, meta: dict[str, str], lines: list[str]) -> dict[str, str]:
    """The kit's metadata columns the page states."""
    fields = _fields(lines)
    out: dict[str, str] = {}
    title = meta.get("articletitle") or meta.get("og:title") or fields.get("title")
    if not title and meta.get("<title>"):
        title = _page_title(meta["<title>"], meta.get("sitename"), _headings(tree))
    if title:
        out["title"] = title
    day = fields.get("date_written")
    if day is None:
        day = next((d for d in (parse_date(meta[k]) for k in _DATE_META if k in meta) if d), None)
    day = day or fields.get("date_published")
    if day:
        out["date"] = day
    source = meta.get("contentsource") or fields.get("source")
    if source:
        out["source"] = source
    for kind in ("doc_number", "issuer"):
        if kind in fields:
            out[kind] = fields[kind]
    return out
