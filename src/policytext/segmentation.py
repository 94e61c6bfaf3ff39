"""Segmentation: units (paragraphs) and tokens. The only module that imports jieba.

:func:`split_units` cuts each cleaned text into paragraphs with stable ids, and
splits long paragraphs at numbered items and sentence ends. :func:`tokenize`
segments the units with a :class:`PolicyTokenizer` (its own ``jieba.Tokenizer``
instance with the policy lexicon and place names added; jieba's global state is
never touched) and returns one row per token. Results are cached on disk,
keyed by the text and a fingerprint of the whole configuration.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import _attrs, loading
from ._cache import TokenCache, default_cache_dir
from ._progress import progress_bar

__all__ = ["PolicyTokenizer", "tokenize", "split_units", "tokenize_account", "STOPWORD_LAYERS"]

logger = logging.getLogger(__name__)

#: Built-in stopword layers: ``general`` (stopwords-iso's Chinese list, a maintained
#: source) and ``policy`` (policy-genre boilerplate, a data file of the package).
STOPWORD_LAYERS = ("general", "policy")

#: Frequency given to lexicon terms without one of their own. jieba picks the
#: segmentation with the highest product of word probabilities; a high frequency
#: makes a lexicon term win over splits such as 数字/经济总量, and makes a longer
#: lexicon term win over two shorter ones.
LEXICON_FREQ = 200_000

_CACHE_FORMAT = 1
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ITEM_START = re.compile(
    r"(?<=[。;:!?\s])(?=(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|(?<!\d)\d{1,2}[.、](?!\d)))"
)
_SENTENCE_END = re.compile(r"(?<=[。!?;！？；])")
_CLAUSE_END = re.compile(r"(?<=[,，、:：])")
_NUMBER = re.compile(r"[+\-]?(\d[\d.,:/\-~]*%?|[零〇一二三四五六七八九十百千万亿两]+[个项家条次]?)")


# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------

def _pack(pieces: Iterable[str], max_chars: int) -> list[str]:
    """Greedily join consecutive pieces into chunks of at most ``max_chars``."""
    out, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) > max_chars:
            out.append(current)
            current = ""
        current += piece
    if current:
        out.append(current)
    return out


def _split_long(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    out = []
    for item in (p for p in _ITEM_START.split(text) if p):
        if len(item) <= max_chars:
            out.append(item)
            continue
        for chunk in _pack([s for s in _SENTENCE_END.split(item) if s], max_chars):
            if len(chunk) <= max_chars:
                out.append(chunk)
                continue
            for sub in _pack([s for s in _CLAUSE_END.split(chunk) if s], max_chars):
                out.extend(sub[i:i + max_chars] for i in range(0, len(sub), max_chars))
    return [s.strip() for s in out if s.strip()]


def _units_of(text: str, max_chars: int) -> list[str]:
    units = []
    for para in text.split("\n"):
        para = para.strip()
        if para:
            units.extend(_split_long(para, max_chars))
    return units


def split_units(docs: pd.DataFrame, *, column: str = "text_clean", max_chars: int = 300) -> pd.DataFrame:
    """Split each document into units: paragraphs, with long ones cut further.

    A paragraph is a line of the cleaned text. A paragraph longer than
    ``max_chars`` (a PDF extract can be one long line) is cut before numbered
    items (``一、``, ``(一)``, ``1.``), then at sentence ends, then at clause
    ends, packing consecutive pieces up to ``max_chars``.

    Returns
    -------
    DataFrame
        ``doc_id, para_id, text`` with ``para_id`` counting from 0 within each
        document; the same text and ``max_chars`` give the same ids.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["第一段。\\n第二段。一、甲。二、乙。"]})
    >>> split_units(docs, max_chars=6)["text"].tolist()
    ['第一段。', '第二段。', '一、甲。', '二、乙。']
    """
    rows = [(doc_id, i, unit)
            for doc_id, text in zip(docs["doc_id"], docs[column])
            for i, unit in enumerate(_units_of(text, max_chars))]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "text"])


# --------------------------------------------------------------------------------------
# The tokenizer
# --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _base_dictionary() -> tuple[dict, int]:
    """jieba's main dictionary, parsed once per process (about a second)."""
    import jieba

    base = jieba.Tokenizer()
    base.initialize()
    return base.FREQ, base.total


def _new_jieba_tokenizer():
    """A fresh ``jieba.Tokenizer`` of our own, with its own copy of the main dictionary.

    Copying the parsed dictionary takes a few milliseconds where parsing it takes a
    second, so configuring another tokenizer in a notebook is cheap. jieba's global
    tokenizer (``jieba.dt``) is never used.
    """
    import jieba

    freq, total = _base_dictionary()
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = dict(freq), total, True
    return tk


@functools.lru_cache(maxsize=1)
def dictionary_entries() -> dict[str, tuple[int, str]]:
    """Word -> (frequency, part-of-speech tag) of jieba's main dictionary (read once per process).

    Used to tell place names from ordinary words (see :mod:`policytext.places`).
    """
    import jieba

    entries = {}
    with jieba.Tokenizer().get_dict_file() as fh:
        for raw in fh:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 3:
                entries[parts[0]] = (int(parts[1]), parts[2])
    return entries


def _is_punct(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


class PolicyTokenizer:
    """jieba segmentation with a policy lexicon, layered stopwords and filters.

    Parameters
    ----------
    lexicon : bool
        Add the shipped policy lexicon (``data/lexicon/policy_terms.txt``).
    places : bool
        Add the names of provinces, prefecture-level divisions and regions
        (``data/lexicon/regions.txt``: 京津冀, 粤港澳大湾区 ...), so that they
        come out whole.
    drop_places : bool
        Drop place names: provinces, prefecture- and county-level divisions
        and their short forms (see :func:`policytext.place_names`), whatever
        protects them otherwise.
    place_exclusions : sequence of paths, optional
        Word lists of place names that ``drop_places`` keeps because they are
        mostly ordinary words; default: the shipped list.
    user_dicts : sequence of paths
        Your own dictionaries in jieba's format (``term [freq] [tag]``), added
        after the shipped ones. Their terms are never filtered out by the
        shipped stopword layers or the filters.
    stopwords : sequence of str
        Built-in stopword layers to use: any of :data:`STOPWORD_LAYERS`. They
        never remove a lexicon term.
    stopword_files : sequence of paths
        Your own stopword layers, one word per line. They win over the
        lexicons: a word in them is removed even if a lexicon has it (the log
        says which lexicon terms they remove).
    drop_punct, drop_numbers, drop_single : bool
        Drop punctuation and symbols, bare numbers (``2021``, ``4.2``, ``10%``,
        ``二十``), and single characters. Terms such as 5G, IPv6+, DCMM, APP
        are not numbers or punctuation and stay.
    keep : sequence of str
        Tokens never dropped, by anything.
    hmm : bool
        Let jieba's HMM find words missing from its dictionary.
    pos : bool
        Also tag parts of speech (slower).
    max_unit_chars : int
        Longest unit, see :func:`split_units`.

    Attributes
    ----------
    fingerprint_ : str
        Hash of the whole configuration: the cache key's first half.

    Examples
    --------
    >>> tk = PolicyTokenizer()
    >>> tk.tokenize_text("加快推进工业互联网和数字经济发展")
    ['工业互联网', '数字经济', '发展']
    """

    def __init__(
        self,
        *,
        lexicon: bool = True,
        places: bool = True,
        drop_places: bool = False,
        place_exclusions: Sequence[str | Path] | None = None,
        user_dicts: Sequence[str | Path] = (),
        stopwords: Sequence[str] = STOPWORD_LAYERS,
        stopword_files: Sequence[str | Path] = (),
        drop_punct: bool = True,
        drop_numbers: bool = True,
        drop_single: bool = True,
        keep: Sequence[str] = (),
        hmm: bool = True,
        pos: bool = False,
        max_unit_chars: int = 300,
    ):
        unknown = set(stopwords) - set(STOPWORD_LAYERS)
        if unknown:
            raise ValueError(f"unknown stopword layer(s) {sorted(unknown)}; built-in layers: {STOPWORD_LAYERS}")
        if max_unit_chars < 20:
            raise ValueError(f"max_unit_chars must be at least 20, got {max_unit_chars}")
        self.lexicon = lexicon
        self.places = places
        self.drop_places = drop_places
        self.place_exclusions = None if place_exclusions is None else tuple(str(p) for p in place_exclusions)
        self.user_dicts = tuple(str(p) for p in user_dicts)
        self.stopwords = tuple(stopwords)
        self.stopword_files = tuple(str(p) for p in stopword_files)
        self.drop_punct = drop_punct
        self.drop_numbers = drop_numbers
        self.drop_single = drop_single
        self.keep = tuple(keep)
        self.hmm = hmm
        self.pos = pos
        self.max_unit_chars = max_unit_chars
        self._jieba = None
        self._decisions: dict[str, bool] = {}

    # -- configuration and its fingerprint ------------------------------------------
    @cached_property
    def terms_(self) -> pd.DataFrame:
        """Every term added to jieba: ``term, freq, tag, category, source``.

        The shipped lexicon, place names and ``user_dicts``, and the domain
        stopwords (so that they come out whole and can be removed).
        """
        tables = []
        if self.lexicon:
            tables.append(loading.read_lexicon(loading.data_path("lexicon", "policy_terms.txt"))
                          .assign(source="policy_terms"))
        if self.places:
            places = loading.read_places()
            names = pd.unique(pd.concat([places[c] for c in ("province", "province_short", "city", "city_short")]))
            names = [n for n in names if len(n) >= 2]
            names += [n for n in loading.read_wordlist(loading.data_path("lexicon", "regions.txt")) if n not in names]
            # Place names keep jieba's own frequency: they are added so that they come
            # out whole, not so that they win over the words around them.
            tables.append(pd.DataFrame({"term": names, "freq": 0, "tag": "ns", "category": "place",
                                        "source": "places"}))
        for path in self.user_dicts:
            tables.append(loading.read_lexicon(path).assign(source=str(path)))
        # Domain stopwords must come out whole to be removed (责任单位, not 责任/单位); the
        # general list is function words that jieba's own dictionary already has.
        domain = sorted(w for w in self._domain_stopwords() if len(w) >= 2)
        tables.append(pd.DataFrame({"term": domain, "freq": 0, "tag": "", "category": "stopword",
                                    "source": "stopwords"}))
        tables = [t for t in tables if len(t)]
        if not tables:
            return pd.DataFrame(columns=["term", "freq", "tag", "category", "source"])
        terms = pd.concat(tables, ignore_index=True)
        # A term in a lexicon wins over the same word in a stopword layer.
        terms["_stop"] = terms["source"] == "stopwords"
        terms = terms.sort_values("_stop", kind="stable").drop_duplicates("term", keep="first")
        return terms.drop(columns="_stop").reset_index(drop=True)

    def _domain_stopwords(self) -> set[str]:
        words: set[str] = set()
        if "policy" in self.stopwords:
            words |= set(loading.read_wordlist(loading.data_path("stopwords", "policy_boilerplate.txt")))
        for path in self.stopword_files:
            words |= set(loading.read_wordlist(path))
        return words

    @cached_property
    def stopwords_(self) -> frozenset[str]:
        """The union of the stopword layers in use."""
        words: set[str] = set()
        if "general" in self.stopwords:
            import stopwordsiso

            words |= set(stopwordsiso.stopwords("zh"))
        return frozenset(words | self._domain_stopwords())

    @cached_property
    def protected_(self) -> frozenset[str]:
        """Tokens that no shipped stopword layer or filter removes: lexicon terms and ``keep``."""
        lexicon_terms = self.terms_.loc[self.terms_["source"] != "stopwords", "term"]
        return frozenset(lexicon_terms) | frozenset(self.keep)

    @cached_property
    def user_stopwords_(self) -> frozenset[str]:
        """The words of ``stopword_files``: removed even when a lexicon protects them."""
        words: set[str] = set()
        for path in self.stopword_files:
            mine = set(loading.read_wordlist(path))
            overridden = sorted(mine & (self.protected_ - frozenset(self.keep)))
            if overridden:
                logger.warning("stopword file %s removes %d lexicon term(s): %s (your stopwords win over the "
                               "lexicons)", path, len(overridden), ", ".join(overridden[:20]))
            words |= mine
        return frozenset(words - frozenset(self.keep))

    @cached_property
    def places_(self) -> frozenset[str]:
        """The place names dropped with ``drop_places=True`` (empty otherwise)."""
        if not self.drop_places:
            return frozenset()
        from .places import place_names

        return frozenset(place_names(exclusions=self.place_exclusions)["name"]) - frozenset(self.keep)

    def get_params(self) -> dict:
        """The configuration, as keyword arguments."""
        return {k: getattr(self, k) for k in (
            "lexicon", "places", "drop_places", "place_exclusions", "user_dicts", "stopwords", "stopword_files",
            "drop_punct", "drop_numbers", "drop_single", "keep", "hmm", "pos", "max_unit_chars")}

    @cached_property
    def fingerprint_(self) -> str:
        import jieba

        params = self.get_params()
        params.pop("user_dicts")
        params.pop("stopword_files")  # their contents are hashed below, not their paths
        params.pop("place_exclusions")
        from . import __version__

        payload = {
            "format": _CACHE_FORMAT,
            "policytext": __version__,  # the filters and unit splitting are code too
            "jieba": jieba.__version__,
            "params": params,
            "terms": self.terms_[["term", "freq", "tag"]].astype(str).values.tolist(),
            "stopwords": sorted(self.stopwords_),
            "user_stopwords": sorted(self.user_stopwords_),
            "dropped_places": sorted(self.places_),
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    # -- jieba -----------------------------------------------------------------------
    def _tokenizer(self):
        if self._jieba is None:
            tk = _new_jieba_tokenizer()
            for term, freq, tag in self.terms_[["term", "freq", "tag"]].itertuples(index=False):
                if pd.isna(freq):
                    freq = LEXICON_FREQ
                elif freq == 0:
                    freq = None  # let jieba suggest the lowest frequency that keeps it whole
                tk.add_word(term, freq=freq, tag=tag or None)
            self._jieba = tk
            if self.pos:
                import jieba.posseg

                self._posseg = jieba.posseg.POSTokenizer(tk)
        return self._jieba

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_jieba"] = None  # rebuilt lazily in a spawned worker
        state.pop("_posseg", None)
        return state

    def _keep(self, token: str) -> bool:
        decision = self._decisions.get(token)
        if decision is None:
            if token in self.keep:
                decision = True
            elif token in self.user_stopwords_ or token in self.places_:
                decision = False
            elif token in self.protected_:
                decision = True
            elif token in self.stopwords_:
                decision = False
            elif self.drop_punct and _is_punct(token):
                decision = False
            elif self.drop_numbers and _NUMBER.fullmatch(token):
                decision = False
            elif self.drop_single and len(token) == 1:
                decision = False
            else:
                decision = True
            self._decisions[token] = decision
        return decision

    def _segment(self, text: str):
        tk = self._tokenizer()
        if self.pos:
            return [(p.word, p.flag) for p in self._posseg.cut(text, HMM=self.hmm)]
        return [(w, None) for w in tk.cut(text, HMM=self.hmm)]

    def tokenize_text(self, text: str) -> list[str]:
        """Segment one text and return the kept tokens."""
        return [w for w, _ in self._segment(text) if not w.isspace() and self._keep(w)]

    def tokenize_doc(self, text: str) -> dict:
        """Segment a document into units and tokens (kept tokens only).

        Returns a dict of ``para_id``, ``position`` (index of the token among
        all the document's tokens, dropped ones included, so gaps show where
        tokens were removed), ``token``, ``pos`` (or None), ``n_units`` and
        ``n_raw`` (tokens before filtering).
        """
        para_ids, positions, tokens, tags = [], [], [], []
        position = 0
        units = _units_of(text, self.max_unit_chars)
        keep = self._keep
        if self.pos:
            for para_id, unit in enumerate(units):
                for word, tag in self._segment(unit):
                    if word.isspace():
                        continue
                    if keep(word):
                        para_ids.append(para_id)
                        positions.append(position)
                        tokens.append(word)
                        tags.append(tag)
                    position += 1
        else:  # the common path, without a tuple per word
            cut, hmm = self._tokenizer().cut, self.hmm
            for para_id, unit in enumerate(units):
                for word in cut(unit, HMM=hmm):
                    if word.isspace():
                        continue
                    if keep(word):
                        para_ids.append(para_id)
                        positions.append(position)
                        tokens.append(word)
                    position += 1
        return {
            "para_id": np.asarray(para_ids, dtype=np.int32),
            "position": np.asarray(positions, dtype=np.int32),
            "token": tokens,
            "pos": tags if self.pos else None,
            "n_units": len(units),
            "n_raw": position,
        }


def jieba_logger() -> logging.Logger:
    """jieba's logger. jieba sets it to DEBUG with a handler of its own when it is
    imported; an application (such as the command line) may quieten it."""
    import jieba

    return jieba.default_logger


# --------------------------------------------------------------------------------------
# Tokenizing a corpus
# --------------------------------------------------------------------------------------

_WORKER: PolicyTokenizer | None = None
#: Start method of the worker pool: None is the platform's default (fork on Linux,
#: spawn on Windows and macOS). Both work: the tests run the pool with "spawn" too.
_MP_START: str | None = None


def _init_worker(tokenizer: PolicyTokenizer) -> None:
    global _WORKER
    _WORKER = tokenizer


def _work(texts: list[str]) -> list[dict]:
    return [_WORKER.tokenize_doc(t) for t in texts]


def _chunks(indices: list[int], sizes: list[int], n_chunks: int) -> list[list[int]]:
    """Split indices into about ``n_chunks`` runs of similar total size, in order."""
    total = sum(sizes) or 1
    target = total / max(1, n_chunks)
    chunks, current, acc = [], [], 0
    for i, size in zip(indices, sizes):
        current.append(i)
        acc += size
        if acc >= target:
            chunks.append(current)
            current, acc = [], 0
    if current:
        chunks.append(current)
    return chunks


def tokenize(
    docs: pd.DataFrame,
    *,
    tokenizer: PolicyTokenizer | None = None,
    column: str = "text_clean",
    n_jobs: int = 1,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: bool | None = None,
    **options,
) -> pd.DataFrame:
    """Segment documents into a tidy table with one row per token.

    Parameters
    ----------
    docs : DataFrame
        One row per document with ``doc_id`` and the text ``column`` (as from
        :func:`policytext.clean`). Not modified.
    tokenizer : PolicyTokenizer, optional
        A configured tokenizer; or give its options as keywords
        (``tokenize(docs, stopwords=["general"], pos=True)``).
    column : str
        The text column; ``text_clean`` by default.
    n_jobs : int
        Worker processes (a process pool that works on every OS; jieba's own
        parallel mode is POSIX-only). ``-1`` uses every core.
    cache : bool
        Read and write the token cache. The key is the text and the tokenizer's
        fingerprint (lexicon, stopwords, options, jieba version).
    cache_dir : path, optional
        Where the cache lives; default ``$POLICYTEXT_CACHE_DIR`` or the user's
        cache folder (``~/.cache/policytext``).
    progress : bool, optional
        Show a progress bar; by default only for 50 documents or more.

    Returns
    -------
    DataFrame
        ``doc_id, para_id, position, token`` (``pos`` with ``pos=True``), then
        every metadata column of ``docs`` (categorical), so that any analysis
        can group by ``province`` or ``year`` without merging. The account per
        document (units, raw and kept tokens, cache hit) is in
        ``attrs["tokenize_account"]``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "province": ["湖北省"],
    ...                      "text_clean": ["加快工业互联网发展。\\n数字经济"]})
    >>> tokenize(docs, cache=False)[["doc_id", "para_id", "position", "token", "province"]].values.tolist()
    [['a', 0, 1, '工业互联网', '湖北省'], ['a', 0, 2, '发展', '湖北省'], ['a', 1, 4, '数字经济', '湖北省']]
    """
    if tokenizer is None:
        tokenizer = PolicyTokenizer(**options)
    elif options:
        raise TypeError("give either a tokenizer or its options, not both")
    for needed in ("doc_id", column):
        if needed not in docs.columns:
            raise KeyError(f"tokenize needs the column {needed!r}; the table has {list(docs.columns)}")
    ids = docs["doc_id"].astype(str)  # doc_id is text in the tokens table
    dupes = ids[ids.duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"doc_id must be unique (as text); repeated: {dupes[:5]}")
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1

    texts = [t if isinstance(t, str) else "" for t in docs[column].tolist()]
    store = TokenCache(Path(cache_dir) if cache_dir is not None else default_cache_dir()) if cache else None
    results: list[dict | None] = [None] * len(texts)
    keys = [None] * len(texts)
    if store is not None:
        fp = tokenizer.fingerprint_
        for i, text in enumerate(texts):
            keys[i] = store.key(fp, text)
            results[i] = store.get(keys[i])
    missing = [i for i, r in enumerate(results) if r is None]
    hits = len(texts) - len(missing)

    if missing:
        if n_jobs > 1 and len(missing) > 1:
            tokenizer._tokenizer()  # initialise once: a forked worker inherits it, a spawned one rebuilds it
            chunks = _chunks(missing, [len(texts[i]) for i in missing], n_chunks=4 * n_jobs)
            context = multiprocessing.get_context(_MP_START)
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=context, initializer=_init_worker,
                                     initargs=(tokenizer,)) as pool:
                done = pool.map(_work, [[texts[i] for i in chunk] for chunk in chunks])
                for chunk, out in progress_bar(zip(chunks, done), total=len(chunks), enabled=progress,
                                               desc="tokenizing", unit="chunk"):
                    for i, result in zip(chunk, out):
                        results[i] = result
        else:
            for i in progress_bar(missing, total=len(missing), enabled=progress, desc="tokenizing", unit="doc"):
                results[i] = tokenizer.tokenize_doc(texts[i])
        if store is not None:
            for i in missing:
                store.put(keys[i], results[i])
    tokenizer.cache_hits_, tokenizer.cache_misses_ = hits, len(missing)
    logger.info("tokenized %d documents (%d from cache, %d segmented)", len(texts), hits, len(missing))
    from_cache = np.ones(len(texts), dtype=bool)
    from_cache[missing] = False
    return _assemble(docs, results, tokenizer, column, from_cache)


def _assemble(docs, results, tokenizer, column, from_cache) -> pd.DataFrame:
    counts = np.array([len(r["token"]) for r in results], dtype=np.int64)
    doc_codes = np.repeat(np.arange(len(results)), counts)
    table = {
        "doc_id": pd.Categorical.from_codes(doc_codes, categories=pd.Index(docs["doc_id"].astype(str))),
        "para_id": np.concatenate([r["para_id"] for r in results]) if results else np.array([], np.int32),
        "position": np.concatenate([r["position"] for r in results]) if results else np.array([], np.int32),
        "token": [t for r in results for t in r["token"]],
    }
    if tokenizer.pos:
        table["pos"] = [t for r in results for t in r["pos"]]
    skip = {"doc_id", "text", "text_clean", column, "encoding"}
    for col in docs.columns:
        if col in skip:
            continue
        values = docs[col].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(values):
            table[col] = values.take(doc_codes).reset_index(drop=True)
        else:
            cat = pd.Categorical(values.astype("object").where(values.notna(), None))
            table[col] = pd.Categorical.from_codes(cat.codes[doc_codes], categories=cat.categories)
    tokens = pd.DataFrame(table)
    account = pd.DataFrame({
        "doc_id": docs["doc_id"].astype(str).to_numpy(),
        "n_units": [r["n_units"] for r in results],
        "n_tokens_raw": [r["n_raw"] for r in results],
        "n_tokens": counts,
        "from_cache": from_cache,
    })
    empty = account.loc[account["n_tokens"] == 0, "doc_id"].tolist()
    if empty:
        logger.warning("%d document(s) gave no tokens: %s", len(empty), ", ".join(empty[:10]))
    _attrs.attach(tokens, "tokenize_account", account)
    tokens.attrs["tokenizer_params"] = tokenizer.get_params()
    return tokens


def tokenize_account(tokens: pd.DataFrame) -> pd.DataFrame:
    """Return the per-document account kept with a table made by :func:`tokenize`.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["加快工业互联网发展。"]})
    >>> # 加快 / 工业互联网 / 发展 / 。: 4 tokens, of which 加快 (boilerplate) and 。 are dropped
    >>> tokenize_account(tokenize(docs, cache=False))[["n_units", "n_tokens_raw", "n_tokens"]].values.tolist()
    [[1, 4, 2]]"""
    return _attrs.fetch(tokens, "tokenize_account", "tokenize")
