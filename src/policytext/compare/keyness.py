"""Keyness: which terms a group uses more (or less) than the rest of the corpus.

Two measures side by side: the log-likelihood ratio G² (with chi-square, p-values
adjusted by Benjamini-Hochberg, and the log ratio as effect size), and the
weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and
Quinn 2008), which does not reward frequent terms the way G² does.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import zlib
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats

from policytext._core import attrs as _attrs
from policytext.errors import NotEstimable
from policytext._core.stats import adjust_bh, g2_2x2  # noqa: F401 (adjust_bh: exported here too)
from policytext._core.tables import group_columns
from policytext.compare.counting import TermMatrix, document_matrix, term_matrix

__all__ = ["keyness", "permutation_floor", "adjust_bh", "CORRECTIONS", "POWER_ALPHA"]

logger = logging.getLogger(__name__)


#: Corrections of G² that :func:`keyness` offers.
CORRECTIONS = ("none", "williams")
#: Above this many G² evaluations (groups x terms x permutations) the permutation test is skipped.
PERMUTATION_BUDGET = 5e9
#: The level at which a permutation test that cannot reach it is said to have no power.
POWER_ALPHA = 0.05


def _g2_statistic(a, b, c, d, correction: str):
    """G² of 2x2 tables (term / other terms x target / reference), optionally Williams-corrected.

    ``a``, ``b``: the term's counts in target and reference; ``c``, ``d``: their totals.
    """
    g2 = g2_2x2(a, b, c - a, d - b)
    if correction == "williams":
        n = c + d
        r1 = a + b
        with np.errstate(divide="ignore", invalid="ignore"):
            q = 1 + (n / r1 + n / (n - r1) - 1) * (n / c + n / d - 1) / (6 * n)
        g2 = g2 / np.where(np.isfinite(q) & (q > 0), q, 1.0)
    return g2


def keyness(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    target=None,
    reference=None,
    min_count: int = 5,
    smoothing: float = 0.5,
    prior_size: float | None = None,
    correction: str = "none",
    n_perm: int = 1000,
    perm_stop: int = 40,
    random_state: int = 0,
    term: str = "token",
    client=None,
) -> pd.DataFrame:
    """Key terms of each group against the rest, or of a target against a reference.

    Parameters
    ----------
    tokens : DataFrame or TermMatrix
        One row per token (from :func:`policytext.tokenize`), or its matrix of
        documents (:func:`policytext.term_matrix`, built once and handed to
        every statistic), or the path of a token dataset
        (:func:`policytext.tokenize_to_parquet`), counted on the Dask cluster.
        Not modified.
    by : str or list of str, optional
        Metadata column(s) defining the groups; ``None``: documents.
    target : optional
        A group (a value of ``by``, a tuple for several columns). ``None``
        compares every group with the rest of the corpus, all at once.
    reference : optional
        The group (or list of groups) to compare ``target`` with; ``None``:
        all other groups.
    min_count : int
        Leave out terms used fewer times than this in target and reference
        together (before p-values are adjusted).
    smoothing : float
        Added to both counts in the log ratio, so that a term absent from one
        side gets a finite value.
    prior_size : float, optional
        Size α0 of the Dirichlet prior of the log-odds; the prior of a term is
        α0 times its share of the tokens of target and reference together.
        Default: their number of tokens (the prior is their pooled counts).
        The prior is built from the two sides of the comparison only, so adding
        or removing other groups does not change a comparison of A with B.
    correction : {"none", "williams"}
        ``williams``: divide G² by Williams' (1976) q, as quanteda's
        ``textstat_keyness(correction = "williams")``.
    n_perm : int
        Permutations of the document labels for ``p_perm`` (0: none). The
        test is skipped, with a warning and a note, when groups x terms x
        permutations exceed :data:`PERMUTATION_BUDGET`.
    perm_stop : int
        A term leaves the permutation test once this many permutations gave
        a G² at least as large as its own (sequential Monte Carlo p-values,
        Besag and Clifford 1991): terms far from significance stop early, the
        others run all ``n_perm`` permutations. ``perm_stop=n_perm`` turns it off.
    random_state : int
        Seed of the permutations.
    client : dask.distributed.Client, optional
        Run the permutation test on this Dask cluster's workers, the terms
        shared out among them; with a token dataset, the current client is
        used when none is given. Every worker draws the same permutations of
        the documents, so the p-values equal those of one process.

    Notes
    -----
    ``p_value`` is the chi-square p-value of G²: it treats every token as an
    independent draw, which documents are not (a term comes in bursts within
    a document), so on real corpora it calls thousands of terms significant
    even when documents are shuffled across groups. ``p_perm`` is a
    permutation test at the level of documents: the groups' labels are
    shuffled across documents (keeping each group's number of documents),
    G² is recomputed, and ``p_perm = (1 + #{G²_perm >= G²}) / (1 + n_perm)``
    (or ``perm_stop / L`` for a term that reached ``perm_stop`` exceedances
    after L permutations); its false-positive rate under shuffled labels is
    the nominal one. With
    ``n_perm`` permutations the smallest ``p_perm`` is ``1 / (n_perm + 1)``
    (and never below one over the number of distinct ways to choose the
    target's documents), so after a Benjamini-Hochberg adjustment over many
    terms few can reach 0.05 unless ``n_perm`` is large: every row carries
    these floors, and a "no power" note where a lone term cannot reach 0.05. A target with a single document is
    flagged: its G² p-values are meaningless, and ``p_perm`` compares it with
    randomly chosen other documents.

    Returns
    -------
    DataFrame
        One row per compared group and term: the ``by`` columns (the target
        group), ``reference`` (the compared group(s), or ``(rest)`` for all
        other groups when there are several), ``term``,
        ``n_target``, ``n_reference``, ``expected_target``,
        ``expected_reference`` (under no difference), ``g2`` (log-likelihood
        ratio of the 2x2 table term/other terms x target/reference), ``chi2``
        (Pearson, no continuity correction), ``p_value`` (of G², 1 df, tokens
        as independent draws), ``p_adjusted`` (Benjamini-Hochberg within each
        comparison), ``p_perm`` and ``p_perm_adjusted`` (document-label
        permutation test, BH within each comparison), ``p_perm_floor`` and
        ``p_perm_adjusted_floor`` (the smallest p and adjusted p a term can
        reach: :func:`permutation_floor`; a note says "no power" when the
        adjusted floor is above 0.05), ``docs_target`` and
        ``docs_reference`` (in how many of each side's documents the term
        occurs), ``n_docs_target``, ``n_docs_reference``, ``log_ratio`` (log2
        of the ratio of relative frequencies, smoothed), ``log_odds``
        (weighted log-odds ratio δ), ``log_odds_z`` (δ over its standard
        error), ``direction`` (``over`` or ``under``), ``single_document``
        and ``note``. Sorted by group, then by signed G² (over-used terms
        first). The settings are in ``attrs["params"]``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": list("aaaabbbb"), "province": ["鄂"] * 4 + ["川"] * 4,
    ...                      "token": ["数据", "数据", "数据", "平台", "平台", "平台", "平台", "数据"]})
    >>> k = keyness(toks, by="province", target="鄂", min_count=1, n_perm=0)
    >>> k[["term", "reference", "n_target", "n_reference", "direction"]].values.tolist()
    [['数据', '川', 3, 1, 'over'], ['平台', '川', 1, 3, 'under']]
    >>> round(float(k["g2"].iloc[0]), 4)  # 2 (6 ln 1.5 - 2 ln 2): all four expected cells are 2
    2.093
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    if n_perm < 0:
        raise ValueError(f"n_perm must be 0 or more, got {n_perm}")
    if perm_stop < 1:
        raise ValueError(f"perm_stop must be at least 1, got {perm_stop}")
    if min_count < 0:
        raise ValueError(f"min_count must be 0 or more, got {min_count}")
    from policytext.compare.datasets import dataset_client, is_token_dataset

    if is_token_dataset(tokens):
        client = dataset_client(client)
        tokens = term_matrix(tokens, client=client)
    if isinstance(tokens, TermMatrix):
        docs = document_matrix(tokens)
        cols = ["doc_id"] if by is None else ([by] if isinstance(by, str) else list(by))
    else:
        cols = group_columns(tokens, by)
        docs = term_matrix(tokens, by=None, term=term)  # documents x terms, sparse
    group_of_doc = docs.group_labels(cols)
    labels = sorted(set(group_of_doc))
    if len(labels) < 2:
        raise NotEstimable(f"keyness needs at least two groups; by={by!r} gives {labels}")
    label_index = {g: i for i, g in enumerate(labels)}
    doc_group = np.array([label_index[g] for g in group_of_doc])
    X = docs.matrix.tocsr().astype(np.float64)
    counts = _sum_rows(X, doc_group, len(labels))  # groups x terms, sparse
    present = X.copy()
    present.data[:] = 1.0
    doc_presence = _sum_rows(present, doc_group, len(labels))
    n_docs = np.bincount(doc_group, minlength=len(labels))
    doc_tokens = np.asarray(X.sum(axis=1)).ravel()

    if target is None:
        if reference is not None:
            raise ValueError("reference needs a target")
        comparisons = [(i, np.delete(np.arange(len(labels)), i), None) for i in range(len(labels))]
    else:
        if target not in label_index:
            raise KeyError(f"target {target!r} is not a group of by={by!r}; groups: {labels}")
        ti = label_index[target]
        if reference is None:
            comparisons = [(ti, np.delete(np.arange(len(labels)), ti), None)]
        else:
            refs = reference if isinstance(reference, list) else [reference]
            missing = [r for r in refs if r not in label_index]
            if missing:
                raise KeyError(f"reference {missing} is not a group of by={by!r}; groups: {labels}")
            if target in refs:
                raise ValueError(f"target {target!r} is also in the reference")
            comparisons = [(ti, np.array([label_index[r] for r in refs]), refs)]

    totals = np.asarray(counts.sum(axis=1)).ravel()
    tables = []
    for ti, ref, named in comparisons:
        a_all = np.asarray(counts[ti].todense()).ravel()
        b_all = np.asarray(counts[ref].sum(axis=0)).ravel()
        keep = (a_all + b_all) >= max(min_count, 1)
        a, b = a_all[keep], b_all[keep]
        c, d = float(totals[ti]), float(totals[ref].sum())
        n = c + d
        e1, e2 = c * (a + b) / n, d * (a + b) / n
        g2 = _g2_statistic(a, b, c, d, correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            chi2 = n * (a * (d - b) - b * (c - a)) ** 2 / ((a + b) * (n - a - b) * c * d)
        chi2 = np.nan_to_num(chi2, nan=0.0)
        p = stats.chi2.sf(g2, df=1)
        log_ratio = np.log2(((a + smoothing) / c) / ((b + smoothing) / d))
        # informative Dirichlet prior from the two sides of this comparison only
        pooled = a_all + b_all
        alpha0 = n if prior_size is None else float(prior_size)
        al = alpha0 * pooled[keep] / n
        delta = np.log((a + al) / (c + alpha0 - a - al)) - np.log((b + al) / (d + alpha0 - b - al))
        se = np.sqrt(1 / (a + al) + 1 / (b + al))
        in_comparison = np.isin(doc_group, np.concatenate([[ti], ref]))
        # one stream per comparison, from the seed and the groups compared: a comparison gives the same
        # p_perm whether it is run alone or with the others
        rng = np.random.default_rng([random_state, zlib.crc32(repr((labels[ti], named)).encode("utf-8"))])
        p_perm, perm_note = _permutation_p(X[:, keep], doc_tokens, doc_group, in_comparison, ti, correction,
                                           n_perm, rng, perm_stop, client=client)
        docs_t = np.asarray(doc_presence[ti].todense()).ravel()[keep]
        docs_r = np.asarray(doc_presence[ref].sum(axis=0)).ravel()[keep]
        single = n_docs[ti] == 1
        floor, floor_adjusted = permutation_floor(n_perm, int(in_comparison.sum()), int(n_docs[ti]), int(keep.sum()))
        notes = []
        if single:
            notes.append("one document: G² p-values treat its tokens as independent draws; use p_perm, which "
                         "compares it with other documents")
        if perm_note:
            notes.append(perm_note)
        elif n_perm and floor_adjusted > POWER_ALPHA:
            notes.append(f"no power: with {n_perm} permutations of {int(in_comparison.sum())} documents and "
                         f"{int(keep.sum())} terms, a lone significant term cannot reach an adjusted p_perm "
                         f"below {floor_adjusted:.2g}; compare documents with compare_rates, test fewer terms "
                         "(min_count) or run more permutations")
        if named is None:
            named = [labels[i] for i in ref] if len(ref) == 1 else None
        ref_name = "(rest)" if named is None else " + ".join(map(str, named))
        table = pd.DataFrame({
            "reference": ref_name,
            "term": docs.terms[keep], "n_target": a.astype(int), "n_reference": b.astype(int),
            "expected_target": e1, "expected_reference": e2, "g2": g2, "chi2": chi2, "p_value": p,
            "p_adjusted": adjust_bh(p), "p_perm": p_perm,
            "p_perm_adjusted": adjust_bh(p_perm) if np.isfinite(p_perm).all() else np.full(len(p_perm), np.nan),
            "p_perm_floor": floor if n_perm else np.nan, "p_perm_adjusted_floor": floor_adjusted if n_perm else np.nan,
            "docs_target": docs_t.astype(int), "docs_reference": docs_r.astype(int),
            "n_docs_target": int(n_docs[ti]), "n_docs_reference": int(n_docs[ref].sum()),
            "log_ratio": log_ratio, "log_odds": delta, "log_odds_z": delta / se,
            "direction": np.where(a >= e1, "over", "under"), "single_document": bool(single),
            "note": "; ".join(notes),
        })
        key = labels[ti] if isinstance(labels[ti], tuple) else (labels[ti],)
        for i, col in enumerate(cols):
            table.insert(i, col, key[i])
        table["_signed"] = np.where(table["direction"] == "over", table["g2"], -table["g2"])
        tables.append(table.sort_values(["_signed", "term"], ascending=[False, True], kind="stable")
                      .drop(columns="_signed"))
    out = pd.concat(tables, ignore_index=True)
    _attrs.set_params(out, "keyness", {"by": cols, "target": target, "reference": reference, "min_count": min_count,
                                   "smoothing": smoothing, "prior_size": prior_size, "correction": correction,
                                   "n_perm": n_perm, "perm_stop": perm_stop, "random_state": random_state})
    return out


def _sum_rows(matrix, group, n_groups):
    """Sum the rows of a sparse matrix by group: a groups x columns sparse matrix."""
    indicator = sparse.csr_matrix((np.ones(len(group)), (group, np.arange(len(group)))),
                                  shape=(n_groups, len(group)))
    return (indicator @ matrix).tocsr()


#: Up to this many tokens in a comparison, x ln x is read from a table instead of computed (faster).
_LUT_LIMIT = 20_000_000


def _g2_counts(a, totals, c, n, correction: str, lut):
    """G² from integer counts: target counts ``a`` (terms x columns), term totals (terms x 1), target
    token totals ``c`` (1 x columns) and the comparison's tokens ``n``; ``lut[x] = x ln x``."""
    b = totals - a
    d = n - c
    if lut is not None:
        g2 = (lut[a] + lut[b] + lut[c - a] + lut[d - b] - lut[totals] - lut[n - totals] - lut[c] - lut[d] + lut[n])
    else:
        from scipy.special import xlogy

        a, b, c, d, totals = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d, totals))
        g2 = (xlogy(a, a) + xlogy(b, b) + xlogy(c - a, c - a) + xlogy(d - b, d - b) - xlogy(totals, totals)
              - xlogy(n - totals, n - totals) - xlogy(c, c) - xlogy(d, d) + xlogy(n, n))
    g2 = np.maximum(2 * g2, 0.0)
    if correction == "williams":
        with np.errstate(divide="ignore", invalid="ignore"):
            q = 1 + (n / totals + n / (n - totals) - 1) * (n / c + n / d - 1) / (6 * n)
        g2 = g2 / np.where(np.isfinite(q) & (q > 0), q, 1.0)
    return g2


def permutation_floor(n_perm: int, n_docs: int, n_target: int, n_tests: int) -> tuple[float, float]:
    """The smallest permutation p-value a test can reach, and the smallest BH-adjusted one of a lone term.

    With ``n_perm`` random permutations the smallest p is ``1 / (n_perm + 1)``;
    but there are only ``C(n_docs, n_target)`` distinct ways to choose the
    target's documents among the ``n_docs`` of the comparison, and a random
    permutation repeats the observed one with probability one in that many,
    so the p-value cannot fall below ``1 / C(n_docs, n_target)`` either (1/31
    for one document among 31). After a Benjamini-Hochberg adjustment over
    ``n_tests`` terms, a term whose p is at the floor while the others are not
    has an adjusted p of ``n_tests`` times the floor (``j`` terms at the floor
    reach ``n_tests / j`` times it).

    Examples
    --------
    >>> permutation_floor(999, 22, 10, 200)      # C(22, 10) is large: the permutations bind
    (0.001, 0.2)
    >>> [round(x, 4) for x in permutation_floor(20000, 31, 1, 50)]   # one document among 31
    [0.0323, 1.0]
    """
    floor = 1.0 / (n_perm + 1)
    if not _more_choices_than(n_docs, n_target, n_perm + 1):  # C(n_docs, n_target) < n_perm + 1: it binds
        floor = 1.0 / math.comb(n_docs, n_target) if 0 < n_target < n_docs else 1.0
    return floor, min(1.0, floor * max(n_tests, 1))


def _more_choices_than(n: int, k: int, bound: int) -> bool:
    """Whether ``C(n, k) >= bound``, without computing a binomial too large for a float (C(29810, 7000)).

    Examples
    --------
    >>> _more_choices_than(31, 1, 31), _more_choices_than(31, 1, 32), _more_choices_than(30000, 7000, 10 ** 6)
    (True, False, True)
    """
    if not 0 < k < n:
        return 1 >= bound
    c = 1
    for i in range(1, min(k, n - k) + 1):
        c = c * (n - min(k, n - k) + i) // i  # C(n - m + i, i): exact, and growing with i
        if c >= bound:
            return True
    return c >= bound


def _permutation_p(X, doc_tokens, doc_group, in_comparison, ti, correction, n_perm, rng, stop_after, client=None):
    """Document-label permutation p-values of G² for one comparison (NaN and a note if skipped).

    ``X``: documents x kept terms; ``doc_tokens``: every document's number of tokens (all terms).
    The target's label is shuffled among the documents of the comparison (target and reference),
    keeping the target's number of documents. Sequential (Besag and Clifford 1991): a term leaves
    the test at its ``stop_after``-th permutation with a G² at least as large as the observed one,
    after L permutations, with p = stop_after / L; the others get (1 + exceedances) / (1 + n_perm).
    """
    m = X.shape[1]
    if n_perm == 0:
        return np.full(m, np.nan), ""
    if float(n_perm) * m > PERMUTATION_BUDGET:
        logger.warning("keyness: permutation test skipped (%d terms x %d permutations is too much work); "
                       "pass n_perm=0, fewer terms (min_count) or fewer groups", m, n_perm)
        return np.full(m, np.nan), "permutation test skipped: too large"
    rows = np.flatnonzero(in_comparison)
    terms_by_docs = X[rows].T.tocsr().astype(np.int64)  # kept terms x documents of this comparison
    is_target = (doc_group[rows] == ti).astype(np.int64)
    tokens = doc_tokens[rows].astype(np.int64)
    if client is not None and m > 1:
        # the terms shared out among the workers; each draws the same permutations from a copy of the stream
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        bounds = np.linspace(0, m, min(m, 2 * n_workers) + 1).astype(int)
        chunks = [client.scatter(terms_by_docs[a:b], hash=False) for a, b in itertools.pairwise(bounds) if b > a]
        futures = [client.submit(_sequential_p, chunk, is_target, tokens, correction, n_perm, rng, stop_after,
                                 pure=False) for chunk in chunks]
        return np.concatenate(client.gather(futures)), ""
    return _sequential_p(terms_by_docs, is_target, tokens, correction, n_perm, rng, stop_after), ""


def _sequential_p(terms_by_docs, is_target, tokens, correction, n_perm, rng, stop_after) -> np.ndarray:
    """The sequential permutation p-values of the terms (rows) of ``terms_by_docs`` (terms x documents), the
    target's label ``is_target`` permuted by ``rng``. A term's p-value depends only on its own row and the
    stream of permutations, so the terms may be shared out among processes that copy the stream."""
    m = terms_by_docs.shape[0]
    totals = np.asarray(terms_by_docs.sum(axis=1)).ravel()[:, None]
    n = int(tokens.sum())
    lut = _xlogx_table(n) if n <= _LUT_LIMIT else None
    # the observed statistic, by the same formula as the permuted ones (ties compare exactly)
    c_obs = int(tokens @ is_target)
    observed = _g2_counts(np.asarray(terms_by_docs @ is_target)[:, None], totals, np.array([[c_obs]]), n,
                          correction, lut)
    threshold = (observed - 1e-9 * np.maximum(1.0, observed)).ravel()
    exceed = np.zeros(m)
    p_value = np.full(m, np.nan)
    active = np.arange(m)
    done, block = 0, 25
    while done < n_perm and len(active):
        b = min(block, n_perm - done, max(1, int(1e7 // len(active))))
        perms = np.stack([rng.permutation(is_target) for _ in range(b)], axis=1)  # documents x b
        rows_active = terms_by_docs[active]
        a = np.asarray(rows_active @ perms)  # active terms x b
        c = (tokens @ perms)[None, :]
        hit = _g2_counts(a, totals[active], c, n, correction, lut) >= threshold[active, None]
        running = exceed[active, None] + np.cumsum(hit, axis=1)
        reached = running >= stop_after
        stops = reached.any(axis=1)
        if stops.any():
            first = reached[stops].argmax(axis=1)  # the permutation at which the term reached stop_after
            p_value[active[stops]] = stop_after / (done + first + 1)
        exceed[active[~stops]] = running[~stops, -1]
        active = active[~stops]
        done += b
        block = min(2 * block, 1000)  # few terms remain: larger blocks
    rest = np.isnan(p_value)
    p_value[rest] = (1 + exceed[rest]) / (1 + n_perm)
    return p_value


@functools.lru_cache(maxsize=2)
def _xlogx_table(n: int) -> np.ndarray:
    x = np.arange(n + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.maximum(x, 1)), 0.0)
