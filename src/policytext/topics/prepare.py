"""Units and their vocabulary as integer arrays, in an order derived from their content.

The units (paragraphs, or documents) are built from the tokens table; the vocabulary is numbered
in sorted order and trimmed as gensim's ``filter_extremes`` does, so that renaming or reordering
documents does not change a fit.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

from policytext._core.cache import join_strings
from policytext._core.tables import document_metadata

__all__ = ["PreparedUnits", "vocabulary_tokens", "codes_of", "gensim_dictionary"]

# --------------------------------------------------------------------------------------
# Units and the vocabulary, as integer arrays
# --------------------------------------------------------------------------------------

def vocabulary_tokens(tokens: pd.DataFrame, drop_places: bool, drop_boilerplate: bool) -> pd.DataFrame:
    """The tokens without place names and genre boilerplate, if asked (the same lists everywhere)."""
    from policytext.text.vocabulary import content_tokens

    return content_tokens(tokens, drop_places=drop_places, drop_boilerplate=drop_boilerplate, purpose="topic vocabulary")


def codes_of(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their values in sorted order (a categorical's own codes when its categories are sorted)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories.astype(str).to_numpy(dtype=object)
        codes = series.cat.codes.to_numpy().astype(np.int64)
        order = np.argsort(categories, kind="stable")
        if np.array_equal(order, np.arange(len(order))):
            return codes, categories
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank[codes], categories[order]
    codes, uniques = pd.factorize(series.astype(str), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


class PreparedUnits:
    """Units, their content order, the trimmed vocabulary and each unit's word ids: built once, fitted many times.

    Everything is an integer array built in time linear in the number of
    tokens (plus a sort): no per-token Python objects.
    """

    def __init__(self, tokens: pd.DataFrame, params: dict):
        unit = params["unit"]
        if unit not in ("paragraph", "document"):
            raise ValueError(f"unit must be 'paragraph' or 'document', got {unit!r}")
        tokens = vocabulary_tokens(tokens, params["drop_places"], params["drop_boilerplate"])
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
        term_sorted = term_codes[order].astype(np.int32)
        del doc_codes, term_codes, position
        new_unit = np.ones(len(order), dtype=bool)
        new_unit[1:] = (doc_sorted[1:] != doc_sorted[:-1]) | (para_sorted[1:] != para_sorted[:-1])
        starts = np.flatnonzero(new_unit)
        unit_of_token = (np.cumsum(new_unit, dtype=np.int64) - 1)
        del new_unit
        n_units = len(starts)

        # units table: doc_id, para_id and the metadata
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

        # vocabulary trimming (as gensim's filter_extremes), on document frequencies over units
        # (unit, term) pairs: sorted, then the first of each run (a sort is faster than a hash here)
        pairs = np.sort(unit_of_token * len(terms) + term_sorted) if len(order) else np.zeros(0, dtype=np.int64)
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:] != pairs[:-1]
        df = np.bincount(pairs[first] % max(1, len(terms)), minlength=len(terms))
        del pairs, first
        cf = np.bincount(term_sorted, minlength=len(terms))
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
        ids = id_of_term[term_sorted]
        del term_sorted
        keep_token = ids >= 0
        self.ids = ids[keep_token].astype(np.int32)
        unit_kept = unit_of_token[keep_token]
        del ids, keep_token, unit_of_token
        self.n_tokens = np.bincount(unit_kept, minlength=n_units)
        self.offsets = np.concatenate([[0], np.cumsum(self.n_tokens)])
        self.used = self.n_tokens > 0
        # the used units in an order derived from their content
        keys = [hashlib.sha1(self.ids[self.offsets[u]:self.offsets[u + 1]].tobytes()).hexdigest()
                for u in range(n_units)]
        used_idx = np.flatnonzero(self.used)
        self.content_used = np.array(sorted(used_idx, key=lambda u: keys[u]), dtype=np.int64)
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

