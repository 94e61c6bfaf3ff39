"""Lexicon lookup: where the terms of a lexicon occur in a tokens table, whether or not they are single tokens.

A term of a lexicon counts wherever its text occurs, not only where the segmenter
happens to keep it whole. A term that is no token of the table is matched as the
sequence of tokens the same tokenizer gives it (quanteda's ``tokens_lookup`` matches
multi-word patterns the same way): 低空经济 is 低空 followed by 经济, at consecutive
positions of one unit. A term whose pieces include one the tokenizer drops (the
``+`` of 人工智能+, the ``×`` of 数据要素×, a single character) can never be
counted from the tokens; it is named in a warning and in the result's
``attrs["unmatchable_terms"]``. To make such terms tokens of their own, give the
lexicon to the tokenizer as well: ``tokenize(docs, user_dicts=["my_lexicon.tsv"])``.

Where matches overlap, the longest wins: a token inside a match of a longer term is
not also a hit of a shorter one.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext.io import resources

__all__ = ["lexicon_table", "lexicon_matches"]

logger = logging.getLogger(__name__)


def lexicon_table(lexicon, level: str = "dimension") -> pd.DataFrame:
    """A lexicon (a shipped one by name, a file or a table) as ``dimension, label, term`` at ``level``
    (``dimension`` or ``subdimension``).

    Examples
    --------
    >>> lexicon_table("policy_instruments", "subdimension")["dimension"].nunique() > 3
    True
    """
    table = lexicon.copy() if isinstance(lexicon, pd.DataFrame) else resources.read_emphasis_lexicon(lexicon)
    if level == "subdimension":
        if "subdimension" not in table:
            raise ValueError("level='subdimension' needs a lexicon with a 'subdimension' column")
        table = table.assign(dimension=table["subdimension"],
                             label=table["sublabel"] if "sublabel" in table else table["subdimension"])
    elif level != "dimension":
        raise ValueError(f"level must be 'dimension' or 'subdimension', got {level!r}")
    twice = table[table.duplicated("term", keep=False)]
    if len(twice):
        logger.warning("emphasis lexicon: term(s) counted in more than one dimension: %s",
                       sorted(set(twice["term"])))
    return table[["dimension", "label", "term"]].drop_duplicates(["dimension", "term"]).reset_index(drop=True)


def _tokenizer_of(tokens: pd.DataFrame):
    from policytext.text.segmentation import PolicyTokenizer

    params = _attrs.params_of(tokens, "tokenizer")
    if params is None:
        logger.info("the tokens table does not say which tokenizer made it: terms are cut by the default one")
        return PolicyTokenizer()
    return PolicyTokenizer(**params)


def lexicon_matches(tokens: pd.DataFrame, lexicon: pd.DataFrame, *, term: str = "token",
                    tokenizer=None) -> pd.DataFrame:
    """Every occurrence of a lexicon term in a tokens table: one row per match.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize` (``doc_id``, ``para_id``, ``position``,
        ``token``; a table without ``para_id`` and ``position`` is matched token by
        token). Not modified.
    lexicon : DataFrame
        With a ``term`` column (and any others, such as ``dimension``, carried to
        each match).
    tokenizer : PolicyTokenizer, optional
        The tokenizer that cuts terms that are no tokens; default: the one that
        made ``tokens`` (from ``tokens.attrs["params"]``).

    Returns
    -------
    DataFrame
        ``row`` (the position in ``tokens`` of the match's first token), ``n_tokens``
        (1 for a term that is a token, more for a sequence) and the lexicon's
        columns. ``attrs["unmatchable_terms"]``: term -> why it can never match.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 5, "para_id": [0] * 5, "position": [0, 1, 2, 3, 5],
    ...                      "token": ["发展", "低空", "经济", "产业", "经济"]})
    >>> lex = pd.DataFrame({"dimension": ["new", "new"], "term": ["低空经济", "人工智能+"]})
    >>> m = lexicon_matches(toks, lex)
    >>> m[["row", "term", "n_tokens"]].values.tolist(), sorted(m.attrs["unmatchable_terms"])
    ([[1, '低空经济', 2]], ['人工智能+'])
    """
    lexicon = lexicon.drop_duplicates(subset=[c for c in lexicon.columns if c in ("dimension", "term")] or ["term"])
    if "position" not in tokens or "para_id" not in tokens:  # a table of bare tokens: terms are single tokens
        column = tokens[term].astype("object").to_numpy()
        inside = np.flatnonzero(pd.Series(column).isin(set(lexicon["term"])).to_numpy())
        found = pd.DataFrame({"row": inside, "n_tokens": 1, "term": column[inside]}).merge(lexicon, on="term")
        found = found.sort_values(["row", "term"], kind="stable").reset_index(drop=True)
        found.attrs["unmatchable_terms"] = {}
        return found
    column = tokens[term]
    values = column.astype("category") if not isinstance(column.dtype, pd.CategoricalDtype) else column
    categories = pd.Index(values.cat.categories.astype(str))
    codes = values.cat.codes.to_numpy()
    known = set(categories)
    terms = list(dict.fromkeys(lexicon["term"].astype(str)))
    single = [t for t in terms if t in known]
    others = [t for t in terms if t not in known]

    rows, lengths, matched = [], [], []
    # terms that are tokens: every row holding one
    single_codes = categories.get_indexer(single)
    if single:
        hit = np.isin(codes, single_codes)
        where = np.flatnonzero(hit)
        rows.append(where)
        lengths.append(np.ones(len(where), dtype=np.int64))
        matched.append(categories[codes[where]].to_numpy(dtype=object))

    unmatchable: dict[str, str] = {}
    patterns: dict[str, list[str]] = {}
    if others:
        tk = tokenizer if tokenizer is not None else _tokenizer_of(tokens)
        for t in others:
            pieces = tk.segment_term(t)
            dropped = [w for w, keep in pieces if not keep]
            if dropped:
                unmatchable[t] = (f"the tokenizer cuts it into {' + '.join(w for w, _ in pieces)} and drops "
                                  f"{', '.join(repr(w) for w in dropped)}")
            elif len(pieces) >= 2:
                patterns[t] = [w for w, _ in pieces]
            # one kept piece equal to the term: a token type this corpus does not hold, no hit
    if patterns:
        order = np.lexsort((tokens["position"].to_numpy(), tokens["para_id"].to_numpy(),
                            tokens["doc_id"].astype("object").astype(str).to_numpy()))
        doc = tokens["doc_id"].astype("object").astype(str).to_numpy()[order]
        para = tokens["para_id"].to_numpy()[order]
        pos = tokens["position"].to_numpy()[order]
        code = codes[order]
        n = len(order)
        for t, pieces in patterns.items():
            piece_codes = categories.get_indexer(pieces)
            if (piece_codes < 0).any():
                continue  # a piece that never occurs: no match
            start = np.flatnonzero(code == piece_codes[0])
            ok = np.ones(len(start), dtype=bool)
            for k in range(1, len(pieces)):
                nxt = start + k
                inside = nxt < n
                nxt = np.where(inside, nxt, 0)
                ok &= (inside & (code[nxt] == piece_codes[k]) & (doc[nxt] == doc[start]) & (para[nxt] == para[start])
                       & (pos[nxt] == pos[start] + k))
            first = start[ok]
            rows.append(order[first])
            lengths.append(np.full(len(first), len(pieces), dtype=np.int64))
            matched.append(np.full(len(first), t, dtype=object))
            # the other tokens of each match, to take from shorter terms below
            for k in range(1, len(pieces)):
                rows.append(order[first + k])
                lengths.append(np.full(len(first), -1, dtype=np.int64))  # -1: inside a match
                matched.append(np.full(len(first), t, dtype=object))
    if unmatchable:
        logger.warning("%d lexicon term(s) can never be counted from these tokens: %s", len(unmatchable),
                       "; ".join(f"{t} ({why})" for t, why in list(unmatchable.items())[:5]))
    if rows:
        table = pd.DataFrame({"row": np.concatenate(rows), "n_tokens": np.concatenate(lengths),
                              "term": np.concatenate(matched)})
        # the longest match wins a token: a row inside (or opening) a longer match is no hit of a shorter term
        inside = set(table.loc[table["n_tokens"] != 1, "row"])
        table = table[(table["n_tokens"] > 1) | ((table["n_tokens"] == 1) & ~table["row"].isin(inside))]
    else:
        table = pd.DataFrame({"row": np.zeros(0, dtype=np.int64), "n_tokens": np.zeros(0, dtype=np.int64),
                              "term": np.zeros(0, dtype=object)})
    out = table.merge(lexicon.assign(term=lexicon["term"].astype(str)), on="term", how="inner")
    out = out.sort_values(["row", "term"], kind="stable").reset_index(drop=True)
    out.attrs["unmatchable_terms"] = unmatchable
    return out
