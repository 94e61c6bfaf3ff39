"""Loading: the only module that reads input files from disk.

It reads corpora (a folder of texts with or without ``metadata.csv``), detects
their encodings, keeps an account of every file and metadata row, and reads the
package's own data files (lexicons, stopword layers, cleaning rules) as well as
users' additions to them.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from . import _attrs

__all__ = [
    "CorpusError",
    "decode_bytes",
    "load_corpus",
    "load_account",
    "read_wordlist",
    "read_lexicon",
    "read_cleaning_rules",
    "read_places",
    "read_counties",
    "read_ethnic_groups",
    "data_path",
    "STANDARD_COLUMNS",
    "SKIP_REASONS",
]

logger = logging.getLogger(__name__)

#: Metadata columns of the bundled corpus, in order. Other columns are kept as they are.
STANDARD_COLUMNS = ("doc_id", "file", "province", "city", "level", "year", "date", "doc_type", "title")

#: Every reason for which a file or a metadata row can be skipped.
SKIP_REASONS = (
    "empty",
    "binary",
    "undecodable",
    "not in metadata",
    "file missing",
    "duplicate doc_id",
    "missing required column",
)

ACCOUNT_COLUMNS = ["doc_id", "file", "row", "status", "reason", "detail", "encoding", "n_bytes", "n_chars"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that never occur in text (tab, LF, VT, FF, CR and ESC excepted).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


class CorpusError(ValueError):
    """Bad input: the message names the file, the row and the column concerned."""


class _Skip(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def decode_bytes(data: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file, detecting its encoding.

    Tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32), strict UTF-8,
    strict GB18030 (a superset of GBK and GB2312), then Big5 (cp950). A
    GB18030 decoding full of private-use characters is taken for a wrong one
    (Big5 bytes decode as GB18030 that way).

    Parameters
    ----------
    data : bytes
        The file's content.
    encoding : str, optional
        Use this encoding and skip detection.

    Returns
    -------
    (text, encoding) : tuple of str
        The decoded text and the name of the encoding that decoded it.

    Raises
    ------
    ValueError
        With the reason (``empty``, ``binary`` or ``undecodable``) as the first
        argument and a detail as the second.

    Examples
    --------
    >>> decode_bytes("数字经济".encode("gbk"))
    ('数字经济', 'gb18030')
    >>> decode_bytes(codecs.BOM_UTF8 + "工业互联网".encode("utf-8"))
    ('工业互联网', 'utf-8-sig')
    """
    try:
        return _decode(data, encoding)
    except _Skip as skip:
        raise ValueError(skip.reason, skip.detail) from None


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if not data:
        raise _Skip("empty", "the file has 0 bytes")
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            raise _Skip("undecodable", f"not valid {encoding}: {err.reason} at byte {err.start}") from None
        return _check_text(text), encoding
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as err:
                raise _Skip("undecodable", f"starts with a {name} byte-order mark but is not valid {name}: "
                                           f"{err.reason} at byte {err.start}") from None
            return _check_text(text.lstrip("\ufeff")), name
    head = data[:65536]
    if b"\x00" in head or sum(head.count(b) for b in _CONTROL_BYTES) > 0.01 * len(head):
        raise _Skip("binary", "contains NUL or control bytes that do not occur in text")
    try:
        return _check_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = f"invalid UTF-8 byte 0x{data[err.start]:02x} at offset {err.start}"
    try:
        text = data.decode("gb18030")
        if not _private_use_share(text):
            return _check_text(text), "gb18030"
        gb_error = f"GB18030 gives {_private_use_share(text, count=True)} private-use characters"
    except UnicodeDecodeError as err:
        gb_error = f"invalid GB18030 at offset {err.start}"
    # Traditional-character pages are often Big5: GB18030 fails on them, or decodes
    # them into private-use characters
    try:
        text = data.decode("cp950")
        if not _private_use_share(text):
            return _check_text(text), "big5"
    except UnicodeDecodeError:
        pass
    raise _Skip("undecodable", f"{utf8_error}; {gb_error}; not Big5 either")


def _private_use_share(text: str, *, count: bool = False):
    """Whether more than 0.5% of the characters are private-use (a wrong decoding)."""
    n = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff")
    return n if count else n > 0.005 * max(1, len(text))


def _check_text(text: str) -> str:
    if not text.strip():
        raise _Skip("empty", "the file holds only white space")
    return text


@dataclass
class _Entry:
    """One line of the load account."""

    doc_id: str | None
    file: str | None
    row: int | None
    status: str
    reason: str = ""
    detail: str = ""
    encoding: str = ""
    n_bytes: int | None = None
    n_chars: int | None = None


def load_corpus(
    path: str | Path,
    *,
    metadata: str | Path | pd.DataFrame | None = None,
    required: Sequence[str] = ("file",),
    pattern: str = "*.txt",
    encoding: str | None = None,
    strict: bool = False,
    return_account: bool = False,
):
    """Load a corpus of policy texts into a table with one row per document.

    Parameters
    ----------
    path : str or Path
        A folder. If it holds ``metadata.csv`` (or ``metadata`` is given), the
        metadata's ``file`` column names each text relative to the folder;
        otherwise every file matching ``pattern`` below the folder is loaded and
        ``doc_id`` is taken from its name.
    metadata : path or DataFrame, optional
        A metadata table to use instead of ``path/metadata.csv``. Needs a
        ``file`` column; ``doc_id`` defaults to the file name without suffix.
    required : sequence of str
        Metadata columns that must not be empty in a row; a row with an empty
        one is skipped (reason ``missing required column``). ``file`` is always
        required.
    pattern : str
        Glob for the text files in the folder, searched recursively.
    encoding : str, optional
        Force this encoding instead of detecting it.
    strict : bool
        Raise :class:`CorpusError` instead of skipping anything.
    return_account : bool
        Also return the load account.

    Returns
    -------
    docs : DataFrame
        ``doc_id``, every metadata column, ``text`` (exactly as decoded) and
        ``encoding``. Metadata cells are strings, and an empty cell stays an
        empty string rather than NA, so that grouping by that column never
        drops a document silently; ``year`` becomes an integer (NA if empty).
        The account is also in ``docs.attrs["load_account"]``.
    account : DataFrame
        Only with ``return_account=True``: one row per file and per metadata
        row, with ``doc_id, file, row, status, reason, detail, encoding,
        n_bytes, n_chars``. ``status`` is ``loaded`` or ``skipped``; ``reason``
        is one of :data:`SKIP_REASONS`; ``row`` is the metadata row as a
        spreadsheet shows it (the header is row 1).

    Examples
    --------
    >>> import policytext as pt
    >>> docs = pt.load_corpus(pt.bundled_corpus_path())
    >>> len(docs), docs["province"].nunique()
    (5, 3)
    >>> pt.load_account(docs)["status"].unique().tolist()
    ['loaded']
    """
    root = Path(path)
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    meta_name = None
    if metadata is None and (root / "metadata.csv").is_file():
        metadata = root / "metadata.csv"
    if metadata is None:
        entries, docs = _load_folder(root, pattern, encoding)
    else:
        if isinstance(metadata, pd.DataFrame):
            meta, meta_name = metadata.copy(), "metadata table"
        else:
            meta_path = Path(metadata)
            meta, meta_name = _read_metadata_csv(meta_path), str(meta_path)
        entries, docs = _load_with_metadata(root, meta, meta_name, set(required) | {"file"}, pattern, encoding)

    account = pd.DataFrame([e.__dict__ for e in entries], columns=ACCOUNT_COLUMNS)
    for col in ("row", "n_bytes", "n_chars"):
        account[col] = account[col].astype("Int64")
    skipped = account[account["status"] == "skipped"]
    if strict and len(skipped):
        lines = [_describe_skip(r, meta_name) for r in skipped.itertuples()]
        raise CorpusError(f"{len(skipped)} input(s) would be skipped:\n" + "\n".join(lines))
    for r in skipped.itertuples():
        logger.info("skipped %s", _describe_skip(r, meta_name))
    if len(skipped):
        logger.warning("%s: skipped %d input(s): %s (the load account lists each with its reason)", root,
                       len(skipped), ", ".join(f"{n} {reason}" for reason, n in skipped["reason"].value_counts().items()))
    logger.info("loaded %d documents from %s, skipped %d", len(docs), root, len(skipped))

    _attrs.attach(docs, "load_account", account)
    if return_account:
        return docs, account
    return docs


def load_account(docs: pd.DataFrame) -> pd.DataFrame:
    """Return the load account kept with a table made by :func:`load_corpus`.

    Examples
    --------
    >>> bool(load_account(load_corpus(bundled_corpus_path()))["reason"].eq("").all())
    True"""
    return _attrs.fetch(docs, "load_account", "load_corpus")


def _describe_skip(r, meta_name) -> str:
    where = []
    if r.file is not None and not pd.isna(r.file):
        where.append(f"file {r.file}")
    if r.row is not None and not pd.isna(r.row):
        where.append(f"{meta_name} row {r.row}")
    return f"{', '.join(where)}: {r.reason} ({r.detail})"


def _read_file(file_path: Path, encoding: str | None) -> tuple[str, str, int]:
    data = file_path.read_bytes()
    text, enc = _decode(data, encoding)
    return text, enc, len(data)


def _read_into_account(file_path: Path, doc_id, rel: str, row, encoding, entries: list) -> tuple[str, str] | None:
    """Read one text; add its line to the account; return (text, encoding), or None if skipped."""
    try:
        text, enc, n_bytes = _read_file(file_path, encoding)
    except _Skip as skip:
        entries.append(_Entry(doc_id, rel, row, "skipped", skip.reason, skip.detail, n_bytes=file_path.stat().st_size))
        return None
    entries.append(_Entry(doc_id, rel, row, "loaded", encoding=enc, n_bytes=n_bytes, n_chars=len(text)))
    return text, enc


def _load_folder(root: Path, pattern: str, encoding: str | None):
    entries, rows = [], []
    for file_path in sorted(root.rglob(pattern)):
        if not file_path.is_file():
            continue
        rel = file_path.relative_to(root).as_posix()
        doc_id = rel[: -len(file_path.suffix)] if file_path.suffix else rel
        read = _read_into_account(file_path, doc_id, rel, None, encoding, entries)
        if read is not None:
            rows.append({"doc_id": doc_id, "file": rel, "text": read[0], "encoding": read[1]})
    docs = pd.DataFrame(rows, columns=["doc_id", "file", "text", "encoding"])
    return entries, docs


def _read_metadata_csv(meta_path: Path) -> pd.DataFrame:
    if not meta_path.is_file():
        raise CorpusError(f"{meta_path}: metadata file not found")
    try:
        text, _ = _decode(meta_path.read_bytes(), None)
    except _Skip as skip:
        raise CorpusError(f"{meta_path}: cannot read the metadata: {skip.reason} ({skip.detail})") from None
    try:
        meta = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as err:
        raise CorpusError(f"{meta_path}: not a readable CSV table: {err}") from None
    return meta


def _load_with_metadata(root, meta, meta_name, required, pattern, encoding):
    meta.columns = [str(c).strip() for c in meta.columns]
    if "file" not in meta.columns:
        raise CorpusError(f"{meta_name}: required column 'file' is missing (columns: {', '.join(meta.columns)})")
    missing_required = [c for c in sorted(required) if c not in meta.columns]
    if missing_required:
        raise CorpusError(f"{meta_name}: required column(s) {', '.join(map(repr, missing_required))} missing")
    dupes = meta.columns[meta.columns.duplicated()].tolist()
    if dupes:
        raise CorpusError(f"{meta_name}: column(s) {', '.join(dupes)} appear more than once")
    meta = meta.fillna("").astype(str).apply(lambda col: col.str.strip())
    has_doc_id = "doc_id" in meta.columns
    check_required = sorted(required | ({"doc_id"} if has_doc_id else set()))
    columns = ["doc_id"] + [c for c in meta.columns if c != "doc_id"]

    entries, rows, claimed_ids, listed_files = [], [], {}, set()
    for i, rec in enumerate(meta.to_dict("records")):
        row = i + 2  # as a spreadsheet numbers it, the header being row 1
        file = rec["file"].replace("\\", "/") or None  # a path written on Windows works too
        if file:
            listed_files.add(Path(file).as_posix())
        empty = [c for c in check_required if not rec[c]]
        doc_id = rec["doc_id"] if has_doc_id else (Path(file).with_suffix("").name if file else None)
        if empty:
            entries.append(_Entry(doc_id or None, file, row, "skipped", "missing required column",
                                  f"column {', '.join(map(repr, empty))} is empty"))
            continue
        if doc_id in claimed_ids:
            entries.append(_Entry(doc_id, file, row, "skipped", "duplicate doc_id",
                                  f"doc_id {doc_id!r} is already used by row {claimed_ids[doc_id]}"))
            continue
        claimed_ids[doc_id] = row
        file_path = root / file
        if not file_path.is_file():
            entries.append(_Entry(doc_id, file, row, "skipped", "file missing", f"{file_path} does not exist"))
            continue
        read = _read_into_account(file_path, doc_id, file, row, encoding, entries)
        if read is not None:
            rows.append({**rec, "doc_id": doc_id, "file": file, "text": read[0], "encoding": read[1]})

    for file_path in sorted(root.rglob(pattern)):
        rel = file_path.relative_to(root).as_posix()
        if file_path.is_file() and rel not in listed_files:
            entries.append(_Entry(None, rel, None, "skipped", "not in metadata",
                                  f"{meta_name} has no row for this file", n_bytes=file_path.stat().st_size))

    docs = pd.DataFrame(rows, columns=columns + ["text", "encoding"])
    if "year" in docs.columns:
        docs["year"] = _parse_years(docs, meta_name)
    return entries, docs


def _parse_years(docs: pd.DataFrame, meta_name: str) -> pd.Series:
    values = docs["year"].replace("", None)
    years = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & (years.isna() | (years % 1 != 0))
    if bad.any():
        first = docs.loc[bad].iloc[0]
        raise CorpusError(f"{meta_name}: column 'year' of doc_id {first['doc_id']!r} (file {first['file']}) "
                          f"is {first['year']!r}, not a year")
    return years.astype("Int64")


# --------------------------------------------------------------------------------------
# The package's data files, and users' additions to them.
# --------------------------------------------------------------------------------------

def data_path(*parts: str) -> Path:
    """Path of a data file shipped with the package, e.g. ``data_path("lexicon", "policy_terms.txt")``.

    Examples
    --------
    >>> data_path("cleaning", "chrome_rules.tsv").is_file()
    True"""
    return Path(str(resources.files("policytext").joinpath("data", *parts)))


def bundled_corpus_path() -> Path:
    """Path of the bundled corpus (``data/`` of a source checkout).

    Examples
    --------
    >>> (bundled_corpus_path() / "metadata.csv").is_file()
    True"""
    candidate = Path(__file__).resolve().parents[2] / "data"
    if (candidate / "metadata.csv").is_file():
        return candidate
    raise FileNotFoundError(
        "the bundled corpus is in the data/ folder of a policytext source checkout; "
        f"it was not found at {candidate}")


@functools.lru_cache(maxsize=64)
def _decoded(path: str, mtime_ns: int, size: int) -> str:
    return _decode(Path(path).read_bytes(), None)[0]


def _read_data_file(file_path: Path) -> str:
    """The decoded text of a lexicon, stopword or rule file; re-read only when it changes."""
    try:
        stat = Path(file_path).stat()
        return _decoded(str(file_path), stat.st_mtime_ns, stat.st_size)
    except _Skip as skip:
        raise CorpusError(f"{file_path}: {skip.reason} ({skip.detail})") from None
    except FileNotFoundError:
        raise CorpusError(f"{file_path}: file not found") from None


def _read_text_lines(file_path: Path) -> Iterable[tuple[int, str]]:
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
    for number, line in _read_text_lines(Path(file_path)):
        if len(line.split()) != 1:
            raise CorpusError(f"{file_path}, line {number}: {line!r} is not a single word")
        words.append(line)
    return words


def read_lexicon(file_path: str | Path) -> pd.DataFrame:
    """Read a user dictionary in jieba's format: ``term [freq] [tag]`` per line.

    ``# category: name`` comment lines set the ``category`` of the terms after
    them. Returns a table with ``term, freq, tag, category`` (``freq`` is NA
    where none was given). Errors name the file and the line.

    Examples
    --------
    >>> lex = read_lexicon(data_path("lexicon", "policy_terms.txt"))
    >>> lex.loc[lex["term"] == "工业互联网", ["term", "category"]].values.tolist()
    [['工业互联网', 'industrial_internet']]
    """
    rows, category = [], ""
    file_path = Path(file_path)
    text = _read_data_file(file_path)
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
    import importlib.metadata

    try:
        path = Path(str(importlib.metadata.distribution("cpca").locate_file(f"cpca/resources/{name}")))
    except importlib.metadata.PackageNotFoundError:
        raise CorpusError("the county-level place names come from the package 'cpca', which is not installed "
                          "(pip install cpca)") from None
    if not path.is_file():
        raise CorpusError(f"{path}: the 'cpca' package has no {name}")
    return path


@dataclass(frozen=True)
class CleaningRule:
    """A page-chrome rule: ``action`` is ``line``, ``tail`` or ``span``."""

    action: str
    pattern: str
    note: str
    source: str


def read_cleaning_rules(file_path: str | Path) -> list[CleaningRule]:
    """Read page-chrome rules: ``ACTION<TAB>REGEX[<TAB>NOTE]`` per line.

    ``line`` removes every line in which the regular expression is found;
    ``tail`` removes the first line in which it is found and everything after;
    ``span`` removes each match inside the text. Rules of one action are
    combined into one alternation, so a pattern must not use backreferences
    (``\\1``). Errors name file and line.

    Examples
    --------
    >>> rules = read_cleaning_rules(data_path("cleaning", "chrome_rules.tsv"))
    >>> sorted({r.action for r in rules})
    ['line', 'span', 'tail']
    """
    rules = []
    for number, line in _read_text_lines(Path(file_path)):
        parts = line.split("\t")
        if len(parts) < 2 or parts[0] not in ("line", "tail", "span"):
            raise CorpusError(f"{file_path}, line {number}: expected 'line|tail|span<TAB>regex[<TAB>note]', "
                              f"got {line!r}")
        try:
            re.compile(parts[1])
        except re.error as err:
            raise CorpusError(f"{file_path}, line {number}: bad regular expression {parts[1]!r}: {err}") from None
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


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (for manifests that let a result be reproduced).

    Examples
    --------
    >>> len(file_sha256(data_path("cleaning", "chrome_rules.tsv")))
    64
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
