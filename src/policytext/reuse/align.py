"""Local alignment of two texts (Smith-Waterman, Biopython's aligner): the exact passages they share,
tolerant of a changed number or an inserted clause."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["Scoring", "scoring", "aligner", "align_region", "declash", "join_passages", "align_pair",
           "aligned_passages", "passage_frame", "char_codes", "MAX_WIDEN", "JOIN"]

#: Regions are widened at most this many times when an alignment reaches their border.
MAX_WIDEN = 12
#: Passages that follow each other in both documents at most this many characters apart are one passage.
JOIN = 2

# --------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scoring:
    min_length: int
    min_similarity: float
    match: float
    mismatch: float
    gap: float
    margin: int
    max_region: int

    @property
    def min_score(self) -> float:
        """The lowest score of an alignment that passes both thresholds (a lower bound)."""
        s = self.min_similarity
        per_column = s * self.match + (1 - s) * min(self.mismatch, self.gap, 0.0)
        return max(per_column * self.min_length, 1e-9)


def scoring(min_length: int, min_similarity: float, scores, margin: int = 50, max_region: int = 12_000) -> Scoring:
    if not (isinstance(min_length, (int, np.integer)) and min_length >= 1):
        raise ValueError(f"min_length must be a whole number of characters, at least 1, got {min_length!r}")
    if not 0 < min_similarity <= 1:
        raise ValueError(f"min_similarity must be in (0, 1], got {min_similarity!r}")
    if scores is None:
        penalty = -round(min_similarity / (2 * (1 - min_similarity)), 9) if min_similarity < 1 else -1e6
        scores = (1.0, penalty, penalty)
    match, mismatch, gap = (float(x) for x in scores)
    if match <= 0 or mismatch >= 0 or gap >= 0:
        raise ValueError(f"scores must be (match > 0, mismatch < 0, gap < 0), got {scores!r}")
    return Scoring(int(min_length), float(min_similarity), match, mismatch, gap, int(margin), int(max_region))


_ALIGNERS: dict = {}


def aligner(sc: Scoring):
    key = (sc.match, sc.mismatch, sc.gap)
    made = _ALIGNERS.get(key)
    if made is None:
        from Bio.Align import PairwiseAligner

        made = PairwiseAligner(mode="local", match_score=sc.match, mismatch_score=sc.mismatch,
                                  gap_score=sc.gap)
        _ALIGNERS[key] = made
    return made


def char_codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _columns(codes_a: np.ndarray, codes_b: np.ndarray, path: np.ndarray, sc: Scoring):
    """Per aligned column: identical?, its score, characters of a and of b it takes (0 or 1)."""
    ident, score, take_a, take_b = [], [], [], []
    for k in range(path.shape[1] - 1):
        x0, y0 = int(path[0, k]), int(path[1, k])
        dx, dy = int(path[0, k + 1]) - x0, int(path[1, k + 1]) - y0
        if dx and dy:
            same = codes_a[x0:x0 + dx] == codes_b[y0:y0 + dy]
            ident.append(same)
            score.append(np.where(same, sc.match, sc.mismatch))
            take_a.append(np.ones(dx, dtype=np.int64))
            take_b.append(np.ones(dx, dtype=np.int64))
        else:
            width = dx or dy
            ident.append(np.zeros(width, dtype=bool))
            score.append(np.full(width, sc.gap))
            take_a.append(np.full(width, 1 if dx else 0, dtype=np.int64))
            take_b.append(np.full(width, 0 if dx else 1, dtype=np.int64))
    if not ident:
        return (np.zeros(0, bool), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64))
    return np.concatenate(ident), np.concatenate(score), np.concatenate(take_a), np.concatenate(take_b)


def _similar_part(ident: np.ndarray, s: float) -> tuple[int, int]:
    """The longest run of columns ``[i, j)`` at least ``s`` identical, without unequal columns at its ends."""
    values = np.where(ident, 1.0 - s, -s)
    prefix = np.concatenate([[0.0], np.cumsum(values)])
    low = np.minimum.accumulate(prefix)
    high = np.maximum.accumulate(prefix[::-1])[::-1]
    best, where, i, j, n = 0, (0, 0), 0, 0, len(prefix)
    while i < n and j < n:
        if low[i] <= high[j] + 1e-9:
            if j - i > best:
                best, where = j - i, (i, j)
            j += 1
        else:
            i += 1
    i, j = where
    while i < j and not ident[i]:
        i += 1
    while j > i and not ident[j - 1]:
        j -= 1
    return i, j


def aligned_passages(a: str, b: str, box: tuple[int, int, int, int], sc: Scoring, codes=None):
    """Every passage of ``a[x0:x1]`` and ``b[y0:y1]``, best first, then in what is left beside it.

    Returns the kept passages ``(start_a, end_a, start_b, end_b, score, identical, columns)`` and the
    spans of every alignment scoring at least ``sc.min_score`` (kept or not), in whole-text positions.
    """
    local = aligner(sc)
    codes_a, codes_b = codes if codes is not None else (char_codes(a), char_codes(b))
    kept, seen = [], []
    stack = [box]
    while stack:
        x0, x1, y0, y1 = stack.pop()
        if x1 - x0 < sc.min_length or y1 - y0 < sc.min_length:
            continue
        sub_a, sub_b = a[x0:x1], b[y0:y1]
        if local.score(sub_a, sub_b) < sc.min_score:
            continue
        path = local.align(sub_a, sub_b)[0].coordinates
        ident, score, take_a, take_b = _columns(codes_a[x0:x1], codes_b[y0:y1], path, sc)
        sa, sb = x0 + int(path[0, 0]), y0 + int(path[1, 0])
        ea, eb = x0 + int(path[0, -1]), y0 + int(path[1, -1])
        seen.append((sa, ea, sb, eb))
        i, j = 0, len(ident)
        if ident.sum() < sc.min_similarity * len(ident) - 1e-9:
            i, j = _similar_part(ident, sc.min_similarity)
        before_a, before_b = int(take_a[:i].sum()), int(take_b[:i].sum())
        pa, pb = sa + before_a, sb + before_b
        qa, qb = pa + int(take_a[i:j].sum()), pb + int(take_b[i:j].sum())
        if j > i and min(qa - pa, qb - pb) >= sc.min_length:
            kept.append((pa, qa, pb, qb, float(score[i:j].sum()), int(ident[i:j].sum()), j - i))
            ca0, ca1, cb0, cb1 = pa, qa, pb, qb  # what this passage takes out of the texts
        else:
            ca0, ca1, cb0, cb1 = sa, ea, sb, eb
        # the four rectangles beside it: each character in at most one passage of the pair
        stack.extend([(ca1, x1, cb1, y1), (ca1, x1, y0, cb0), (x0, ca0, cb1, y1), (x0, ca0, y0, cb0)])
    return kept, seen


def align_region(a: str, b: str, region, sc: Scoring, codes):
    """The passages of one region, widened while an alignment comes within ``margin`` of its border.

    The region grows by half its size (at least ``margin``) on that side, up to
    ``max_region`` characters, so that a passage the pre-filter saw only in
    part is aligned whole, as the alignment of the whole documents would.
    """
    la, lb = len(a), len(b)
    (x0, x1, y0, y1), grow_left, grow_right = region
    for _ in range(MAX_WIDEN):
        kept, seen = aligned_passages(a, b, (x0, x1, y0, y1), sc, codes)
        near = sc.margin
        left = grow_left and any((sa < x0 + near and x0 > 0) or (sb < y0 + near and y0 > 0) for sa, _, sb, _ in seen)
        right = grow_right and any((ea > x1 - near and x1 < la) or (eb > y1 - near and y1 < lb)
                                   for _, ea, _, eb in seen)
        if not (left or right):
            return kept
        step_a, step_b = max(sc.margin, (x1 - x0) // 2), max(sc.margin, (y1 - y0) // 2)
        nx0, ny0 = (max(0, x0 - step_a), max(0, y0 - step_b)) if left else (x0, y0)
        nx1, ny1 = (min(la, x1 + step_a), min(lb, y1 + step_b)) if right else (x1, y1)
        if max(nx1 - nx0, ny1 - ny0) > sc.max_region or (nx0, nx1, ny0, ny1) == (x0, x1, y0, y1):
            return kept
        x0, x1, y0, y1 = nx0, nx1, ny0, ny1
    return kept


def declash(found: list, a: str, b: str, sc: Scoring, codes) -> list:
    """Passages of one document pair that share no character in either document: the best first.

    A passage that overlaps a better one (found in another region) is not
    dropped: what is left of its span beside the better one is aligned again,
    as the alignment of the whole documents would have done.
    """
    import heapq

    def key(p):
        return (-p[4], p[0], p[2], p[1], p[3])

    queue = [(key(p), p) for p in set(found)]
    heapq.heapify(queue)
    kept: list = []
    done = set()
    while queue:
        _, p = heapq.heappop(queue)
        if p in done:
            continue
        done.add(p)
        clash = [q for q in kept if not (p[1] <= q[0] or q[1] <= p[0]) or not (p[3] <= q[2] or q[3] <= p[2])]
        if not clash:
            kept.append(p)
            continue
        boxes = [(p[0], p[1], p[2], p[3])]
        for q in clash:  # the parts of p's box beside q in both documents
            boxes = [part for x0, x1, y0, y1 in boxes
                     for part in ((x0, min(x1, q[0]), y0, min(y1, q[2])), (x0, min(x1, q[0]), max(y0, q[3]), y1),
                                  (max(x0, q[1]), x1, y0, min(y1, q[2])), (max(x0, q[1]), x1, max(y0, q[3]), y1))
                     if part[1] - part[0] >= sc.min_length and part[3] - part[2] >= sc.min_length]
        for box in boxes:
            for r in aligned_passages(a, b, box, sc, codes)[0]:
                heapq.heappush(queue, (key(r), r))
    return join_passages(sorted(kept, key=lambda p: (p[0], p[2])), sc)


def join_passages(passages: list, sc: Scoring) -> list:
    """Join passages that follow each other in both documents, at most ``JOIN`` characters apart.

    The alignment of the whole documents would have bridged such a break (a
    character or two that differ) when bridging it scores: the pieces of a
    long region meet so.
    """
    out: list = []
    for p in passages:
        if out:
            q = out[-1]
            gap_a, gap_b = p[0] - q[1], p[2] - q[3]
            facing, extra = min(gap_a, gap_b), abs(gap_a - gap_b)
            bridge = facing * sc.mismatch + extra * sc.gap
            if 0 <= gap_a <= JOIN and 0 <= gap_b <= JOIN and min(p[4], q[4]) + bridge > 0:
                out[-1] = (q[0], p[1], q[2], p[3], q[4] + p[4] + bridge, q[5] + p[5], q[6] + p[6] + facing + extra)
                continue
        out.append(p)
    return out


def align_pair(text_a: str, text_b: str, *, min_length: int = 50, min_similarity: float = 0.8,
               scores: tuple[float, float, float] | None = None) -> pd.DataFrame:
    """The passages two texts share: local alignment (Smith-Waterman) of the whole texts.

    The best local alignment, then the best in what is left beside it in both
    texts, and so on, until nothing left can pass the thresholds. This is what
    :func:`find_reuse` does in each region its pre-filter proposes, and, with
    ``prefilter=False``, on whole documents. It takes time proportional to the
    product of the texts' lengths: fine for a few thousand characters.

    Parameters
    ----------
    text_a, text_b : str
    min_length : int
        Characters a passage must have in each text.
    min_similarity : float
        Share of a passage's aligned columns (characters facing each other, and
        characters facing a gap) that are identical characters.
    scores : (match, mismatch, gap), optional
        The alignment's scores; the default, ``(1, -g, -g)`` with
        ``g = min_similarity / (2 (1 - min_similarity))``, is explained in the
        module's documentation. Gaps are linear.

    Returns
    -------
    DataFrame
        ``start_a, end_a, start_b, end_b`` (character positions, ends
        exclusive), ``text_a, text_b``, ``length`` (characters in the shorter
        of the two spans), ``score`` and ``similarity``; in the order of
        ``start_a``.

    Examples
    --------
    >>> a = "今年的工作重点是加快建设数字政府，推进一网通办，提升政务服务效能。"
    >>> b = "我们将加快建设数字政府，推进一网通办改革，提升政务服务效能和水平。"
    >>> found = align_pair(a, b, min_length=10)
    >>> found[["start_a", "end_a", "start_b", "end_b", "length"]].values.tolist(), found["score"].tolist()
    ([[8, 32, 3, 29, 24]], [20.0])
    >>> found["text_a"].iloc[0]
    '加快建设数字政府，推进一网通办，提升政务服务效能'
    >>> align_pair(a, "完全无关的另一段文字，讲的是农业农村。", min_length=10).empty
    True
    """
    sc = scoring(min_length, min_similarity, scores)
    codes = (char_codes(text_a), char_codes(text_b))
    found = declash(aligned_passages(text_a, text_b, (0, len(text_a), 0, len(text_b)), sc, codes)[0], text_a, text_b, sc,
                     codes)
    return passage_frame(text_a, text_b, found)


def passage_frame(text_a: str, text_b: str, found: list) -> pd.DataFrame:
    rows = [{"start_a": p[0], "end_a": p[1], "start_b": p[2], "end_b": p[3], "text_a": text_a[p[0]:p[1]],
             "text_b": text_b[p[2]:p[3]], "length": min(p[1] - p[0], p[3] - p[2]), "score": p[4],
             "similarity": p[5] / p[6]} for p in found]
    columns = ["start_a", "end_a", "start_b", "end_b", "text_a", "text_b", "length", "score", "similarity"]
    return pd.DataFrame(rows, columns=columns).astype({"start_a": "int64", "end_a": "int64", "start_b": "int64",
                                                       "end_b": "int64", "length": "int64", "score": float,
                                                       "similarity": float})

