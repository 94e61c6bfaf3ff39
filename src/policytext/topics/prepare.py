"""Units and their vocabulary as integer arrays, in an order derived from their content.

The units (paragraphs, or documents) are built from the tokens table; the vocabulary is numbered
in sorted order and trimmed as gensim's ``filter_extremes`` does, so that renaming or reordering
documents does not change a fit.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Iterator

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

from policytext._core.codes import distinct_integers, sorted_codes
from policytext._core.cache import join_strings
from policytext._core.tables import document_metadata

__all__ = ["TopicUnits", "topic_units", "units_and_settings", "PreparedUnits", "UNIT_SETTINGS", "vocabulary_tokens", "codes_of",
           "gensim_dictionary"]

# --------------------------------------------------------------------------------------
# Units and the vocabulary, as integer arrays
# --------------------------------------------------------------------------------------

def vocabulary_tokens(tokens: pd.DataFrame, drop_places: bool, drop_boilerplate: bool) -> pd.DataFrame:
    """The tokens without place names and genre boilerplate, if asked (the same lists everywhere)."""
    from policytext.text.vocabulary import content_tokens

    return content_tokens(tokens, drop_places=drop_places, drop_boilerplate=drop_boilerplate, purpose="topic vocabulary")


def codes_of(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their values in sorted order (see :func:`policytext._core.codes.sorted_codes`)."""
    codes, values = sorted_codes(series)
    return codes, values.astype(str).astype(object) if len(values) else values

#: The settings that decide which tokens a :class:`TopicUnits` holds (the rest trim or fit).
UNIT_SETTINGS = ("unit", "drop_places", "drop_boilerplate")


class TopicUnits:
    """The units of a tokens table as integer arrays in text order, before the vocabulary is trimmed.

    The topics' preparation, built once (one sort of the tokens, one hash of
    each unit's content) and trimmed and subset for every fit that needs it:
    :func:`policytext.fit_lda`, :func:`policytext.lda_sweep`,
    :func:`policytext.topic_stability` and :func:`policytext.document_completion`
    take it in place of the tokens table. Make it with :func:`topic_units`.

    Attributes
    ----------
    units : DataFrame
        One row per unit: ``doc_id`` (and ``para_id`` for paragraphs) and the
        documents' metadata.
    terms : ndarray
        Every term of the units, sorted.
    unit, drop_places, drop_boilerplate
        What a unit is, and which tokens were left out.
    """

    def __init__(self, tokens: pd.DataFrame, *, unit: str = "paragraph", drop_places: bool = False,
                 drop_boilerplate: bool = False):
        if unit not in ("paragraph", "document"):
            raise ValueError(f"unit must be 'paragraph' or 'document', got {unit!r}")
        self.unit, self.drop_places, self.drop_boilerplate = unit, bool(drop_places), bool(drop_boilerplate)
        tokens = vocabulary_tokens(tokens, self.drop_places, self.drop_boilerplate)
        doc_codes, doc_names = codes_of(tokens["doc_id"])
        term_codes, terms = codes_of(tokens["token"])
        para = tokens["para_id"].to_numpy() if unit == "paragraph" else np.zeros(len(tokens), dtype=np.int64)
        position = tokens["position"].to_numpy() if "position" in tokens else np.arange(len(tokens))
        # one stable sort on a combined key (document, unit, position): less memory than lexsort's
        para_span = int(para.max(initial=0)) + 1
        pos_span = int(position.max(initial=0)) + 1
        if len(doc_names) * para_span * pos_span < 2 ** 62:
            key = (doc_codes * para_span + para) * pos_span + position
            order = np.argsort(key, kind="stable")
            del key
        else:
            order = np.lexsort((position, para, doc_codes))
        doc_sorted = doc_codes[order].astype(np.int32)
        para_sorted = para[order]
        self.term_ids = term_codes[order].astype(np.int32)  # codes into ``terms``, in text order
        del doc_codes, term_codes, position
        new_unit = np.ones(len(order), dtype=bool)
        new_unit[1:] = (doc_sorted[1:] != doc_sorted[:-1]) | (para_sorted[1:] != para_sorted[:-1])
        starts = np.flatnonzero(new_unit)
        self.unit_of_token = (np.cumsum(new_unit, dtype=np.int64) - 1)
        del new_unit
        self.offsets = np.concatenate([starts, [len(order)]]).astype(np.int64)
        self.terms = terms

        units = pd.DataFrame({"doc_id": doc_names[doc_sorted[starts]].astype(str)})
        if unit == "paragraph":
            units["para_id"] = para_sorted[starts]
        extra = [c for c in tokens.columns if c not in ("doc_id", "para_id", "position", "token", "pos")]
        for col in extra:
            units[col] = tokens[col].to_numpy()[order[starts]]
        meta = document_metadata(tokens)
        if meta is not None:
            more = [c for c in meta.columns if c not in units.columns]
            units = units.merge(meta[["doc_id", *more]].assign(doc_id=meta["doc_id"].astype(str)), on="doc_id",
                                how="left")
        self.units = units

        # (unit, term) pairs, each once: document frequencies of any subset of units come from them
        n_terms = max(1, len(terms))
        pairs = distinct_integers(self.unit_of_token * n_terms + self.term_ids) if len(order) else np.zeros(0, np.int64)
        self.pair_unit, self.pair_term = pairs // n_terms, (pairs % n_terms).astype(np.int64)
        # each unit's content key: a hash of its words (of the words' own hashes, so that it does not depend
        # on which other words the corpus holds); units are fitted in the order of these keys
        self.word_hash = (pd.util.hash_array(np.asarray(terms, dtype=object)) if len(terms)
                          else np.zeros(0, np.uint64))
        hashes = self.word_hash[self.term_ids]
        self.content_keys = np.array([hashlib.sha1(hashes[self.offsets[u]:self.offsets[u + 1]].tobytes()).hexdigest()
                                      for u in range(len(starts))], dtype=object)

    def __len__(self) -> int:
        return len(self.units)

    def __repr__(self) -> str:
        return (f"TopicUnits({len(self)} {self.unit} units, {len(self.terms)} terms, {len(self.term_ids)} tokens; "
                f"drop_places={self.drop_places}, drop_boilerplate={self.drop_boilerplate})")

    def unit_codes(self, u: int) -> np.ndarray:
        """Unit ``u``'s words as codes into :attr:`terms`, in text order."""
        return self.term_ids[self.offsets[u]:self.offsets[u + 1]]

    def unit_hashes(self, u: int) -> np.ndarray:
        """Unit ``u``'s words as 64-bit hashes of the words themselves (whatever else the corpus holds)."""
        return self.word_hash[self.unit_codes(u)]

    def words(self, u: int) -> list[str]:
        """Unit ``u``'s words, in text order."""
        return [str(self.terms[i]) for i in self.unit_codes(u)]

    def check(self, params: dict) -> None:
        """An error if ``params`` ask for other units or another vocabulary filter than these units hold."""
        other = {s: params[s] for s in UNIT_SETTINGS if s in params and params[s] != getattr(self, s)}
        if other:
            raise ValueError(f"these topic units hold {', '.join(f'{s}={getattr(self, s)!r}' for s in other)}; "
                             f"the fit asks for {', '.join(f'{s}={v!r}' for s, v in other.items())}: make the units "
                             "with those settings (topic_units(tokens, ...))")

    def prepared(self, params: dict, *, subset: np.ndarray | None = None) -> "PreparedUnits":
        """The units (all, or those where ``subset`` is true) with the vocabulary trimmed as ``params`` ask."""
        self.check(params)
        return PreparedUnits(self, params, subset=subset)


def topic_units(tokens: pd.DataFrame, *, unit: str = "paragraph", drop_places: bool = False,
                drop_boilerplate: bool = False) -> TopicUnits:
    """The topics' preparation of a tokens table, built once and handed to every fit.

    Parameters
    ----------
    unit : {"paragraph", "document"}
        What a topic model sees as a document.
    drop_places, drop_boilerplate
        Leave place names, and the policy-genre boilerplate, out of the
        vocabulary (as :func:`policytext.fit_lda`'s options of the same names).

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "para_id": [0, 0, 1, 1], "position": [0, 1, 2, 3],
    ...                      "token": ["5G", "基站", "人才", "培训"]})
    >>> units = topic_units(toks)
    >>> len(units), units.words(1)
    (2, ['人才', '培训'])
    """
    return TopicUnits(tokens, unit=unit, drop_places=drop_places, drop_boilerplate=drop_boilerplate)


def units_and_settings(tokens, given: dict) -> tuple[TopicUnits, dict]:
    """The topic units of ``tokens`` (itself when it is :class:`TopicUnits`) and the unit settings of the fit:
    ``given`` holds the caller's settings, None where not given (then the units' own, or the defaults)."""
    defaults = {"unit": "paragraph", "drop_places": False, "drop_boilerplate": False}
    if isinstance(tokens, TopicUnits):
        settings = {s: getattr(tokens, s) if given.get(s) is None else given[s] for s in UNIT_SETTINGS}
        tokens.check(settings)
        return tokens, settings
    settings = {s: defaults[s] if given.get(s) is None else given[s] for s in UNIT_SETTINGS}
    settings["drop_places"], settings["drop_boilerplate"] = bool(settings["drop_places"]), bool(settings["drop_boilerplate"])
    return TopicUnits(tokens, **settings), settings


class PreparedUnits:
    """Units, their content order, the trimmed vocabulary and each unit's word ids: built once, fitted many times.

    Made from :class:`TopicUnits` (or from a tokens table, which is prepared
    first) by trimming the vocabulary as gensim's ``filter_extremes`` does:
    integer arrays only, no per-token Python objects.
    """

    def __init__(self, tokens, params: dict, *, subset: np.ndarray | None = None):
        base = tokens if isinstance(tokens, TopicUnits) else TopicUnits(
            tokens, unit=params["unit"], drop_places=params["drop_places"], drop_boilerplate=params["drop_boilerplate"])
        base.check(params)
        n_all = len(base)
        chosen = np.ones(n_all, dtype=bool) if subset is None else np.asarray(subset, dtype=bool)
        if len(chosen) != n_all:
            raise ValueError(f"subset has {len(chosen)} values for {n_all} units")
        selected = np.flatnonzero(chosen)
        n_units = len(selected)
        renumber = np.full(n_all, -1, dtype=np.int64)
        renumber[selected] = np.arange(n_units)
        self.units = base.units.iloc[selected].reset_index(drop=True)
        terms = base.terms
        if subset is None:
            unit_of_token, term_ids = base.unit_of_token, base.term_ids
        else:
            on = chosen[base.unit_of_token]
            unit_of_token, term_ids = renumber[base.unit_of_token[on]], base.term_ids[on]

        # vocabulary trimming (as gensim's filter_extremes), on document frequencies over units
        df = np.bincount(base.pair_term[chosen[base.pair_unit]], minlength=len(terms))
        cf = np.bincount(term_ids, minlength=len(terms))
        no_below = min(params["no_below"], max(1, n_units // 10))  # on a tiny corpus keep what occurs once
        no_above = params["no_above"] if n_units > 10 else 1.0
        kept = (df >= no_below) & (df <= no_above * n_units)
        if kept.sum() > params["keep_n"]:
            ranked = np.flatnonzero(kept)[np.argsort(-df[kept], kind="stable")][:params["keep_n"]]
            kept = np.zeros(len(terms), dtype=bool)
            kept[ranked] = True
        self.vocabulary = [str(t) for t in terms[kept]]  # sorted, since terms are
        id_of_term = np.full(len(terms), -1, dtype=np.int64)
        id_of_term[kept] = np.arange(int(kept.sum()))
        self.df, self.cf = df[kept], cf[kept]

        # each unit's word ids (in text order), concatenated, and where each unit starts
        ids = id_of_term[term_ids]
        keep_token = ids >= 0
        self.ids = ids[keep_token].astype(np.int32)
        unit_kept = unit_of_token[keep_token]
        del ids, keep_token
        self.n_tokens = np.bincount(unit_kept, minlength=n_units)
        self.offsets = np.concatenate([[0], np.cumsum(self.n_tokens)])
        self.used = self.n_tokens > 0
        # the used units in the order of their content keys
        keys = base.content_keys[selected]
        used_idx = np.flatnonzero(self.used)
        self.content_used = used_idx[np.argsort(keys[used_idx], kind="stable")].astype(np.int64) if len(used_idx) \
            else np.zeros(0, dtype=np.int64)
        position_of = np.full(n_units, -1)
        position_of[used_idx] = np.arange(len(used_idx))
        self.position = position_of[self.content_used]  # where each content-ordered unit sits among the used
        digest = hashlib.sha256()
        digest.update(join_strings(self.vocabulary).tobytes())
        for u in self.content_used:
            digest.update(self.ids[self.offsets[u]:self.offsets[u + 1]].tobytes())
            digest.update(b"|")
        self.fingerprint = digest.hexdigest()
        self._dictionary = None

    def unit_ids(self, u: int) -> np.ndarray:
        return self.ids[self.offsets[u]:self.offsets[u + 1]]

    def words(self, u: int) -> list[str]:
        vocab = self.vocabulary
        return [vocab[i] for i in self.unit_ids(u)]

    def word_lists(self, units) -> Iterator[list[str]]:
        """The words of each of ``units``, in text order: :meth:`words` for many units, looked up at once."""
        units = np.asarray(units, dtype=np.int64)
        if not len(units):
            return
        every = np.asarray(self.vocabulary, dtype=object)[self.ids]  # every kept token as its word, once
        offsets = self.offsets
        for u in units:
            yield every[offsets[u]:offsets[u + 1]].tolist()

    def bow(self, u: int) -> list[tuple[int, int]]:
        values, counts = np.unique(self.unit_ids(u), return_counts=True)
        return list(zip(values.tolist(), counts.tolist()))

    @property
    def dictionary(self):
        """A gensim Dictionary of the vocabulary (ids in sorted order), for gensim's models and coherence."""
        if self._dictionary is None:
            self._dictionary = gensim_dictionary(self.vocabulary, self.df, self.cf, int(self.used.sum()),
                                                  int(self.n_tokens.sum()))
        return self._dictionary

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_dictionary"] = None
        return state


def gensim_dictionary(vocabulary: list[str], df, cf, num_docs: int, num_pos: int):
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocabulary)}
    dictionary.id2token = {}
    dictionary.dfs = {i: int(n) for i, n in enumerate(df)}
    dictionary.cfs = {i: int(n) for i, n in enumerate(cf)}
    dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = num_docs, num_pos, int(np.sum(df))
    return dictionary

