"""A corpus on its way through the kit, each stage computed once: what the report and the command line share.

:class:`Pipeline` loads a folder (each file read once, its SHA-256 taken from the bytes read),
cleans it, resolves the grouping column, tokenizes (the units split once, their character
offsets kept), and derives what the analyses share: the tokens without place names, the
content tokens (without place names and genre boilerplate), one matrix of documents
(quanteda's ``dfm``, handed to TF-IDF, similarity and keyness), the group sizes and the
topics' preparation. Each product is computed when first asked for and kept.

Examples
--------
>>> import policytext as pt
>>> p = pt.Pipeline(pt.bundled_corpus_path(), cache=False, progress=False)
>>> p.by, len(p.docs), p.matrix.per_document
('province', 5, True)
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from policytext.compare import counting
from policytext.io import loading
from policytext.report.config import DEFAULT_BY
from policytext.text import cleaning, places, segmentation, vocabulary
from policytext.topics import prepare

__all__ = ["Pipeline", "resolve_by"]

logger = logging.getLogger(__name__)


def resolve_by(docs: pd.DataFrame, by: str | None, *, default: str = DEFAULT_BY) -> tuple[str, str | None]:
    """The column to group by, and why it is not the one asked for (None when it is).

    ``by`` given: it must be a column of ``docs`` (else :class:`policytext.CorpusError`
    naming the columns). ``by`` None: ``default`` where ``docs`` has it, else
    ``doc_id`` (each document its own group), with the reason.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "year": [2021], "text": ["…"]})
    >>> resolve_by(docs, "year")
    ('year', None)
    >>> resolve_by(docs, None)[0]
    'doc_id'
    """
    columns = [c for c in docs.columns if c not in ("text", "text_clean", "encoding")]
    if by is not None:
        if by not in docs.columns:
            raise loading.CorpusError(f"by={by!r}: no such metadata column; columns are {columns}")
        return by, None
    if default in docs.columns:
        return default, None
    meta = [c for c in columns if c not in ("doc_id", "file")]
    reason = (f"the corpus has no column {default!r} "
              + (f"(its metadata columns: {', '.join(meta)})" if meta else "(it has no metadata)")
              + ": every document is its own group (doc_id)")
    return "doc_id", reason


class Pipeline:
    """The stages of the kit on one corpus folder, each computed once, when first asked for.

    Parameters
    ----------
    data_dir : path
        The corpus folder (read by :func:`policytext.load_corpus`).
    by : str, optional
        The metadata column to compare; None: ``default_by`` where the corpus
        has it, else each document its own group (``by_fallback`` says so).
    strict, allow_outside, metadata
        Passed to :func:`policytext.load_corpus` (``metadata``: a metadata table to use instead of the
        folder's ``metadata.csv``).
    tokenizer : dict or PolicyTokenizer, optional
        The tokenizer, or its options.
    n_jobs, cache, cache_dir, progress
        Passed to :func:`policytext.tokenize`.
    drop_places : bool
        Whether ``compared`` (the tokens of TF-IDF, similarity and keyness)
        leaves place names out.
    topic_vocabulary : {"content", "all"}
        The tokens of the topics' preparation: without place names and genre
        boilerplate, or every token.

    Attributes
    ----------
    raw_docs, load_account, by, by_requested, by_fallback, docs, tokens, units, inputs,
    compared, content, matrix, group_sizes, topic_units
        The products, each computed on first use (see each one's documentation).
    """

    def __init__(self, data_dir: str | Path, *, by: str | None = None, default_by: str = DEFAULT_BY,
                 strict: bool = False, allow_outside: bool = False, metadata: str | Path | None = None,
                 tokenizer=None, n_jobs: int = 1,
                 cache: bool = True, cache_dir: str | Path | None = None, progress: bool | None = None,
                 drop_places: bool = True, topic_vocabulary: str = "content"):
        if topic_vocabulary not in ("content", "all"):
            raise ValueError(f"topic_vocabulary must be 'content' or 'all', got {topic_vocabulary!r}")
        self.data_dir = Path(data_dir)
        self.by_requested, self.default_by = by, default_by
        self.strict, self.allow_outside = strict, allow_outside
        self.metadata = metadata
        self._tokenizer_spec = {} if tokenizer is None else tokenizer
        self.n_jobs, self.cache, self.cache_dir, self.progress = n_jobs, cache, cache_dir, progress
        self.drop_places, self.topic_vocabulary = drop_places, topic_vocabulary

    def __repr__(self) -> str:
        done = [name for name in ("raw_docs", "docs", "tokens", "compared", "content", "matrix", "topic_units")
                if name in self.__dict__]
        return f"Pipeline({str(self.data_dir)!r}, by={self.by_requested!r}; computed: {', '.join(done) or 'nothing'})"

    # --- documents -------------------------------------------------------------------------------------------

    @functools.cached_property
    def raw_docs(self) -> pd.DataFrame:
        """The documents as loaded (every input accounted for in :attr:`load_account`)."""
        if not self.data_dir.is_dir():
            raise loading.CorpusError(f"{self.data_dir}: not a folder")
        docs = loading.load_corpus(self.data_dir, metadata=self.metadata, strict=self.strict,
                                   allow_outside=self.allow_outside)
        if docs.empty:
            raise loading.CorpusError(f"{self.data_dir}: no document could be loaded")
        return docs

    @functools.cached_property
    def load_account(self) -> pd.DataFrame:
        """One row per file and metadata row: loaded, skipped (with its reason) or not read."""
        return loading.load_account(self.raw_docs)

    @functools.cached_property
    def _by(self) -> tuple[str, str | None]:
        by, reason = resolve_by(self.raw_docs, self.by_requested, default=self.default_by)
        if reason is not None:
            logger.warning("%s; choose a column with by= (--by)", reason)
        return by, reason

    @property
    def by(self) -> str:
        """The column grouped by."""
        return self._by[0]

    @property
    def by_fallback(self) -> str | None:
        """Why :attr:`by` is not the column asked for (the default missing), or None."""
        return self._by[1]

    @functools.cached_property
    def inputs(self) -> dict[str, str]:
        """SHA-256 of every file read (texts and the metadata table), from the bytes read: no file is read again."""
        account = self.load_account
        read = account[(account["sha256"] != "") & account["file"].notna()]
        hashes = dict(zip(read["file"].astype(str), read["sha256"].astype(str)))
        meta = loading.metadata_file(self.raw_docs)
        hashes.update(zip(meta["file"].astype(str), meta["sha256"].astype(str)))
        return dict(sorted(hashes.items()))

    @functools.cached_property
    def docs(self) -> pd.DataFrame:
        """The cleaned documents (``text_clean``; the account in :func:`policytext.clean_account`)."""
        return cleaning.clean(self.raw_docs, n_jobs=self.n_jobs, progress=self.progress)

    # --- tokens ------------------------------------------------------------------------------------------------

    @functools.cached_property
    def tokenizer(self) -> segmentation.PolicyTokenizer:
        spec = self._tokenizer_spec
        return spec if isinstance(spec, segmentation.PolicyTokenizer) else segmentation.PolicyTokenizer(**spec)

    @functools.cached_property
    def tokens(self) -> pd.DataFrame:
        """One row per token (:func:`policytext.tokenize`), the units split once."""
        return segmentation.tokenize(self.docs, tokenizer=self.tokenizer, n_jobs=self.n_jobs, cache=self.cache,
                                     cache_dir=self.cache_dir, progress=self.progress)

    @functools.cached_property
    def units(self) -> pd.DataFrame:
        """The units tokenize cut: ``doc_id, para_id, start, end`` (offsets into ``text_clean``)."""
        return segmentation.tokenized_units(self.tokens)

    @functools.cached_property
    def compared(self) -> pd.DataFrame:
        """The tokens of TF-IDF, similarity and keyness: without place names if ``drop_places``."""
        return places.drop_place_names(self.tokens) if self.drop_places else self.tokens

    @functools.cached_property
    def content(self) -> pd.DataFrame:
        """The tokens without place names and genre boilerplate (topics, co-word network)."""
        return vocabulary.content_tokens(self.compared if self.drop_places else self.tokens, drop_places=True,
                                         drop_boilerplate=True, purpose="content vocabulary")

    @functools.cached_property
    def matrix(self) -> counting.TermMatrix:
        """The matrix of documents x terms of :attr:`compared`, built once for every count-based statistic."""
        return counting.term_matrix(self.compared)

    @functools.cached_property
    def group_sizes(self) -> pd.DataFrame:
        """Documents and tokens per group of :attr:`by`."""
        return counting.group_sizes(self.tokens, by=self.by)

    @functools.cached_property
    def topic_units(self) -> prepare.TopicUnits:
        """The topics' preparation (:func:`policytext.topic_units`), shared by the sweep, the model and its refits."""
        content = self.topic_vocabulary == "content"
        return prepare.topic_units(self.content if content else self.tokens, drop_places=content,
                                   drop_boilerplate=content)

    # --- fingerprints -------------------------------------------------------------------------------------------

    def fingerprint(self, name: str) -> str:
        """SHA-256 of a product a section reads (``"tokens"`` or ``"docs"``): part of its cache key."""
        if name not in self._fingerprints:
            self._fingerprints[name] = {"tokens": _tokens_fingerprint, "docs": _docs_fingerprint}[name](
                getattr(self, name))
        return self._fingerprints[name]

    @functools.cached_property
    def _fingerprints(self) -> dict:
        return {}


def _tokens_fingerprint(tokens: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for col in tokens.columns:
        values = tokens[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            digest.update("\n".join(map(str, values.cat.categories)).encode("utf-8", "surrogatepass"))
            digest.update(values.cat.codes.to_numpy().tobytes())
        else:
            digest.update(np.asarray(values).tobytes() if values.dtype != object else
                          "\n".join(map(str, values)).encode("utf-8", "surrogatepass"))
    meta = counting.document_metadata(tokens)
    if meta is not None:
        digest.update(meta.to_csv(index=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _docs_fingerprint(docs: pd.DataFrame) -> str:
    """SHA-256 of what a section can read of the documents: ids, cleaned texts and every metadata column."""
    digest = hashlib.sha256()
    columns = [c for c in docs.columns if c not in ("text", "encoding")]
    digest.update("\0".join(map(str, columns)).encode("utf-8", "surrogatepass"))
    for col in columns:
        digest.update(b"\1" + str(docs[col].dtype).encode())
        for value in docs[col].tolist():
            digest.update(b"\0" + ("\2" if value is None or value is pd.NA or (isinstance(value, float) and value != value)
                                   else str(value)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
