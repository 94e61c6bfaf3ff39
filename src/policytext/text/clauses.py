"""Clauses (政策条款): the numbered provisions of laws, regulations, plans and notices.

The unit that Chinese policy analysis codes is the clause: an article (条) of a law or one
of its paragraphs (款), items (项) and sub-items (目); an item ``一、``, ``（一）``, ``1.``,
``（1）``, ``①`` of an official document, plan or notice. :func:`clause_spans` finds them in
one text, with their numbering path (``第二章/第三条/（一）``, ``二/（一）/1``); :func:`split_clauses`
does it for every document of a table.

How numbers are told from numbers that only look like items
------------------------------------------------------------
An item number is accepted by *sequence*, not by its shape alone: it must be the next
number at a level that is open (``（三）`` after ``（二）``), or the first number of a new,
deeper level (``1.`` under ``（二）``), or go on with the numbers of the list under the
previous sibling of its parent (``3.`` under ``（二）`` after ``1. 2.`` under ``（一）``). It must
stand at the start of a line, or, inside a line (text from a PDF often runs several items into
one line), after the end of a sentence or a lead-in colon (the next number of an open level
also after a closing bracket or quote; a first child also right after a short title without
punctuation, ``一、总体要求（一）…``). So ``依照本法第三条规定`` and ``第十二条第二款`` are no
articles, ``（一）`` quoted inside a sentence and ``第一、第二产业`` are no items, ``增长1.5%``
is no ``1.`` (but ``1.5G全面商用`` is item 1: digits before a Latin letter are no decimal).

Laws and regulations (the Legislation Law's structure): ``第一编``, ``第一分编``, ``第一部分``,
``第一章``, ``第一节`` are headings; ``第一条`` is an article (numbered through the whole law,
``第十七条之一`` included); the paragraphs of an article are its 款 (the second paragraph is
its 第二款), ``（一）`` its 项 and ``1.`` its 目. An article of one paragraph is one clause
(``第三条``, id ``3``) and its items are ``第三条/（一）`` (id ``3.1``); an article of several
paragraphs is a clause per paragraph (``第三条/第二款``, id ``3.2``) and their items are
``第三条/第二款/（一）`` (id ``3.2.1``). The first article may have any number (a part of a
code starts at ``第九百八十九条``); an article at a line start may skip up to 5 numbers, or up
to 50 where a space follows its number, and is the next article even when its text starts like
a reference (``第六条规定本市…`` once cleaning removed the space). A table of contents (the
chapter titles listed before the first chapter) is recognised when the chapter numbers start
again before any article, and is left in the preamble.

Official documents and plans (党政机关公文): ``一、`` > ``（一）`` > ``1.`` (``1、``, ``1．``) >
``（1）`` > ``①``, each written with half- or full-width parentheses and digits. An item
whose own text is a single short title line (at most :data:`TITLE_MAX` characters, no sentence
end before its last character, not ending in a colon) and which has numbered children is a
*heading*: it gives no clause (only a heading entry when ``headings=True``). Any other item is a
clause: its own text, from its number to its first child or the next item. An item's first line,
when it is such a title line, goes into the ``heading`` of its children (so ``一、2023年工作回顾``
followed by a paragraph is a clause, and still the heading of its ``（一）``).

Unnumbered parts: a government work report often titles its sections without numbers
(``2023年工作回顾`` / ``2024年工作安排`` / ``加强政府自身建设``) and starts ``（一）`` again in each.
A section title is a whole line of 2-25 characters without punctuation after a line that ended
a sentence. The document is read in parts ``[1]``, ``[2]``… (ids ``p1``, ``p2.3``) when its top
numbering starts again at 1 or when the text before the first item holds two or more such
titles; in a document in parts, a title line before a numbering that starts at 1 opens the next
part. A part is a heading (its title line) or, with text before its first item, a clause.

Text that no number covers: the text before the first item (title, 文号, addressees,
preamble, a law's adoption lines) is the clause ``序言``; after the first item, an attachment
(a line starting ``附件``, ``附表``, ``附录``, ``附：``) and everything after it is ``附件``;
after the last item, a closing block of short lines ending with a date (issuing body, date) is ``落款``. A
text without any number is one clause ``全文``. So every character of a text that is not
white space belongs to exactly one clause or heading.

The numbering styles are the module constant :data:`NUMBERINGS` (:class:`Numbering`): a
regular expression for the number and how it nests. They carry sequence logic, so they are
code rather than a data file; pass ``numberings=NUMBERINGS + (Numbering(...),)`` to add one.

Known limits: NFKC in :func:`policytext.normalize_unicode` turns ``①`` into ``1``, so
circled numbers are found in the raw ``text`` but not in ``text_clean``; items under a heading
the text lost are read as children of the item before them; a section title run into the text
without a line break or punctuation is not seen; a closing paragraph without a number (感谢…,
各位代表！…) stays in the last item.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import pandas as pd

from policytext.text.units import strip_span

__all__ = ["split_clauses", "clause_spans", "Clause", "Numbering", "NUMBERINGS", "TITLE_MAX",
           "chinese_numeral_value"]

logger = logging.getLogger(__name__)

#: The longest line (in characters) that counts as the title of a heading item.
TITLE_MAX = 50

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_HAN_NUMBER = "[零〇一二两三四五六七八九十百千]+"
_HSPACE = " \t\u3000\u00a0"
#: Characters after which a sentence has ended: an article or a heading may follow inside a line.
_SENTENCE_END = frozenset("。！!？?；;")
#: ... and a lead-in colon: the first item of a new level may follow.
_LEAD_END = _SENTENCE_END | frozenset("：:")
#: ... and closing brackets, quotes and dashes: the next item of an open level may follow.
_AFTER_CLOSE = _LEAD_END | frozenset("）)]】」』”\"'—…")
_TITLE_STOP = frozenset("，,。；;：:！!？?")
# An article or chapter number that goes on as a reference: 第三条规定的, 第十二条第二款, 第三条、第四条
_REFERENCE_AFTER = re.compile(r"[第的、至和或及款项，,。；;：:）)]|规定")
_ATTACHMENT = re.compile(r"^[ \t\u3000\u00a0]*(?:附(?:件|表|录)[0-9０-９一二三四五六七八九十 \t\u3000]*(?:[：:《]|$)"
                         r"|附[：:])", re.M)
_DATE_LINE = re.compile(r"[(（]?[0-9０-９〇零○一二三四五六七八九十]{2,4}\s*年\s*[0-9０-９一二三四五六七八九十]{1,2}\s*月"
                        r"(?:\s*[0-9０-９一二三四五六七八九十]{1,3}\s*日)?[)）]?")
_LINE_START = re.compile(r"^[ \t\u3000\u00a0]*(?=\S)", re.M)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def chinese_numeral_value(numeral: str) -> int:
    """The value of a number written in Chinese numerals: ``十二`` -> 12, ``一百零五`` -> 105.

    Digits without units are read digit by digit (``一〇五`` -> 105).

    Examples
    --------
    >>> [chinese_numeral_value(s) for s in ["三", "十二", "二十", "一百二十三", "一千零一", "两百"]]
    [3, 12, 20, 123, 1001, 200]
    >>> chinese_numeral_value("第")
    Traceback (most recent call last):
    ...
    ValueError: '第' is not a number in Chinese numerals
    """
    if not numeral or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in numeral):
        raise ValueError(f"{numeral!r} is not a number in Chinese numerals")
    if len(numeral) > 1 and all(ch in _CN_DIGITS for ch in numeral):
        return int("".join(str(_CN_DIGITS[ch]) for ch in numeral))
    total, digit = 0, 0
    for ch in numeral:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def _chinese_numeral(value: int) -> str:
    """``2`` -> ``二``, ``12`` -> ``十二``, ``21`` -> ``二十一`` (for paragraph labels, below 100)."""
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    tens, ones = divmod(value, 10)
    if value < 100:
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return str(value)


@dataclass(frozen=True)
class Numbering:
    """One style of numbers (see :data:`NUMBERINGS`).

    Attributes
    ----------
    name : str
        The style's name, unique among the styles used together.
    pattern : str
        Regular expression of the number, with a group ``n`` (the numeral) and, for
        articles, an optional group ``sub`` (``之一``).
    numerals : str
        How ``n`` is written: ``"han"`` (一二三, 十二, 一百零五), ``"arabic"`` (1, １) or
        ``"circled"`` (①).
    rank : int
        Nesting order: smaller ranks are outer levels. Divisions and articles nest by rank;
        items nest by sequence, and a first item of a style closes open items of the same or a
        larger rank.
    label : str
        The path component, with ``{n}`` for the numeral as written (arabic digits as plain
        ASCII): ``"第{n}章"``, ``"（{n}）"``, ``"{n}"``.
    role : str
        ``"division"`` (编, 章, 节: headings that start a line), ``"article"`` (条, numbered
        through the whole document; its paragraphs are 款) or ``"item"``.
    """

    name: str
    pattern: str
    numerals: str
    rank: int
    label: str
    role: str

    def value(self, numeral: str) -> int:
        """The value of ``numeral`` (the text of group ``n``)."""
        if self.numerals == "han":
            return chinese_numeral_value(numeral)
        if self.numerals == "arabic":
            return int(unicodedata.normalize("NFKC", numeral))
        if self.numerals == "circled":
            return ord(numeral) - 0x2460 + 1
        raise ValueError(f"numbering {self.name!r}: unknown numerals {self.numerals!r} "
                         "(expected 'han', 'arabic' or 'circled')")


#: The numbering styles, outer to inner: the divisions and articles of a law, and the items of an
#: official document (一、 > （一） > 1. > （1） > ①).
NUMBERINGS: tuple[Numbering, ...] = (
    Numbering("编", rf"第(?P<n>{_HAN_NUMBER})编", "han", 0, "第{n}编", "division"),
    Numbering("分编", rf"第(?P<n>{_HAN_NUMBER})分编", "han", 1, "第{n}分编", "division"),
    Numbering("部分", rf"第(?P<n>{_HAN_NUMBER})部分", "han", 2, "第{n}部分", "division"),
    Numbering("章", rf"第(?P<n>{_HAN_NUMBER})章", "han", 3, "第{n}章", "division"),
    Numbering("节", rf"第(?P<n>{_HAN_NUMBER})节", "han", 4, "第{n}节", "division"),
    Numbering("条", rf"第(?P<n>{_HAN_NUMBER})条(?:之(?P<sub>[一二三四五六七八九十]+))?", "han", 5, "第{n}条", "article"),
    Numbering("一、", r"(?<![一二三四五六七八九十百千零〇])(?P<n>[一二三四五六七八九十百]+)(?:、|[.．](?![0-9０-９]))",
              "han", 10, "{n}", "item"),
    Numbering("（一）", r"[(（](?P<n>[一二三四五六七八九十百]+)[)）]", "han", 11, "（{n}）", "item"),
    # 1. 1、 1． but not 1.5 or 2021.3 (1.5G is item 1: a digit run before a Latin letter is no decimal)
    Numbering("1.", r"(?<![0-9０-９.．])(?P<n>[0-9０-９]{1,3})(?:、|[.．](?![0-9０-９](?![0-9０-９]*[A-Za-zＡ-Ｚａ-ｚ])))",
              "arabic", 12, "{n}", "item"),
    Numbering("（1）", r"[(（](?P<n>[0-9０-９]{1,3})[)）]", "arabic", 13, "（{n}）", "item"),
    Numbering("①", r"(?P<n>[①-⑳])", "circled", 14, "{n}", "item"),
)

_ROLES = ("division", "article", "item")
_ARTICLE_GAP = 5          # numbers an article at a line start may skip
_ARTICLE_GAP_SPACED = 50  # ... when a space follows its number
_PARAGRAPH_RANK = 6.0   # 款, below the article
_PART_RANK = 7.0        # an unnumbered part of a document, above its items


class Clause(NamedTuple):
    """A clause (or, with ``headings=True``, a heading) of one text: ``text[start:end]``."""

    start: int
    end: int
    path: str
    clause_id: str
    level: int
    heading: str
    kind: str = "clause"


class _Candidate(NamedTuple):
    pos: int
    end: int
    style: Numbering
    n: int
    sub: int
    numeral: str
    sub_numeral: str
    line_start: bool
    prev: str


@functools.lru_cache(maxsize=16)
def _compiled(numberings: tuple[Numbering, ...]) -> tuple[tuple[Numbering, re.Pattern], ...]:
    names = [s.name for s in numberings]
    if len(set(names)) != len(names):
        raise ValueError(f"numbering names must be unique, got {names}")
    out = []
    for style in numberings:
        if style.role not in _ROLES:
            raise ValueError(f"numbering {style.name!r}: role must be one of {_ROLES}, got {style.role!r}")
        if style.numerals not in ("han", "arabic", "circled"):
            raise ValueError(f"numbering {style.name!r}: numerals must be 'han', 'arabic' or 'circled', "
                             f"got {style.numerals!r}")
        try:
            pattern = re.compile(style.pattern)
        except re.error as err:
            raise ValueError(f"numbering {style.name!r}: bad regular expression {style.pattern!r}: {err}") from None
        if "n" not in pattern.groupindex:
            raise ValueError(f"numbering {style.name!r}: the pattern needs a group 'n' (the numeral)")
        out.append((style, pattern))
    return tuple(out)


def _candidates(text: str, numberings: tuple[Numbering, ...]) -> list[_Candidate]:
    """Every number that stands where an item may start: at a line start, or after punctuation."""
    found = {}
    for style, pattern in _compiled(numberings):
        for m in pattern.finditer(text):
            pos = m.start()
            if pos in found:
                continue
            i = pos - 1
            while i >= 0 and text[i] in _HSPACE:
                i -= 1
            line_start = i < 0 or text[i] in "\n\r"
            prev = "" if line_start else text[i]
            numeral, sub_numeral = m.group("n"), (m.groupdict().get("sub") or "")
            try:
                n = style.value(numeral)
                sub = chinese_numeral_value(sub_numeral) if sub_numeral else 0
            except ValueError:
                continue
            found[pos] = _Candidate(pos, m.end(), style, n, sub, numeral, sub_numeral, line_start, prev)
    return [found[p] for p in sorted(found)]


class _Node:
    __slots__ = ("start", "marker_end", "role", "style", "n", "sub", "label", "code", "parent", "rank")

    def __init__(self, start, marker_end, role, style, n, sub, label, code, parent, rank):
        self.start, self.marker_end, self.role, self.style = start, marker_end, role, style
        self.n, self.sub, self.label, self.code, self.parent, self.rank = n, sub, label, code, parent, rank


class _Outline:
    """The numbered items of one text, found in one pass with a stack of open levels."""

    def __init__(self, text: str):
        self.text = text
        self.nodes: list[_Node] = []
        self.stack: list[int] = []
        self.last: dict[str, int] = {}      # division counters
        self.ranks: dict[str, int] = {}     # ... and the ranks of their styles
        self.paragraphs: dict[int, int] = {}  # article node -> its number of paragraphs
        self.last_of: dict[str, int] = {}     # item style -> its last node
        self.article = (0, 0)               # last article number and 之 number
        self.parts = 0
        self.content = False                # anything but division headings seen (a table of contents is not)
        self.last_marker = -1               # index of the last node found at a number

    # -- the stack ------------------------------------------------------------------------
    def _push(self, start, marker_end, role, style, n, sub, label, code, rank) -> int:
        parent = self.stack[-1] if self.stack else None
        self.nodes.append(_Node(start, marker_end, role, style, n, sub, label, code, parent, rank))
        index = len(self.nodes) - 1
        self.stack.append(index)
        return index

    def _pop_to(self, rank: float) -> None:
        while self.stack and self.nodes[self.stack[-1]].rank >= rank:
            self.stack.pop()

    def _in_article(self) -> bool:
        return any(self.nodes[i].role == "article" for i in self.stack)

    def _short_title_so_far(self, pos: int) -> bool:
        """The text since the last number is a short title without punctuation (``一、总体要求（一）…``)."""
        if self.last_marker < 0:
            return False
        node = self.nodes[self.last_marker]
        between = self.text[node.marker_end:pos].strip()
        return 0 < len(between) <= 30 and "\n" not in between and not (set(between) & _TITLE_STOP)

    # -- numbers ----------------------------------------------------------------------------
    def offer(self, c: _Candidate) -> bool:
        role = c.style.role
        if role == "division":
            return self._division(c)
        if role == "article":
            return self._article(c)
        return self._item(c)

    def _follows_space(self, c: _Candidate) -> bool:
        return c.end >= len(self.text) or self.text[c.end] in _HSPACE + "\n\r"

    def _division(self, c: _Candidate) -> bool:
        if not c.line_start and c.prev not in _SENTENCE_END:
            return False
        if _REFERENCE_AFTER.match(self.text, c.end):
            return False
        name, n = c.style.name, c.n
        last = self.last.get(name, 0)
        ok = n == last + 1 or (c.line_start and self._follows_space(c) and last + 1 < n <= last + 20)
        if not ok and c.line_start and n == 1 and not self.content:
            # the headings so far were a table of contents: they stay in the preamble
            logger.debug("table of contents before offset %d left in the preamble", c.pos)
            self.nodes, self.stack, self.last, self.ranks, self.last_marker = [], [], {}, {}, -1
            ok = True
        if not ok:
            return False
        self._pop_to(c.style.rank)
        for other, rank in self.ranks.items():
            if rank > c.style.rank:
                self.last[other] = 0
        self.last[name], self.ranks[name] = n, c.style.rank
        label = c.style.label.format(n=c.numeral)
        self.last_marker = self._push(c.pos, c.end, "division", c.style, n, 0, label, str(n), float(c.style.rank))
        return True

    def _article(self, c: _Candidate) -> bool:
        last_n, last_sub = self.article
        n, sub = c.n, c.sub
        strict = (sub == 0 and n == last_n + 1) or (sub > 0 and n == last_n and sub == last_sub + 1)
        # the next number at a line start is an article even where its text starts like a reference
        # (第六条规定本市…, 第四十四条第四十三条所称…, once cleaning took the space after the number)
        if not (strict and c.line_start) and _REFERENCE_AFTER.match(self.text, c.end):
            return False
        if not c.line_start:
            if not strict or c.prev not in _AFTER_CLOSE - frozenset("：:"):
                return False
        elif not strict and not (sub == 0 and (last_n == 0 or last_n < n <= last_n + _ARTICLE_GAP
                                               or (self._follows_space(c) and n <= last_n + _ARTICLE_GAP_SPACED))):
            # a line-start article may skip numbers (the first one of a part of a code, 第九百八十九条; an
            # article left out); a long jump only before a space, as a law sets its articles
            return False
        self._pop_to(float(c.style.rank))
        label = c.style.label.format(n=c.numeral) + (f"之{c.sub_numeral}" if sub else "")
        code = f"{n}-{sub}" if sub else str(n)
        self._push(c.pos, c.end, "article", c.style, n, sub, label, code, float(c.style.rank))
        self.last_marker = self._push(c.pos, c.end, "paragraph", None, 1, 0, "第一款", "1", _PARAGRAPH_RANK)
        self.article = (n, sub)
        self.content = True
        return True

    def _item(self, c: _Candidate) -> bool:
        name, n = c.style.name, c.n
        open_at = next((k for k in range(len(self.stack) - 1, -1, -1)
                        if self.nodes[self.stack[k]].style is c.style), None)
        inline_title = not c.line_start and self._short_title_so_far(c.pos)
        starts = c.line_start or c.prev in _LEAD_END or inline_title
        if open_at is not None:
            last = self.nodes[self.stack[open_at]].n
            if n == last + 1:
                if not (c.line_start or c.prev in _AFTER_CLOSE or inline_title):
                    return False
                del self.stack[open_at:]
            elif (n == 1 and last >= 2 and (starts or c.prev in _AFTER_CLOSE)
                  and all(self.nodes[i].role == "part" for i in self.stack[:open_at])):
                self._new_part(c)
            else:
                return False
        else:
            if not starts:
                return False
            stack = list(self.stack)
            while stack and self.nodes[stack[-1]].role == "item" and self.nodes[stack[-1]].rank >= c.style.rank:
                stack.pop()
            if n != 1 and not self._continues(c, stack):
                return False
            self.stack = stack
            if n == 1 and not self.nodes and not self.stack:
                titles = self._title_lines(0, c.pos)
                if len(titles) >= 2:   # a document in unnumbered sections, the first item in the last of them
                    self.stack = [[self._part(t) for t in titles][-1]]
            elif n == 1 and self.parts and self.stack and self.nodes[self.stack[0]].role == "part":
                titles = self._gap_titles(c.pos)
                if titles:          # an unnumbered section title before a new list
                    self.stack = [self._part(titles[0])]
        label = c.style.label.format(n=unicodedata.normalize("NFKC", c.numeral) if c.style.numerals == "arabic"
                                     else c.numeral)
        self.last_marker = self._push(c.pos, c.end, "item", c.style, n, 0, label, str(n), float(c.style.rank))
        self.last_of[name] = self.last_marker
        self.content = True
        return True

    def _continues(self, c: _Candidate, stack: list[int]) -> bool:
        """``c`` goes on with the numbers of the list under the previous sibling of its parent
        (1. 2. under （一）, 3. 4. under （二）: numbered through)."""
        last = self.last_of.get(c.style.name)
        if last is None or not stack or c.n != self.nodes[last].n + 1:
            return False
        old_parent, parent = self.nodes[last].parent, self.nodes[stack[-1]]
        if old_parent is None:
            return False
        old = self.nodes[old_parent]
        return (old.style is not None and old.style is parent.style and old.parent == parent.parent
                and parent.n == old.n + 1)

    # -- paragraphs (款) ---------------------------------------------------------------------
    def line(self, pos: int) -> None:
        """A line starting at ``pos`` without an accepted number."""
        if self.nodes:
            self.content = True
        if not self._in_article():
            return
        top = self.nodes[self.stack[-1]]
        if not self.text[top.marker_end:pos].strip():
            return  # the line of a number that had nothing after it: its text goes on here
        article_at = max(k for k, i in enumerate(self.stack) if self.nodes[i].role == "article")
        article = self.stack[article_at]
        count = self.paragraphs[article] = self.paragraphs.get(article, 1) + 1
        del self.stack[article_at + 1:]
        self._push(pos, pos, "paragraph", None, count, 0, f"第{_chinese_numeral(count)}款", str(count),
                   _PARAGRAPH_RANK)

    # -- unnumbered parts ---------------------------------------------------------------------
    def _title_lines(self, lo: int, hi: int) -> list[int]:
        """Starts of the lines in ``[lo, hi)`` that are unnumbered section titles: a whole line of
        2-25 characters without punctuation, after a line that ended a sentence, before more text."""
        text, out = self.text, []
        i = lo - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        prev_end = text[i] if i >= 0 else None
        pos = lo
        while pos < hi:
            nl = text.find("\n", pos, hi)
            if nl < 0:
                break  # the line goes on to hi: not a whole line before more text
            s = text[pos:nl].strip()
            if s:
                if (prev_end is not None and (prev_end in _SENTENCE_END or prev_end in "”\"")
                        and 2 <= len(s) <= 25 and not (set(s) & _TITLE_STOP) and len(_HAN.findall(s)) >= 2
                        and not _DATE_LINE.fullmatch(s)):
                    out.append(pos + len(text[pos:nl]) - len(text[pos:nl].lstrip()))
                prev_end = s[-1]
            pos = nl + 1
        return out

    def _part(self, start: int) -> int:
        self.parts += 1
        node = _Node(start, start, "part", None, self.parts, 0, f"[{self.parts}]", f"p{self.parts}", None, _PART_RANK)
        self.nodes.append(node)
        return len(self.nodes) - 1

    def _new_part(self, c: _Candidate) -> None:
        """The top numbering starts again at 1: the document is in unnumbered parts."""
        if self.parts == 0:
            first = min(node.start for node in self.nodes)
            titles = self._title_lines(0, first)
            parts = [self._part(t) for t in titles] or [self._part(first)]
            for node in self.nodes:
                if node.parent is None and node.role != "part":
                    node.parent = parts[-1]
        titles = self._gap_titles(c.pos)
        self.stack = [self._part(titles[0] if titles else c.pos)]

    def _gap_titles(self, pos: int) -> list[int]:
        """Section titles between the line of the last number and ``pos``."""
        previous = self.nodes[self.last_marker]
        line_end = self.text.find("\n", previous.marker_end, pos)
        return self._title_lines(line_end + 1, pos) if line_end >= 0 else []


def _outline(text: str, numberings: tuple[Numbering, ...]) -> _Outline:
    outline = _Outline(text)
    candidates = _candidates(text, numberings)
    lines = [m.end() for m in _LINE_START.finditer(text)]
    k = 0
    for line_pos in lines + [len(text) + 1]:
        accepted_here = False
        while k < len(candidates) and candidates[k].pos <= line_pos:
            c = candidates[k]
            k += 1
            if outline.offer(c) and c.pos == line_pos:
                accepted_here = True
        if line_pos <= len(text) and not accepted_here:
            outline.line(line_pos)
    return outline


def _first_line(text: str, a: int, b: int) -> str:
    a, b = strip_span(text, a, b)
    nl = text.find("\n", a, b)
    return text[a:b if nl < 0 else nl].strip()


def _is_title(line: str) -> bool:
    """A short title line: at most :data:`TITLE_MAX` characters, one line, no sentence end before its
    last character, not a lead-in ending in a colon."""
    line = line.strip()
    return (0 < len(line) <= TITLE_MAX and "\n" not in line and line[-1] not in "：:"
            and not (set(line[:-1]) & _SENTENCE_END))


def _signoff_start(text: str, lo: int, hi: int) -> int | None:
    """Start of a closing block of short lines (issuing body, date) in ``[lo, hi)``, if it has a date line."""
    lines, pos = [], lo
    while pos < hi:
        nl = text.find("\n", pos, hi)
        end = hi if nl < 0 else nl
        if text[pos:end].strip():
            lines.append((pos, text[pos:end].strip()))
        if nl < 0:
            break
        pos = nl + 1
    start, dated = None, False
    for line_pos, s in reversed(lines[-6:]):
        bracketed = s[0] in "(（" and s[-1] in ")）"
        if len(s) > 40 or (s[-1] in "。；;，,：:！!？?" and not bracketed):
            break
        start = line_pos
        dated = dated or bool(_DATE_LINE.fullmatch(s))
    if start is None or not dated:
        return None
    return start + (len(text[start:]) - len(text[start:].lstrip()))


def clause_spans(text: str, *, numberings: Sequence[Numbering] = NUMBERINGS, headings: bool = False) -> list[Clause]:
    """The clauses of one text, in order (see :mod:`policytext.text.clauses` for what a clause is).

    Parameters
    ----------
    text : str
        The text; ``text[clause.start:clause.end]`` is each clause's text.
    numberings : sequence of Numbering
        The numbering styles (default :data:`NUMBERINGS`).
    headings : bool
        Also return the heading items (``kind == "heading"``); clauses and headings then cover
        every character of the text that is not white space, without overlap.

    Returns
    -------
    list of Clause
        ``(start, end, path, clause_id, level, heading, kind)`` tuples: character offsets,
        the numbering path (unique within the text), a short id (the numbers of the path, from
        the article down when there is one; unique among the clauses, empty for a heading), the
        depth (0 for ``序言``, ``落款``, ``附件``, ``全文``), the titles of the headings above it
        joined with `` / ``, and ``"clause"`` or ``"heading"``.

    Examples
    --------
    >>> law = "第一章 总则\\n第一条 为了规范管理，制定本条例。\\n第二条 本条例适用于：\\n（一）甲；\\n（二）乙。\\n依照本条例第一条办理。"
    >>> [(c.path, c.clause_id, c.level, c.heading) for c in clause_spans(law)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('第一章/第一条', '1', 2, '第一章 总则'), ('第一章/第二条/第一款', '2.1', 3, '第一章 总则'),
     ('第一章/第二条/第一款/（一）', '2.1.1', 4, '第一章 总则'), ('第一章/第二条/第一款/（二）', '2.1.2', 4, '第一章 总则'),
     ('第一章/第二条/第二款', '2.2', 3, '第一章 总则')]
    >>> plan = "关于加快发展的意见\\n一、总体要求\\n（一）指导思想。坚持创新。（二）主要目标。到2025年，增长1.5%。"
    >>> [(c.path, plan[c.start:c.end]) for c in clause_spans(plan)]
    [('序言', '关于加快发展的意见'), ('一/（一）', '（一）指导思想。坚持创新。'), ('一/（二）', '（二）主要目标。到2025年，增长1.5%。')]
    >>> clause_spans("没有编号的一段话。")
    [Clause(start=0, end=9, path='全文', clause_id='全文', level=0, heading='', kind='clause')]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    numberings = tuple(numberings)
    a, b = strip_span(text, 0, len(text))
    if a == b:
        return []
    outline = _outline(text, numberings)
    nodes = outline.nodes
    if not nodes:
        return [Clause(a, b, "全文", "全文", 0, "", "clause")]

    # what follows the last item: an attachment, a sign-off
    first_start = min(node.start for node in nodes)
    first_line_end = text.find("\n", first_start)
    tail_start = len(text)
    attachment = _ATTACHMENT.search(text, first_line_end + 1) if first_line_end >= 0 else None
    if attachment is not None:
        tail_start = attachment.start()
        kept = [i for i, node in enumerate(nodes) if node.start < tail_start]
        if len(kept) < len(nodes):
            remap = {old: new for new, old in enumerate(kept)}
            nodes = [nodes[i] for i in kept]
            for node in nodes:
                node.parent = remap.get(node.parent) if node.parent is not None else None
    if not nodes:
        return [Clause(a, b, "全文", "全文", 0, "", "clause")]

    # an article of one paragraph is its paragraph
    children: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        if node.parent is not None:
            children.setdefault(node.parent, []).append(i)
    removed = set()
    for i, node in enumerate(nodes):
        if node.role == "article":
            paragraphs = [j for j in children.get(i, []) if nodes[j].role == "paragraph"]
            if len(paragraphs) == 1:
                removed.add(paragraphs[0])
                for j in children.get(paragraphs[0], []):
                    nodes[j].parent = i
    live = [i for i in range(len(nodes)) if i not in removed]

    depth: dict[int, int] = {}

    def depth_of(i: int) -> int:
        if i not in depth:
            parent = nodes[i].parent
            depth[i] = 0 if parent is None else depth_of(parent) + 1
        return depth[i]

    order = sorted(live, key=lambda i: (nodes[i].start, depth_of(i)))
    last_start = max(nodes[i].start for i in order)
    last_line_end = text.find("\n", last_start, tail_start)
    signoff = _signoff_start(text, last_line_end + 1, tail_start) if last_line_end >= 0 else None
    body_end = signoff if signoff is not None else tail_start

    has_children = {nodes[i].parent for i in order if nodes[i].parent is not None}
    own: dict[int, tuple[int, int]] = {}
    for k, i in enumerate(order):
        end = nodes[order[k + 1]].start if k + 1 < len(order) else body_end
        own[i] = strip_span(text, nodes[i].start, end)

    def under_article(i: int) -> bool:
        parent = nodes[i].parent
        while parent is not None:
            if nodes[parent].role == "article":
                return True
            parent = nodes[parent].parent
        return False

    title: dict[int, str | None] = {}
    for i in order:
        title[i] = None
        if nodes[i].role in ("division", "part", "item") and not under_article(i):
            line = _first_line(text, *own[i])
            if _is_title(line):
                title[i] = re.sub(r"\s+", " ", line)

    def path_of(i: int) -> list[int]:
        chain = []
        while i is not None:
            chain.append(i)
            i = nodes[i].parent
        return chain[::-1]

    rows: list[Clause] = []
    pre = strip_span(text, 0, nodes[order[0]].start)
    if pre[1] > pre[0]:
        rows.append(Clause(pre[0], pre[1], "序言", "序言", 0, "", "clause"))
    seen: dict[tuple[str, str], int] = {}
    for i in order:
        start, end = own[i]
        if start >= end:
            continue
        node = nodes[i]
        chain = path_of(i)
        path = "/".join(nodes[j].label for j in chain)
        from_article = next((k for k, j in enumerate(chain) if nodes[j].role == "article"), 0)
        clause_id = ".".join(nodes[j].code for j in chain[from_article:])
        heading = " / ".join(title[j] for j in chain[:-1] if title.get(j))
        is_heading = (node.role in ("division", "part", "item") and not under_article(i) and i in has_children
                      and "\n" not in text[start:end] and _is_title(text[start:end]))
        if is_heading:
            clause_id = ""
        key = "h" if is_heading else "c"
        for value, what in ((path, "p"), (clause_id, key)):
            if not value:
                continue
            seen[(what, value)] = seen.get((what, value), 0) + 1
        if seen[("p", path)] > 1:
            logger.debug("path %s repeats at offset %d", path, start)
            path = f"{path}#{seen[('p', path)]}"
        if clause_id and seen[(key, clause_id)] > 1:
            clause_id = f"{clause_id}#{seen[(key, clause_id)]}"
        if is_heading and not headings:
            continue
        rows.append(Clause(start, end, path, clause_id, len(chain), heading, "heading" if is_heading else "clause"))
    for label, lo, hi in (("落款", body_end, tail_start), ("附件", tail_start, len(text))):
        s, e = strip_span(text, lo, hi)
        if e > s:
            rows.append(Clause(s, e, label, label, 0, "", "clause"))
    return rows


def split_clauses(docs: pd.DataFrame, *, column: str = "text_clean", numberings: Sequence[Numbering] = NUMBERINGS,
                  headings: bool = False) -> pd.DataFrame:
    """Split each document into clauses (政策条款): articles, paragraphs and items with their numbering paths.

    Parameters
    ----------
    docs : DataFrame
        One row per document, with ``doc_id`` and ``column``.
    column : str
        The text column (default ``text_clean``; ``text`` keeps circled numbers ①, which NFKC
        turns into digits).
    numberings : sequence of Numbering
        The numbering styles (default :data:`NUMBERINGS`).
    headings : bool
        Also return the heading items, with ``kind == "heading"``.

    Returns
    -------
    DataFrame
        One row per clause, in document order: ``doc_id, clause_id, path, level, heading,
        text, start, end`` (and ``kind`` with ``headings=True``); ``text`` is
        ``docs[column][start:end]``. See :mod:`policytext.text.clauses` for the rules.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["plan"], "text_clean": ["通知\\n一、目标\\n（一）发展经济。\\n（二）保护环境。"]})
    >>> split_clauses(docs)[["clause_id", "path", "heading", "text"]].values.tolist()
    [['序言', '序言', '', '通知'], ['1.1', '一/（一）', '一、目标', '（一）发展经济。'], ['1.2', '一/（二）', '一、目标', '（二）保护环境。']]
    """
    for needed in ("doc_id", column):
        if needed not in docs.columns:
            raise KeyError(f"split_clauses needs a column {needed!r}; the table has {list(docs.columns)}")
    numberings = tuple(numberings)
    _compiled(numberings)
    rows = []
    for doc_id, text in zip(docs["doc_id"], docs[column]):
        text = text if isinstance(text, str) else ""
        for c in clause_spans(text, numberings=numberings, headings=headings):
            rows.append((doc_id, c.clause_id, c.path, c.level, c.heading, text[c.start:c.end], c.start, c.end, c.kind))
    columns = ["doc_id", "clause_id", "path", "level", "heading", "text", "start", "end", "kind"]
    out = pd.DataFrame(rows, columns=columns)
    out = out.astype({"level": "int64", "start": "int64", "end": "int64"})
    return out if headings else out.drop(columns="kind")
