"""Page chrome: what scraping a portal leaves in a text that is not policy content, and how it is found.

Three mechanisms, all driven by data files in ``data/cleaning/``: rules (fields, spans, tails, label
tables: ``chrome_rules.tsv``), control words (the buttons of control bars: ``control_words.tsv``), and the
shape of chrome above the first and below the last sentence of a page (with the lines a document's own
short lines are never taken for: ``body_shapes.tsv``). :func:`strip_chrome` is the cleaning step,
:func:`chrome_decisions` what it did to each line, and why.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from policytext.errors import CorpusError
from policytext.io import resources

__all__ = ["strip_chrome", "chrome_decisions", "default_chrome_rules_path", "default_control_words_path",
           "default_body_shapes_path", "read_control_words", "read_body_shapes"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

#: Characters that separate chrome fields and buttons on a line: spaces of every width, bars, dots,
#: slashes, brackets. What a rule leaves at the start of a line is stripped of them.
_SEPARATORS = " \t\u3000\u00a0\u2002\u2003\u2009\u200b|¦丨│/\\·•・,;:、—-_~【】[]〔〕<>«»"
#: What is left of a line that a rule cut is content only if it holds a Han character or a Latin letter.
_WORDY_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z]")


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with, or None when they cannot be told (a class such
    as ``\\w``, a large range, a match that can be empty). Lets a search skip lines quickly."""
    from re import _constants as sre
    from re import _parser

    def first(items) -> tuple[set[str] | None, bool]:
        """(first characters, whether the items can match the empty string)."""
        out: set[str] = set()
        for op, av in items:
            if op is sre.LITERAL:
                return out | {chr(av)}, False
            if op is sre.IN:
                chars = set()
                for o, a in av:
                    if o is sre.LITERAL:
                        chars.add(chr(a))
                    elif o is sre.RANGE and a[1] - a[0] <= 300:
                        chars.update(chr(c) for c in range(a[0], a[1] + 1))
                    else:
                        return None, False
                return out | chars, False
            if op is sre.SUBPATTERN:
                got, empty = first(av[3])
            elif op is sre.BRANCH:
                got, empty = set(), False
                for branch in av[1]:
                    f, e = first(branch)
                    if f is None:
                        return None, False
                    got |= f
                    empty = empty or e
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                got, empty = first(av[2])
                empty = empty or av[0] == 0
            elif op is sre.ASSERT and av[0] == 1:  # a lookahead says what the first character is
                got, empty = first(av[1])
                if got is not None and not empty:
                    return got if not out else out | got, False
                continue
            elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                continue
            else:
                return None, False
            if got is None:
                return None, False
            out |= got
            if not empty:
                return out, False
        return out, True

    try:
        chars, empty = first(_parser.parse(pattern))
    except Exception:  # the readers have checked the pattern: be safe anyway
        return None
    return None if chars is None or empty else frozenset(chars)


class _Rules:
    """The rules of some files, compiled: one alternation for the rules anchored at the start of a line
    (matched there, and again at the start of what is left), one for the others (searched), one for the
    tails (matched against whole lines). Each rule is a named group, so the account can name it."""

    def __init__(self, rules: Sequence[resources.CleaningRule]):
        self.sources: dict[str, resources.CleaningRule] = {}

        def alternation(chosen: list[resources.CleaningRule], strip_anchor: bool) -> re.Pattern | None:
            parts = []
            for rule in chosen:
                name = f"r{len(self.sources)}"
                self.sources[name] = rule
                pattern = rule.pattern[1:] if strip_anchor and rule.pattern.startswith("^") else rule.pattern
                parts.append(f"(?P<{name}>{pattern})")
            return re.compile("|".join(parts)) if parts else None

        cutting = [r for r in rules if r.action in ("line", "span")]
        self.start = alternation([r for r in cutting if r.pattern.startswith("^")], True)
        self.anywhere = alternation([r for r in cutting if not r.pattern.startswith("^")], False)
        self.tail = alternation([r for r in rules if r.action == "tail"], True)
        self.foot = alternation([r for r in rules if r.action == "foot"], True)
        self.label = alternation([r for r in rules if r.action == "label"], True)
        firsts = [_first_chars(r.pattern) for r in cutting if not r.pattern.startswith("^")]
        if self.anywhere is not None and all(f is not None for f in firsts):
            # one lookahead of every first character in front of the alternation: the search skips the other
            # characters at C speed, where it would try each rule at each of them (5x faster on the laws)
            chars = "[" + "".join(sorted(re.escape(c) for c in set().union(*firsts))) + "]"
            self.anywhere = re.compile(f"(?={chars})(?:{self.anywhere.pattern})")

    def rule_of(self, match: re.Match) -> str:
        rule = self.sources[match.lastgroup]
        return rule.source

    def cut(self, line: str) -> tuple[str, list[str]]:
        """The line without the chrome the rules match, and the rules that matched."""
        used: list[str] = []

        def fields(text: str) -> str:
            """The fields at the start of ``text`` removed, one after the other."""
            rest, found = text.strip(_LINE_SPACES), False
            while self.start is not None and rest:
                m = self.start.match(rest)
                if m is None or m.end() == 0:
                    break
                used.append(self.rule_of(m))
                rest, found = rest[m.end():].lstrip(_SEPARATORS), True
            return rest if found else text

        def drop(m: re.Match) -> str:
            if m.end() > m.start():
                used.append(self.rule_of(m))
            return ""

        line = fields(line)
        if self.anywhere is not None and line:
            spans = len(used)
            line = self.anywhere.sub(drop, line)
            if len(used) > spans:  # a span gone may open the line with a field (ICP备… 技术支持:…)
                line = fields(line.lstrip(_SEPARATORS)) if self.start is not None else line
        return line, used

    def whole(self, rx: re.Pattern | None, line: str) -> str | None:
        """The rule of ``rx`` (tails, foot tails or labels) that matches this line as a whole; else None."""
        if rx is None:
            return None
        m = rx.fullmatch(line.strip(_SEPARATORS))
        return self.rule_of(m) if m is not None else None


@functools.lru_cache(maxsize=None)
def _compiled_rules(files: tuple[str, ...]) -> _Rules:
    return _Rules([rule for f in files for rule in resources.read_cleaning_rules(f)])


def default_chrome_rules_path() -> Path:
    """Path of the page-chrome rules shipped with the package."""
    return resources.data_path("cleaning", "chrome_rules.tsv")


def default_control_words_path() -> Path:
    """Path of the control words shipped with the package (``data/cleaning/control_words.tsv``)."""
    return resources.data_path("cleaning", "control_words.tsv")


_CONTROL_KINDS = ("word", "fontsize", "size", "option", "filler")
_STRONG_KINDS = ("word", "fontsize")
_LINE_SPACES = " \t\u3000\u00a0"
_HAN_RE = re.compile(f"[{_HAN}]")


class _ControlWords:
    """The control words of some files, compiled: see ``data/cleaning/control_words.tsv``."""

    def __init__(self, kinds: dict[str, str], fillers: str):
        self.kinds = kinds  # casefolded entry -> kind
        self.fillers = fillers + _LINE_SPACES
        self.drop_fillers = str.maketrans("", "", self.fillers)
        words = sorted(kinds, key=len, reverse=True)  # at each place the longest entry wins
        self.token_rx = re.compile("|".join(map(re.escape, words)) + "|.", re.IGNORECASE | re.DOTALL)
        self.first = frozenset(c for w in words for c in (w[0], w[0].upper(), w[0].lower()))
        self.last = frozenset(w[-1].casefold() for w in words)


def read_control_words(file_path: str | Path) -> tuple[dict[str, str], str]:
    """Read a control-word file: ``KIND<TAB>ENTRY[<TAB>NOTE]`` per line; errors name file and line."""
    kinds, fillers = {}, []
    for number, line in resources.text_lines(Path(file_path)):
        parts = line.split("\t")
        if len(parts) < 2 or parts[0] not in _CONTROL_KINDS or not parts[1] or re.search(r"\s", parts[1]):
            raise CorpusError(
                f"{file_path}, line {number}: expected '{'|'.join(_CONTROL_KINDS)}<TAB>entry[<TAB>note]' "
                f"with an entry without spaces, got {line!r}")
        if parts[0] == "filler":
            fillers.append(parts[1])
        else:
            kinds[parts[1].casefold()] = parts[0]
    return kinds, "".join(fillers)


@functools.lru_cache(maxsize=None)
def _compiled_control_words(files: tuple[str, ...]) -> _ControlWords | None:
    kinds, fillers = {}, ""
    for f in files:
        more, more_fillers = read_control_words(f)
        kinds.update(more)  # a later file's kind wins
        fillers += more_fillers
    fillers = "".join(dict.fromkeys(fillers))
    for c in fillers:
        kinds.pop(c.casefold(), None)  # a filler is never a word
    return _ControlWords(kinds, fillers) if kinds else None


class _Controls:
    """The control words of one line, by kind, and the characters left over."""

    __slots__ = ("strong", "fontsize", "size", "option", "left")

    def __init__(self):
        self.strong, self.fontsize, self.size, self.option, self.left = set(), False, [], [], 0

    def counted(self, strong_near: bool, fontsize_near: bool) -> tuple[set[str], int]:
        """The control words that count, and the characters left over, given whether the line's
        block holds a control word and a font-size word."""
        words, left = set(self.strong), self.left
        for extra, licensed in ((self.option, strong_near or self.strong),
                                (self.size, fontsize_near or self.fontsize)):
            if licensed:
                words.update(extra)
            else:
                left += sum(map(len, extra))
        return words, left

    def is_control(self, strong_near: bool = False, fontsize_near: bool = False) -> bool:
        words, left = self.counted(strong_near, fontsize_near)
        return bool(words) and (left == 0 or (left <= _MAX_LEFTOVER and len(words) >= 2 and bool(self.strong)))


#: Characters a control line may hold that are not control words or fillers, when it holds two
#: different control words (for the odd icon or unlisted letter).
_MAX_LEFTOVER = 1
#: Lines longer than this (without their outer spaces) are never control lines.
_MAX_CONTROL_LINE = 200


def _line_controls(line: str, cw: _ControlWords) -> _Controls | str:
    """A line's control words; or ``"blank"`` (nothing but spaces), ``"filler"`` (nothing but
    fillers, or one stray character that is not a Han character) or ``"content"``."""
    if not line.strip(_LINE_SPACES):
        return "blank"
    rest = line.strip(cw.fillers)
    if not rest:
        return "filler"
    if len(rest) > _MAX_CONTROL_LINE:
        return "content"
    if rest[0] not in cw.first:  # one stray character may come before the first word
        second = rest[1:].lstrip(cw.fillers)[:1]
        if not second:
            return "content" if _HAN_RE.match(rest) else "filler"
        if second not in cw.first:
            return "content"
    found = _Controls()
    for match in cw.token_rx.finditer(rest.translate(cw.drop_fillers)):
        token = match.group()
        kind = cw.kinds.get(token.casefold())
        if kind is None:
            found.left += 1
            if found.left > _MAX_LEFTOVER:  # (unlicensed options and sizes are counted later)
                return "content"
        elif kind in _STRONG_KINDS:
            found.strong.add(token.casefold())
            found.fontsize = found.fontsize or kind == "fontsize"
        elif kind == "size":
            found.size.append(token.casefold())
        else:
            found.option.append(token.casefold())
    if not (found.strong or found.size or found.option):
        return "content"
    return found


def _control_line_numbers(lines: Sequence[str], cw: _ControlWords, ruled: frozenset[int] = frozenset()) -> list[int]:
    """Numbers of the lines that are page controls: blocks of control lines at the top or bottom
    of the text, and elsewhere blocks that hold two different control words.

    ``ruled`` are the numbers of lines a rule removes: they do not break a block, and if they are
    control lines (``【字体:``) they count for it (license its font sizes, add to its words)."""
    n = len(lines)
    # C: a control line by itself; P: a line of options or sizes, a control line if its block
    # licenses them; F: fillers or a stray character, B: blank (both may stand inside a block;
    # an F line between a block and the top or bottom goes with the block); X: content.
    found, status = [], []
    for number, line in enumerate(lines):
        f = _line_controls(line, cw)
        found.append(f)
        if isinstance(f, str):
            status.append({"blank": "B", "filler": "F"}.get(f, "X"))
        elif f.is_control():
            status.append("C")
        elif f.is_control(True, True):
            status.append("P")
        else:
            status.append("X")
        if number in ruled and status[-1] != "C":
            status[-1] = "B"
    if "C" not in status:
        return []

    def blocks():
        """(first, last, controls) of each block holding a control line: lines from ``first`` to
        ``last``; ``controls`` the numbers of its C and P lines."""
        i = 0
        while i < n:
            if status[i] == "X":
                i += 1
                continue
            j = i
            while j + 1 < n and status[j + 1] != "X":
                j += 1
            controls = [k for k in range(i, j + 1) if status[k] in "CP"]
            if any(status[k] == "C" for k in controls):
                yield i, j, controls
            i = j + 1

    def fontsize_in(controls):
        return any(status[k] == "C" and found[k].fontsize for k in controls)

    changed = True
    while changed:  # a P line its block does not license is content; that may split the block
        changed = False
        for i, j, controls in list(blocks()):
            fontsize_near = fontsize_in(controls)
            for k in controls:
                if status[k] == "P" and not found[k].is_control(True, fontsize_near):
                    status[k], changed = "X", True
    removed = []
    for i, j, controls in blocks():
        fontsize_near = fontsize_in(controls)
        words = set().union(*(found[k].counted(True, fontsize_near)[0] for k in controls))
        top, bottom = i == 0, j == n - 1
        if not (top or bottom or len(words) >= 2):
            continue
        first, last = controls[0], controls[-1]
        if top:  # filler lines between the top and the block go with it; blank lines stay
            first = next(k for k in range(i, first + 1) if status[k] != "B")
        if bottom:
            last = next(k for k in range(j, last - 1, -1) if status[k] != "B")
        removed.extend(k for k in range(first, last + 1) if k not in ruled and status[k] != "B")
    return removed


def _control_edges(line: str, cw: _ControlWords) -> tuple[int, int, set[str]]:
    """Where the body of a line starts and ends when a bar of controls opens or closes it (a one-line
    document: ``【字体:大 中 小】 打印 关闭 各镇人民政府...``): ``(start, end, words)``, ``(0, len, set())``
    when nothing is cut. A bar counts when it holds two different control words (or a font-size word and
    two sizes), and it ends where a separator follows a control word, so ``打印 分享经济`` loses nothing."""

    def tokens(text: str, offset: int):
        """(start, end, kind, word) from the start of ``text`` up to the first token that is no control:
        kind "sep" (a filler or space), "word" (a control word of some kind) or "other" (the last one)."""
        for item in _all_tokens(text, offset, cw):
            yield item
            if item[2] == "other":
                return

    def qualifies(chosen) -> set[str]:
        strong = {w for k, w in chosen if k in _STRONG_KINDS}
        sizes = [w for k, w in chosen if k == "size"]
        fontsize = any(k == "fontsize" for k, _ in chosen)
        return strong if len(strong) >= 2 or (fontsize and len(sizes) >= 2) else set()

    def bar(run: list) -> tuple[int, set[str]]:
        """How many tokens of ``run`` (in reading order away from the edge) form a bar ending at a separator."""
        chosen, best, best_words = [], 0, set()
        for i, (_, _, kind, word) in enumerate(run):
            if kind == "other":
                break
            if kind == "word":
                chosen.append(word)
            nxt = run[i + 1][2] if i + 1 < len(run) else None
            if nxt in (None, "sep") or kind == "sep":
                words = qualifies(chosen)
                if words:
                    best, best_words = i + 1, words
        return best, best_words

    start, end, words = 0, len(line), set()
    head = list(tokens(line, 0))
    n_head, head_words = bar(head)
    if n_head and len(line) - head[n_head - 1][1] >= _MIN_BODY_BESIDE_BAR:
        start, words = head[n_head - 1][1], head_words
    body = line.rstrip(cw.fillers)
    if len(body) > start and body[-1].casefold() in cw.last:
        # the tokens of a window at the end of the line (from a space, if there is one); widened to the whole
        # line when the window holds no content, since the bar may go on before it
        cut = max(start, len(line) - _TAIL_WINDOW)
        window = list(_all_tokens(line[cut:], cut, cw))
        if cut > start and not any(t[2] == "other" for t in window):
            cut = start
            window = list(_all_tokens(line[cut:], cut, cw))
        last_other = max((i for i, t in enumerate(window) if t[2] == "other"), default=None)
        if last_other is not None and (last_other > 0 or cut == start):  # not a token cut by the window's edge
            run = window[last_other + 1:][::-1]
            n_tail, tail_words = bar(run)
            before = line[:run[n_tail - 1][0]].rstrip(cw.fillers) if n_tail else ""
            if n_tail and before[-1:] in _SENTENCE_END and len(before) - start >= _MIN_BODY_BESIDE_BAR:
                end, words = run[n_tail - 1][0], words | tail_words
    return start, end, words


#: Characters before the end of a line in which a closing bar of controls is looked for.
_TAIL_WINDOW = 120
#: A bar of controls is cut from a line only beside this much text (a one-line document, not a heading such as
#: 一、打印 关闭); a bar that closes a line only after the end of a sentence.
_MIN_BODY_BESIDE_BAR = 20
_SENTENCE_END = frozenset("。!?;.")


def _all_tokens(text: str, offset: int, cw: _ControlWords):
    """Every token of ``text``: (start, end, kind, word) as in :func:`_control_edges`."""
    for m in cw.token_rx.finditer(text):
        token = m.group()
        if token in cw.fillers:
            yield m.start() + offset, m.end() + offset, "sep", None
            continue
        kind = cw.kinds.get(token.casefold())
        yield (m.start() + offset, m.end() + offset, "word" if kind else "other",
               (kind, token.casefold()) if kind else None)


def default_body_shapes_path() -> Path:
    """Path of the body shapes shipped with the package (``data/cleaning/body_shapes.tsv``)."""
    return resources.data_path("cleaning", "body_shapes.tsv")


_SHAPE_WHERE = ("any", "head", "foot")


def read_body_shapes(file_path: str | Path) -> list[tuple[str, str, str, str]]:
    """Read a body-shape file: ``KIND<TAB>WHERE<TAB>REGEX[<TAB>NOTE]`` per line; errors name file and line."""
    shapes = []
    for number, line in resources.text_lines(Path(file_path)):
        parts = line.split("\t")
        if len(parts) < 3 or parts[1] not in _SHAPE_WHERE:
            raise CorpusError(f"{file_path}, line {number}: expected 'KIND<TAB>{'|'.join(_SHAPE_WHERE)}<TAB>regex"
                              f"[<TAB>note]', got {line!r}")
        try:
            re.compile(parts[2])
        except re.error as err:
            raise CorpusError(f"{file_path}, line {number}: bad regular expression {parts[2]!r}: {err}") from None
        shapes.append((parts[0], parts[1], parts[2], f"{Path(file_path).name}:{number}"))
    return shapes


class _Shapes:
    """The body shapes of some files: one alternation per region (above, below the text)."""

    def __init__(self, shapes):
        def alternation(where):
            chosen = [f"(?:{regex})" for kind, at, regex, _ in shapes if at in ("any", where)]
            return re.compile("|".join(chosen)) if chosen else None

        self.head, self.foot = alternation("head"), alternation("foot")

    def protects(self, line: str, where: str) -> bool:
        rx = self.head if where == "head" else self.foot
        return rx is not None and rx.fullmatch(line.strip(_LINE_SPACES)) is not None


@functools.lru_cache(maxsize=None)
def _compiled_shapes(files: tuple[str, ...]) -> _Shapes:
    return _Shapes([shape for f in files for shape in read_body_shapes(f)])


#: A line "of the text" (a sentence): it holds 。 or ;, or a , in at least this many characters and words.
_SENTENCE_UNITS = 15
#: A short line: at most this many Han characters and Latin or digit words (a button, a menu item, 首页, 分享至 X).
_SHORT_UNITS = 8
#: Below the text, a line of at most this many characters and words beside a control or a rule's line is a
#: button too (分享至 X, 电邮本页, 回到页首).
_BUTTON_UNITS = 6
#: A site's name beside a block of chrome: at most this many characters and words, without a sentence.
_BANNER_UNITS = 16
#: Runs of at least this many short lines are chrome (a menu, a font-size block, a row of buttons one per line).
_SHORT_RUN = 3
#: The shape of chrome is looked for only when the text between the first and the last sentence holds at least
#: this share of the page's characters: a page that is mostly not sentences (a table, a list) is left alone.
_CORE_SHARE = 0.3
#: A short line that a page repeats this often is a running header or footer of a PDF (德阳市人民政府文件):
#: chrome wherever it stands, when it has at least ``_RUNNING_UNITS`` characters and words (not 续表).
_RUNNING_REPEATS = 3
_RUNNING_UNITS = 6
_UNIT_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")
_ITEM_SPLIT_RE = re.compile(r"\s*[|¦丨│·•]\s*")
_CRUMB_SPLIT_RE = re.compile(r"\s*(?:>+|»|→|/)\s*")
_CRUMB_START = ("首页", "主页", "网站首页", "当前位置", "您的位置", "返回首页")


@functools.lru_cache(maxsize=16384)
def _units(line: str) -> int:
    return len(_UNIT_RE.findall(line))


def _is_sentence(line: str) -> bool:
    if "。" in line or ";" in line:
        return _units(line) >= 4
    return "," in line and _units(line) >= _SENTENCE_UNITS


def _no_sentence(line: str) -> bool:
    return not any(c in line for c in "。;!?")


def _is_item_row(line: str) -> bool:
    """A row of short items between bars: English | 无障碍浏览 | 长者模式 (not 第一章  总  则: spaces are no bars)."""
    items = [i for i in _ITEM_SPLIT_RE.split(line.strip(_LINE_SPACES)) if i.strip(_SEPARATORS)]
    return len(items) >= 3 and _no_sentence(line) and all(_units(i) <= 8 for i in items)


def _is_crumbs(line: str) -> bool:
    """A breadcrumb trail: 首页 > 政务公开 > 通知公告 (a slash only after 首页; never a web address)."""
    text = line.strip(_LINE_SPACES)
    if "://" in text or "www." in text or not _no_sentence(text):
        return False
    items = [i for i in _CRUMB_SPLIT_RE.split(text) if i]
    if len(items) < 2 or not all(_units(i) <= 12 for i in items):
        return False
    if items[0].startswith(_CRUMB_START):
        return True
    return len(items) >= 3 and re.search(r">|»|→", text) is not None


def _is_space_row(line: str) -> bool:
    """A menu written on one line with spaces: 首页 走进南浔 政务公开 政务服务 (four items or more, every item but
    the first of two to eight characters and words; not 第一章  总  则 or 市长  马  军)."""
    items = line.split()
    return (len(items) >= 4 and _no_sentence(line) and all(2 <= len(i) and _units(i) <= 8 for i in items[1:])
            and sum(bool(_HAN_RE.search(i)) for i in items) * 2 > len(items))  # Chinese menus, not English prose


def _running_lines(kept: list[str], live: list[int], shapes: _Shapes) -> dict[int, str]:
    """Lines a page repeats (running headers and footers of a PDF extract), but headings (第一节 一般规定)."""
    counts: dict[str, list[int]] = {}
    for i in live:
        line = kept[i].strip(_LINE_SPACES)
        if (_RUNNING_UNITS <= _units(line) <= _BANNER_UNITS and not any(c in line for c in "。;!?,:、")
                and not shapes.protects(line, "foot")):
            counts.setdefault(line, []).append(i)
    return {i: "shape: a line the page repeats" for where in counts.values() if len(where) >= _RUNNING_REPEATS
            for i in where}


def _runs(region: list[int], member) -> list[list[int]]:
    """Maximal runs of consecutive lines of ``region`` for which ``member`` holds."""
    runs, current = [], []
    for i in region:
        if member(i):
            current.append(i)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


_UNMISTAKABLE = ("shape: row of items", "shape: breadcrumb")


def _shape_chrome(kept: list[str], removed: set[int], shapes: _Shapes, strong: frozenset[int] = frozenset(),
                  trimmed: frozenset[int] = frozenset()) -> dict[int, str]:
    """The lines above the text's first sentence and below its last one that are chrome by their shape,
    with the shape that tells (see ``data/cleaning/body_shapes.tsv`` for what is never removed).

    ``strong``: the lines that rules or control words removed or cut (evidence of chrome that a shape
    alone is not); ``trimmed``: those of them that kept some text.

    Above the text, where a document's own short lines (its title, number, date, salutation) are protected,
    a run of three short lines counts, or fewer touching such evidence, and a site's name beside chrome goes
    with it. Below the text, where documents end in tables and lists of
    short lines, shape counts only next to that evidence: a run of short lines touching it, and everything
    after the first line of it that is not the document's own (a signature, a date, an attachment)."""
    live = [i for i, line in enumerate(kept) if i not in removed and line.strip(_LINE_SPACES)]
    sentences = [i for i in live if _is_sentence(kept[i])]
    if not sentences:
        return {}
    first, last = sentences[0], sentences[-1]
    total = sum(len(kept[i]) for i in live)
    # the shape of the lines above the text is trusted only on a page of sentences (not a table, a list)
    mostly_text = sum(len(kept[i]) for i in live if first <= i <= last) >= _CORE_SHARE * total
    found: dict[int, str] = {i: why for i, why in _running_lines(kept, live, shapes).items()
                             if not (i < first and i == min(j for j in live if kept[j] == kept[i]))}
    # (the first of a repeated line above the text is the document's own: a red header, 德阳市人民政府文件)
    for where, lo, hi in (("head", 0, first), ("foot", last + 1, len(kept))):
        region = [i for i in live if lo <= i < hi]
        if not region or (where == "head" and not mostly_text):
            continue
        protected = {i for i in region if shapes.protects(kept[i], where)}
        evidence = {i for i in range(lo, hi) if i in strong}
        for i in region:  # rows of items between bars and breadcrumb trails are chrome whatever their words
            if _is_item_row(kept[i]):
                found[i] = "shape: row of items"
            elif _is_crumbs(kept[i]):
                found[i] = "shape: breadcrumb"
            elif i in protected:
                continue
            elif where == "head" and _is_space_row(kept[i]):
                found[i] = "shape: row of items"
            elif i in trimmed and _no_sentence(kept[i]) and (where == "foot" or _units(kept[i]) <= _SHORT_UNITS):
                found[i] = "shape: what is left of a line of chrome"
        chrome = evidence | set(found)
        # runs of short lines; blank lines and lines gone already do not break a run
        span = list(range(lo, hi))

        def short(i: int) -> bool:
            return i in live and i not in protected and _units(kept[i]) <= _SHORT_UNITS and _no_sentence(kept[i])

        for run in _runs(span, lambda i: short(i) or i in chrome or i not in live):
            members = [i for i in run if short(i)]
            if where == "head" and len(members) >= _SHORT_RUN:
                pass
            elif where == "foot" and any(i in evidence for i in run):  # below the text: buttons one per line
                members = [i for i in members if _units(kept[i]) <= _BUTTON_UNITS]  # beside a control or a rule
            else:
                continue
            if members:
                for i in members:
                    found.setdefault(i, "shape: run of short lines")
        chrome |= set(found)
        if where == "head":  # a site's name: at the top of the page, with a menu, a trail or a row beside it
            shaped = set(found)
            for n, i in enumerate(region):
                if i in chrome or i in protected or _units(kept[i]) > _BANNER_UNITS or not _no_sentence(kept[i]):
                    continue
                above = [j for j in live if j < i]
                if not all(j in chrome for j in above):
                    break  # the first line of the page that is not chrome, and not a banner, ends the search
                after = region[n + 1] if n + 1 < len(region) else None
                if after in shaped or (above and above[-1] in shaped):
                    found[i] = "shape: banner beside chrome"
                    chrome.add(i)
                else:
                    break
        elif evidence | {i for i, why in found.items() if i in region and why in _UNMISTAKABLE}:
            # below the text: after the first line that rules or control words found, or a row of items or a
            # breadcrumb, all but the document's own lines
            start = min(evidence | {i for i, why in found.items() if i in region and why in _UNMISTAKABLE})
            for i in region:
                if i > start and i not in protected:
                    found.setdefault(i, "shape: below the page's chrome")
    return found


def _label_table(lines: list[str], compiled: _Rules) -> dict[int, str]:
    """The lines of a metadata box laid out in rows: two or more field labels on lines of their own, each
    followed by its value on the next non-blank line (索引号 / 1234/2023-1 / 发文机关 / 市政府办公室 ...)."""
    if compiled.label is None:
        return {}
    live = [i for i, line in enumerate(lines) if line.strip(_LINE_SPACES)]
    found: dict[int, str] = {}
    k = 0
    while k < len(live):
        pairs, j = [], k
        while j + 1 < len(live):
            rule = compiled.whole(compiled.label, lines[live[j]])
            if rule is None or compiled.whole(compiled.label, lines[live[j + 1]]) is not None:
                break
            pairs.append((live[j], live[j + 1], rule))
            j += 2
        if len(pairs) >= 2:
            for label, value, rule in pairs:
                found[label] = found[value] = f"{rule} (a label and its value)"
            k = j
        else:
            k += 1
    return found


def chrome_decisions(text: str, *, rules: Sequence[str | Path] | None = None,
                     control_words: Sequence[str | Path] | None = None,
                     body_shapes: Sequence[str | Path] | None = None) -> pd.DataFrame:
    """What :func:`strip_chrome` does to each line of a text, and why.

    Parameters
    ----------
    text : str
        A text as :func:`strip_chrome` receives it (after Unicode normalisation and
        Traditional->Simplified conversion, as in :func:`clean`).
    rules, control_words : sequence of paths, optional
        As for :func:`strip_chrome`.

    Returns
    -------
    DataFrame
        One row per line: ``line`` (from 1), ``text``, ``kept`` (what is left of
        it; empty when it goes), ``action`` (``kept``, ``trimmed`` or ``removed``)
        and ``by`` (the rules, ``file:line``, or ``control words``, or ``tail of
        file:line``).

    Examples
    --------
    >>> d = chrome_decisions("发布时间:2023-05-06 各区县人民政府:为加快推进数字经济发展,现提出如下意见。\\n责任编辑:张三")
    >>> d[["kept", "action"]].values.tolist()
    [['各区县人民政府:为加快推进数字经济发展,现提出如下意见。', 'trimmed'], ['', 'removed']]
    """
    lines, kept, removed, why = _decide(text, rules, control_words, body_shapes)
    actions = ["removed" if i in removed else "kept" if kept[i] == lines[i] else "trimmed" for i in range(len(lines))]
    return pd.DataFrame({"line": range(1, len(lines) + 1), "text": lines, "kept": kept, "action": actions,
                         "by": ["; ".join(dict.fromkeys(w)) for w in why]})


def _decide(text: str, rules, control_words, body_shapes) -> tuple[list[str], list[str], set[int], list[list[str]]]:
    """The lines of ``text``, what is kept of each, the numbers of those removed, and why (see chrome_decisions)."""
    files = tuple(str(f) for f in (rules if rules is not None else [default_chrome_rules_path()]))
    compiled = _compiled_rules(files)
    lines = text.split("\n")
    kept, why = list(lines), [[] for _ in lines]
    removed: set[int] = set()
    sentences = [i for i, line in enumerate(lines) if _is_sentence(line)]
    first, last = (sentences[0], sentences[-1]) if sentences else (len(lines), len(lines))
    labels = _label_table(lines, compiled)
    for number, line in enumerate(lines):
        tail = (compiled.whole(compiled.tail, line) if number > first else None) or \
            (compiled.whole(compiled.foot, line) if number > last else None)
        if tail is not None:
            for later in range(number, len(lines)):
                removed.add(later)
                kept[later] = ""
                why[later].append(f"tail of {tail}")
            break
        if number in labels:
            removed.add(number)
            kept[number] = ""
            why[number].append(labels[number])
            continue
        left, used = compiled.cut(line)
        if used:
            why[number].extend(used)
            if _WORDY_RE.search(left) is None:
                removed.add(number)
                kept[number] = ""
            else:
                kept[number] = left
    controls = _compiled_control_words(tuple(str(f) for f in (
        control_words if control_words is not None else [default_control_words_path()])))
    if controls is not None:
        for number in _control_line_numbers(kept, controls, frozenset(removed)):
            removed.add(number)
            kept[number] = ""
            why[number].append("control words")
        for number, line in enumerate(kept):
            if number in removed or not line.strip():
                continue
            edge = line.strip(controls.fillers)
            if not edge or (edge[0] not in controls.first and edge[-1].casefold() not in controls.last):
                continue
            start, end, words = _control_edges(line, controls)
            if words:
                kept[number] = line[start:end].strip(_LINE_SPACES)
                why[number].append("control words")
    shape_files = tuple(str(f) for f in (body_shapes if body_shapes is not None else [default_body_shapes_path()]))
    if shape_files:
        strong = frozenset(i for i in range(len(lines)) if why[i])
        trimmed = frozenset(i for i in strong if i not in removed)
        for number, shape in _shape_chrome(kept, removed, _compiled_shapes(shape_files), strong, trimmed).items():
            removed.add(number)
            kept[number] = ""
            why[number].append(shape)
    return lines, kept, removed, why


def strip_chrome(text: str, *, rules: Sequence[str | Path] | None = None,
                 control_words: Sequence[str | Path] | None = None,
                 body_shapes: Sequence[str | Path] | None = None) -> str:
    """Remove page chrome and non-policy text, by the rules and control words in data files.

    Three mechanisms, all driven by data files:

    * rules (``data/cleaning/chrome_rules.tsv``): regular expressions for chrome
      *fields* and *spans* (发布时间:2023-05-06, 来源:市经信局, 责任编辑:张三, a
      breadcrumb trail, a footer's ICP number, a disclaimer), and *tails* (a
      comment box that closes the page). Only the text a rule matches is
      removed; a line goes when nothing but separators, digits and punctuation
      is left of it. So policy text on the same line as chrome (a one-line
      document, a PDF extract) is never removed with it.
    * control words (``data/cleaning/control_words.tsv``): the words of button and
      control bars (打印, 关闭窗口, 下载, 分享到, 收藏, 全屏, 字号: 大 中 小, 视力保护色, 语音播报,
      无障碍, 长者模式, 繁体, 返回顶部, 纠错, 扫一扫在手机打开当前页, ...). A *control line*
      holds nothing but such words, brackets and separators. A block of control lines (blank
      and filler-only lines, and lines a rule removes, may stand between them) is removed at
      the top or the bottom of the text; elsewhere only when it holds two different control
      words (``【打印】【关闭】``), so a lone ``下载`` heading or ``打印机产量增长`` in the body
      stays. Font-size options (大 中 小) count only beside a font-size word (字体, 字号),
      share targets (微信 微博) only beside a control word. A bar of two or more control
      words that opens or closes a line of content is cut from it, up to a separator.
      The file's header explains the format.
    * the shape of chrome, for the portals no list knows: above the page's first
      sentence and below its last one, rows of items between bars, breadcrumb trails,
      runs of three or more short lines (a menu; a font-size block, one button per
      line), a site's name beside them, what is left of a line of fields; below the
      text, everything after the first line that rules or control words found; and
      anywhere, a line a page repeats (a PDF's running header). The document's own
      short lines (title, number, date, headings, salutation, signature) are never
      removed by shape (``data/cleaning/body_shapes.tsv``).

    Only lines and spans are deleted: the output is a subsequence of the input. Blank lines
    stay where chrome was (:func:`join_pdf_breaks` shortens runs of them).
    :func:`chrome_decisions` shows what became of each line, and why.

    Parameters
    ----------
    text : str
    rules : sequence of paths, optional
        Rule files (see ``data/cleaning/chrome_rules.tsv`` in the package for
        the format); default: the package's rules.
    control_words : sequence of paths, optional
        Control-word files (see ``data/cleaning/control_words.tsv`` in the package for
        the format); default: the package's file. Only the files given are used: to add
        your own words, pass the package's file and yours,
        ``[policytext.cleaning.default_control_words_path(), "mine.tsv"]`` (:func:`clean`
        does this with ``control_words=["mine.tsv"]``); ``[]`` switches control lines off.
    body_shapes : sequence of paths, optional
        Files of the lines the shape of chrome never removes (titles, numbers, dates,
        headings, signatures ...; see ``data/cleaning/body_shapes.tsv``); default: the
        package's. As for ``control_words``, only the files given are used; ``[]``
        switches chrome by shape off.

    Examples
    --------
    >>> strip_chrome("【 字体:\\n打印\\n您提出的建议收悉。\\n责任编辑: 甄鹏华\\n分享")
    '您提出的建议收悉。'
    >>> strip_chrome("繁体 | 无障碍浏览 | 长者模式\\n关于推进数字经济的意见\\n【字体:大 中 小】【打印本页】\\n"
    ...              "各区县人民政府:\\n分享经济快速发展。\\n下载\\n扫一扫在手机打开当前页\\n返回顶部")
    '关于推进数字经济的意见\\n各区县人民政府:\\n分享经济快速发展。'
    >>> strip_chrome("各地要密切关注微博、微信等平台上的网络舆情。如有侵权行为依法严肃查处。")
    '各地要密切关注微博、微信等平台上的网络舆情。如有侵权行为依法严肃查处。'
    """
    lines, kept, removed, why = _decide(text, rules, control_words, body_shapes)
    if not any(why):
        return text
    return "\n".join(k for i, k in enumerate(kept) if i not in removed)


strip_chrome.deletes_only = True  # its output is a subsequence of its input (see policytext.text.cleaning)
