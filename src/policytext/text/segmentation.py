"""Segmentation: units (paragraphs) and tokens. The only module that imports a segmenter.

:func:`split_units` cuts each cleaned text into paragraphs with stable ids, and
splits long paragraphs at numbered items and sentence ends. :func:`tokenize`
segments the units with a :class:`PolicyTokenizer` and returns one row per
token. The default engine is ``rjieba`` (jieba-rs, the Rust port of jieba, an
instance of its own); ``engine="jieba"`` uses a ``jieba.Tokenizer`` of its own.
Either way the policy lexicon and place names are added to the engine's
dictionary, and no global segmenter state is touched. Work is spread over
processes by chunks of paragraphs, so one large file uses every core. Results
are cached on disk per document, keyed by the text and a fingerprint of the
whole configuration.

The tokens table is compact: ``doc_id`` and ``token`` are categorical, and the
documents' metadata are kept once per document (``attrs``), reached by every
``by=`` and joined on request (:func:`with_metadata`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import re
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.codes import engine_label as _engine_version
from policytext._core import attrs as _attrs
from policytext.io import resources
from policytext._core.cache import TokenCache, default_cache_dir, package_fingerprint
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext._core.progress import progress_bar
from policytext.text.clauses import clause_spans
from policytext.text.units import split_units, unit_spans, units_of  # noqa: F401 (split_units is exported here too)

__all__ = ["PolicyTokenizer", "tokenize", "split_units", "tokenized_units", "tokenize_account", "with_metadata", "STOPWORD_LAYERS",
           "ENGINES"]

#: What a token's ``para_id`` can number (:class:`PolicyTokenizer`'s ``unit``).
UNITS = ("paragraph", "clause")
#: Segmentation engines: ``rjieba`` (jieba-rs, compiled; the default) and ``jieba`` (pure Python).
ENGINES = ("rjieba", "jieba")

logger = logging.getLogger(__name__)

#: Built-in stopword layers: ``general`` (stopwords-iso's Chinese list, a maintained
#: source) and ``policy`` (policy-genre boilerplate, a data file of the package).
STOPWORD_LAYERS = ("general", "policy")

#: Frequency given to lexicon terms without one of their own. jieba picks the
#: segmentation with the highest product of word probabilities; a high frequency
#: makes a lexicon term win over splits such as 数字/经济总量, and makes a longer
#: lexicon term win over two shorter ones.
LEXICON_FREQ = 200_000

_CACHE_FORMAT = 2
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NUMBER = re.compile(r"[+\-]?(\d[\d.,:/\-~]*%?|[零〇一二三四五六七八九十百千万亿两]+[个项家条次]?)")


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


#: Joiners inside an alphanumeric run (5G-A, v1.0, Open_AI); a slash only before one capital (GB/T, JB/T).
_JOINERS = frozenset("-._")


def _whole_runs(words: list[str]) -> list[str]:
    """The pieces of a segmentation with every alphanumeric run whole again.

    The segmenter cuts a lexicon term made of letters and digits out of a longer run: with 5G in the
    dictionary, 产能达55GWh gives 5 + 5G + Wh, so a battery counts as 5G. A run is one token: 55GWh, H5G,
    5G-A, GB/T stay what they are; 5G, 5G基站 and 5G全连接工厂 are unchanged.

    Examples
    --------
    >>> _whole_runs(["产能", "达", "5", "5G", "Wh"]), _whole_runs(["GB", "/", "T", " ", "12345"])
    (['产能', '达', '55GWh'], ['GB/T', ' ', '12345'])
    >>> _whole_runs(["建设", "5G基站", "和", "4G", "/", "5G", "网络"])
    ['建设', '5G基站', '和', '4G', '/', '5G', '网络']
    """
    out, i, n = [], 0, len(words)
    while i < n:
        word = words[i]
        if not (word.isascii() and word.isalnum()):
            out.append(word)
            i += 1
            continue
        j = i + 1
        while j < n:
            nxt = words[j]
            if nxt.isascii() and nxt.isalnum():
                word += nxt
                j += 1
            elif (j + 1 < n and words[j + 1].isascii() and words[j + 1].isalnum()
                  and (nxt in _JOINERS or (nxt == "/" and len(words[j + 1]) == 1 and words[j + 1].isupper()))):
                word += nxt + words[j + 1]
                j += 2
            else:
                break
        out.append(word)
        i = j
    return out


#: Flags of a word for :meth:`PolicyTokenizer._tokenize_words`: the filters' decision in the low bits
#: (0 drop, 1 keep, 2 white space), then whether it is alphanumeric ASCII and whether it may join two.
_KEEP_BITS, _ALNUM, _JOINER = 3, 4, 8


def _splits_a_run(codes: np.ndarray, flags: np.ndarray, uniques: np.ndarray) -> bool:
    """Whether :func:`_whole_runs` would change the words ``uniques[codes]`` (``flags`` per unique word):
    two alphanumeric words side by side, or one of its joiners between two (a slash only before a single
    capital).

    Examples
    --------
    >>> words = np.array(["产能", "达", "5", "5G", "Wh", "GB", "/", "T"], dtype=object)
    >>> flags = np.array([0, 0, _ALNUM, _ALNUM, _ALNUM, _ALNUM, _JOINER, _ALNUM])
    >>> _splits_a_run(np.array([0, 1, 2, 3]), flags, words), _splits_a_run(np.array([0, 3, 1]), flags, words)
    (True, False)
    >>> _splits_a_run(np.array([5, 6, 7]), flags, words), _splits_a_run(np.array([5, 6, 1]), flags, words)
    (True, False)
    """
    if len(codes) < 2 or not (flags & _ALNUM).any():
        return False
    a = (flags & _ALNUM)[codes] > 0
    if (a[:-1] & a[1:]).any():
        return True
    middle = np.flatnonzero(((flags & _JOINER)[codes[1:-1]] > 0) & a[:-2] & a[2:]) + 1
    for i in middle:
        after = uniques[codes[i + 1]]
        if uniques[codes[i]] != "/" or (len(after) == 1 and after.isupper()):
            return True
    return False


def _whole_tagged_runs(tagged) -> list[tuple[str, str]]:
    """:func:`_whole_runs` for (word, tag) pairs: a run put back together is tagged ``eng``, as jieba tags
    letters (``m`` when it is digits only)."""
    tagged = list(tagged)
    words = [w for w, _ in tagged]
    merged = _whole_runs(words)
    if len(merged) == len(words):
        return tagged
    out, k = [], 0
    for word in merged:
        if word == words[k]:
            out.append(tagged[k])
            k += 1
            continue
        length = 0
        while length < len(word):
            length += len(words[k])
            k += 1
        out.append((word, "m" if word.isdigit() else "eng"))
    return out


def _is_punct(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


class PolicyTokenizer:
    """Segmentation with a policy lexicon, layered stopwords and filters.

    Parameters
    ----------
    engine : {"rjieba", "jieba"}
        ``rjieba`` (default): jieba-rs, the Rust port of jieba, about 20 times
        faster; on the 2024 city reports its tokens agree with jieba's on more
        than 99.9% of tokens with the same lexicon and stopwords
        (``benchmarks/bench_speed.py`` prints the figure). ``jieba``: the
        Python original.
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
        Longest unit, see :func:`split_units` (paragraph units only).
    unit : {"paragraph", "clause"}
        What a token's ``para_id`` numbers: ``"paragraph"`` (default), the
        lines of the text, long ones cut (:func:`split_units`); ``"clause"``,
        the clauses of :func:`policytext.split_clauses` (条, 款, 项, 目, and the
        一、（一）1. items of plans and notices), whole, in their order, so that
        every count by unit (``unit="paragraph"`` of co-occurrence, topics,
        emphasis) counts clauses. Heading lines (章 titles, 一、 headings) are
        no clause and give no tokens; :func:`tokenized_units` gives each
        unit's ``clause_id`` and ``path``.

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
        engine: str = "rjieba",
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
        unit: str = "paragraph",
    ):
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        unknown = set(stopwords) - set(STOPWORD_LAYERS)
        if unknown:
            raise ValueError(f"unknown stopword layer(s) {sorted(unknown)}; built-in layers: {STOPWORD_LAYERS}")
        if max_unit_chars < 20:
            raise ValueError(f"max_unit_chars must be at least 20, got {max_unit_chars}")
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
        self.engine = engine
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
        self.unit = unit
        self._jieba = None
        self._decisions: dict[str, bool] = {}
        self._states: dict[str, int] = {}

    # -- configuration and its fingerprint ------------------------------------------
    @cached_property
    def terms_(self) -> pd.DataFrame:
        """Every term added to jieba: ``term, freq, tag, category, source``.

        The shipped lexicon, place names and ``user_dicts``, and the domain
        stopwords (so that they come out whole and can be removed).
        """
        tables = []
        if self.lexicon:
            tables.append(resources.read_lexicon(resources.data_path("lexicon", "policy_terms.txt"))
                          .assign(source="policy_terms"))
        if self.places:
            places = resources.read_places()
            names = pd.unique(pd.concat([places[c] for c in ("province", "province_short", "city", "city_short")]))
            names = [n for n in names if len(n) >= 2]
            names += [n for n in resources.read_wordlist(resources.data_path("lexicon", "regions.txt")) if n not in names]
            # Place names keep jieba's own frequency: they are added so that they come
            # out whole, not so that they win over the words around them.
            tables.append(pd.DataFrame({"term": names, "freq": 0, "tag": "ns", "category": "place",
                                        "source": "places"}))
        for path in self.user_dicts:
            tables.append(resources.read_lexicon(path).assign(source=str(path)))
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
            words |= set(resources.read_wordlist(resources.data_path("stopwords", "policy_boilerplate.txt")))
        for path in self.stopword_files:
            words |= set(resources.read_wordlist(path))
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
            mine = set(resources.read_wordlist(path))
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
        from policytext.text.places import place_names

        return frozenset(place_names(exclusions=self.place_exclusions)["name"]) - frozenset(self.keep)

    def get_params(self) -> dict:
        """The configuration, as keyword arguments."""
        return {k: getattr(self, k) for k in (
            "engine", "lexicon", "places", "drop_places", "place_exclusions", "user_dicts", "stopwords", "stopword_files",
            "drop_punct", "drop_numbers", "drop_single", "keep", "hmm", "pos", "max_unit_chars", "unit")}

    @cached_property
    def fingerprint_(self) -> str:
        params = self.get_params()
        params.pop("user_dicts")
        params.pop("stopword_files")  # their contents are hashed below, not their paths
        params.pop("place_exclusions")
        payload = {
            "format": _CACHE_FORMAT,
            "policytext": package_fingerprint(),  # the filters and unit splitting are code too
            "engine": _engine_version(self.engine),
            "params": params,
            "terms": self.terms_[["term", "freq", "tag"]].astype(str).values.tolist(),
            "stopwords": sorted(self.stopwords_),
            "user_stopwords": sorted(self.user_stopwords_),
            "dropped_places": sorted(self.places_),
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    # -- the engine ------------------------------------------------------------------
    def _tokenizer(self):
        """The engine, built on first use: a jieba-rs or jieba tokenizer of our own with the terms added."""
        if self._jieba is None:
            terms = []
            for term, freq, tag in self.terms_[["term", "freq", "tag"]].itertuples(index=False):
                if pd.isna(freq):
                    freq = LEXICON_FREQ
                elif freq == 0:
                    freq = None  # let the engine suggest the lowest frequency that keeps it whole
                terms.append((term, None if freq is None else int(freq), tag or None))
            if self.engine == "rjieba":
                import rjieba

                tk = rjieba.Jieba()
                for term, freq, tag in terms:
                    tk.add_word(term, freq, tag)
                hmm = self.hmm
                self._cut = lambda text: tk.cut(text, hmm)
                self._tag = lambda text: tk.tag(text, hmm)
            else:
                tk = _new_jieba_tokenizer()
                for term, freq, tag in terms:
                    tk.add_word(term, freq=freq, tag=tag)
                hmm = self.hmm
                self._cut = lambda text: tk.lcut(text, HMM=hmm)
                if self.pos:
                    import jieba.posseg

                    posseg = jieba.posseg.POSTokenizer(tk)
                    self._tag = lambda text: [(p.word, p.flag) for p in posseg.cut(text, HMM=hmm)]
            self._jieba = tk
        return self._jieba

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in ("_jieba", "_cut", "_tag"):
            state.pop(name, None)  # rebuilt lazily in a spawned worker
        state["_jieba"] = None
        return state

    def _keep(self, token: str) -> bool:
        decision = self._decisions.get(token)
        if decision is None:
            if token in self.keep:
                decision = True
            elif token in self.user_stopwords_:
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

    def _segment(self, text: str) -> list[tuple[str, str | None]]:
        self._tokenizer()
        if self.pos:
            return _whole_tagged_runs(self._tag(text))
        return [(w, None) for w in _whole_runs(self._cut(text))]

    def segment_term(self, term: str) -> list[tuple[str, bool]]:
        """How this tokenizer cuts a term: its pieces, each with whether the filters keep it.

        A lexicon term that is no single token is matched as this sequence of tokens
        (see :func:`policytext.lexicon_matches`); a piece the filters drop (``+``
        in ``人工智能+``, a single character) makes the term unmatchable.

        Examples
        --------
        >>> PolicyTokenizer().segment_term("低空经济")
        [('低空', True), ('经济', True)]
        >>> PolicyTokenizer().segment_term("数据要素×")
        [('数据要素', True), ('×', False)]
        """
        return [(w, self._keep(w)) for w, _ in self._segment(term) if not w.isspace()]

    def tokenize_text(self, text: str) -> list[str]:
        """Segment one text and return the kept tokens (with ``drop_places``, place names dropped and words bound
        to a place dropped or reduced, as :func:`policytext.drop_place_names` does)."""
        words = [w for w, _ in self._segment(text) if not w.isspace() and self._keep(w)]
        if self.drop_places and words:
            from policytext.text.places import place_bound

            bound = place_bound(words, exclusions=self.place_exclusions).set_index("word")
            bound = bound[~bound.index.isin(self.keep)]
            words = [bound.at[w, "replacement"] if w in bound.index else w for w in words]
            words = [w for w in words if w]
        return words

    def tokenize_units(self, units: Sequence[str]) -> dict:
        """Segment consecutive units of one document into compact arrays (kept tokens only).

        Returns a dict of ``para_id`` (index of the unit among ``units``),
        ``position`` (index of the token among all the units' tokens, dropped
        ones included, so gaps show where tokens were removed), ``codes`` and
        ``vocab`` (the kept tokens as codes into a local vocabulary),
        ``pos_codes`` and ``pos_vocab`` (or None), ``n_units`` and ``n_raw``
        (tokens before filtering).
        """
        self._tokenizer()
        para_ids, positions, tokens, tags = [], [], [], []
        position = 0
        keep = self._keep
        if self.pos:
            tag = self._tag
            for para_id, unit in enumerate(units):
                for word, flag in _whole_tagged_runs(tag(unit)):
                    if word.isspace():
                        continue
                    if keep(word):
                        para_ids.append(para_id)
                        positions.append(position)
                        tokens.append(word)
                        tags.append(flag)
                    position += 1
        else:  # the common path: the units' words in one list, one decision per distinct word
            return self._tokenize_words(units)
        codes, vocab = _encode(tokens)
        pos_codes, pos_vocab = _encode(tags) if self.pos else (None, None)
        return {"para_id": np.asarray(para_ids, dtype=np.int32), "position": np.asarray(positions, dtype=np.int32),
                "codes": codes, "vocab": vocab, "pos_codes": pos_codes, "pos_vocab": pos_vocab,
                "n_units": len(units), "n_raw": position}

    def _flags(self, words) -> np.ndarray:
        """Each word's flags (:data:`_KEEP_BITS`, :data:`_ALNUM`, :data:`_JOINER`), each word decided once."""
        states = self._states
        flags = np.array([states.get(word, -1) for word in words], dtype=np.int8)
        for i in np.flatnonzero(flags < 0):
            word = words[i]
            flags[i] = states[word] = ((2 if word.isspace() else int(self._keep(word)))
                                       | (_ALNUM if word.isascii() and word.isalnum() else 0)
                                       | (_JOINER if word in _JOINERS or word == "/" else 0))
        return flags

    def _tokenize_words(self, units: Sequence[str]) -> dict:
        """:meth:`tokenize_units` without tags: the units cut in one call, joined by line ends (the
        segmenters never join words across one: tested against cutting unit by unit), the words
        factorized, each distinct word decided once (0 drop, 1 keep, 2 white space), positions and
        units from array operations; alphanumeric runs are put back together (:func:`_whole_runs`)
        only in the rare document where the cut split one."""
        empty = np.zeros(0, dtype=np.int32)
        joined = "\n".join(units)
        if joined.count("\n") != len(units) - 1:  # a line end inside a unit is white space, not a new unit
            joined = "\n".join(unit.replace("\n", " ") for unit in units)
        words = self._cut(joined) if units else []
        if not words:
            return {"para_id": empty, "position": empty.copy(), "codes": empty.copy(), "vocab": [],
                    "pos_codes": None, "pos_vocab": None, "n_units": len(units), "n_raw": 0}
        codes, uniques = pd.factorize(np.array(words, dtype=object))
        flags = self._flags(uniques)
        if _splits_a_run(codes, flags, uniques):
            codes, uniques = pd.factorize(np.array(_whole_runs(words), dtype=object))
            flags = self._flags(uniques)
        decided = flags & _KEEP_BITS
        state = decided[codes]
        counted = state != 2  # white space is no token: it takes no position
        position = np.cumsum(counted, dtype=np.int64) - 1
        kept = state == 1
        breaks = np.flatnonzero(uniques == "\n")
        para_id = np.cumsum(codes == breaks[0], dtype=np.int64) if len(breaks) else np.zeros(len(codes), np.int64)
        kept_words = np.flatnonzero(decided == 1)  # the local vocabulary, in order of first appearance
        remap = np.full(len(uniques), -1, dtype=np.int32)
        remap[kept_words] = np.arange(len(kept_words), dtype=np.int32)
        return {"para_id": para_id[kept].astype(np.int32), "position": position[kept].astype(np.int32),
                "codes": remap[codes[kept]], "vocab": uniques[kept_words].tolist(), "pos_codes": None,
                "pos_vocab": None, "n_units": len(units), "n_raw": int(counted.sum())}

    def tokenize_doc(self, text: str) -> dict:
        """Split a document into units and segment them (see :meth:`tokenize_units`); the units' character
        offsets into ``text`` are in ``unit_start`` and ``unit_end``, its length in ``n_chars``."""
        spans = unit_spans(text, self.max_unit_chars) if self.unit == "paragraph" else \
            [(c.start, c.end) for c in clause_spans(text)]
        result = self.tokenize_units([text[a:b] for a, b in spans])
        result["unit_start"] = np.array([a for a, _ in spans], dtype=np.int64)
        result["unit_end"] = np.array([b for _, b in spans], dtype=np.int64)
        result["n_chars"] = len(text)
        return result


def _encode(values: list) -> tuple[np.ndarray, list]:
    """Codes into a sorted vocabulary: the compact form of a list of strings."""
    if not values:
        return np.zeros(0, dtype=np.int32), []
    codes, uniques = pd.factorize(np.array(values, dtype=object), sort=True)
    return codes.astype(np.int32), uniques.tolist()


def jieba_logger() -> logging.Logger:
    """jieba's logger. jieba sets it to DEBUG with a handler of its own when it is
    imported; an application (such as the command line) may quieten it."""
    import jieba

    return jieba.default_logger


# --------------------------------------------------------------------------------------
# Tokenizing a corpus
# --------------------------------------------------------------------------------------

_WORKER: PolicyTokenizer | None = None
#: Characters of text per task of the worker pool (a document longer than this is split
#: into several tasks at paragraph boundaries, so that one large file uses every core).
TASK_CHARS = 200_000


def _init_worker(tokenizer: PolicyTokenizer) -> None:
    global _WORKER
    _WORKER = tokenizer


def _work(task: list[tuple[int, int, str]]) -> list[tuple[int, int, dict]]:
    return [(doc, piece, _WORKER.tokenize_doc(text)) for doc, piece, text in task]


def _tasks(texts: dict[int, str], n_tasks: int) -> list[list[tuple[int, int, str]]]:
    """Pieces of text (document, piece number, text) cut at line ends, packed into about ``n_tasks``
    tasks of the same number of characters, in order. A long document is cut into several pieces; a
    unit never crosses a line end, so the pieces' units are the document's units. Splitting into units
    happens in the workers too."""
    total = sum(len(t) for t in texts.values()) or 1
    target = max(1, min(TASK_CHARS, total // max(1, n_tasks) + 1))
    pieces = []
    for doc, text in texts.items():
        start, number = 0, 0
        while True:
            if len(text) - start <= target:
                pieces.append((doc, number, text[start:]))
                break
            cut = text.find("\n", start + target)
            if cut < 0:
                pieces.append((doc, number, text[start:]))
                break
            pieces.append((doc, number, text[start:cut + 1]))
            start, number = cut + 1, number + 1
    tasks, current, acc = [], [], 0
    for doc, number, text in pieces:
        current.append((doc, number, text))
        acc += len(text)
        if acc >= target:
            tasks.append(current)
            current, acc = [], 0
    if current:
        tasks.append(current)
    return tasks


def _merge_pieces(pieces: list[tuple[int, dict]]) -> dict:
    """One document's result from the results of its pieces (in order of their piece number)."""
    if len(pieces) == 1:
        return pieces[0][1]
    pieces = sorted(pieces, key=lambda p: p[0])
    starts = np.cumsum([0] + [p["n_units"] for _, p in pieces[:-1]])
    pieces = [(int(start), p) for start, (_, p) in zip(starts, pieces)]
    vocab = sorted(set().union(*(p["vocab"] for _, p in pieces)))
    index = pd.Index(vocab)
    pos_vocab = sorted(set().union(*(p["pos_vocab"] for _, p in pieces))) if pieces[0][1]["pos_vocab"] is not None \
        else None
    para, position, codes, pos_codes, unit_start, unit_end = [], [], [], [], [], []
    raw = chars = 0
    for start, p in pieces:
        unit_start.append(p["unit_start"] + chars)
        unit_end.append(p["unit_end"] + chars)
        chars += p["n_chars"]
        para.append(p["para_id"] + start)
        position.append(p["position"] + raw)
        codes.append(index.get_indexer(p["vocab"]).astype(np.int32)[p["codes"]] if len(p["codes"]) else p["codes"])
        if pos_vocab is not None:
            pos_codes.append(pd.Index(pos_vocab).get_indexer(p["pos_vocab"]).astype(np.int32)[p["pos_codes"]]
                             if len(p["pos_codes"]) else p["pos_codes"])
        raw += p["n_raw"]
    return {"para_id": np.concatenate(para).astype(np.int32), "position": np.concatenate(position).astype(np.int32),
            "codes": np.concatenate(codes).astype(np.int32), "vocab": vocab,
            "pos_codes": np.concatenate(pos_codes).astype(np.int32) if pos_vocab is not None else None,
            "pos_vocab": pos_vocab, "n_units": sum(p["n_units"] for _, p in pieces), "n_raw": raw,
            "unit_start": np.concatenate(unit_start), "unit_end": np.concatenate(unit_end), "n_chars": chars}


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
        (``tokenize(docs, engine="jieba", stopwords=["general"], pos=True)``).
    column : str
        The text column; ``text_clean`` by default.
    n_jobs : int
        Worker processes (a process pool that works on every OS). The work is
        cut into pieces of paragraphs, so a single large document uses every
        worker too. ``-1`` uses every core.
    cache : bool
        Read and write the token cache. The key is the text and the tokenizer's
        fingerprint (engine and its version, lexicon, stopwords, options).
        Entries are NumPy archives without pickles, checked against a checksum
        when read; a damaged entry is recomputed.
    cache_dir : path, optional
        Where the cache lives; default ``$POLICYTEXT_CACHE_DIR`` or the user's
        cache folder (``~/.cache/policytext``).
    progress : bool, optional
        Show a progress bar; by default only for 50 pieces of work or more.

    Returns
    -------
    DataFrame
        ``doc_id`` (categorical), ``para_id``, ``position``, ``token``
        (categorical; ``pos`` too with ``pos=True``): about 14 bytes per token.
        The documents' metadata (every column of ``docs`` but the texts) are
        kept once per document: every ``by=`` of the package reaches them, and
        :func:`with_metadata` joins them as columns. The account per document
        (units, raw and kept tokens, cache hit) is in
        ``attrs["tokenize_account"]``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "province": ["湖北省"],
    ...                      "text_clean": ["加快工业互联网发展。\\n数字经济"]})
    >>> toks = tokenize(docs, cache=False)
    >>> toks[["doc_id", "para_id", "position", "token"]].astype(object).values.tolist()
    [['a', 0, 1, '工业互联网'], ['a', 0, 2, '发展'], ['a', 1, 4, '数字经济']]
    >>> with_metadata(toks)["province"].tolist()
    ['湖北省', '湖北省', '湖北省']
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
    n_jobs = resolve_n_jobs(n_jobs)

    texts = [t if isinstance(t, str) else "" for t in docs[column].tolist()]
    store = TokenCache(Path(cache_dir) if cache_dir is not None else default_cache_dir()) if cache else None
    assembler = _Assembler(len(texts), tokenizer.pos)
    missing = []
    if store is not None:
        fp = tokenizer.fingerprint_
        keys = [store.key(fp, text) for text in texts]
        for i in range(len(texts)):
            cached = store.get(keys[i])
            if cached is None:
                missing.append(i)
            else:
                assembler.add(i, cached)
    else:
        keys, missing = [None] * len(texts), list(range(len(texts)))
    hits = len(texts) - len(missing)

    if missing:
        n_tasks = 4 * n_jobs if n_jobs > 1 else max(1, len(missing))
        tasks = _tasks({i: texts[i] for i in missing}, n_tasks)
        expected = {i: 0 for i in missing}
        for task in tasks:
            for doc, _, _ in task:
                expected[doc] += 1
        pieces: dict[int, list[tuple[int, dict]]] = {i: [] for i in missing}

        def receive(doc: int, start: int, result: dict) -> None:
            # a document is complete when its last piece arrives: cache it and fold it into the table
            pieces[doc].append((start, result))
            if len(pieces[doc]) == expected[doc]:
                merged = _merge_pieces(pieces.pop(doc))
                if store is not None:
                    store.put(keys[doc], merged)
                assembler.add(doc, merged)

        if n_jobs > 1 and len(tasks) > 1:
            tokenizer._tokenizer()  # initialise once: a forked worker inherits it, a spawned one rebuilds it
            with process_pool(n_jobs, initializer=_init_worker, initargs=(tokenizer,)) as pool:
                done = pool.map(_work, tasks)
                for out in progress_bar(done, total=len(tasks), enabled=progress, desc="tokenizing", unit="piece"):
                    for doc, start, result in out:
                        receive(doc, start, result)
        else:
            for task in progress_bar(tasks, total=len(tasks), enabled=progress, desc="tokenizing", unit="piece"):
                for doc, piece, text in task:
                    receive(doc, piece, tokenizer.tokenize_doc(text))
    logger.info("tokenized %d documents (%d from cache, %d segmented)", len(texts), hits, len(missing))
    from_cache = np.ones(len(texts), dtype=bool)
    from_cache[missing] = False
    tokens = _assemble(docs, assembler, tokenizer, column, from_cache)
    if tokenizer.drop_places:  # one mechanism for place names, here and in drop_place_names
        from policytext.text.places import drop_place_names

        tokens = drop_place_names(tokens, exclusions=tokenizer.place_exclusions, keep=tokenizer.keep)
        account = tokenize_account(tokens)
        kept = tokens["doc_id"].value_counts()
        account["n_tokens"] = kept.reindex(account["doc_id"].astype(str)).fillna(0).astype(np.int64).to_numpy()
        _attrs.attach(tokens, "tokenize_account", account)
    return tokens


class _Assembler:
    """Documents' results folded in as they come: their tokens as codes into one vocabulary. The local
    vocabularies of documents are mapped onto it in batches (one factorization of the batch's words, one
    dictionary lookup per distinct word), so that no more than :data:`VOCAB_BATCH` of them wait."""

    #: Local vocabulary entries that wait before they are mapped onto the corpus vocabulary.
    VOCAB_BATCH = 200_000

    def __init__(self, n_docs: int, pos: bool):
        self.parts: list[dict | None] = [None] * n_docs
        self.words: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.pos = pos
        self._pending: list[int] = []
        self._pending_entries = 0

    @staticmethod
    def _map(index: dict, vocabs: list[list]) -> list[np.ndarray]:
        """Each local vocabulary as ids into ``index`` (words new to it get the next ids, in order of
        first appearance)."""
        sizes = [len(v) for v in vocabs]
        if not sum(sizes):
            return [np.zeros(0, dtype=np.int32) for _ in vocabs]
        codes, uniques = pd.factorize(np.fromiter((w for v in vocabs for w in v), dtype=object, count=sum(sizes)))
        ids = np.fromiter((index.setdefault(w, len(index)) for w in uniques), dtype=np.int32, count=len(uniques))
        bounds = np.cumsum([0] + sizes)
        return [ids[codes[a:b]] for a, b in itertools.pairwise(bounds)]

    def add(self, i: int, result: dict) -> None:
        part = {"para_id": result["para_id"], "position": result["position"], "codes": result["codes"],
                "vocab": result["vocab"], "n_units": result["n_units"], "n_raw": result["n_raw"],
                "unit_start": result["unit_start"], "unit_end": result["unit_end"]}
        if self.pos:
            part["pos_codes"], part["pos_vocab"] = result["pos_codes"], result["pos_vocab"]
        self.parts[i] = part
        self._pending.append(i)
        self._pending_entries += len(result["vocab"])
        if self._pending_entries >= self.VOCAB_BATCH:
            self._flush()

    def _flush(self) -> None:
        parts = [self.parts[i] for i in self._pending]
        for part, ids in zip(parts, self._map(self.words, [p.pop("vocab") for p in parts])):
            part["codes"] = ids[part["codes"]] if len(part["codes"]) else np.zeros(0, np.int32)
        if self.pos:
            for part, ids in zip(parts, self._map(self.tags, [p.pop("pos_vocab") for p in parts])):
                part["pos_codes"] = ids[part["pos_codes"]] if len(part["pos_codes"]) else np.zeros(0, np.int32)
        self._pending, self._pending_entries = [], 0

    @staticmethod
    def _categorical(index: dict, codes: np.ndarray) -> pd.Categorical:
        """Codes in order of first appearance, as a categorical with sorted categories."""
        words = np.empty(len(index), dtype=object)
        for word, code in index.items():
            words[code] = word
        order = np.argsort(words, kind="stable") if len(words) else np.zeros(0, dtype=np.int64)  # object sort: no fixed width
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        return pd.Categorical.from_codes(rank[codes] if len(codes) else codes,
                                         categories=pd.Index(words[order], dtype=object))

    def columns(self) -> dict:
        self._flush()
        parts = self.parts
        codes = np.concatenate([p["codes"] for p in parts]) if parts else np.zeros(0, np.int32)
        out = {"token": self._categorical(self.words, codes)}
        if self.pos:
            tags = np.concatenate([p["pos_codes"] for p in parts]) if parts else np.zeros(0, np.int32)
            out["pos"] = self._categorical(self.tags, tags)
        return out


#: Columns of the documents table that are texts, not metadata.
_TEXT_COLUMNS = ("text", "text_clean", "encoding")


def _assemble(docs, assembler: _Assembler, tokenizer, column, from_cache) -> pd.DataFrame:
    parts = assembler.parts
    counts = np.array([len(p["codes"]) for p in parts], dtype=np.int64)
    doc_codes = np.repeat(np.arange(len(parts)), counts)
    table = {
        "doc_id": pd.Categorical.from_codes(doc_codes, categories=pd.Index(docs["doc_id"].astype(str))),
        "para_id": np.concatenate([p["para_id"] for p in parts]) if parts else np.array([], np.int32),
        "position": np.concatenate([p["position"] for p in parts]) if parts else np.array([], np.int32),
    }
    columns = assembler.columns()
    table["token"] = columns["token"]
    if tokenizer.pos:
        table["pos"] = columns["pos"]
    tokens = pd.DataFrame(table)
    meta_cols = [c for c in docs.columns if c not in _TEXT_COLUMNS and c != column]
    meta = docs[meta_cols].reset_index(drop=True).copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    _attrs.attach(tokens, "documents", meta)
    account = pd.DataFrame({
        "doc_id": docs["doc_id"].astype(str).to_numpy(),
        "n_units": [p["n_units"] for p in parts],
        "n_tokens_raw": [p["n_raw"] for p in parts],
        "n_tokens": counts,
        "from_cache": from_cache,
    })
    empty = account.loc[account["n_tokens"] == 0, "doc_id"].tolist()
    if empty:
        logger.warning("%d document(s) gave no tokens: %s", len(empty), ", ".join(empty[:10]))
    _attrs.attach(tokens, "tokenize_account", account)
    n_units = np.array([p["n_units"] for p in parts], dtype=np.int64)
    _attrs.attach(tokens, "units", pd.DataFrame({
        "doc_id": np.repeat(docs["doc_id"].astype(str).to_numpy(), n_units),
        "para_id": np.concatenate([np.arange(n) for n in n_units]).astype(np.int32) if len(parts) else
        np.zeros(0, np.int32),
        "start": np.concatenate([p["unit_start"] for p in parts]) if parts else np.zeros(0, np.int64),
        "end": np.concatenate([p["unit_end"] for p in parts]) if parts else np.zeros(0, np.int64)}))
    if tokenizer.unit == "clause":  # the clauses' ids and paths, found again (their spans are the units')
        units = _attrs.held(tokens, "units")
        found = [c for text in docs[column].tolist() for c in clause_spans(text if isinstance(text, str) else "")]
        starts = np.array([c.start for c in found], dtype=np.int64)
        if len(found) != len(units) or not np.array_equal(starts, units["start"].to_numpy()):
            raise RuntimeError("the clauses found again differ from the units tokenized: a cache entry of another "
                               "version? Tokenize with cache=False")
        units["clause_id"] = [c.clause_id for c in found]
        units["path"] = [c.path for c in found]
    _attrs.set_params(tokens, "tokenizer", tokenizer.get_params())
    return tokens


def with_metadata(tokens: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The tokens table with the documents' metadata joined as (categorical) columns.

    Every ``by=`` of the package reaches the metadata without this; use it
    to filter or look at the tokens by a metadata column yourself.

    Parameters
    ----------
    columns : sequence of str, optional
        The metadata columns to join; default: all of them.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "province": ["湖北省", "四川省"],
    ...                      "text_clean": ["数字经济", "工业互联网"]})
    >>> with_metadata(tokenize(docs, cache=False))[["doc_id", "token", "province"]].astype(object).values.tolist()
    [['a', '数字经济', '湖北省'], ['b', '工业互联网', '四川省']]
    """
    from policytext._core.tables import document_metadata, metadata_column

    meta = document_metadata(tokens)
    if meta is None:
        if columns:
            raise KeyError("this tokens table carries no document metadata (it was not made by tokenize)")
        return tokens.copy()
    wanted = [c for c in meta.columns if c != "doc_id"] if columns is None else list(columns)
    out = tokens.copy()
    for col in wanted:
        if col in out.columns:
            continue
        out[col] = metadata_column(tokens, col)
    return out


def tokenized_units(tokens: pd.DataFrame) -> pd.DataFrame:
    """The units :func:`tokenize` cut each document into, as character offsets into the text it tokenized.

    The units were split once, while tokenizing; ``text_clean[start:end]`` is
    the unit's text (see :func:`split_units`), so nothing needs to split them
    again to show a token in its context.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``start``, ``end``: one row per unit, units
        without a kept token included; with ``unit="clause"`` also each
        clause's ``clause_id`` and ``path`` (as :func:`policytext.split_clauses`).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["加快工业互联网发展。\\n数字经济"]})
    >>> tokenized_units(tokenize(docs, cache=False)).values.tolist()
    [['a', 0, 0, 10], ['a', 1, 11, 15]]
    """
    return _attrs.fetch(tokens, "units", "tokenize")


def tokenize_account(tokens: pd.DataFrame) -> pd.DataFrame:
    """Return the per-document account kept with a table made by :func:`tokenize`.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["加快工业互联网发展。"]})
    >>> # 加快 / 工业互联网 / 发展 / 。: 4 tokens, of which 加快 (boilerplate) and 。 are dropped
    >>> tokenize_account(tokenize(docs, cache=False))[["n_units", "n_tokens_raw", "n_tokens"]].values.tolist()
    [[1, 4, 2]]"""
    return _attrs.fetch(tokens, "tokenize_account", "tokenize")
