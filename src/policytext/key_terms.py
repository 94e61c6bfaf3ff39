"""Keyness: which terms a group uses more (or less) than the rest of the corpus.

Two measures side by side: the log-likelihood ratio G² (with chi-square, p-values
adjusted by Benjamini-Hochberg, and the log ratio as effect size), and the
weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and
Quinn 2008), which does not reward frequent terms the way G² does.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .counting import _g2_2x2, group_columns, row_labels, term_matrix

__all__ = ["keyness", "adjust_bh"]


def adjust_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the input order.

    Examples
    --------
    >>> adjust_bh(np.array([0.01, 0.04, 0.03, 0.2])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def keyness(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    target=None,
    reference=None,
    min_count: int = 5,
    smoothing: float = 0.5,
    prior_size: float | None = None,
    term: str = "token",
) -> pd.DataFrame:
    """Key terms of each group against the rest, or of a target against a reference.

    Parameters
    ----------
    tokens : DataFrame
        One row per token (from :func:`policytext.tokenize`). Not modified.
    by : str or list of str, optional
        Metadata column(s) defining the groups; ``None``: documents.
    target : optional
        A group (a value of ``by``, a tuple for several columns). ``None``
        compares every group with the rest of the corpus, all at once.
    reference : optional
        The group to compare ``target`` with; ``None``: all other groups.
    min_count : int
        Leave out terms used fewer times than this in target and reference
        together (before p-values are adjusted).
    smoothing : float
        Added to both counts in the log ratio, so that a term absent from one
        side gets a finite value.
    prior_size : float, optional
        Size α0 of the Dirichlet prior of the log-odds; the prior of a term is
        α0 times its share of the whole corpus. Default: the corpus size
        (the prior is the corpus counts themselves).

    Returns
    -------
    DataFrame
        One row per compared group and term: the ``by`` columns (the target
        group), ``term``, ``n_target``, ``n_reference``, ``expected_target``,
        ``expected_reference`` (under no difference), ``g2`` (log-likelihood
        ratio of the 2x2 table term/other terms x target/reference), ``chi2``
        (Pearson, no continuity correction), ``p_value`` (of G², 1 df),
        ``p_adjusted`` (Benjamini-Hochberg within each comparison),
        ``log_ratio`` (log2 of the ratio of relative frequencies, smoothed),
        ``log_odds`` (weighted log-odds ratio δ), ``log_odds_z`` (δ over its
        standard error) and ``direction`` (``over`` or ``under``). Sorted by
        group, then by signed G² (over-used terms first). The settings are in
        ``attrs["keyness_params"]``.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": list("aaaabbbb"), "province": ["鄂"] * 4 + ["川"] * 4,
    ...                      "token": ["数据", "数据", "数据", "平台", "平台", "平台", "平台", "数据"]})
    >>> k = keyness(toks, by="province", target="鄂", min_count=1)
    >>> k[["term", "n_target", "n_reference", "direction"]].values.tolist()
    [['数据', 3, 1, 'over'], ['平台', 1, 3, 'under']]
    >>> round(float(k["g2"].iloc[0]), 4)  # 2 (6 ln 1.5 - 2 ln 2): all four expected cells are 2
    2.093
    """
    cols = group_columns(tokens, by)
    m = term_matrix(tokens, by=cols, term=term)
    counts = m.matrix.toarray()
    labels = row_labels(m.rows, cols)
    if len(labels) < 2:
        raise ValueError(f"keyness needs at least two groups; by={by!r} gives {labels}")
    if target is None:
        if reference is not None:
            raise ValueError("reference needs a target")
        comparisons = [(i, np.delete(np.arange(len(labels)), i)) for i in range(len(labels))]
    else:
        if target not in labels:
            raise KeyError(f"target {target!r} is not a group of by={by!r}; groups: {labels}")
        ti = labels.index(target)
        if reference is None:
            ref = np.delete(np.arange(len(labels)), ti)
        else:
            refs = reference if isinstance(reference, list) else [reference]
            missing = [r for r in refs if r not in labels]
            if missing:
                raise KeyError(f"reference {missing} is not a group of by={by!r}; groups: {labels}")
            ref = np.array([labels.index(r) for r in refs])
        comparisons = [(ti, ref)]

    corpus = counts.sum(axis=0).astype(float)
    alpha0 = float(corpus.sum()) if prior_size is None else float(prior_size)
    alpha = alpha0 * corpus / corpus.sum()
    tables = []
    for ti, ref in comparisons:
        a = counts[ti].astype(float)
        b = counts[ref].sum(axis=0).astype(float)
        keep = (a + b) >= min_count
        a, b, al = a[keep], b[keep], alpha[keep]
        c, d = counts[ti].sum(), counts[ref].sum()
        n = c + d
        e1, e2 = c * (a + b) / n, d * (a + b) / n
        g2 = _g2_2x2(a, b, c - a, d - b)
        chi2 = n * (a * (d - b) - b * (c - a)) ** 2 / ((a + b) * (n - a - b) * c * d)
        chi2 = np.nan_to_num(chi2, nan=0.0)
        p = stats.chi2.sf(g2, df=1)
        log_ratio = np.log2(((a + smoothing) / c) / ((b + smoothing) / d))
        delta = (np.log((a + al) / (c + alpha0 - a - al)) - np.log((b + al) / (d + alpha0 - b - al)))
        se = np.sqrt(1 / (a + al) + 1 / (b + al))
        table = pd.DataFrame({
            "term": m.terms[keep], "n_target": a.astype(int), "n_reference": b.astype(int),
            "expected_target": e1, "expected_reference": e2, "g2": g2, "chi2": chi2, "p_value": p,
            "p_adjusted": adjust_bh(p), "log_ratio": log_ratio, "log_odds": delta, "log_odds_z": delta / se,
            "direction": np.where(a >= e1, "over", "under"),
        })
        for col in cols:
            table.insert(cols.index(col), col, m.rows.iloc[ti][col])
        table["_signed"] = np.where(table["direction"] == "over", table["g2"], -table["g2"])
        tables.append(table.sort_values(["_signed", "term"], ascending=[False, True], kind="stable")
                      .drop(columns="_signed"))
    out = pd.concat(tables, ignore_index=True)
    out.attrs["keyness_params"] = {"by": cols, "target": target, "reference": reference, "min_count": min_count,
                                   "smoothing": smoothing, "prior_size": alpha0}
    return out
