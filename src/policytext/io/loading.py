"""Loading: the only module that reads a user's corpus.

It reads a folder of documents, with or without ``metadata.csv``: plain texts (their encoding
detected), PDF (:mod:`policytext.io.pdf`), Word (:mod:`policytext.io.docx`; ``.doc``, ``.wps``,
``.rtf`` and ``.odt`` through LibreOffice, :mod:`policytext.io.office`) and web pages
(:mod:`policytext.io.html`), and keeps an account of every file and metadata row: loaded (by which
reader, and what it removed), or skipped with its reason. The package's own data files are read by
:mod:`policytext.resources`.

Files outside the corpus folder are never read unless the caller passes
``allow_outside=True``: neither a ``file`` entry such as ``../x.txt`` or
``/etc/passwd``, nor a symbolic link whose target lies outside the folder.
Symbolic links inside the folder are followed to files; a link to a folder
inside the corpus is not followed (its files are read where they are).
"""

from __future__ import annotations

import codecs  # noqa: F401  (used by the examples of decode_bytes)
import functools
import hashlib
import logging
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Mapping, NamedTuple, Sequence

import pandas as pd

from policytext._core.deprecation import warn_deprecated
from policytext._core import attrs as _attrs
from policytext.io.decoding import LOW_MARGIN, LOW_PLAUSIBILITY, DecodeFailure, decode, plausibility
from policytext.io.sheets import read_rows
from policytext._core.unicode import normalize_value
from policytext.errors import CorpusError
from policytext.io.resources import bundled_corpus_path, data_path  # noqa: F401  (kept for existing callers)

__all__ = [
    "CorpusError",
    "decode_bytes",
    "plausibility",
    "load_corpus",
    "load_account",
    "metadata_file",
    "metadata_changes",
    "file_sha256",
    "readable_suffixes",
    "read_column_names",
    "describe_removed",
    "STANDARD_COLUMNS",
    "RESERVED_COLUMNS",
    "SKIP_REASONS",
]

logger = logging.getLogger(__name__)

#: Metadata columns of the bundled corpus, in order. Other columns are kept as they are.
STANDARD_COLUMNS = ("doc_id", "file", "province", "city", "level", "year", "date", "doc_type", "title")

#: Columns the package adds to documents, tokens or the tables it groups by metadata. A metadata
#: column with one of these names is renamed ``<name>_meta`` (with a warning), so it can never
#: overwrite, or be overwritten by, the package's own column.
RESERVED_COLUMNS = (
    # documents and tokens
    "text", "text_clean", "encoding", "token", "para_id", "position", "pos", "unit",
    # tables that carry metadata columns (counts, keyness, emphasis, rates, topics, context)
    "beta", "by_probability", "by_relevance", "chars", "chars_raw", "chi2", "covariate", "difference", "dimension",
    "direction", "dispersion", "doc_freq", "docs_reference", "docs_target", "documents", "estimate",
    "excludes_zero", "expected_reference", "expected_target", "feature", "g2", "group_a", "group_b", "high", "hits",
    "hits_reference", "idf", "interval_basis", "keyword", "label", "left", "log_odds", "log_odds_z", "log_ratio",
    "low", "n", "n_chars", "n_chars_raw", "n_docs", "n_docs_reference", "n_docs_target", "n_reference", "n_target",
    "n_tokens", "n_tokens_raw", "n_units", "note", "p_adjusted", "p_perm", "p_perm_adjusted", "p_perm_floor", "p_perm_adjusted_floor", "p_value", "per_10k",
    "per_10k_high", "per_10k_low", "prevalence", "prevalence_a", "prevalence_b", "rank", "rate", "rate_ratio", "reference",
    "right", "share", "share_high", "share_low", "share_of_dimension", "similarity", "single_document", "stability",
    "stable", "subdimension", "sublabel", "target", "term", "tf", "tf_idf", "tokens", "topic", "units",
)

#: Every reason for which a file or a metadata row can be skipped.
SKIP_REASONS = (
    "empty",
    "binary",
    "undecodable",
    "unreadable",
    "broken link",
    "linked folder",
    "outside the corpus folder",
    "not in metadata",
    "file missing",
    "duplicate file",
    "duplicate doc_id",
    "missing required column",
    "unsupported format",
    "not a text file",
    "scanned PDF",
    "needs LibreOffice",
    "not matching pattern",
)

#: Suffixes of documents. One that has a reader (:data:`READERS`) is read; one that has none (OFD, CAJ ...)
#: is *skipped* (with a warning), where any other file that is not a text (README.md, a checksum list, an
#: image) is *not read*.
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".wpt", ".ofd", ".rtf", ".odt", ".html", ".htm", ".mht",
                     ".mhtml", ".xml", ".caj", ".epub")

#: The reader of each suffix a folder's documents are read by: a module of :mod:`policytext.io` whose
#: ``read(path)`` gives a :class:`policytext.io.formats.Read` (``text``: decoded here, see :func:`decode_bytes`).
#: ``html`` counts only where :mod:`policytext.io.html` is installed.
READERS = {".txt": "text", ".pdf": "pdf", ".docx": "docx", ".doc": "office", ".wps": "office", ".rtf": "office",
           ".odt": "office", ".html": "html", ".htm": "html"}

#: When a folder holds several documents of one name (``a.txt`` and ``a.pdf``: one ``doc_id``), the first
#: suffix here is read and the others are skipped (``duplicate doc_id``): a text saved beside a scanned PDF
#: is its text, a DOCX is the source of its PDF.
SUFFIX_PREFERENCE = (".txt", ".docx", ".doc", ".wps", ".odt", ".rtf", ".html", ".htm", ".pdf")

#: What to do with a document in a format without a reader.
_UNSUPPORTED_ADVICE = {
    ".ofd": "OFD is not read (no maintained reader): export it as PDF in an OFD reader (数科阅读器, 福昕OFD), or "
            "save its text as .txt",
    ".caj": "CAJ is not read: export it as PDF in CAJViewer, or save its text as .txt",
    ".html": "web pages are not read by this installation (policytext.io.html is missing): save the page's text "
             "as .txt",
}
_UNSUPPORTED_ADVICE[".htm"] = _UNSUPPORTED_ADVICE[".html"]

#: Names of the metadata table that :func:`load_corpus` looks for in the corpus folder (any case).
METADATA_NAMES = ("metadata.csv", "metadata.tsv", "metadata.xlsx")

ACCOUNT_COLUMNS = ["doc_id", "file", "row", "status", "reason", "detail", "reader", "encoding",
                   "encoding_confidence", "n_bytes", "n_chars", "removed", "sha256"]

#: Columns of :func:`metadata_changes`.
CHANGE_COLUMNS = ["row", "column", "before", "after", "change"]


class _Skip(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def decode_bytes(data: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file, detecting its encoding.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32). Otherwise the bytes are
    decoded as UTF-8, GB18030 (a superset of GBK and GB2312), Big5 (cp950)
    and, if their number is even, UTF-16 without a mark; of the decodings
    without an error the most *plausible* wins: the one whose characters are
    most typical of Chinese text (see :func:`plausibility`). Several of these
    encodings decode almost any bytes without an error (every Big5 pair is a
    valid GB18030 pair), so a decoding that does not fail is no evidence by
    itself. :func:`load_corpus` reports how sure each choice was in the
    account's ``encoding_confidence``.

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
    >>> decode_bytes("數位經濟".encode("big5"))
    ('數位經濟', 'big5')
    >>> decode_bytes(codecs.BOM_UTF8 + "工业互联网".encode("utf-8"))
    ('工业互联网', 'utf-8-sig')
    """
    try:
        decoded = decode(data, encoding)
    except DecodeFailure as failure:
        raise ValueError(failure.reason, failure.detail) from None
    return decoded.text, decoded.encoding


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
    encoding_confidence: float | None = None
    n_bytes: int | None = None
    n_chars: int | None = None
    sha256: str = ""
    reader: str = ""
    removed: str = ""


def load_corpus(
    path: str | Path,
    *,
    metadata: str | Path | pd.DataFrame | None = None,
    required: Sequence[str] = ("file",),
    pattern: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
    allow_outside: bool = False,
    column_names: str | Path | Mapping[str, str | None] | None = None,
    from_header: bool = True,
    return_account: bool = False,
):
    """Load a corpus of policy documents into a table with one row per document.

    Plain texts (``.txt``, any encoding), PDF with a text layer, Word (``.docx``; ``.doc``,
    ``.wps``, ``.rtf``, ``.odt`` where LibreOffice is installed) and web pages (``.html``,
    ``.htm``) are read, each by its reader (:data:`READERS`): see :mod:`policytext.io.pdf`,
    :mod:`policytext.io.docx` and :mod:`policytext.io.office` for what each keeps and removes.

    Parameters
    ----------
    path : str or Path
        A folder. If it holds ``metadata.csv`` (or ``metadata`` is given), the
        metadata's ``file`` column names each document relative to the folder;
        otherwise every document below the folder (see ``pattern``) is loaded
        and ``doc_id`` is taken from its name (without its suffix; of
        ``a.txt`` and ``a.pdf`` only the first of :data:`SUFFIX_PREFERENCE` is
        read, the others skipped as ``duplicate doc_id``).
    metadata : path or DataFrame, optional
        A metadata table to use instead of ``path/metadata.csv``. Needs a
        ``file`` column; ``doc_id`` defaults to the file name without suffix.
        A column named like one the package adds (:data:`RESERVED_COLUMNS`,
        e.g. ``text`` or ``token``) is renamed ``<name>_meta``, with a warning.
        Columns named as legal databases export them (``标题``, ``发布部门``,
        ``发文字号``, ``发布日期`` ...) are renamed to the kit's names (see
        ``column_names``).
    required : sequence of str
        Metadata columns that must not be empty in a row; a row with an empty
        one is skipped (reason ``missing required column``). ``file`` is always
        required.
    pattern : str, optional
        Glob for the documents in the folder, searched recursively (file name
        suffixes in any case). None (the default): every file whose suffix has
        a reader (:func:`readable_suffixes`: ``.txt``, ``.pdf``, ``.docx``,
        ``.doc`` ...). The default was ``"*.txt"`` before PDF and Word
        documents were read; pass it to read the plain texts only (the other
        documents are then listed as ``not read``, reason ``not matching
        pattern``, with a warning). A file the pattern matches
        whose suffix has no reader (``*.md``) is read as plain text.
    encoding : str, optional
        Force this encoding of the plain texts instead of detecting it.
    strict : bool
        Raise :class:`CorpusError` instead of skipping anything.
    allow_outside : bool
        Read files outside the folder: ``file`` entries that are absolute or
        lead out of it (``../other/a.txt``), and symbolic links whose target is
        outside it. Off by default, since a corpus (and its metadata) may come
        from someone else: such a file is skipped with the reason ``outside the
        corpus folder``.
    column_names : path or dict, optional
        Metadata column names to rename, name -> the kit's name, *added to*
        (and taking precedence over) the shipped table
        ``data/metadata/column_names.csv`` (:func:`read_column_names`): a CSV,
        TSV or XLSX table with the columns ``name`` and ``column``, or a dict.
        A column is renamed only when the table has no column of the kit's
        name yet; mapping a name to itself (or to None) keeps it as it is.
        Each rename is listed in :func:`metadata_changes`.
    from_header : bool
        Fill ``doc_number``, ``issuer`` and ``date`` from each text's own header
        and closing lines (:func:`policytext.header_metadata`: a 发文字号 line,
        the 落款 signature and date, a page's 发布日期 field ...) where the
        metadata leaves them empty or has no such column (never a value it
        has). Each filled cell is listed in :func:`metadata_changes`
        (``change``: ``from the text's header``, ``before`` empty) and named,
        with the line it came from, in the document's account ``detail``. A
        column no text gives a value for is not added.
    return_account : bool
        Deprecated (removed in 0.3): also return the load account, as a
        tuple; read it with :func:`load_account` instead.

    Returns
    -------
    docs : DataFrame
        ``doc_id``, every metadata column, ``text`` (exactly as decoded, or
        as the document's reader gave it) and ``encoding`` (a plain text's;
        empty for other documents). Metadata cells are strings, and an empty
        cell stays an empty string rather than NA, so that grouping by that
        column never drops a document silently; ``year`` becomes an integer
        (NA if empty). Metadata a document holds itself (a web page's title
        and date: :attr:`policytext.io.formats.Read.metadata`) fills a cell
        the metadata table leaves empty, or a column it does not have (never
        one it fills); :func:`metadata_changes` lists each (``change``: ``from
        the file``).
        ``file`` is the path relative to the folder, normalised
        (``raw/../raw/a.txt`` becomes ``raw/a.txt``). The account is also in
        ``docs.attrs["load_account"]``.
    account : DataFrame
        What :func:`load_account` gives (the tuple's second item only with the
        deprecated ``return_account=True``): one row per file and per metadata
        row, with ``doc_id, file, row, status, reason, detail, reader,
        encoding, encoding_confidence, n_bytes, n_chars, removed, sha256``.
        ``reader`` names what read the file (``text`` for a plain text,
        ``pypdfium2 4.30.0`` for a PDF ...); ``n_chars`` counts the characters
        it gave; ``removed`` what it removed, counted in lines (``page
        numbers 3; running headers 2``). ``status`` is ``loaded``,
        ``skipped`` (a text, or a document in a format not read, that could
        not be loaded: a warning says how many) or ``not read`` (a file of the
        folder that is not a text of the corpus, such as a README; logged); ``reason`` is one of :data:`SKIP_REASONS`; ``row`` is the
        metadata row as a spreadsheet shows it (the header is row 1);
        ``encoding_confidence`` is the margin by which the chosen decoding was
        more plausible than the best other one (1 when no other decoding
        differs; NaN for a forced encoding). A doubtful choice is named in
        ``detail`` and logged.

    Examples
    --------
    >>> import policytext as pt
    >>> docs = pt.load_corpus(pt.bundled_corpus_path())
    >>> len(docs), docs["province"].nunique()
    (5, 3)
    >>> pt.load_account(docs)["status"].value_counts().to_dict()  # the folder's README is not a text
    {'loaded': 5, 'not read': 2}
    """
    root = Path(path)
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    where = _Where(root, allow_outside)
    source = pd.DataFrame(columns=["file", "n_bytes", "sha256"])
    meta_name = None
    names = _column_names(column_names)
    if metadata is None:
        metadata = find_metadata(root)
    if metadata is None:
        entries, docs = _load_folder(where, pattern, encoding)
    else:
        if isinstance(metadata, pd.DataFrame):
            meta, meta_name = _meta_from_table(metadata), "metadata table"
        else:
            meta_path = Path(metadata)
            try:
                data = meta_path.read_bytes()
            except FileNotFoundError:
                raise CorpusError(f"{meta_path}: metadata file not found") from None
            except OSError as err:
                raise CorpusError(f"{meta_path}: cannot read the metadata: {err.strerror or err}") from None
            meta, meta_name = read_metadata(meta_path, data=data), str(meta_path)
            source = pd.DataFrame({"file": [_relative_name(meta_path, root)], "n_bytes": [len(data)],
                                   "sha256": [hashlib.sha256(data).hexdigest()]})
            where.exclude.add(os.path.realpath(meta_path))
        meta, renames = _map_column_names(meta, meta_name, names)
        meta = _rename_reserved(meta, meta_name)
        entries, docs = _load_with_metadata(where, meta, meta_name, set(required) | {"file"}, pattern, encoding,
                                            renames)

    if from_header and len(docs):
        _fill_from_header(docs, entries)
    account = pd.DataFrame([e.__dict__ for e in entries], columns=ACCOUNT_COLUMNS)
    for col in ("row", "n_bytes", "n_chars"):
        account[col] = account[col].astype("Int64")
    account["encoding_confidence"] = account["encoding_confidence"].astype("float64")
    skipped = account[account["status"] == "skipped"]
    if strict and len(skipped):
        lines = [_describe_skip(r, meta_name) for r in skipped.itertuples()]
        raise CorpusError(f"{len(skipped)} input(s) would be skipped:\n" + "\n".join(lines))
    for r in skipped.itertuples():
        logger.info("skipped %s", _describe_skip(r, meta_name))
    unread = account[account["status"] == "not read"]
    if len(unread):
        logger.info("%s: %d file(s) not read, not being texts of the corpus: %s", root, len(unread),
                    ", ".join(unread["file"].head(5).astype(str)) + (" …" if len(unread) > 5 else ""))
    if len(skipped):
        logger.warning("%s: skipped %d input(s): %s (the load account lists each with its reason)", root,
                       len(skipped), ", ".join(f"{n} {reason}" for reason, n in skipped["reason"].value_counts().items()))
    left_out = unread[unread["reason"] == "not matching pattern"]
    if len(left_out):
        logger.warning("%s: %d document(s) in formats that are read left out by pattern=%r (e.g. %s); pattern=None "
                       "reads them all", root, len(left_out), pattern, left_out["file"].iloc[0])
    doubtful = account[(account["status"] == "loaded") & account["detail"].str.startswith("encoding doubtful")]
    if len(doubtful):
        logger.warning("%s: the encoding of %d file(s) is doubtful (e.g. %s: %s); pass encoding= if you know it",
                       root, len(doubtful), doubtful["file"].iloc[0], doubtful["detail"].iloc[0])
    logger.info("loaded %d documents from %s, skipped %d", len(docs), root, len(skipped))

    _attrs.attach(docs, "load_account", account)
    _attrs.attach(docs, "metadata_file", source)
    if return_account:  # the tuple of earlier releases
        warn_deprecated("load_corpus(..., return_account=True) returns a tuple; call load_corpus(...) and read the account "
                        "with pt.load_account(table)")
        return docs, account
    return docs


#: The metadata columns :func:`load_corpus` fills from a text's own header (``from_header=True``).
HEADER_COLUMNS = ("doc_number", "issuer", "date")


def _fill_from_header(docs: pd.DataFrame, entries: list) -> None:
    """Fill the empty :data:`HEADER_COLUMNS` cells of ``docs`` from each text's header, in place, recording each
    filled cell in the metadata changes and the document's account line."""
    from policytext.io.document_numbers import header_metadata

    found = [header_metadata(text) if isinstance(text, str) else {} for text in docs["text"]]
    loaded = {e.doc_id: e for e in entries if e.status == "loaded"}
    ids = docs["doc_id"].astype(str).tolist()
    changes, notes = [], {}
    for col in HEADER_COLUMNS:
        values = [f.get(col) for f in found]
        if not any(values):
            continue
        if col not in docs.columns:
            docs.insert(docs.columns.get_loc("text"), col, "")
        current = docs[col].tolist()
        for i, value in enumerate(values):
            if value and not (isinstance(current[i], str) and current[i].strip()):
                current[i] = value
                entry = loaded.get(ids[i])
                changes.append((entry.row if entry is not None else None, col, "", value, "from the text's header"))
                notes.setdefault(ids[i], []).append(f"{col} from the text ({found[i].get(col + '_source')})")
        docs[col] = current
    for doc_id, filled in notes.items():
        entry = loaded.get(doc_id)
        if entry is not None:
            entry.detail = "; ".join([entry.detail, *filled]) if entry.detail else "; ".join(filled)
    if changes:
        before = _attrs.held(docs, "metadata_changes")
        table = _changes_table(changes)
        _attrs.attach(docs, "metadata_changes", table if before is None or not len(before)
                      else pd.concat([before, table], ignore_index=True))
        logger.info("%d metadata cell(s) filled from the texts' headers (pt.metadata_changes(docs) lists them)",
                    len(changes))


def _relative_name(path: Path, root: Path) -> str:
    """The metadata file's name relative to the corpus folder where it lies inside it, else its path."""
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return str(path)


def metadata_file(docs: pd.DataFrame) -> pd.DataFrame:
    """The metadata table :func:`load_corpus` read: ``file`` (relative to the corpus folder when inside it),
    ``n_bytes``, ``sha256`` of the bytes it parsed; no row when there was none (or a DataFrame was given).

    Examples
    --------
    >>> metadata_file(load_corpus(bundled_corpus_path()))["file"].tolist()
    ['metadata.csv']
    """
    return _attrs.fetch(docs, "metadata_file", "load_corpus")


def load_account(docs: pd.DataFrame) -> pd.DataFrame:
    """Return the load account kept with a table made by :func:`load_corpus`.

    Examples
    --------
    >>> account = load_account(load_corpus(bundled_corpus_path()))
    >>> account.loc[account["status"] == "loaded", "reason"].eq("").all()
    np.True_"""
    return _attrs.fetch(docs, "load_account", "load_corpus")


def _describe_skip(r, meta_name) -> str:
    where = []
    if r.file is not None and not pd.isna(r.file):
        where.append(f"file {r.file}")
    if r.row is not None and not pd.isna(r.row):
        where.append(f"{meta_name} row {r.row}")
    return f"{', '.join(where)}: {r.reason} ({r.detail})"


# --------------------------------------------------------------------------------------
# Where a file is: inside the corpus folder or not, and whether it can be read.
# --------------------------------------------------------------------------------------

class _Where:
    """The corpus folder, and the rule about files outside it."""

    def __init__(self, root: Path, allow_outside: bool):
        self.root = root
        self.real = Path(os.path.realpath(root))
        self.allow_outside = allow_outside
        self.exclude: set[str] = set()  # real paths read otherwise (the metadata table): not accounted as texts

    def inside(self, real: str | Path) -> bool:
        return Path(real).is_relative_to(self.real)

    def refuse(self, written: str, real: str | Path | None = None) -> _Skip:
        via = f" leads to {real}, which is" if real is not None else " is"
        return _Skip("outside the corpus folder",
                     f"{written!r}{via} outside {self.root}; files outside the corpus folder are read only "
                     "with allow_outside=True (--allow-outside)")

    def resolve(self, written: str) -> tuple[str, Path, str]:
        """A ``file`` entry of the metadata -> (normalised name, path, real path); raises _Skip."""
        posix = written.replace("\\", "/")  # a path written on Windows works too
        absolute = posix.startswith("/") or bool(PureWindowsPath(written).drive)
        norm = posixpath.normpath(posix)
        if not self.allow_outside and (absolute or norm == ".." or norm.startswith("../")):
            raise self.refuse(written)
        file_path = Path(norm) if absolute else self.root / norm
        try:
            real = os.path.realpath(file_path, strict=True)
        except OSError as err:
            if os.path.lexists(file_path):
                raise _Skip("broken link", f"{file_path} is a symbolic link to a file that does not exist "
                                           f"({err.strerror or err})") from None
            raise _Skip("file missing", f"{file_path} does not exist") from None
        if not self.allow_outside and not self.inside(real):
            raise self.refuse(written, real)
        if os.path.isdir(real):
            raise _Skip("file missing", f"{file_path} is a folder, not a file")
        return norm, file_path, real


def readable_suffixes() -> tuple[str, ...]:
    """The suffixes of the documents :func:`load_corpus` reads (by default, every one of them in a folder).

    Examples
    --------
    >>> readable_suffixes()[:4]
    ('.txt', '.pdf', '.docx', '.doc')
    """
    html = _html_available()
    return tuple(s for s, module in READERS.items() if module != "html" or html)


@functools.lru_cache(maxsize=1)
def _html_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("policytext.io.html") is not None


def _unsupported_detail(suffix: str) -> str:
    advice = _UNSUPPORTED_ADVICE.get(suffix.lower())
    if advice is None:
        advice = (f"policytext reads {', '.join(readable_suffixes())}: save it as one of these (DOCX, PDF or UTF-8 "
                  ".txt) to include it")
    return f"a {suffix} document: {advice}"


def _walk(where: _Where, pattern: str | None, entries: list) -> list[tuple[str, Path, str]]:
    """Files below the folder that match ``pattern`` (None: whose suffix has a reader): (relative name, path,
    real path), sorted.

    Folders that cannot be listed, broken or looping links, links leading outside the folder
    (unless allowed) and links to folders inside it become account lines.
    """
    readable = readable_suffixes()

    def matches(rel: str) -> bool:  # file name extensions in any case: a.TXT, b.Txt
        if pattern is None:
            return PurePosixPath(rel).suffix.lower() in readable
        return PurePosixPath(rel.lower()).match(pattern.lower())

    texts = (f"the files matching {pattern!r}" if pattern is not None
             else f"the files with the suffixes {', '.join(readable)}")

    def unread(rel: str, real: str) -> None:
        if real in where.exclude:
            return
        suffix = PurePosixPath(rel).suffix
        if suffix.lower() in readable:  # only with a pattern
            entries.append(_Entry(None, rel, None, "not read", "not matching pattern",
                                  f"a {suffix} document, a format that is read, but not matching pattern "
                                  f"{pattern!r}; pattern=None (the default) reads every format that is read"))
        elif suffix.lower() in DOCUMENT_SUFFIXES:
            entries.append(_Entry(None, rel, None, "skipped", "unsupported format", _unsupported_detail(suffix)))
        else:
            entries.append(_Entry(None, rel, None, "not read", "not a text file",
                                  f"{'suffix ' + suffix if suffix else 'no suffix'}: not a text of the corpus "
                                  f"(the texts are {texts})"))

    found, stack, seen = [], [(where.root, "")], {str(where.real)}
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as err:
            entries.append(_Entry(None, (rel_folder or ".") + "/", None, "skipped", "unreadable",
                                  f"the folder cannot be listed: {err.strerror or err}"))
            continue
        for item in items:
            rel = f"{rel_folder}/{item.name}" if rel_folder else item.name
            if item.is_symlink():
                try:
                    real = os.path.realpath(item.path, strict=True)
                except OSError as err:
                    if True:  # every broken link is accounted for, whatever its name
                        loop = "a loop of symbolic links" if "loop" in str(err).lower() or isinstance(
                            err, RuntimeError) else f"a symbolic link to {os.readlink(item.path)}, which does not exist"
                        entries.append(_Entry(None, rel, None, "skipped", "broken link", f"{rel} is {loop}"))
                    continue
                outside = not where.inside(real)
                if os.path.isdir(real):
                    if outside and not where.allow_outside:
                        entries.append(_Entry(None, rel + "/", None, "skipped", "outside the corpus folder",
                                              where.refuse(rel, real).detail))
                    elif not outside:
                        entries.append(_Entry(None, rel + "/", None, "skipped", "linked folder",
                                              f"a symbolic link to {Path(real).relative_to(where.real).as_posix()}/, "
                                              "a folder of the corpus whose files are read where they are"))
                    elif real not in seen:
                        seen.add(real)
                        stack.append((Path(item.path), rel))
                elif matches(rel):
                    if outside and not where.allow_outside:
                        entries.append(_Entry(None, rel, None, "skipped", "outside the corpus folder",
                                              where.refuse(rel, real).detail))
                    elif os.path.isfile(real):
                        found.append((rel, Path(item.path), real))
                elif not outside:
                    unread(rel, real)
                continue
            try:
                is_dir = item.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                stack.append((Path(item.path), rel))
            elif matches(rel) and item.is_file(follow_symlinks=False):
                found.append((rel, Path(item.path), os.path.realpath(item.path)))
            else:
                unread(rel, os.path.realpath(item.path))
    return sorted(found)


class _Got(NamedTuple):
    """What one document gave: its text, encoding (a plain text's, else empty) and metadata from the file."""

    text: str
    encoding: str
    metadata: dict


def describe_removed(removed: Mapping[str, int]) -> str:
    """What a reader removed, as the load account's ``removed`` column writes it.

    Examples
    --------
    >>> describe_removed({"page numbers": 3, "running headers": 2})
    'page numbers 3; running headers 2'
    """
    return "; ".join(f"{kind} {n}" for kind, n in removed.items() if n)


def _call_reader(module_name: str, file_path: Path, data: bytes):
    import importlib

    module = importlib.import_module(f"policytext.io.{module_name}")
    if module_name in ("pdf", "docx", "office"):
        return module.read(file_path, data=data)
    return module.read(file_path)


def _read_into_account(file_path: Path, doc_id, rel: str, row, encoding, entries: list) -> _Got | None:
    """Read one document with the reader of its suffix; add its line to the account; return what it gave, or
    None if skipped."""
    from policytext.io.formats import Unreadable

    try:
        data = file_path.read_bytes()
    except OSError as err:
        entries.append(_Entry(doc_id, rel, row, "skipped", "unreadable", f"{file_path}: {err.strerror or err}"))
        return None
    suffix = PurePosixPath(rel).suffix.lower()
    module_name = READERS.get(suffix, "text") if suffix in readable_suffixes() else "text"
    if module_name == "text" and suffix in DOCUMENT_SUFFIXES:
        entries.append(_Entry(doc_id, rel, row, "skipped", "unsupported format", _unsupported_detail(suffix),
                              n_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()))
        return None
    if module_name != "text":
        sha = hashlib.sha256(data).hexdigest()
        if not data:
            entries.append(_Entry(doc_id, rel, row, "skipped", "empty", "the file has 0 bytes", n_bytes=0,
                                  sha256=sha))
            return None
        try:
            got = _call_reader(module_name, file_path, data)
        except Unreadable as err:
            reason = err.reason if err.reason in SKIP_REASONS else "unreadable"
            entries.append(_Entry(doc_id, rel, row, "skipped", reason, err.detail, n_bytes=len(data), sha256=sha))
            return None
        except ImportError as err:
            what = (f"needs the package {err.name}, which is not installed (pip install {err.name})" if err.name
                    else f"cannot run: {' '.join(str(err).split())}")
            entries.append(_Entry(doc_id, rel, row, "skipped", "unreadable", f"the {suffix} reader {what}",
                                  n_bytes=len(data), sha256=sha))
            return None
        except Exception as err:  # a library's error on a damaged file: accounted for, not fatal
            logger.debug("%s: the %s reader failed", file_path, module_name, exc_info=True)
            entries.append(_Entry(doc_id, rel, row, "skipped", "unreadable",
                                  f"{file_path.name}: the {suffix} reader failed ({type(err).__name__}: {err})",
                                  n_bytes=len(data), sha256=sha))
            return None
        if not got.text.strip():
            entries.append(_Entry(doc_id, rel, row, "skipped", "empty", f"{got.reader} gave no text",
                                  n_bytes=len(data), sha256=sha, reader=got.reader,
                                  removed=describe_removed(got.removed)))
            return None
        entries.append(_Entry(doc_id, rel, row, "loaded", detail=got.detail, n_bytes=len(data),
                              n_chars=len(got.text), sha256=sha, reader=got.reader,
                              removed=describe_removed(got.removed)))
        return _Got(got.text, "", {k: str(v).strip() for k, v in got.metadata.items() if str(v).strip()})
    try:
        decoded = decode(data, encoding)
    except DecodeFailure as failure:
        entries.append(_Entry(doc_id, rel, row, "skipped", failure.reason, failure.detail, n_bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest()))
        return None
    detail = ""
    if decoded.doubtful:
        detail = (f"encoding doubtful: {decoded.encoding} chosen with plausibility {decoded.plausibility:.2f} "
                  f"(below {LOW_PLAUSIBILITY} is doubtful) and a margin of {decoded.confidence:.2f} over the "
                  f"next best decoding (below {LOW_MARGIN} is doubtful)")
    entries.append(_Entry(doc_id, rel, row, "loaded", detail=detail, encoding=decoded.encoding,
                          encoding_confidence=decoded.confidence, n_bytes=len(data), n_chars=len(decoded.text),
                          sha256=hashlib.sha256(data).hexdigest(), reader="text"))
    return _Got(decoded.text, decoded.encoding, {})


def _changes_table(changes: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame(changes, columns=CHANGE_COLUMNS)
    table["row"] = table["row"].astype("Int64")
    return table


def _note_from_file(entries: list, keys: list[str]) -> None:
    """Say in the document's account line which metadata its file gave."""
    entry = entries[-1]
    note = f"metadata from the file: {', '.join(keys)}"
    entry.detail = f"{entry.detail}; {note}" if entry.detail else note


def _one_per_name(found: list, entries: list) -> list:
    """Of the documents that share a name (``a.txt``, ``a.pdf``: one doc_id), the preferred one; the others
    skipped as ``duplicate doc_id``."""
    def doc_id(rel: str) -> str:
        suffix = PurePosixPath(rel).suffix
        return rel[: -len(suffix)] if suffix else rel

    def rank(rel: str) -> tuple:
        suffix = PurePosixPath(rel).suffix.lower()
        return (SUFFIX_PREFERENCE.index(suffix) if suffix in SUFFIX_PREFERENCE else len(SUFFIX_PREFERENCE), rel)

    by_id: dict[str, list] = {}
    for item in found:
        by_id.setdefault(doc_id(item[0]), []).append(item)
    kept = []
    for same in by_id.values():
        same = sorted(same, key=lambda item: rank(item[0]))
        kept.append(same[0])
        for rel, file_path, _ in same[1:]:
            entries.append(_Entry(doc_id(rel), rel, None, "skipped", "duplicate doc_id",
                                  f"{same[0][0]} has the same name and is read instead (the order of preference: "
                                  f"{', '.join(SUFFIX_PREFERENCE)}); rename one of them to read both"))
    return sorted(kept)


def _load_folder(where: _Where, pattern: str | None, encoding: str | None):
    entries, rows, columns, changes = [], [], [], []
    for rel, file_path, _ in _one_per_name(_walk(where, pattern, entries), entries):
        suffix = PurePosixPath(rel).suffix
        doc_id = rel[: -len(suffix)] if suffix else rel
        got = _read_into_account(file_path, doc_id, rel, None, encoding, entries)
        if got is not None:
            for key, value in got.metadata.items():
                if key in RESERVED_COLUMNS or key in ("doc_id", "file"):
                    continue
                if key not in columns:
                    columns.append(key)
                changes.append((None, key, "", normalize_value(value), "from the file"))
            kept = [k for k in got.metadata if k in columns]
            if kept:
                _note_from_file(entries, kept)
            rows.append({"doc_id": doc_id, "file": rel, **{k: normalize_value(got.metadata[k]) for k in kept},
                         "text": got.text, "encoding": got.encoding})
    docs = pd.DataFrame(rows, columns=["doc_id", "file", *columns, "text", "encoding"])
    for col in columns:
        docs[col] = docs[col].fillna("").astype(str)
    if "year" in columns:
        docs["year"] = _parse_years(docs, "the documents' own metadata")
    _attrs.attach(docs, "metadata_changes", _changes_table(changes))
    return entries, docs


# --------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------

def find_metadata(folder: str | Path) -> Path | None:
    """The metadata table of a corpus folder: ``metadata.csv``, ``.tsv`` or ``.xlsx``, in any case.

    Raises :class:`CorpusError` when the folder holds several (which one is
    meant cannot be told) or one in a format that is not read (``metadata.xls``,
    ``metadata.ods`` ...): a metadata table is never left unread silently.

    Examples
    --------
    >>> find_metadata(bundled_corpus_path()).name
    'metadata.csv'
    """
    folder = Path(folder)
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError as err:
        raise CorpusError(f"{folder}: the folder cannot be listed: {err.strerror or err}") from None
    found = [n for n in names if n.lower() in METADATA_NAMES]
    other = [n for n in names if n.lower().startswith("metadata.") and n.lower() not in METADATA_NAMES
             and PurePosixPath(n.lower()).suffix in (".xls", ".ods", ".numbers", ".json", ".xlsm", ".et", ".dbf")]
    if len(found) > 1:
        raise CorpusError(f"{folder}: several metadata tables ({', '.join(found)}); keep one, or name it with "
                          "metadata=... (--metadata)")
    if other and not found:
        raise CorpusError(f"{folder / other[0]}: a metadata table in a format that is not read; save it as "
                          f"{', '.join(METADATA_NAMES)}, or pass metadata=... (--metadata)")
    return folder / found[0] if found else None


def read_metadata(meta_path: str | Path, *, data: bytes | None = None) -> pd.DataFrame:
    """Read a metadata table (CSV, TSV or XLSX, by the file's suffix) strictly, as text.

    Every row keeps its number as a spreadsheet shows it (the header is row
    1) in ``_row``; a row with more fields than the header, a header without a
    name or with a name twice, is an error naming the row or column. In an
    XLSX workbook the first sheet is read; numbers that are whole (a year) are
    written without ``.0`` and dates as ISO dates (``2021-03-25``). ``data``: the file's
    bytes, if already read.
    """
    meta_path = Path(meta_path)
    records, _ = read_rows(meta_path, what="metadata", data=data)
    return _metadata_table(records, meta_path)


def _read_metadata_csv(meta_path: Path) -> pd.DataFrame:
    """Read metadata.csv strictly (kept for callers of the earlier name): see :func:`read_metadata`."""
    return read_metadata(meta_path)


def _metadata_table(records: list[list[str]], meta_path: Path) -> pd.DataFrame:
    if not records:
        raise CorpusError(f"{meta_path}: the metadata file is empty")
    header = [h.strip() for h in records[0]]
    _check_header(header, str(meta_path))
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if len(record) > len(header):
            extra = [c for c in record[len(header):] if c.strip()]
            raise CorpusError(f"{meta_path} row {number}: {len(record)} fields where the header has {len(header)} "
                              f"({', '.join(header)}); the extra field(s) {extra!r} would shift every column. "
                              "Quote a field that holds a comma")
        rows.append([number] + [c.strip() for c in record] + [""] * (len(header) - len(record)))
    meta = pd.DataFrame(rows, columns=["_row"] + header, dtype=str)
    meta["_row"] = meta["_row"].astype(int)
    return meta


def _check_header(header: list[str], meta_name: str) -> None:
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise CorpusError(f"{meta_name}: column(s) {blank} of the header have no name")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise CorpusError(f"{meta_name}: column(s) {', '.join(map(repr, dupes))} appear more than once in the header")


def _meta_from_table(table: pd.DataFrame) -> pd.DataFrame:
    header = [str(c).strip() for c in table.columns]
    _check_header(header, "metadata table")
    meta = table.copy()
    meta.columns = header
    meta = meta.astype(object).where(meta.notna(), "").astype(str).apply(lambda col: col.str.strip())
    meta.insert(0, "_row", range(2, len(meta) + 2))
    return meta


def read_column_names(path: str | Path | None = None) -> dict[str, str]:
    """Metadata column names and the kit's column each is read as: the shipped table
    (``data/metadata/column_names.csv``: the names legal databases such as 北大法宝 export, ``标题``,
    ``发布部门``, ``发文字号``, ``发布日期`` ...) or your own (CSV, TSV or XLSX with the columns ``name``
    and ``column``; lines starting with ``#`` are comments).

    Examples
    --------
    >>> names = read_column_names()
    >>> names["标题"], names["发布部门"], names["发文字号"], names["发布日期"]
    ('title', 'issuer', 'doc_number', 'date')
    """
    path = Path(path) if path is not None else data_path("metadata", "column_names.csv")
    rows, _ = read_rows(path, what="column names")
    rows = [r for r in rows if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise CorpusError(f"{path}: the table of column names is empty")
    header = [h.strip() for h in rows[0]]
    if "name" not in header or "column" not in header:
        raise CorpusError(f"{path}: the table of column names needs the columns 'name' and 'column' "
                          f"(it has {', '.join(map(repr, header))})")
    i, j = header.index("name"), header.index("column")
    names: dict[str, str] = {}
    for record in rows[1:]:
        record = record + [""] * (len(header) - len(record))
        name, column = record[i].strip(), record[j].strip()
        if name and name not in names:
            names[name] = column or name
    return names


def _column_names(column_names) -> dict[str, str]:
    """The renames load_corpus applies: the caller's (first, winning), then the shipped ones."""
    names = read_column_names()
    if column_names is None:
        return names
    if isinstance(column_names, Mapping):
        own = {str(k).strip(): (str(v).strip() if v is not None and str(v).strip() else str(k).strip())
               for k, v in column_names.items()}
    else:
        own = read_column_names(column_names)
    return {**own, **{k: v for k, v in names.items() if k not in own}}


def _map_column_names(meta: pd.DataFrame, meta_name: str, names: Mapping[str, str]):
    """The metadata with its columns renamed to the kit's names (only where the kit's name is not a column
    already, the first of ``names`` winning), and the renames as rows of metadata_changes."""
    present = set(meta.columns)
    renames: dict[str, str] = {}
    for name, column in names.items():
        if name in present and column != name and column not in present and column not in renames.values():
            renames[name] = column
    if not renames:
        return meta, []
    renames = {c: renames[c] for c in meta.columns if c in renames}  # in the table's order
    kept = [f"{n!r}" for n, c in names.items() if n in present and c != n and n not in renames]
    logger.info("%s: column(s) renamed to the kit's names: %s%s", meta_name,
                ", ".join(f"{n!r} -> {c!r}" for n, c in renames.items()),
                f" ({', '.join(kept)} kept as they are: the kit's name is taken)" if kept else "")
    return meta.rename(columns=renames), [(None, c, n, c, "column renamed") for n, c in renames.items()]


def _rename_reserved(meta: pd.DataFrame, meta_name: str) -> pd.DataFrame:
    clash = [c for c in meta.columns if c in RESERVED_COLUMNS]
    if not clash:
        return meta
    renames = {c: f"{c}_meta" for c in clash}
    taken = [new for new in renames.values() if new in meta.columns]
    if taken:
        raise CorpusError(f"{meta_name}: column(s) {', '.join(map(repr, clash))} are names the package uses, and "
                          f"{', '.join(map(repr, taken))} exist too; rename them")
    logger.warning("%s: column(s) %s renamed %s: the package uses these names for its own columns", meta_name,
                   ", ".join(map(repr, clash)), ", ".join(map(repr, renames.values())))
    return meta.rename(columns=renames)


def _normalise_metadata(meta: pd.DataFrame, meta_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metadata values as they are meant (:func:`policytext._unicode.normalize_value`: invisible characters out,
    spaces and full-width forms normalised, trimmed), and a table of what changed. ``file`` is left as written."""
    changes = []
    out = meta.copy()
    for col in out.columns:
        if col in ("_row", "file"):
            continue
        values = out[col].tolist()
        fixed = [normalize_value(v) if isinstance(v, str) else v for v in values]
        for row, before, after in zip(out["_row"], values, fixed):
            if before != after:
                changes.append((int(row), col, before, after, "normalised"))
        out[col] = fixed
    table = _changes_table(changes)
    if len(table):
        by_column = table["column"].value_counts()
        first = table.iloc[0]
        logger.warning("%s: %d metadata value(s) normalised (invisible characters, spaces, full-width forms): %s; "
                       "e.g. row %d, %s: %r -> %r (pt.metadata_changes(docs) lists them)", meta_name, len(table),
                       ", ".join(f"{n} in {c!r}" for c, n in by_column.items()), first["row"], first["column"],
                       first["before"], first["after"])
    return out, table


def metadata_changes(docs: pd.DataFrame) -> pd.DataFrame:
    """The metadata :func:`load_corpus` changed: ``row`` (as a spreadsheet numbers it), ``column``,
    ``before``, ``after`` and ``change``: ``normalised`` (a value's invisible characters, spaces or
    full-width forms), ``column renamed`` (``before`` the table's name, ``after`` the kit's; no row) or
    ``from the file`` (a value the document itself holds, where the table has none; no row without a
    metadata table). Empty when nothing changed.

    Examples
    --------
    >>> import pandas as pd
    >>> meta = pd.DataFrame({"file": ["raw/002_1b621eb9872a72a3.txt"], "province": ["四川\u200b省"]})
    >>> metadata_changes(load_corpus(bundled_corpus_path(), metadata=meta))[["column", "after"]].values.tolist()
    [['province', '四川省']]
    """
    return _attrs.fetch(docs, "metadata_changes", "load_corpus")


def _load_with_metadata(where: _Where, meta, meta_name, required, pattern, encoding, renames=()):
    if "file" not in meta.columns:
        raise CorpusError(f"{meta_name}: required column 'file' is missing "
                          f"(columns: {', '.join(c for c in meta.columns if c != '_row')})")
    missing_required = [c for c in sorted(required) if c not in meta.columns]
    if missing_required:
        raise CorpusError(f"{meta_name}: required column(s) {', '.join(map(repr, missing_required))} missing")
    meta, changes = _normalise_metadata(meta, meta_name)
    changes = list(renames) + list(changes.itertuples(index=False, name=None))
    has_doc_id = "doc_id" in meta.columns
    check_required = sorted(required | ({"doc_id"} if has_doc_id else set()))
    columns = ["doc_id"] + [c for c in meta.columns if c not in ("doc_id", "_row")]

    entries, rows, claimed_ids, claimed_files, listed, listed_names = [], [], {}, {}, set(), set()
    for rec in meta.to_dict("records"):
        row = rec.pop("_row")  # as a spreadsheet numbers it, the header being row 1
        written = rec["file"]
        try:
            file, file_path, real = where.resolve(written) if written else (None, None, None)
        except _Skip as skip:
            file, file_path, real = posixpath.normpath(written.replace("\\", "/")), None, None
            problem = skip
        else:
            problem = None
        if real is not None:
            listed.add(real)
        if file:
            listed_names.add(file)
        empty = [c for c in check_required if not rec[c]]
        doc_id = rec["doc_id"] if has_doc_id else (PurePosixPath(file).stem if file else None)
        if empty:
            entries.append(_Entry(doc_id or None, file, row, "skipped", "missing required column",
                                  f"column {', '.join(map(repr, empty))} is empty"))
            continue
        if doc_id in claimed_ids:
            entries.append(_Entry(doc_id, file, row, "skipped", "duplicate doc_id",
                                  f"doc_id {doc_id!r} is already used by row {claimed_ids[doc_id]}"))
            continue
        if problem is not None:
            entries.append(_Entry(doc_id, file, row, "skipped", problem.reason, problem.detail))
            continue
        if real in claimed_files:
            first_row, first_file = claimed_files[real]
            same = "" if first_file == file else f" ({first_file!r})"
            entries.append(_Entry(doc_id, file, row, "skipped", "duplicate file",
                                  f"row {first_row} already names this file{same}"))
            continue
        claimed_ids[doc_id] = row
        claimed_files[real] = (row, file)
        got = _read_into_account(file_path, doc_id, file, row, encoding, entries)
        if got is not None:
            filled = {}
            for key, value in got.metadata.items():
                if key in RESERVED_COLUMNS or key in ("doc_id", "file") or rec.get(key, ""):
                    continue  # the metadata table says otherwise: it wins
                filled[key] = normalize_value(value)
                if key not in columns:
                    columns.append(key)
                changes.append((row, key, "", filled[key], "from the file"))
            if filled:
                _note_from_file(entries, list(filled))
            rows.append({**rec, **filled, "doc_id": doc_id, "file": file, "text": got.text,
                         "encoding": got.encoding})

    walked = []
    found = _walk(where, pattern, walked)
    entries += [e for e in walked if e.file not in listed_names]  # a listed broken link has its row already
    for rel, file_path, real in found:
        if real not in listed:
            try:
                size = file_path.stat().st_size
            except OSError:
                size = None
            entries.append(_Entry(None, rel, None, "skipped", "not in metadata",
                                  f"{meta_name} has no row for this file", n_bytes=size))

    docs = pd.DataFrame(rows, columns=columns + ["text", "encoding"])
    for col in columns:
        if docs[col].isna().any():  # a column only some files gave
            docs[col] = docs[col].fillna("")
    if "year" in docs.columns:
        docs["year"] = _parse_years(docs, meta_name)
    _attrs.attach(docs, "metadata_changes", _changes_table(changes))
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


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (for manifests that let a result be reproduced).

    Examples
    --------
    >>> len(file_sha256(data_path("cleaning", "chrome_rules.tsv")))
    64
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
