"""The package's own data files, and users' additions to them.

The one module that reads lexicons, stopword layers, cleaning rules, place
names and the character list of the encoding detector. Only
:mod:`policytext.loading` reads a user's corpus.
"""

from __future__ import annotations

import functools
import importlib.metadata
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from policytext.io.data_files import bundled_corpus_path, data_path, frequent_characters  # noqa: F401 (exported)
from policytext.io.decoding import DecodeFailure, decode
from policytext.errors import CorpusError

__all__ = [
    "data_path",
    "bundled_corpus_path",
    "read_wordlist",
    "read_lexicon",
    "read_cleaning_rules",
    "read_places",
    "read_counties",
    "read_ethnic_groups",
    "read_emphasis_lexicon",
    "read_boilerplate",
    "boilerplate_regex",
    "frequent_characters",
    "jieba_dictionary",
    "text_lines",
    "CleaningRule",
    "EMPHASIS_LEXICONS",
]



@functools.lru_cache(maxsize=64)
def _decoded(path: str, mtime_ns: int, size: int) -> str:
    return decode(Path(path).read_bytes()).text


def _read_data_file(file_path: Path) -> str:
    """The decoded text of a lexicon, stopword or rule file; re-read only when it changes."""
    try:
        stat = Path(file_path).stat()
        return _decoded(str(file_path), stat.st_mtime_ns, stat.st_size)
    except DecodeFailure as failure:
        raise CorpusError(f"{file_path}: {failure.reason} ({failure.detail})") from None
    except FileNotFoundError:
        raise CorpusError(f"{file_path}: file not found") from None


def text_lines(file_path: str | Path) -> Iterable[tuple[int, str]]:
    """The lines of a data file that are not blank or ``#`` comments, stripped, with their numbers (from 1)."""
    text = _read_data_file(file_path)
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def read_wordlist(file_path: str | Path) -> list[str]:
    """Read a word list: one word per line, ``#`` starts a comment line.

    A byte-order mark, ``\\r`` and surrounding white space are removed (jieba
    would silently mis-read them). Errors name the file and the line.

    Examples
    --------
    >>> "进一步" in read_wordlist(data_path("stopwords", "policy_boilerplate.txt"))
    True
    """
    words = []
    for number, line in text_lines(Path(file_path)):
        if len(line.split()) != 1:
            raise CorpusError(f"{file_path}, line {number}: {line!r} is not a single word")
        words.append(line)
    return words


def read_lexicon(file_path: str | Path) -> pd.DataFrame:
    """Read a user dictionary: jieba's format, ``term [freq] [tag]`` per line, or an emphasis lexicon.

    ``# category: name`` comment lines set the ``category`` of the terms after
    them. A TAB-separated file whose header names a ``term`` column (an emphasis
    lexicon, see :func:`read_emphasis_lexicon`) gives its terms, with the
    dimension as category: the same file serves the tokenizer
    (``tokenize(docs, user_dicts=[path])``) and :func:`policytext.emphasis`.
    Returns a table with ``term, freq, tag, category`` (``freq`` is NA where none
    was given). Errors name the file and the line.

    Examples
    --------
    >>> lex = read_lexicon(data_path("lexicon", "policy_terms.txt"))
    >>> lex.loc[lex["term"] == "工业互联网", ["term", "category"]].values.tolist()
    [['工业互联网', 'industrial_internet']]
    >>> read_lexicon(data_path("emphasis", "digital_policy.tsv"))["category"].iloc[0]
    'infrastructure_networks'
    """
    rows, category = [], ""
    file_path = Path(file_path)
    text = _read_data_file(file_path)
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if "\t" in first and "term" in [h.strip() for h in first.split("\t")]:
        table = read_emphasis_lexicon(file_path)
        out = pd.DataFrame({"term": table["term"], "freq": pd.array([pd.NA] * len(table), dtype="Int64"),
                            "tag": "", "category": table["dimension"]})
        return out.drop_duplicates("term").reset_index(drop=True)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = re.match(r"#\s*category\s*:\s*(\S.*)$", line)
        if match:
            category = match.group(1).strip()
            continue
        if line.startswith("#"):
            continue
        parts = line.split()
        term, freq, tag = parts[0], None, ""
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest:
            tag = rest.pop(0)
        if rest or not re.fullmatch(r"[A-Za-z]+", tag or "x"):
            raise CorpusError(f"{file_path}, line {number}: expected 'term [freq] [tag]', got {raw!r}")
        rows.append({"term": term, "freq": freq, "tag": tag, "category": category})
    table = pd.DataFrame(rows, columns=["term", "freq", "tag", "category"])
    table["freq"] = table["freq"].astype("Int64")
    return table


def read_places(file_path: str | Path | None = None) -> pd.DataFrame:
    """Read the table of provinces and prefecture-level divisions.

    Columns: ``province, province_short, city, city_short, kind``.

    Examples
    --------
    >>> places = read_places()
    >>> places.loc[places["city"] == "咸宁市", ["province", "city_short"]].values.tolist()
    [['湖北省', '咸宁']]
    """
    file_path = Path(file_path) if file_path is not None else data_path("lexicon", "places.csv")
    return pd.read_csv(io.StringIO(_read_data_file(file_path)), dtype=str, keep_default_na=False)


def read_counties() -> pd.DataFrame:
    """Read the county-level divisions of China from the ``cpca`` package's data.

    The table comes from ``cpca/resources/adcodes.csv`` (administrative
    division codes with names), read as a file: ``cpca`` itself is not
    imported. Placeholder rows (市辖区) are left out.

    Returns
    -------
    DataFrame
        ``adcode``, ``name``, ``province`` (the name of the province whose
        code the county's code starts with).

    Examples
    --------
    >>> counties = read_counties()
    >>> counties.loc[counties["name"] == "潜江市", "province"].tolist()
    ['湖北省']
    """
    table = pd.read_csv(io.StringIO(_read_data_file(_cpca_file("adcodes.csv"))), dtype=str, keep_default_na=False)
    code = table["adcode"].str[:6]
    provinces = table[code.str[2:] == "0000"].assign(_p=lambda t: t["adcode"].str[:2]).set_index("_p")["name"]
    counties = table[(code.str[4:] != "00") & (table["name"] != "市辖区")].copy()
    counties["province"] = counties["adcode"].str[:2].map(provinces).fillna("")
    return counties[["adcode", "name", "province"]].sort_values("adcode").reset_index(drop=True)


def read_ethnic_groups() -> list[str]:
    """The names of China's 56 ethnic groups (``cpca/resources/56_nations.csv``).

    Examples
    --------
    >>> groups = read_ethnic_groups()
    >>> len(groups), "土家族" in groups
    (56, True)
    """
    return [line.strip() for line in _read_data_file(_cpca_file("56_nations.csv")).splitlines() if line.strip()]


def _cpca_file(name: str) -> Path:
    try:
        path = Path(str(importlib.metadata.distribution("cpca").locate_file(f"cpca/resources/{name}")))
    except importlib.metadata.PackageNotFoundError:
        raise CorpusError("the county-level place names come from the package 'cpca', which is not installed "
                          "(pip install cpca)") from None
    if not path.is_file():
        raise CorpusError(f"{path}: the 'cpca' package has no {name}")
    return path


#: The actions of a page-chrome rule (see ``data/cleaning/chrome_rules.tsv``).
CLEANING_ACTIONS = ("line", "span", "tail", "foot", "label")


@dataclass(frozen=True)
class CleaningRule:
    """A page-chrome rule: ``action`` is one of :data:`CLEANING_ACTIONS`."""

    action: str
    pattern: str
    note: str
    source: str


def read_cleaning_rules(file_path: str | Path) -> list[CleaningRule]:
    """Read page-chrome rules: ``ACTION<TAB>REGEX[<TAB>NOTE]`` per line.

    The actions (:data:`CLEANING_ACTIONS`, explained in the header of
    ``data/cleaning/chrome_rules.tsv``): ``line`` and ``span`` remove what the
    regular expression matches (a line goes when nothing else is left),
    ``tail`` and ``foot`` a whole line that it matches and everything after,
    ``label`` the labels and values of a metadata box laid out in rows. Rules
    of one action are combined into one alternation, so a pattern must not use
    backreferences (``\\1``) or named groups. Errors name file and line.

    Examples
    --------
    >>> rules = read_cleaning_rules(data_path("cleaning", "chrome_rules.tsv"))
    >>> sorted({r.action for r in rules})
    ['foot', 'label', 'line', 'span', 'tail']
    """
    rules = []
    for number, line in text_lines(Path(file_path)):
        parts = line.split("\t")
        if len(parts) < 2 or parts[0] not in CLEANING_ACTIONS:
            raise CorpusError(f"{file_path}, line {number}: expected '{'|'.join(CLEANING_ACTIONS)}<TAB>regex[<TAB>note]', "
                              f"got {line!r}")
        try:
            re.compile(parts[1])
        except re.error as err:
            raise CorpusError(f"{file_path}, line {number}: bad regular expression {parts[1]!r}: {err}") from None
        if "(?P<" in parts[1] or re.search(r"\\[1-9]", parts[1]):
            raise CorpusError(f"{file_path}, line {number}: named groups and backreferences are not allowed "
                              f"(rules are combined into one alternation): {parts[1]!r}")
        rules.append(CleaningRule(parts[0], parts[1], parts[2] if len(parts) > 2 else "",
                                  f"{Path(file_path).name}:{number}"))
    return rules


#: The emphasis lexicons shipped with the package, by name.
EMPHASIS_LEXICONS = {"digital_policy": "digital_policy.tsv", "policy_instruments": "policy_instruments.tsv"}


def read_emphasis_lexicon(lexicon: str | Path = "digital_policy") -> pd.DataFrame:
    """Read an emphasis lexicon: a shipped one by name, or your own file.

    The file is TAB-separated with a header; ``#`` starts a comment line.
    Columns: ``dimension`` and ``term`` (required), ``label``, and optionally
    ``subdimension`` and ``sublabel``. Errors name the file, line and column.

    Examples
    --------
    >>> lex = read_emphasis_lexicon("policy_instruments")
    >>> sorted(lex["dimension"].unique())
    ['demand', 'environment', 'supply']
    """
    if isinstance(lexicon, str) and lexicon in EMPHASIS_LEXICONS:
        file_path = data_path("emphasis", EMPHASIS_LEXICONS[lexicon])
    else:
        file_path = Path(lexicon)
        if not file_path.is_file():
            raise CorpusError(f"{lexicon}: neither a shipped emphasis lexicon ({', '.join(EMPHASIS_LEXICONS)}) "
                              "nor a file")
    lines = [(n, line) for n, line in enumerate(_read_data_file(file_path).splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise CorpusError(f"{file_path}: no header line")
    header = [h.strip() for h in lines[0][1].split("\t")]
    for needed in ("dimension", "term"):
        if needed not in header:
            raise CorpusError(f"{file_path}, line {lines[0][0]}: column {needed!r} is missing (header: {header})")
    rows = []
    for number, line in lines[1:]:
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != len(header):
            raise CorpusError(f"{file_path}, line {number}: {len(cells)} fields where the header has {len(header)}")
        row = dict(zip(header, cells))
        for needed in ("dimension", "term"):
            if not row[needed]:
                raise CorpusError(f"{file_path}, line {number}: column {needed!r} is empty")
        rows.append(row)
    table = pd.DataFrame(rows, columns=header)
    if "label" not in table:
        table["label"] = table["dimension"]
    return table


def jieba_dictionary(words=None) -> dict[str, tuple[int, str]]:
    """Word -> (frequency, part-of-speech tag) of jieba's main dictionary, for ``words`` (default: all).

    The dictionary file is read where the jieba package keeps it, without importing jieba (only
    the segmentation module imports a segmenter). Used to tell place names from ordinary words
    (:mod:`policytext.text.places`).

    Examples
    --------
    >>> jieba_dictionary(["人民政府", "未见之词"])
    {'人民政府': (15227, 'nt')}
    """
    wanted = None if words is None else frozenset(w.encode("utf-8") for w in words)
    return dict(_jieba_entries(wanted))


@functools.lru_cache(maxsize=4)
def _jieba_entries(wanted: frozenset | None) -> tuple:
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise CorpusError("jieba's dictionary is read from the package 'jieba', which is not installed (pip install jieba)")
    entries = []
    with open(Path(spec.origin).parent / "dict.txt", "rb") as fh:
        for raw in fh:
            word, _, rest = raw.partition(b" ")
            if wanted is not None and word not in wanted:
                continue
            parts = rest.split()
            if len(parts) >= 2:
                entries.append((word.decode("utf-8"), (int(parts[0]), parts[1].decode("utf-8"))))
    return tuple(entries)


#: What ``…`` (or ``...``) stands for in a boilerplate phrase: up to 40 characters of one line.
BOILERPLATE_GAP = r"[^\n]{0,40}?"


def boilerplate_regex(line: str) -> str:
    """The regular expression of one line of a boilerplate list (see :func:`read_boilerplate`).

    A phrase is normalised as :func:`policytext.normalize_unicode` does (NFKC);
    ``…`` and ``...`` stand for up to 40 characters of one line, and each
    punctuation mark matches its full-width and half-width forms. A line
    starting with ``re:`` is a regular expression, used as written.

    Examples
    --------
    >>> import re
    >>> pattern = boilerplate_regex("现将…答复如下：")
    >>> bool(re.search(pattern, "现将有关情况答复如下:")), bool(re.search(pattern, "现将有关情况答复如下："))
    (True, True)
    >>> boilerplate_regex("re:^各位代表[:：]$")
    '^各位代表[:：]$'
    """
    import unicodedata

    if line.startswith("re:"):
        return line[3:]
    parts = []
    for piece in re.split(r"…|\.\.\.", line):
        chars = []
        for char in unicodedata.normalize("NFKC", piece):
            wide = chr(ord(char) + 0xFEE0) if "!" <= char <= "~" and not char.isalnum() else None
            chars.append(f"[{re.escape(char)}{wide}]" if wide else re.escape(char))
        parts.append("".join(chars))
    return BOILERPLATE_GAP.join(parts)


def read_boilerplate(file_path: str | Path | None = None) -> list[tuple[str, str]]:
    """Read a boilerplate list: the shipped one (``data/reuse/boilerplate.txt``) or your own.

    One phrase or regular expression per line, ``#`` starts a comment line
    (see :func:`boilerplate_regex` for the syntax). Errors name the file and
    the line.

    Returns
    -------
    list of (str, str)
        The regular expression of each line and where it comes from (``file:line``).

    Examples
    --------
    >>> rules = read_boilerplate()
    >>> any(source.startswith("boilerplate.txt:") for _, source in rules)
    True
    """
    file_path = Path(file_path) if file_path is not None else data_path("reuse", "boilerplate.txt")
    rules = []
    for number, line in text_lines(file_path):
        rules.append((checked_boilerplate_regex(line, where=f"{file_path}, line {number}"),
                      f"{file_path.name}:{number}"))
    return rules


def checked_boilerplate_regex(line: str, *, where: str) -> str:
    """:func:`boilerplate_regex` of ``line``, checked: a :class:`CorpusError` that starts with
    ``where`` (a file and line, or the phrase's place in a list) if it does not compile or
    matches the empty text."""
    pattern = boilerplate_regex(line)
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as err:
        raise CorpusError(f"{where}: bad regular expression {pattern!r}: {err}") from None
    if compiled.search(""):
        raise CorpusError(f"{where}: {line!r} matches the empty text")
    return pattern
