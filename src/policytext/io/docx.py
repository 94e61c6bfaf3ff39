"""Reading a Word document (DOCX, and WPS's DOCX): the body in order, its automatic numbering, tables
and footnotes.

The reader reads the package's XML itself (with the standard library): the body's paragraphs
in order, each on a line, with the number that Word's *automatic numbering* shows in front
of it, as the numbering definition (``word/numbering.xml``) writes it: its format
(``chineseCounting`` gives 一、二、三, ``decimal`` 1, 2, 3, ``decimalEnclosedCircle`` ①,
``ideographTraditional`` 甲, ...) in its level's text (``%1、``, ``（%2）``, ``%3.``), counted
as Word counts (lists of one definition continue each other; a restart starts again; a
deeper level starts again under each item of the level above). Numbering that comes from a
paragraph's style (headings linked to a list) counts too. A bullet is left out. Without
this, ``一、总体要求`` would read ``总体要求``: python-docx's ``paragraph.text`` and most
converters drop the numbers, which in policy documents carry the structure (一、（一）1.（1）).

* **Tables**: one row per line, its cells separated by a tab; a cell of several paragraphs
  gives them on one line, separated by a space (a table of one column gives each paragraph
  its own line: such tables frame text). A merged cell is given once.
* **Headers and footers** are left out of the text (they repeat on every page: the issuer's
  name, the document's title, the page number) and counted in :attr:`Read.removed`
  (``page numbers``, ``running headers``, ``running footers``), like a PDF's.
* **Footnotes and endnotes** are kept: after the body, one line each, in the order the body
  refers to them (the reference marks themselves are left out).
* Text boxes give their paragraphs after the paragraph that holds them; deleted text of
  tracked changes, hidden text, field codes and comments are left out.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from policytext.io.formats import Read, Unreadable
from policytext.io.pdf import is_page_number

__all__ = ["read", "format_number"]

logger = logging.getLogger(__name__)

_W = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "http://purl.oclc.org/ooxml/wordprocessingml/main")  # transitional, strict
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
#: A part larger than this (uncompressed) is refused: a ZIP bomb, not a document.
MAX_PART_BYTES = 256 * 2 ** 20
#: A number ending in one of these is followed by the text directly (the tab after it is left out).
_LABEL_END = "、）)】」』〕．.:：，,"

# ----------------------------------------------------------------------------------------------------------------
# Numbers as numbering formats write them
# ----------------------------------------------------------------------------------------------------------------

_SIMPLE_DIGITS = "〇一二三四五六七八九"
_LEGAL_SIMPLIFIED = "零壹贰叁肆伍陆柒捌玖"
_LEGAL_TRADITIONAL = "零壹貳參肆伍陸柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = ("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳" + "".join(map(chr, range(0x3251, 0x3260)))
            + "".join(map(chr, range(0x32B1, 0x32C0))))  # 1-50
_PARENS = "".join(map(chr, range(0x2474, 0x2488)))  # ⑴-⒇
_FULLSTOPS = "".join(map(chr, range(0x2488, 0x249C)))  # ⒈-⒛
_IDEOGRAPH_CIRCLED = "".join(map(chr, range(0x3220, 0x322A)))  # ㈠-㈩
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _chinese(n: int, digits: str = _SIMPLE_DIGITS, units: str = "十百千", zero: str = "零",
             lone_ten: bool = True) -> str:
    """``n`` in Chinese numerals: 十一, 二十, 一百零五, 一万二千."""
    if n == 0:
        return digits[0]
    if n >= 10000:
        high, low = divmod(n, 10000)
        head = _chinese(high, digits, units, zero, lone_ten) + ("萬" if digits == _LEGAL_TRADITIONAL else "万")
        if not low:
            return head
        return head + (zero if low < 1000 else "") + _chinese(low, digits, units, zero, False)
    out, pending_zero = "", False
    for power, unit in ((3, units[2]), (2, units[1]), (1, units[0]), (0, "")):
        d = n // 10 ** power % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += zero
            pending_zero = False
        out += digits[d] + unit
    if lone_ten and 10 <= n < 20:
        out = out[1:]  # 十, 十一, not 一十一
    return out


def _letters(n: int, upper: bool) -> str:
    letter = chr((ord("A") if upper else ord("a")) + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)  # Word's way: a ... z, aa, bb ...


def _roman(n: int) -> str:
    out = ""
    for value, numeral in _ROMAN:
        while n >= value:
            out += numeral
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    """``n`` as the numbering format ``fmt`` of a Word document writes it (``w:numFmt``).

    Formats not listed below give decimal digits; ``bullet`` and ``none`` give nothing.

    Examples
    --------
    >>> [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 105)]
    ['一', '十', '十一', '二十', '一百零五']
    >>> format_number(3, "decimalEnclosedCircle"), format_number(2, "ideographTraditional")
    ('③', '乙')
    >>> format_number(12, "chineseLegalSimplified"), format_number(4, "upperRoman"), format_number(28, "lowerLetter")
    ('壹拾贰', 'IV', 'bb')
    """
    if fmt in ("bullet", "none") or n < 0:
        return ""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting", "japaneseLegal"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _LEGAL_SIMPLIFIED, "拾佰仟", "零", lone_ten=False)
    if fmt == "ideographLegalTraditional":
        return _chinese(n, _LEGAL_TRADITIONAL, "拾佰仟", "零", lone_ten=False)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_SIMPLE_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _STEMS[n - 1]
    if fmt in ("ideographZodiac", "ideographZodiacTraditional") and 1 <= n <= 12:
        return _BRANCHES[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return _PARENS[n - 1]
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return _FULLSTOPS[n - 1]
    if fmt == "ideographEnclosedCircle" and 1 <= n <= 10:
        return _IDEOGRAPH_CIRCLED[n - 1]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        return _letters(n, fmt == "upperLetter")
    if fmt in ("lowerRoman", "upperRoman") and n >= 1:
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    return str(n)


# ----------------------------------------------------------------------------------------------------------------
# XML helpers
# ----------------------------------------------------------------------------------------------------------------

def _local(elem) -> str | None:
    """The local name of a WordprocessingML element (transitional or strict), else None."""
    tag = elem.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns, _, name = tag[1:].partition("}")
    return name if ns in _W else None


def _is_mc(elem, name: str) -> bool:
    return elem.tag == f"{{{_MC}}}{name}"


def _attr(elem, name: str) -> str | None:
    for ns in _W:
        value = elem.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def _child(elem, name: str):
    if elem is None:
        return None
    for child in elem:
        if _local(child) == name:
            return child
    return None


def _on(elem) -> bool:
    """Whether a toggle property (``<w:vanish/>``, ``<w:vanish w:val="true"/>``) is on."""
    return elem is not None and (_attr(elem, "val") or "true").lower() not in ("0", "false", "off")


# ----------------------------------------------------------------------------------------------------------------
# Automatic numbering
# ----------------------------------------------------------------------------------------------------------------

@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = ""
    start: int = 1
    suffix: str = "tab"
    legal: bool = False
    style: str | None = None


def _level(lvl, base: _Level | None = None) -> _Level:
    level = _Level(**(base.__dict__ if base is not None else {}))
    for name in ("numFmt", "lvlText", "start", "suff", "pStyle"):
        value = _attr(_child(lvl, name), "val") if _child(lvl, name) is not None else None
        if value is None:
            continue
        if name == "numFmt":
            level.fmt = value
        elif name == "lvlText":
            level.text = value
        elif name == "start":
            level.start = int(value) if value.lstrip("-").isdigit() else 1
        elif name == "suff":
            level.suffix = value
        else:
            level.style = value
    if _child(lvl, "isLgl") is not None:
        level.legal = _on(_child(lvl, "isLgl"))
    return level


class _Numbering:
    """The numbering definitions and paragraph styles of a document, and the counters as the body goes."""

    def __init__(self, numbering, styles):
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.abstract_style_link: dict[str, str] = {}
        self.nums: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.style_based: dict[str, str] = {}
        self.style_defines: dict[str, str] = {}  # numbering style -> numId, for w:numStyleLink
        if numbering is not None:
            for node in numbering:
                name = _local(node)
                if name == "abstractNum":
                    aid = _attr(node, "abstractNumId")
                    self.abstract[aid] = {int(_attr(lvl, "ilvl") or 0): _level(lvl) for lvl in node
                                          if _local(lvl) == "lvl"}
                    link = _child(node, "numStyleLink")
                    if link is not None:
                        self.abstract_style_link[aid] = _attr(link, "val")
                elif name == "num":
                    aid_elem = _child(node, "abstractNumId")
                    if aid_elem is None:
                        continue
                    overrides, starts = {}, {}
                    for override in node:
                        if _local(override) != "lvlOverride":
                            continue
                        ilvl = int(_attr(override, "ilvl") or 0)
                        start = _child(override, "startOverride")
                        if start is not None and (_attr(start, "val") or "").lstrip("-").isdigit():
                            starts[ilvl] = int(_attr(start, "val"))
                        lvl = _child(override, "lvl")
                        if lvl is not None:
                            overrides[ilvl] = lvl
                    self.nums[_attr(node, "numId")] = (_attr(aid_elem, "val"), overrides, starts)
        if styles is not None:
            for style in styles:
                if _local(style) != "style":
                    continue
                sid = _attr(style, "styleId")
                based = _child(style, "basedOn")
                if based is not None:
                    self.style_based[sid] = _attr(based, "val")
                num_pr = _child(_child(style, "pPr"), "numPr")
                if num_pr is not None:
                    num_id = _attr(_child(num_pr, "numId"), "val") if _child(num_pr, "numId") is not None else None
                    ilvl = _attr(_child(num_pr, "ilvl"), "val") if _child(num_pr, "ilvl") is not None else None
                    self.style_num[sid] = (num_id, int(ilvl) if ilvl and ilvl.isdigit() else None)
                    if _attr(style, "type") == "numbering" and num_id:
                        self.style_defines[sid] = num_id
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()

    def _levels(self, num_id: str) -> tuple[str, dict[int, _Level], dict[int, int]] | None:
        entry = self.nums.get(num_id)
        if entry is None:
            return None
        aid, overrides, starts = entry
        for _ in range(3):  # an abstract definition that only links to a numbering style
            linked = self.abstract_style_link.get(aid)
            target = self.nums.get(self.style_defines.get(linked, ""), None) if linked else None
            if target is None or target[0] == aid:
                break
            aid = target[0]
        levels = dict(self.abstract.get(aid, {}))
        for ilvl, lvl in overrides.items():
            levels[ilvl] = _level(lvl, levels.get(ilvl))
        return aid, levels, starts

    def _from_style(self, style: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style and style not in seen:
            seen.add(style)
            if style in self.style_num:
                return self.style_num[style]
            style = self.style_based.get(style)
        return None, None

    def label(self, paragraph) -> str:
        """The number Word shows in front of ``paragraph`` (advancing the counters), with its separator; or ''."""
        ppr = _child(paragraph, "pPr")
        style_elem = _child(ppr, "pStyle")
        style = _attr(style_elem, "val") if style_elem is not None else None
        num_pr = _child(ppr, "numPr")
        num_id = ilvl = None
        if num_pr is not None:
            if _child(num_pr, "numId") is not None:
                num_id = _attr(_child(num_pr, "numId"), "val")
            if _child(num_pr, "ilvl") is not None:
                value = _attr(_child(num_pr, "ilvl"), "val") or ""
                ilvl = int(value) if value.isdigit() else None
        if num_id is None or ilvl is None:
            style_id, style_ilvl = self._from_style(style)
            num_id = num_id if num_id is not None else style_id
            ilvl = ilvl if ilvl is not None else style_ilvl
        if not num_id or num_id == "0":
            return ""
        found = self._levels(num_id)
        if found is None:
            return ""
        aid, levels, starts = found
        if ilvl is None:  # a style linked to a level of the list
            ilvl = next((i for i, level in levels.items() if style and level.style == style), 0)
        ilvl = min(max(ilvl, 0), 8)
        counter = self.counters.setdefault(aid, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level_index, start in starts.items():  # a restart: this list starts again
                counter[level_index] = start - 1
                for deeper in [k for k in counter if k > level_index]:
                    del counter[deeper]
        level = levels.get(ilvl, _Level())
        counter[ilvl] = counter.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counter if k > ilvl]:
            del counter[deeper]
        if level.fmt == "bullet":
            return ""

        def value(match) -> str:
            index = int(match.group(1)) - 1
            shown = levels.get(index, _Level())
            number = counter.get(index, shown.start)
            return format_number(number, "decimal" if level.legal and shown.fmt != "none" else shown.fmt)

        text = re.sub(r"%([1-9])", value, level.text)
        if not text.strip():
            return ""
        if level.suffix == "nothing" or text[-1] in _LABEL_END:
            return text  # 一、总体要求, （一）, 1.加强: as the documents write them
        return text + " "  # 第一章 总则, 第一条 为了


# ----------------------------------------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------------------------------------

_SKIP = {"pPr", "rPr", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr", "del", "moveFrom", "delText", "instrText",
         "delInstrText", "sym", "commentReference", "annotationRef", "footnoteRef", "endnoteRef", "separator",
         "continuationSeparator", "fldData", "bookmarkStart", "bookmarkEnd", "proofErr", "lastRenderedPageBreak"}


class _Document:
    """One walk through a document's parts, in order, keeping the counters and the notes referred to."""

    def __init__(self, numbering: _Numbering | None):
        self.numbering = numbering
        self.note_refs: list[tuple[str, str]] = []  # ("footnote" | "endnote", id), in the order of reference

    def runs(self, elem, out: list[str], boxes: list) -> None:
        for child in elem:
            if _is_mc(child, "Fallback"):
                continue  # the same content as mc:Choice, for older readers
            name = _local(child)
            if name is None:
                self.runs(child, out, boxes)  # drawings, VML shapes, mc:AlternateContent ...
            elif name in _SKIP:
                continue
            elif name == "t":
                out.append(child.text or "")
            elif name in ("tab", "ptab"):
                out.append("\t")
            elif name in ("br", "cr"):
                out.append("\n")
            elif name == "noBreakHyphen":
                out.append("-")
            elif name == "txbxContent":
                boxes.append(child)
            elif name in ("footnoteReference", "endnoteReference"):
                self.note_refs.append((name[:-len("Reference")], _attr(child, "id") or ""))
            elif name == "r":
                props = _child(child, "rPr")
                if _on(_child(props, "vanish")) or _on(_child(props, "webHidden")):
                    continue
                self.runs(child, out, boxes)
            elif name == "p":  # a paragraph inside a run's content (rare): its own line
                out.append("\n")
                self.runs(child, out, boxes)
            else:
                self.runs(child, out, boxes)

    def paragraph(self, p, *, numbered: bool = True) -> list[str]:
        """A paragraph's lines: its text (its number in front), then the paragraphs of its text boxes."""
        out: list[str] = []
        boxes: list = []
        label = self.numbering.label(p) if numbered and self.numbering is not None else ""
        self.runs(p, out, boxes)
        text = "".join(out)
        lines = [line.strip(" \u3000\u00a0") for line in text.split("\n")]
        lines = [line for line in lines if line.strip()]
        if lines and label:
            lines[0] = label + lines[0]
        for box in boxes:
            lines += self.blocks(box, numbered=numbered)
        return lines

    def blocks(self, container, *, numbered: bool = True) -> list[str]:
        """The lines of a body, cell, header, note or text box: paragraphs and tables, in order."""
        lines: list[str] = []
        for child in container:
            if _is_mc(child, "AlternateContent"):
                choice = next((c for c in child if _is_mc(c, "Choice")), None)
                if choice is not None:
                    lines += self.blocks(choice, numbered=numbered)
                continue
            name = _local(child)
            if name == "p":
                lines += self.paragraph(child, numbered=numbered)
            elif name == "tbl":
                lines += self.table(child, numbered=numbered)
            elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"):
                lines += self.blocks(child, numbered=numbered)
        return lines

    def _rows(self, table):
        for child in table:
            name = _local(child)
            if name == "tr":
                yield child
            elif name in ("sdt", "sdtContent", "customXml"):
                yield from self._rows(child)

    def _cells(self, row):
        for child in row:
            name = _local(child)
            if name == "tc":
                yield child
            elif name in ("sdt", "sdtContent", "customXml"):
                yield from self._cells(child)

    def table(self, table, *, numbered: bool = True) -> list[str]:
        """One line per row, cells separated by a tab; a table of one column: each paragraph its line."""
        rows = []
        for row in self._rows(table):
            cells = []
            for cell in self._cells(row):
                merge = _child(_child(cell, "tcPr"), "vMerge")
                if merge is not None and (_attr(merge, "val") or "continue") != "restart":
                    cells.append([])  # the cell above goes on: given once, there
                    continue
                cells.append(self.blocks(cell, numbered=numbered))
            rows.append(cells)
        if all(len(cells) <= 1 for cells in rows):
            return [line for cells in rows for cell in cells for line in cell]
        lines = []
        for cells in rows:
            texts = [" ".join(line.replace("\t", " ") for line in cell) for cell in cells]
            if any(texts):
                lines.append("\t".join(texts).rstrip("\t"))
        return lines


# ----------------------------------------------------------------------------------------------------------------
# The package
# ----------------------------------------------------------------------------------------------------------------

class _Package:
    def __init__(self, zf: zipfile.ZipFile, name: str):
        self.zf, self.name = zf, name
        self.names = {n.lstrip("/"): n for n in zf.namelist()}

    def xml(self, part: str):
        key = part.lstrip("/")
        real = self.names.get(key) or next((v for k, v in self.names.items() if k.lower() == key.lower()), None)
        if real is None:
            return None
        if self.zf.getinfo(real).file_size > MAX_PART_BYTES:
            raise Unreadable("unreadable", f"{self.name}: the part {part} is larger than {MAX_PART_BYTES >> 20} MB "
                                           "once unpacked: not read")
        try:
            return ET.fromstring(self.zf.read(real))
        except ET.ParseError as err:
            raise Unreadable("unreadable", f"{self.name}: the part {part} is not well-formed XML ({err})") from None

    def relationships(self, part: str) -> list[tuple[str, str]]:
        """(type's last segment, target part) of a part's relationships, external ones left out."""
        folder, base = posixpath.split(part.lstrip("/"))
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return []
        out = []
        for rel in rels:
            if rel.get("TargetMode") == "External" or not rel.get("Target"):
                continue
            target = rel.get("Target")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out.append((rel.get("Type", "").rstrip("/").rsplit("/", 1)[-1], target))
        return out


def _version() -> str:
    from policytext import __version__

    return f"policytext {__version__} docx"


def _notes(package: _Package, part: str | None, kind: str, document: _Document) -> dict[str, list[str]]:
    if part is None:
        return {}
    root = package.xml(part)
    if root is None:
        return {}
    notes = {}
    for note in root:
        if _local(note) != kind or (_attr(note, "type") or "normal") != "normal":
            continue
        notes[_attr(note, "id") or ""] = document.blocks(note, numbered=False)
    return notes


def read(path: str | Path, *, data: bytes | None = None) -> Read:
    """Read a Word document (DOCX): body paragraphs in order with their automatic numbers, tables one row a
    line, footnotes after the body; headers and footers left out and counted.

    Parameters
    ----------
    path : str or Path
        The document (named in messages; read unless ``data`` is given).
    data : bytes, optional
        The file's bytes, if already read.

    Returns
    -------
    Read
        ``text``, ``reader`` (``"policytext 0.1.0 docx"``), ``removed`` (the lines of the headers and
        footers: ``page numbers``, ``running headers``, ``running footers``) and ``detail``.

    Raises
    ------
    Unreadable
        ``"unreadable"`` for a file that is not a DOCX package (a Word 97-2003 ``.doc`` saved
        with the ``.docx`` suffix, an encrypted document, a damaged file).

    Examples
    --------
    >>> read(Path("old.docx"), data=b"\\xd0\\xcf\\x11\\xe0" + bytes(60))
    Traceback (most recent call last):
    ...
    policytext.io.formats.Unreadable: old.docx: not a DOCX package but an OLE file: a Word 97-2003 document with the .docx suffix (rename it .doc), or an encrypted DOCX (save an unprotected copy)
    """
    import io

    path = Path(path)
    source = io.BytesIO(data) if data is not None else path
    try:
        zf = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        if data is not None:
            head = data[:4]
        else:
            with path.open("rb") as f:
                head = f.read(4)
        if head == b"\xd0\xcf\x11\xe0":
            why = ("not a DOCX package but an OLE file: a Word 97-2003 document with the .docx suffix (rename it "
                   ".doc), or an encrypted DOCX (save an unprotected copy)")
        else:
            why = "not a DOCX package (not a ZIP file): damaged, or another format with the .docx suffix"
        raise Unreadable("unreadable", f"{path.name}: {why}") from None
    except OSError as err:
        raise Unreadable("unreadable", f"{path}: {err.strerror or err}") from None
    with zf:
        package = _Package(zf, path.name)
        main = next((target for kind, target in package.relationships("/") if kind == "officeDocument"), None)
        if main is None:
            main = "word/document.xml" if "word/document.xml" in package.names else None
        body_root = package.xml(main) if main else None
        if body_root is None:
            raise Unreadable("unreadable", f"{path.name}: a ZIP file without a Word document in it "
                                           "(no word/document.xml)")
        related: dict[str, list[str]] = {}
        for kind, target in package.relationships(main):
            related.setdefault(kind, []).append(target)
        numbering = package.xml(related["numbering"][0]) if related.get("numbering") else None
        styles = package.xml(related["styles"][0]) if related.get("styles") else None
        document = _Document(_Numbering(numbering, styles))
        body = _child(body_root, "body")
        lines = document.blocks(body) if body is not None else []

        footnotes = _notes(package, (related.get("footnotes") or [None])[0], "footnote", document)
        endnotes = _notes(package, (related.get("endnotes") or [None])[0], "endnote", document)
        placed, seen = [], set()
        for kind, note_id in document.note_refs:
            if (kind, note_id) in seen:
                continue
            seen.add((kind, note_id))
            placed.append((footnotes if kind == "footnote" else endnotes).get(note_id, []))
        n_notes = sum(1 for note in placed if note)
        lines += [line for note in placed for line in note]

        removed = {"page numbers": 0, "running headers": 0, "running footers": 0}
        for kind, label in (("header", "running headers"), ("footer", "running footers")):
            found: set[str] = set()
            for target in related.get(kind, []):
                root = package.xml(target)
                if root is not None:
                    found.update(line.strip() for line in _Document(None).blocks(root, numbered=False))
            for line in found:
                removed["page numbers" if is_page_number(line, bare=True) else label] += 1
    notes = [f"{n_notes} footnote(s) placed after the body"] if n_notes else []
    return Read("\n".join(lines), _version(), removed={k: n for k, n in removed.items() if n},
                detail="; ".join(notes))
