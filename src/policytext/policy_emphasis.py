"""Policy emphasis: how much each group says about each policy dimension, with uncertainty.

A lexicon maps dimensions to terms (two ship with the package; see
``data/emphasis/``). For each group: hits per 10,000 tokens and each dimension's
share of the group's hits, with percentile bootstrap intervals from resampling
the group's units (paragraphs) with replacement.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from . import loading
from .counting import group_keys

__all__ = ["emphasis", "emphasis_terms"]

logger = logging.getLogger(__name__)


def _lexicon(lexicon, level: str) -> pd.DataFrame:
    table = lexicon.copy() if isinstance(lexicon, pd.DataFrame) else loading.read_emphasis_lexicon(lexicon)
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


def _lexicon_hits(tokens: pd.DataFrame, by, lex: pd.DataFrame, term: str):
    """Group keys of every token, and one row per (token, dimension) it hits."""
    cols, keys = group_keys(tokens, by)
    data = keys.assign(doc_id=tokens["doc_id"].astype("object").to_numpy(),
                       para_id=tokens["para_id"].to_numpy() if "para_id" in tokens else 0,
                       term=tokens[term].astype("object").to_numpy())
    data = data.loc[:, ~data.columns.duplicated()]  # by="doc_id" or by=None
    hits = data.reset_index(drop=True).reset_index(names="_row").merge(lex, on="term")
    return cols, data.reset_index(drop=True), hits


def emphasis_terms(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = "province",
                   lexicon: str | Path | pd.DataFrame = "digital_policy", level: str = "dimension",
                   term: str = "token") -> pd.DataFrame:
    """Which terms drove each emphasis score: hits of every lexicon term per group.

    Returns
    -------
    DataFrame
        ``by`` columns, ``dimension``, ``label``, ``term``, ``hits``,
        ``per_10k`` and ``share_of_dimension`` (the term's part of the
        dimension's hits in the group). Terms that never occur in a group are
        listed with 0 hits, so a lexicon term that never occurs stays visible.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 3, "province": ["鄂"] * 3, "token": ["5G", "5G", "基站"]})
    >>> t = emphasis_terms(toks)
    >>> t.loc[t["hits"] > 0, ["term", "hits", "share_of_dimension"]].values.tolist()
    [['5G', 2, 0.6666666666666666], ['基站', 1, 0.3333333333333333]]
    """
    lex = _lexicon(lexicon, level)
    cols, data, hits = _lexicon_hits(tokens, by, lex, term)
    totals = data.groupby(cols, sort=True).size().rename("tokens").reset_index()
    counted = hits.groupby(cols + ["dimension", "term"], sort=True).size().rename("hits").reset_index()
    table = totals.merge(lex, how="cross").merge(counted, on=cols + ["dimension", "term"], how="left")
    table["hits"] = table["hits"].fillna(0).astype(int)
    table["per_10k"] = table["hits"] / table["tokens"] * 10_000
    dim_hits = table.groupby(cols + ["dimension"])["hits"].transform("sum")
    table["share_of_dimension"] = np.where(dim_hits > 0, table["hits"] / dim_hits.where(dim_hits > 0, 1), np.nan)
    table = table.drop(columns="tokens")
    return table.sort_values(cols + ["dimension", "hits", "term"], ascending=[True] * (len(cols) + 1) + [False, True],
                             kind="stable").reset_index(drop=True)


def _seed(random_state: int, key) -> np.random.Generator:
    # one stream per group, from the seed and the group's name: adding or removing a
    # group does not change the others' intervals
    return np.random.default_rng([random_state, zlib.crc32(repr(key).encode("utf-8"))])


def emphasis(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "province",
    lexicon: str | Path | pd.DataFrame = "digital_policy",
    level: str = "dimension",
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
    term: str = "token",
) -> pd.DataFrame:
    """Emphasis of each group on each policy dimension, with bootstrap intervals.

    Parameters
    ----------
    tokens : DataFrame
        One row per token, with ``doc_id`` and ``para_id`` (the units that are
        resampled). Not modified.
    by : str or list of str, optional
        Metadata column(s) to group by; ``None``: documents.
    lexicon : str, path or DataFrame
        ``"digital_policy"`` (default), ``"policy_instruments"``, your own file
        (see :func:`policytext.read_emphasis_lexicon`) or a table with
        ``dimension``, ``term`` (and ``label``).
    level : {"dimension", "subdimension"}
        Score by dimension, or by sub-dimension (e.g. the sub-instruments of
        the policy-instruments codebook).
    n_boot : int
        Bootstrap resamples; 0 gives no intervals.
    ci : float
        Coverage of the percentile intervals.
    random_state : int
        Seed; the same seed gives the same intervals (each group has its own
        stream, derived from the seed and the group's name).

    Notes
    -----
    The intervals resample a group's units (paragraphs) with replacement, as
    if they were independent draws: they show how much a score rests on a
    few passages, not how much it would vary between other documents of the
    same province, so with few documents they are too narrow, and a note says
    so for single-document groups. A share interval leaves out resamples in
    which no lexicon term occurs (its share is undefined).

    Returns
    -------
    DataFrame
        One row per group and dimension: the ``by`` columns, ``dimension``,
        ``label``, ``hits``, ``tokens`` (the group's tokens), ``per_10k`` with
        ``per_10k_low`` and ``per_10k_high``, ``share`` (of the group's lexicon
        hits; shares of a group sum to 1) with ``share_low`` and
        ``share_high``, ``n_docs``, ``n_units`` and ``note`` (why an interval
        is wide or missing). The settings are in ``attrs["emphasis_params"]``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "para_id": [0, 0, 1, 1], "province": ["鄂"] * 4,
    ...                      "token": ["5G", "人才", "平台", "发展"]})
    >>> e = emphasis(toks, n_boot=0)
    >>> e.loc[e["hits"] > 0, ["dimension", "hits", "per_10k", "share"]].values.tolist()
    [['infrastructure_networks', 1, 2500.0, 0.3333333333333333], ['platforms', 1, 2500.0, 0.3333333333333333], ['talent', 1, 2500.0, 0.3333333333333333]]
    """
    lex = _lexicon(lexicon, level)
    cols, data, hits = _lexicon_hits(tokens, by, lex, term)
    dims = lex[["dimension", "label"]].drop_duplicates("dimension").reset_index(drop=True)
    dim_codes = pd.Index(dims["dimension"])
    alpha = (1 - ci) / 2
    unit_code = data.groupby(cols + ["doc_id", "para_id"], sort=True).ngroup().to_numpy()
    rows = []
    for key, part in data.groupby(cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        codes, unit_of_row = np.unique(unit_code[part.index.to_numpy()], return_inverse=True)
        n_units = len(codes)
        unit_tokens = np.bincount(unit_of_row, minlength=n_units).astype(float)
        unit_hits = np.zeros((n_units, len(dims)))
        mine = hits[hits["_row"].isin(part.index)]
        row_to_unit = pd.Series(unit_of_row, index=part.index)
        np.add.at(unit_hits, (row_to_unit.loc[mine["_row"]].to_numpy(), dim_codes.get_indexer(mine["dimension"])), 1.0)
        group_hits, total = unit_hits.sum(axis=0), unit_tokens.sum()
        n_docs = part["doc_id"].nunique()
        per_10k = group_hits / total * 10_000
        share = group_hits / group_hits.sum() if group_hits.sum() > 0 else np.full(len(dims), np.nan)
        low = high = slow = shigh = np.full(len(dims), np.nan)
        if n_boot > 0 and n_units > 1:
            rng = _seed(random_state, key)
            boot_rate, boot_share = [], []
            for start in range(0, n_boot, 200):  # in blocks, to bound memory on large groups
                b = min(200, n_boot - start)
                draws = rng.integers(0, n_units, size=(b, n_units))
                weights = np.zeros((b, n_units))
                np.add.at(weights, (np.repeat(np.arange(b), n_units), draws.ravel()), 1.0)
                h, t = weights @ unit_hits, weights @ unit_tokens
                boot_rate.append(h / t[:, None] * 10_000)
                with np.errstate(invalid="ignore", divide="ignore"):
                    boot_share.append(h / h.sum(axis=1, keepdims=True))
            boot_rate, boot_share = np.vstack(boot_rate), np.vstack(boot_share)
            low, high = np.quantile(boot_rate, [alpha, 1 - alpha], axis=0)
            slow, shigh = np.nanquantile(boot_share, [alpha, 1 - alpha], axis=0) if group_hits.sum() > 0 else (slow, shigh)
        if group_hits.sum() == 0:
            note = "no lexicon term occurs in this group: shares undefined"
        elif n_units < 2:
            note = "one unit only: no interval"
        elif n_docs == 1:
            note = (f"one document ({n_units} units): the interval reflects variation between its paragraphs "
                    "only, not between documents: the true uncertainty is larger than it shows")
        else:
            note = ""
        for i, (dim, label) in enumerate(dims.itertuples(index=False)):
            rows.append((*key, dim, label, int(group_hits[i]), int(total), per_10k[i], low[i], high[i], share[i],
                         slow[i], shigh[i], n_docs, n_units, note))
    out = pd.DataFrame(rows, columns=cols + ["dimension", "label", "hits", "tokens", "per_10k", "per_10k_low",
                                             "per_10k_high", "share", "share_low", "share_high", "n_docs",
                                             "n_units", "note"])
    out.attrs["emphasis_params"] = {"by": cols, "lexicon": "table" if isinstance(lexicon, pd.DataFrame) else str(lexicon),
                                    "level": level, "n_boot": n_boot, "ci": ci, "random_state": random_state}
    return out
