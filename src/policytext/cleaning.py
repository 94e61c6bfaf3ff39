"""Cleaning of scraped policy text.

Each step is a plain function ``text -> text``; :func:`clean` runs them in order
on every document, keeps the original ``text`` untouched, writes ``text_clean``
and accounts, per document and step, for the characters removed, added and
converted. Pipelines are compositions: :func:`compose` turns steps into one
function.

The default order matters: encoding damage and pinyin annotations are removed
before NFKC (which would turn a genuine full-width ``？`` into the ``?`` that
marks damage); page-chrome rules and control words run after Traditional->Simplified
conversion so that they can be written once, in Simplified characters.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import _attrs, resources
from .errors import CorpusError
from ._progress import progress_bar

__all__ = [
    "clean",
    "clean_account",
    "compose",
    "strip_encoding_damage",
    "strip_pinyin",
    "normalize_unicode",
    "to_simplified",
    "strip_chrome",
    "chrome_decisions",
    "join_pdf_breaks",
    "DEFAULT_STEPS",
]

logger = logging.getLogger(__name__)

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Han characters, CJK punctuation and full-width forms, Chinese quotes and dashes.
_CJK = _HAN + "\u2e80-\u2fdf\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2026\u2014\u00b7"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_SYLLABLE = rf"[a-zü]*[{_TONED}][a-z{_TONED}ü]*"

# A pinyin annotation put after a character by the scraping site: 發(fā) -> 發.
_PINYIN_RE = re.compile(rf"\({_PINYIN_SYLLABLE}\)")
# Encoding damage: a '?' (or U+FFFD) that stands for a destroyed character, with the
# debris the mis-decoding left after it: ASCII letters and punctuation, private-use
# characters, the tail of a pinyin annotation whose '(' was destroyed, and a Han
# character glued to a following Latin letter (半p, 七M).
_DAMAGE_RE = re.compile(
    rf"[?\ufffd](?:{_PINYIN_SYLLABLE}\)|[A-Za-z!,.;:]|[\ue000-\uf8ff]|[?\ufffd]|[{_HAN}](?=[A-Za-z]))+"
    rf"|\?(?=[\u201c\u300c\u2018][{_HAN}])"
    r"|[\ufffd\ue000-\uf8ff]"
)
_HSPACE = "[ \t\u3000\u00a0]+"
# Chinese next to Chinese, a digit or ASCII punctuation (NFKC turned ，（） into ,() ).
_CJK_OR_NEAR = _CJK + r"0-9,.;:!?()\[\]%"
_SPACE_IN_CJK_RE = re.compile(
    rf"(?<=[{_CJK}]){_HSPACE}(?=[{_CJK_OR_NEAR}])|(?<=[{_CJK_OR_NEAR}]){_HSPACE}(?=[{_CJK}])")
_SENTENCE_FINAL = "。!?;:」』”)》】"


def _deletes_only(step):
    """Mark a step that only ever deletes characters: its output is a subsequence of
    its input, so the account counts its change as a length difference (the tests
    check the claim on every seed)."""
    step.deletes_only = True
    return step


@_deletes_only
def strip_encoding_damage(text: str) -> str:
    """Remove characters destroyed by a mis-decoding, and their debris.

    Examples
    --------
    >>> strip_encoding_damage("成績和進步?,F(xiàn)全文")
    '成績和進步(xiàn)全文'
    >>> strip_encoding_damage("年內投入運營?!半p中心”")
    '年內投入運營中心”'
    """
    return _DAMAGE_RE.sub("", text)


@_deletes_only
def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations with tone marks in parentheses: ``發(fā)展`` -> ``發展``.

    Annotations are removed also where the character before them was destroyed.

    Examples
    --------
    >>> strip_pinyin("數(shù)字經(jīng)濟(jì)")
    '數字經濟'
    """
    return _PINYIN_RE.sub("", text)


def normalize_unicode(text: str) -> str:
    """Unicode NFKC (full-width letters, digits and punctuation, compatibility
    forms), and line breaks as ``\\n`` (from ``\\r\\n`` and ``\\r``).

    Examples
    --------
    >>> normalize_unicode("ＡＰＰ　５Ｇ，")
    'APP 5G,'
    """
    return unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))


@functools.lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str, *, config: str = "t2s") -> str:
    """Convert Traditional to Simplified characters with OpenCC (phrase-aware).

    Examples
    --------
    >>> to_simplified("數字經濟發展")
    '数字经济发展'
    """
    return _converter(config).convert(text)


#: Characters that separate chrome fields and buttons on a line: spaces of every width, bars, dots,
#: slashes, brackets. What a rule leaves at the start of a line is stripped of them.
_SEPARATORS = " \t\u3000\u00a0\u2002\u2003\u2009\u200b|¦丨│/\\·•・,;:、—-_~【】[]〔〕<>«»"
#: What is left of a line that a rule cut is content only if it holds a Han character or a Latin letter.
_WORDY_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z]")


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

    def rule_of(self, match: re.Match) -> str:
        rule = self.sources[match.lastgroup]
        return rule.source

    def cut(self, line: str) -> tuple[str, list[str]]:
        """The line without the chrome the rules match, and the rules that matched."""
        used = []
        if self.start is not None:
            rest = line.lstrip(_SEPARATORS)
            while rest:
                m = self.start.match(rest)
                if m is None or m.end() == 0:
                    break
                used.append(self.rule_of(m))
                rest = rest[m.end():].lstrip(_SEPARATORS)
            if used:
                line = rest
        if self.anywhere is not None and line:
            def drop(m: re.Match) -> str:
                if m.end() > m.start():
                    used.append(self.rule_of(m))
                return ""

            line = self.anywhere.sub(drop, line)
        return line, used

    def is_tail(self, line: str) -> str | None:
        """The rule by which this line, as a whole, starts the page's tail; else None."""
        if self.tail is None:
            return None
        m = self.tail.fullmatch(line.strip(_SEPARATORS))
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


def _read_control_words(file_path: str | Path) -> tuple[dict[str, str], str]:
    """Read a control-word file: ``KIND<TAB>ENTRY[<TAB>NOTE]`` per line; errors name file and line."""
    kinds, fillers = {}, []
    for number, line in resources._read_text_lines(Path(file_path)):
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
        more, more_fillers = _read_control_words(f)
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
        for m in cw.token_rx.finditer(text):
            token = m.group()
            if token in cw.fillers:
                yield m.start() + offset, m.end() + offset, "sep", None
                continue
            kind = cw.kinds.get(token.casefold())
            if kind is None:
                yield m.start() + offset, m.end() + offset, "other", None
                return
            yield m.start() + offset, m.end() + offset, "word", (kind, token.casefold())

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


def chrome_decisions(text: str, *, rules: Sequence[str | Path] | None = None,
                     control_words: Sequence[str | Path] | None = None) -> pd.DataFrame:
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
    files = tuple(str(f) for f in (rules if rules is not None else [default_chrome_rules_path()]))
    compiled = _compiled_rules(files)
    lines = text.split("\n")
    kept, why = list(lines), [[] for _ in lines]
    removed: set[int] = set()
    for number, line in enumerate(lines):
        tail = compiled.is_tail(line)
        if tail is not None:
            for later in range(number, len(lines)):
                removed.add(later)
                kept[later] = ""
                why[later].append(f"tail of {tail}")
            break
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
            if number in removed or not line.strip() or not (set(line) & controls.first):
                continue
            start, end, words = _control_edges(line, controls)
            if words:
                kept[number] = line[start:end].strip(_LINE_SPACES)
                why[number].append("control words")
    actions = ["removed" if i in removed else "kept" if kept[i] == lines[i] else "trimmed" for i in range(len(lines))]
    return pd.DataFrame({"line": range(1, len(lines) + 1), "text": lines, "kept": kept, "action": actions,
                         "by": ["; ".join(dict.fromkeys(w)) for w in why]})


@_deletes_only
def strip_chrome(text: str, *, rules: Sequence[str | Path] | None = None,
                 control_words: Sequence[str | Path] | None = None) -> str:
    """Remove page chrome and non-policy text, by the rules and control words in data files.

    Two mechanisms, both driven by data files:

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
    decisions = chrome_decisions(text, rules=rules, control_words=control_words)
    if not (decisions["action"] != "kept").any():
        return text
    return "\n".join(k for k, a in zip(decisions["kept"], decisions["action"]) if a != "removed")


@_deletes_only
def join_pdf_breaks(text: str) -> str:
    """Remove the spaces and line breaks that PDF extraction leaves inside Chinese text.

    Spaces between Chinese characters, and between a Chinese character and a
    digit or ASCII punctuation, go; spaces next to Latin letters stay (they
    separate Latin words, and do not split Chinese ones). A line break is removed when the line
    before it is a full-width line (at least 85% of the document's 90th
    percentile line length) ending inside a sentence and the next line goes on
    with a Chinese character; other line breaks are paragraph breaks and stay.
    Lines are stripped and runs of blank lines shortened to one.

    Examples
    --------
    >>> join_pdf_breaks("加快推动工业 互联网发 展 ,2021-2023 年。  APP store 10 20")
    '加快推动工业互联网发展,2021-2023年。 APP store 10 20'
    """
    lines = [_SPACE_IN_CJK_RE.sub("", line.strip(" \t\u3000\u00a0"))
             for line in text.replace("\r\n", "\n").split("\n")]  # deletes only: a lone \r is normalize_unicode's
    widths = sorted(len(line) for line in lines if line)
    if len(widths) >= 3:
        p90 = widths[min(len(widths) - 1, int(0.9 * len(widths)))]
        full = 0.85 * p90 if p90 >= 20 else float("inf")
        joined = [lines[0]]
        for line in lines[1:]:
            prev = joined[-1]
            if (line and len(prev) >= full and prev[-1] not in _SENTENCE_FINAL
                    and re.match(rf"[{_HAN}]", line)):
                joined[-1] = prev + line
            else:
                joined.append(line)
        lines = joined
    out = "\n".join(lines)
    out = re.sub(r" {2,}", " ", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip("\n")


#: The default steps, in the order they run.
DEFAULT_STEPS: tuple[Callable[[str], str], ...] = (
    strip_encoding_damage,
    strip_pinyin,
    normalize_unicode,
    to_simplified,
    strip_chrome,
    join_pdf_breaks,
)


def compose(*steps: Callable[[str], str]) -> Callable[[str], str]:
    """Compose cleaning steps into one function ``text -> text``, run left to right.

    Examples
    --------
    >>> f = compose(strip_pinyin, to_simplified)
    >>> f("數(shù)字")
    '数字'
    """

    def composed(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    composed.__name__ = "+".join(_step_name(s) for s in steps)
    return composed


def _step_name(step: Callable) -> str:
    if isinstance(step, functools.partial):
        return _step_name(step.func)
    return getattr(step, "__name__", repr(step))


def clean(
    docs: pd.DataFrame,
    *,
    steps: Sequence[Callable[[str], str]] = DEFAULT_STEPS,
    skip: Iterable[str] = (),
    chrome_rules: Sequence[str | Path] = (),
    default_chrome_rules: bool = True,
    control_words: Sequence[str | Path] = (),
    default_control_words: bool = True,
    column: str = "text",
    progress: bool | None = None,
    return_account: bool = False,
):
    """Clean the documents' text; keep the original and account for every change.

    Parameters
    ----------
    docs : DataFrame
        One row per document with ``doc_id`` and ``text`` (as from
        :func:`policytext.load_corpus`). Not modified.
    steps : sequence of callables
        Functions ``text -> text`` run in order. Default :data:`DEFAULT_STEPS`.
        A step whose attribute ``deletes_only`` is true promises to only delete
        characters; its account is then its length difference. Other steps are
        accounted by aligning their input and output.
    skip : iterable of str
        Names of steps to switch off, e.g. ``skip=["to_simplified"]``.
    chrome_rules : sequence of paths
        Your own page-chrome rule files, used beside (or instead of) the
        package's rules.
    default_chrome_rules : bool
        Use the package's page-chrome rules.
    control_words : sequence of paths
        Your own control-word files (the words of button and control bars, in the
        form of ``data/cleaning/control_words.tsv`` in the package), used beside (or
        instead of) the package's list by :func:`strip_chrome`.
    default_control_words : bool
        Use the package's control words.
    column : str
        The column holding the text.
    progress : bool, optional
        Show a progress bar; by default only for 50 documents or more.
    return_account : bool
        Also return the account table.

    Returns
    -------
    docs : DataFrame
        A copy of ``docs`` with ``text_clean``. The account is also in
        ``attrs["clean_account"]``.
    account : DataFrame
        Only with ``return_account=True``. One row per document and step:
        ``doc_id, step, chars_before, chars_after, chars_removed, chars_added,
        chars_converted`` (converted: replaced by another character, e.g.
        Traditional to Simplified).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["數(shù)字經(jīng)濟 發(fā)展\\n责任编辑:张三"]})
    >>> out = clean(docs)
    >>> out["text_clean"].iloc[0]
    '数字经济发展'
    >>> acc = clean_account(out).set_index("step")
    >>> int(acc.loc["strip_pinyin", "chars_removed"]), int(acc.loc["to_simplified", "chars_converted"])
    (15, 4)
    """
    if column not in docs.columns or "doc_id" not in docs.columns:
        raise KeyError(f"clean needs the columns 'doc_id' and {column!r}; the table has {list(docs.columns)}")
    skip = set(skip)
    unknown = skip - {_step_name(s) for s in steps}
    if unknown:
        raise ValueError(f"skip names unknown step(s) {sorted(unknown)}; steps are {[_step_name(s) for s in steps]}")
    rule_files = ([default_chrome_rules_path()] if default_chrome_rules else []) + [Path(p) for p in chrome_rules]
    for p in chrome_rules:
        resources.read_cleaning_rules(p)  # fail early, naming the file and line
    word_files = ([default_control_words_path()] if default_control_words else []) + [Path(p) for p in control_words]
    for p in control_words:
        _read_control_words(p)
    active = []
    for step in steps:
        name = _step_name(step)
        if name in skip:
            continue
        deletes_only = getattr(step, "deletes_only", False)
        if step is strip_chrome:
            step = functools.partial(strip_chrome, rules=rule_files, control_words=word_files)
        active.append((name, step, deletes_only))

    cleaned, records = [], []
    texts = docs[column].tolist()
    for doc_id, text in progress_bar(zip(docs["doc_id"].tolist(), texts), total=len(texts),
                                     enabled=progress, desc="cleaning", unit="doc"):
        for name, step, deletes_only in active:
            after = step(text)
            if deletes_only:
                removed, added, converted = len(text) - len(after), 0, 0
            else:
                removed, added, converted = _edit_counts(text, after)
            records.append((doc_id, name, len(text), len(after), removed, added, converted))
            text = after
        cleaned.append(text)
    out = docs.copy()
    out["text_clean"] = cleaned
    account = pd.DataFrame(records, columns=["doc_id", "step", "chars_before", "chars_after",
                                             "chars_removed", "chars_added", "chars_converted"])
    _attrs.attach(out, "clean_account", account)
    totals = account.groupby("step", sort=False)[["chars_removed", "chars_converted"]].sum()
    logger.info("cleaned %d documents; per step (removed, converted): %s", len(out),
                {k: tuple(int(x) for x in v) for k, v in totals.iterrows()})
    if return_account:
        return out, account
    return out


def clean_account(docs: pd.DataFrame) -> pd.DataFrame:
    """Return the cleaning account kept with a table made by :func:`clean`.

    Examples
    --------
    >>> out = clean(pd.DataFrame({"doc_id": ["a"], "text": ["發(fā)展"]}))
    >>> int(clean_account(out).set_index("step").loc["strip_pinyin", "chars_removed"])
    4"""
    return _attrs.fetch(docs, "clean_account", "clean")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _hamming(a: str, b: str) -> int:
    """Positions at which two strings of equal length differ."""
    x = np.frombuffer(a.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    y = np.frombuffer(b.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return int(np.count_nonzero(x != y))


def _edit_counts(before: str, after: str) -> tuple[int, int, int]:
    """Characters removed, added and converted (replaced in place) between two versions.

    Lines are aligned first; within a changed block, a pure deletion or insertion
    is counted directly, a same-length change position by position, and anything
    else by a character-level alignment.
    """
    if before == after:
        return 0, 0, 0
    if len(before) == len(after):
        return 0, 0, _hamming(before, after)
    removed = added = converted = 0
    a_lines, b_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(a_lines) == len(b_lines):  # the step kept the lines: pair them directly
        blocks = [(a, b) for a, b in zip(a_lines, b_lines) if a != b]
    else:
        matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
        blocks = [("".join(a_lines[i1:i2]), "".join(b_lines[j1:j2]))
                  for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    for a, b in blocks:
        if len(a) == len(b):
            converted += _hamming(a, b)
        elif len(b) < len(a) and _is_subsequence(b, a):
            removed += len(a) - len(b)
        elif len(a) < len(b) and _is_subsequence(a, b):
            added += len(b) - len(a)
        else:
            for ctag, c1, c2, d1, d2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                if ctag != "equal":
                    converted += min(c2 - c1, d2 - d1)
                    removed += max(0, (c2 - c1) - (d2 - d1))
                    added += max(0, (d2 - d1) - (c2 - c1))
    return removed, added, converted
