"""Policy emphasis: how much each group says about each policy dimension, with uncertainty.

A lexicon maps dimensions to terms (two ship with the package; see
``data/emphasis/``). For each group: hits per 10,000 tokens and each dimension's
share of the group's hits, with intervals from a bootstrap over the group's
documents (a cluster bootstrap), widened to the exact interval of the count, so
that a zero count never gets ``[0, 0]``. For model-based comparisons between
groups see :func:`policytext.compare_rates`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext._core.deprecation import NOT_GIVEN, default_by
from policytext._core.tables import group_keys
from policytext.compare.lexicons import lexicon_matches, lexicon_table
from policytext._core.stats import binomial_interval, group_rng, percentile_interval, poisson_interval, resample_sums

__all__ = ["emphasis", "emphasis_terms", "emphasis_examples", "RESAMPLE"]

logger = logging.getLogger(__name__)


def _lexicon_hits(tokens: pd.DataFrame, by, lex: pd.DataFrame, term: str):
    """Group keys of every token, and one row per hit of a lexicon term (a token, or a sequence of tokens: see
    :func:`policytext.lexicon_matches`), at the row of its first token."""
    cols, keys = group_keys(tokens, by)
    data = keys.assign(doc_id=tokens["doc_id"].astype("object").to_numpy(),
                       para_id=tokens["para_id"].to_numpy() if "para_id" in tokens else 0,
                       term=tokens[term].astype("object").to_numpy())
    data = data.loc[:, ~data.columns.duplicated()].reset_index(drop=True)  # by="doc_id" or by=None
    matches = _matches(tokens, lex, term)
    rows = matches["row"].to_numpy()
    hits = data.iloc[rows].drop(columns="term").assign(_row=rows).reset_index(drop=True)
    hits = pd.concat([hits, matches[["term", "dimension", "label"]].reset_index(drop=True)], axis=1)
    hits.attrs["unmatchable_terms"] = matches.attrs.get("unmatchable_terms", {})
    return cols, data, hits


def _matches(tokens: pd.DataFrame, lex: pd.DataFrame, term: str) -> pd.DataFrame:
    return lexicon_matches(tokens, lex, term=term)


def emphasis_terms(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = NOT_GIVEN,
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
    >>> t = emphasis_terms(toks, by="province")
    >>> t.loc[t["hits"] > 0, ["term", "hits", "share_of_dimension"]].values.tolist()
    [['5G', 2, 0.6666666666666666], ['基站', 1, 0.3333333333333333]]
    """
    lex = lexicon_table(lexicon, level)
    by = default_by(by, tokens, "emphasis_terms")
    cols, data, hits = _lexicon_hits(tokens, by, lex, term)
    totals = data.groupby(cols, sort=True).size().rename("tokens").reset_index()
    counted = hits.groupby(cols + ["dimension", "term"], sort=True).size().rename("hits").reset_index()
    table = totals.merge(lex, how="cross").merge(counted, on=cols + ["dimension", "term"], how="left")
    table["hits"] = table["hits"].fillna(0).astype(int)
    table["per_10k"] = table["hits"] / table["tokens"] * 10_000
    dim_hits = table.groupby(cols + ["dimension"])["hits"].transform("sum")
    table["share_of_dimension"] = np.where(dim_hits > 0, table["hits"] / dim_hits.where(dim_hits > 0, 1), np.nan)
    table = table.drop(columns="tokens")
    table.attrs["unmatchable_terms"] = hits.attrs["unmatchable_terms"]
    return table.sort_values(cols + ["dimension", "hits", "term"], ascending=[True] * (len(cols) + 1) + [False, True],
                             kind="stable").reset_index(drop=True)


def emphasis_examples(tokens: pd.DataFrame, docs: pd.DataFrame, *, lexicon: str | Path | pd.DataFrame = "digital_policy",
                      level: str = "dimension", n: int = 3, window: int = 20, random_state: int = 0,
                      column: str = "text_clean", term: str = "token") -> pd.DataFrame:
    """A few hits of each dimension in their context, drawn at random: to read what a measure counts.

    For each dimension, ``n`` of its hits (tokens matching a lexicon term)
    are drawn at random without replacement (seeded per dimension), and each
    is shown in the cleaned text of its unit, ``window`` characters either side.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`policytext.tokenize`.
    docs : DataFrame
        The documents the tokens came from, with ``doc_id`` and the cleaned text.
    n : int
        Hits per dimension (fewer if it has fewer).

    Returns
    -------
    DataFrame
        ``dimension``, ``label``, ``term``, ``doc_id``, ``para_id``, ``left``,
        ``keyword``, ``right``, in dimension order.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["建设5G基站和千兆光网。"]})
    >>> toks = pd.DataFrame({"doc_id": ["a", "a"], "para_id": [0, 0], "position": [1, 3],
    ...                      "token": ["5G基站", "千兆光网"]})
    >>> emphasis_examples(toks, docs, n=1, window=3)[["term", "left", "keyword", "right"]].values.tolist()
    [['千兆光网', '基站和', '千兆光网', '。']]
    """
    lex = lexicon_table(lexicon, level)
    max_chars = (_attrs.params_of(tokens, "tokenizer") or {}).get("max_unit_chars", 300)
    matches = _matches(tokens, lex, term)
    rows = matches["row"].to_numpy()
    hits = pd.DataFrame({"ex_doc": tokens["doc_id"].astype("object").astype(str).to_numpy()[rows],
                         "para_id": tokens["para_id"].to_numpy()[rows],
                         "position": tokens["position"].to_numpy()[rows],
                         "ex_term": matches["term"].to_numpy(), "dimension": matches["dimension"].to_numpy()})
    # which occurrence of the term in its unit each hit is, to find it in the unit's text
    hits = hits.sort_values(["ex_doc", "para_id", "position"], kind="stable").reset_index(drop=True)
    hits["ex_nth"] = hits.groupby(["ex_doc", "para_id", "ex_term"], sort=False).cumcount()
    text_of = _unit_texts(tokens, docs, column, max_chars)
    rows = []
    for dim, label in lex[["dimension", "label"]].drop_duplicates("dimension").itertuples(index=False):
        mine = hits[hits["dimension"] == dim]
        if mine.empty:
            continue
        take = group_rng(random_state, dim).choice(len(mine), size=min(n, len(mine)), replace=False)
        for r in mine.iloc[np.sort(take)].itertuples(index=False):
            text = text_of.get((r.ex_doc, r.para_id), "")
            start, found = -1, 0
            while found <= r.ex_nth:
                start = text.find(r.ex_term, start + 1)
                if start < 0:
                    break
                found += 1
            if start < 0:
                start = text.find(r.ex_term)
            if start < 0:
                continue  # the cleaned text and the tokens disagree (another max_unit_chars): skip the hit
            end = start + len(r.ex_term)
            rows.append((dim, label, r.ex_term, r.ex_doc, int(r.para_id), text[max(0, start - window):start],
                         text[start:end], text[end:end + window]))
    return pd.DataFrame(rows, columns=["dimension", "label", "term", "doc_id", "para_id", "left", "keyword", "right"])


def _unit_texts(tokens: pd.DataFrame, docs: pd.DataFrame, column: str, max_chars: int) -> dict:
    """(doc_id, para_id) -> the unit's text: from the units :func:`tokenize` kept (no second split), else split."""
    texts = dict(zip(docs["doc_id"].astype(str), docs[column]))
    held = _attrs.held(tokens, "units")
    if held is not None:
        return {(d, p): texts[d][a:b] for d, p, a, b in held[["doc_id", "para_id", "start", "end"]].itertuples(
            index=False) if isinstance(texts.get(d), str)}
    from policytext.text.units import split_units

    units = split_units(docs.assign(doc_id=docs["doc_id"].astype(str)), column=column, max_chars=max_chars)
    return dict(zip(zip(units["doc_id"], units["para_id"]), units["text"]))


#: What :func:`emphasis` can resample.
RESAMPLE = ("document", "unit")


def emphasis(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = NOT_GIVEN,
    lexicon: str | Path | pd.DataFrame = "digital_policy",
    level: str = "dimension",
    resample: str = "document",
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
    term: str = "token",
) -> pd.DataFrame:
    """Emphasis of each group on each policy dimension, with intervals that rest on documents.

    Parameters
    ----------
    tokens : DataFrame
        One row per token, with ``doc_id`` (and ``para_id`` for
        ``resample="unit"``). Not modified.
    by : str or list of str, optional
        Metadata column(s) to group by; ``None``: documents.
    lexicon : str, path or DataFrame
        ``"digital_policy"`` (default), ``"policy_instruments"``, your own file
        (see :func:`policytext.read_emphasis_lexicon`) or a table with
        ``dimension``, ``term`` (and ``label``).
    level : {"dimension", "subdimension"}
        Score by dimension, or by sub-dimension (e.g. the sub-instruments of
        the policy-instruments codebook).
    resample : {"document", "unit"}
        What the bootstrap resamples within each group: its documents (a
        cluster bootstrap, the default: the interval shows how the score
        would vary with other documents of the same kind) or its units
        (paragraphs, as if they were independent: it shows only how much a
        score rests on a few passages).
    n_boot : int
        Bootstrap resamples; 0 gives the exact intervals alone.
    ci : float
        Coverage of the intervals.
    random_state : int
        Seed; the same seed gives the same intervals (each group has its own
        stream, derived from the seed and the group's name).

    Notes
    -----
    Each interval of the rate is the wider of two: the bootstrap interval
    (over documents, or units; the expanded percentile interval of
    Hesterberg (2015), which corrects the percentile interval's narrowness
    with few clusters) and the exact Poisson (Garwood)
    interval of the group's pooled count. The bootstrap carries the
    variation between documents; the exact interval keeps a zero or small
    count from getting ``[0, 0]`` or a lower bound pinned at its estimate,
    and is the only basis for a group with a single document (``interval_basis``
    says so, ``single_document`` flags the group). It treats that document's
    tokens as independent draws, so it cannot show how another document of
    the same province would differ. Share intervals likewise combine the
    bootstrap with the exact (Clopper-Pearson) interval of the dimension's
    hits among the group's lexicon hits. In simulations (``tests/test_inference.py``)
    the 95% interval covered a group's true rate 93% of the time with 10
    documents, 86% with 5 and 76% with 3: with 2 to 4 documents a bootstrap
    understates the uncertainty, and the note says so. For a test of a
    difference between groups, adjusted for other covariates, use
    :func:`policytext.compare_rates`.

    Returns
    -------
    DataFrame
        One row per group and dimension: the ``by`` columns, ``dimension``,
        ``label``, ``hits``, ``tokens`` (the group's tokens), ``per_10k`` with
        ``per_10k_low`` and ``per_10k_high``, ``share`` (of the group's lexicon
        hits; shares of a group sum to 1) with ``share_low`` and
        ``share_high``, ``n_docs``, ``n_units``, ``single_document``,
        ``interval_basis`` (what the interval rests on) and ``note`` (why an
        interval is wide or missing). The settings are in
        ``attrs["params"]``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "para_id": [0, 0, 1, 1], "province": ["鄂"] * 4,
    ...                      "token": ["5G", "人才", "工业互联网平台", "发展"]})
    >>> e = emphasis(toks, by="province", n_boot=0)
    >>> e.loc[e["hits"] > 0, ["dimension", "hits", "per_10k", "share"]].values.tolist()
    [['infrastructure_networks', 1, 2500.0, 0.3333333333333333], ['platforms', 1, 2500.0, 0.3333333333333333], ['talent', 1, 2500.0, 0.3333333333333333]]
    >>> absent = e[e["hits"] == 0].iloc[0]
    >>> float(absent["per_10k_low"]), round(float(absent["per_10k_high"]))   # 0 of 4 tokens: not [0, 0]
    (0.0, 9222)
    """
    if resample not in RESAMPLE:
        raise ValueError(f"resample must be one of {RESAMPLE}, got {resample!r}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be 0 or more, got {n_boot}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    lex = lexicon_table(lexicon, level)
    dims = lex[["dimension", "label"]].drop_duplicates("dimension").reset_index(drop=True)
    from policytext.compare.datasets import is_token_dataset

    if is_token_dataset(tokens):
        by = default_by(by, _dataset_frame(tokens), "emphasis")
        cols, units, unit_hits, unmatchable = _dataset_units(tokens, by, lex, dims)
    else:
        by = default_by(by, tokens, "emphasis")
        cols, units, unit_hits, unmatchable = _token_units(tokens, by, lex, term, dims)
    rows = []
    for key, part in units.groupby(cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        index = part.index.to_numpy()
        if resample == "document":  # clusters: the group's documents, in order
            _, cluster_of_row = np.unique(part["doc_id"].to_numpy(dtype=object), return_inverse=True)
        else:  # clusters: its paragraphs, in order of document and paragraph
            cluster_of_row = np.arange(len(part))
        cluster_of_row = cluster_of_row.ravel()
        n_clusters = int(cluster_of_row.max()) + 1
        cluster_tokens = np.bincount(cluster_of_row, weights=part["tokens"].to_numpy(dtype=float),
                                     minlength=n_clusters)
        cluster_hits = np.zeros((n_clusters, len(dims)))
        np.add.at(cluster_hits, cluster_of_row, unit_hits[index])
        group_hits, total = cluster_hits.sum(axis=0), cluster_tokens.sum()
        n_docs = part["doc_id"].nunique()
        n_units = len(part)
        per_10k = group_hits / total * 10_000
        all_hits = group_hits.sum()
        share = group_hits / all_hits if all_hits > 0 else np.full(len(dims), np.nan)
        low, high = poisson_interval(group_hits, total / 10_000, ci=ci)
        slow, shigh = binomial_interval(group_hits, np.full(len(dims), all_hits), ci=ci)
        what = "documents" if resample == "document" else "paragraphs"
        if n_boot > 0 and n_clusters > 1:
            sums = resample_sums(group_rng(random_state, key), np.column_stack([cluster_hits, cluster_tokens]),
                                 n_boot)
            h, t = sums[:, :-1], sums[:, -1]
            blow, bhigh = percentile_interval(h / t[:, None] * 10_000, ci=ci, n_clusters=n_clusters)
            low, high = np.minimum(low, blow), np.maximum(high, bhigh)
            if all_hits > 0:
                with np.errstate(invalid="ignore", divide="ignore"):
                    bslow, bshigh = percentile_interval(h / h.sum(axis=1, keepdims=True), ci=ci,
                                                        n_clusters=n_clusters)
                slow, shigh = np.fmin(slow, bslow), np.fmax(shigh, bshigh)
            basis = f"{what}: bootstrap over {n_clusters}, widened to the exact interval where that is wider"
        elif n_docs == 1:
            basis = "tokens of one document: exact interval"
        else:
            basis = "tokens: exact interval" + (" (no bootstrap: n_boot=0)" if n_boot == 0 else
                                                f" (one {what[:-1]} only)")
        notes = []
        if all_hits == 0:
            notes.append("no lexicon term occurs in this group: shares undefined")
        if n_docs == 1:
            notes.append("one document: the interval reflects its own tokens only, not how other documents of "
                         "the group would differ; the true uncertainty is larger than it shows")
        elif n_docs < 5 and resample == "document" and n_boot > 0:
            notes.append(f"{n_docs} documents: a bootstrap over so few documents understates the uncertainty")
        elif resample == "unit" and n_boot > 0:
            notes.append("paragraph bootstrap: does not cover variation between documents")
        note = "; ".join(notes)
        for i, (dim, label) in enumerate(dims.itertuples(index=False)):
            rows.append((*key, dim, label, int(group_hits[i]), int(total), per_10k[i], low[i], high[i], share[i],
                         slow[i], shigh[i], n_docs, n_units, n_docs == 1, basis, note))
    out = pd.DataFrame(rows, columns=cols + ["dimension", "label", "hits", "tokens", "per_10k", "per_10k_low",
                                             "per_10k_high", "share", "share_low", "share_high", "n_docs",
                                             "n_units", "single_document", "interval_basis", "note"])
    _attrs.set_params(out, "emphasis", {"by": cols, "lexicon": "table" if isinstance(lexicon, pd.DataFrame) else str(lexicon),
                                    "level": level, "resample": resample, "n_boot": n_boot, "ci": ci,
                                    "random_state": random_state})
    out.attrs["unmatchable_terms"] = unmatchable
    return out


def _token_units(tokens: pd.DataFrame, by, lex: pd.DataFrame, term: str, dims: pd.DataFrame):
    """Each unit (group, document, paragraph) of a tokens table: its tokens, and its lexicon hits per dimension
    (units x dimensions), in the order of group, document and paragraph."""
    cols, data, hits = _lexicon_hits(tokens, by, lex, term)
    keys = cols + [c for c in ("doc_id", "para_id") if c not in cols]
    grouped = data.groupby(keys, sort=True)
    unit_code = grouped.ngroup().to_numpy()
    units = grouped.size().rename("tokens").reset_index()
    unit_hits = np.zeros((len(units), len(dims)))
    np.add.at(unit_hits, (unit_code[hits["_row"].to_numpy()], pd.Index(dims["dimension"]).get_indexer(hits["dimension"])),
              1.0)
    if "doc_id" not in units:
        units["doc_id"] = units[cols[0]]
    return cols, units, unit_hits, hits.attrs["unmatchable_terms"]


def _dataset_frame(path) -> pd.DataFrame:
    """An empty tokens-shaped frame that carries a token dataset's documents: for checking ``by=``."""
    from policytext.compare.datasets import dataset_documents, with_documents

    return with_documents(pd.DataFrame({"doc_id": pd.Series([], dtype=object)}), dataset_documents(path))


#: Tokenizers a worker built to match lexicon terms, by their settings.
_WORKER_TOKENIZERS: dict = {}


def _file_units(file: str, lex: pd.DataFrame, dims: pd.DataFrame, tokenizer_params):
    """On a worker: the units of one token file (document, paragraph, tokens) and their hits per dimension."""
    from policytext.compare.datasets import read_token_file
    from policytext.text.segmentation import PolicyTokenizer

    tokens = read_token_file(file, columns=["doc_id", "para_id", "position", "token"])
    key = json.dumps(tokenizer_params, sort_keys=True, ensure_ascii=False)
    tokenizer = _WORKER_TOKENIZERS.get(key)
    if tokenizer is None:  # built once per worker process, not once per file
        tokenizer = _WORKER_TOKENIZERS[key] = (PolicyTokenizer(**tokenizer_params) if tokenizer_params is not None
                                               else PolicyTokenizer())
    matches = lexicon_matches(tokens, lex, tokenizer=tokenizer)
    grouped = tokens.groupby(["doc_id", "para_id"], sort=True, observed=True)
    unit_code = grouped.ngroup().to_numpy()
    units = grouped.size().rename("tokens").reset_index()
    units["doc_id"] = units["doc_id"].astype(object).astype(str)
    unit_hits = np.zeros((len(units), len(dims)))
    np.add.at(unit_hits, (unit_code[matches["row"].to_numpy()],
                          pd.Index(dims["dimension"]).get_indexer(matches["dimension"])), 1.0)
    known = set(tokens["token"].cat.categories.astype(str))
    return units, unit_hits, matches.attrs.get("unmatchable_terms", {}), known


def _dataset_units(path, by, lex: pd.DataFrame, dims: pd.DataFrame):
    """:func:`_token_units` of a token dataset, each file matched on a worker."""
    from policytext.compare.datasets import dataset_documents, dataset_tokenizer_params, map_files, with_documents

    parts = map_files(path, _file_units, lex, dims, dataset_tokenizer_params(path))
    documents = dataset_documents(path)
    if parts:
        units = pd.concat([p[0] for p in parts], ignore_index=True)
        unit_hits = np.vstack([p[1] for p in parts])
    else:
        units = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "para_id": [], "tokens": []})
        unit_hits = np.zeros((0, len(dims)))
    known = set().union(*(p[3] for p in parts)) if parts else set()
    unmatchable = {t: why for p in parts for t, why in p[2].items() if t not in known}
    if unmatchable:
        logger.warning("%d lexicon term(s) can never be counted from these tokens: %s", len(unmatchable),
                       "; ".join(f"{t} ({why})" for t, why in list(unmatchable.items())[:5]))
    frame = with_documents(units[["doc_id"]].copy(), documents)
    cols, keys = group_keys(frame, by)
    keys = keys.drop(columns=[c for c in keys.columns if c in ("doc_id", "para_id")])
    units = pd.concat([keys.reset_index(drop=True), units.reset_index(drop=True)], axis=1)
    order = units.sort_values(list(dict.fromkeys([*cols, "doc_id", "para_id"])), kind="stable").index.to_numpy()
    return cols, units.iloc[order].reset_index(drop=True), unit_hits[order], unmatchable
