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
import pickle
import re
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from policytext._core.deprecation import warn_deprecated
from policytext._core import attrs as _attrs
from policytext.io import resources
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext._core.progress import progress_bar
from policytext._core.unicode import INVISIBLE_RE
from policytext.text.chrome import (chrome_decisions, default_body_shapes_path,  # noqa: F401 (exported)
                                    default_chrome_rules_path, default_control_words_path, read_body_shapes,
                                    read_control_words, strip_chrome)

__all__ = [
    "clean",
    "clean_account",
    "compose",
    "strip_invisible",
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
_PINYIN_RE = re.compile(rf"[(（]{_PINYIN_SYLLABLE}[)）]")
# The same without a tone mark (們(men), 的(de)), after a Han character: removed only from a text that carries
# annotations with tone marks, and only if the letters are a pinyin syllable.
_BARE_PINYIN_RE = re.compile(rf"(?<=[{_HAN}])[(（]([a-zü]{{1,6}})[)）]")

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


@functools.lru_cache(maxsize=1)
def _pinyin_syllables() -> frozenset[str]:
    return frozenset(resources.read_wordlist(resources.data_path("cleaning", "pinyin_syllables.txt")))


@_deletes_only
def strip_invisible(text: str) -> str:
    """Remove invisible characters: zero-width spaces and joiners (U+200B-U+200D), the word joiner (U+2060),
    a byte-order mark inside the text (U+FEFF), bidirectional controls (U+202A-U+202E, U+2066-U+2069), soft
    hyphens. Web pages put them inside words (工\u200b业互联网), where they split a term; NFKC keeps them.

    Examples
    --------
    >>> strip_invisible("工\u200b业互\u2060联网\u202e")
    '工业互联网'
    """
    return INVISIBLE_RE.sub("", text)


@_deletes_only
def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations in parentheses: ``發(fā)展`` -> ``發展``.

    An annotation with a tone mark is removed wherever it stands (also where the
    character before it was destroyed). A text that carries such annotations
    also loses those without a tone mark (neutral tones: ``們(men)``, ``的(de)``)
    after a Han character, when the letters are a pinyin syllable
    (``data/cleaning/pinyin_syllables.txt``). A text without any keeps every
    parenthesis: ``工业互联网(IIoT)``, ``应用(APP)``, ``自动化(auto)``.

    Examples
    --------
    >>> strip_pinyin("數(shù)字經(jīng)濟(jì)")
    '數字經濟'
    >>> strip_pinyin("我(wǒ)们(men)的(de)")
    '我们的'
    >>> strip_pinyin("我们的(de)应用(APP)")
    '我们的(de)应用(APP)'
    """
    stripped = _PINYIN_RE.sub("", text)
    if len(stripped) == len(text):
        return text
    syllables = _pinyin_syllables()
    return _BARE_PINYIN_RE.sub(lambda m: "" if m.group(1) in syllables else m.group(0), stripped)


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
    strip_invisible,
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

    composed.__name__ = "+".join(step_name(s) for s in steps)
    return composed


def step_name(step: Callable) -> str:
    """The name of a cleaning step, as ``skip=`` and the account write it (a ``functools.partial`` of a step
    is the step)."""
    if isinstance(step, functools.partial):
        return step_name(step.func)
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
    body_shapes: Sequence[str | Path] = (),
    default_body_shapes: bool = True,
    column: str = "text",
    n_jobs: int = 1,
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
    body_shapes : sequence of paths
        Your own files of lines the shape of chrome never removes (in the form of
        ``data/cleaning/body_shapes.tsv``), beside (or instead of) the package's.
    default_body_shapes : bool
        Use the package's body shapes (``False`` with no file of yours: no chrome by shape).
    column : str
        The column holding the text.
    n_jobs : int
        Worker processes (``-1``: every core). Documents are cleaned whole, in
        groups of about the same length; the result is the same for any number.
        Steps a process cannot receive (a lambda) run in this process.
    progress : bool, optional
        Show a progress bar; by default only for 50 documents or more.
    return_account : bool
        Deprecated (removed in 0.3): also return the account, as a tuple;
        read it with :func:`clean_account` instead.
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
    unknown = skip - {step_name(s) for s in steps}
    if unknown:
        raise ValueError(f"skip names unknown step(s) {sorted(unknown)}; steps are {[step_name(s) for s in steps]}")
    rule_files = ([default_chrome_rules_path()] if default_chrome_rules else []) + [Path(p) for p in chrome_rules]
    for p in chrome_rules:
        resources.read_cleaning_rules(p)  # fail early, naming the file and line
    word_files = ([default_control_words_path()] if default_control_words else []) + [Path(p) for p in control_words]
    for p in control_words:
        read_control_words(p)
    shape_files = ([default_body_shapes_path()] if default_body_shapes else []) + [Path(p) for p in body_shapes]
    for p in body_shapes:
        read_body_shapes(p)
    active = []
    for step in steps:
        name = step_name(step)
        if name in skip:
            continue
        deletes_only = getattr(step, "deletes_only", False)
        if step is strip_chrome:
            step = functools.partial(strip_chrome, rules=rule_files, control_words=word_files, body_shapes=shape_files)
        active.append((name, step, deletes_only))

    texts = docs[column].tolist()
    doc_ids = docs["doc_id"].tolist()
    n_jobs = resolve_n_jobs(n_jobs)
    if n_jobs > 1 and len(texts) > 1:
        try:
            pickle.dumps(active)
        except Exception as err:  # noqa: BLE001 - any step a worker cannot receive
            logger.info("cleaning in this process: a step cannot be sent to a worker (%s)", err)
            n_jobs = 1
    cleaned, records = [], []
    if n_jobs > 1 and len(texts) > 1:
        groups = _groups([len(t) if isinstance(t, str) else 0 for t in texts], 4 * n_jobs)
        with process_pool(n_jobs) as pool:
            done = pool.map(_clean_group, [active] * len(groups),
                            [[(doc_ids[i], texts[i]) for i in group] for group in groups])
            for texts_out, records_out in progress_bar(done, total=len(groups), enabled=progress,
                                                       desc="cleaning", unit="group"):
                cleaned.extend(texts_out)
                records.extend(records_out)
    else:
        for doc_id, text in progress_bar(zip(doc_ids, texts), total=len(texts),
                                         enabled=progress, desc="cleaning", unit="doc"):
            text_out, records_out = _clean_one(active, doc_id, text)
            cleaned.append(text_out)
            records.extend(records_out)
    out = docs.copy()
    out["text_clean"] = cleaned
    account = pd.DataFrame(records, columns=["doc_id", "step", "chars_before", "chars_after",
                                             "chars_removed", "chars_added", "chars_converted"])
    _attrs.attach(out, "clean_account", account)
    totals = account.groupby("step", sort=False)[["chars_removed", "chars_converted"]].sum()
    logger.info("cleaned %d documents; per step (removed, converted): %s", len(out),
                {k: tuple(int(x) for x in v) for k, v in totals.iterrows()})
    if return_account:  # the tuple of earlier releases
        warn_deprecated("clean(..., return_account=True) returns a tuple; call clean(...) and read the account "
                        "with pt.clean_account(table)")
        return out, account
    return out


def _clean_one(active: list, doc_id, text: str) -> tuple[str, list[tuple]]:
    """One document through the active steps, and its account rows."""
    records = []
    for name, step, deletes_only in active:
        after = step(text)
        if deletes_only:
            removed, added, converted = len(text) - len(after), 0, 0
        else:
            removed, added, converted = _edit_counts(text, after)
        records.append((doc_id, name, len(text), len(after), removed, added, converted))
        text = after
    return text, records


def _clean_group(active: list, items: list[tuple]) -> tuple[list[str], list[tuple]]:
    """A worker's share: consecutive documents, their texts and account rows in order."""
    texts, records = [], []
    for doc_id, text in items:
        text_out, records_out = _clean_one(active, doc_id, text)
        texts.append(text_out)
        records.extend(records_out)
    return texts, records


def _groups(lengths: list[int], n_groups: int) -> list[range]:
    """Consecutive documents in about ``n_groups`` groups of about the same total length."""
    total = sum(lengths) or 1
    target = total / max(1, n_groups)
    groups, start, acc = [], 0, 0
    for i, length in enumerate(lengths):
        acc += length
        if acc >= target:
            groups.append(range(start, i + 1))
            start, acc = i + 1, 0
    if start < len(lengths):
        groups.append(range(start, len(lengths)))
    return groups


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
