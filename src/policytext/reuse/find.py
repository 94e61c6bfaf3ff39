"""Text reuse: the passages that documents share, found by local alignment after a MinHash pre-filter.

Provincial and city plans copy passages from the central document and from each
other. Legislative studies measure this the way :func:`find_reuse` does
(Wilkerson, Smith and Stramp 2015; the Legislative Influence Detector; Linder
et al. 2020): a fast pre-filter proposes the places where two documents may
share text, and a local alignment (Smith-Waterman) of each place recovers the
exact passages, tolerant of small edits (a changed number, an inserted clause,
a dropped character).

How it works
------------
1. **Windows.** Each document is cut into windows of about ``window``
   characters that overlap by half. Whole-document MinHash cannot see a shared
   200-character passage between two 16,000-character reports (it changes the
   Jaccard similarity of the documents by well under 1%); a window can.
2. **Shingles and MinHash.** Each window is a set of shingles: character
   n-grams (Chinese has no spaces) or, with ``shingle="token"``, word n-grams of
   :class:`policytext.PolicyTokenizer`. Each shingle is hashed with
   ``datasketch``'s SHA-1 hash (the same value in every process, unlike
   Python's salted ``hash()``) and each window gets a ``datasketch.MinHash``
   (``num_perm`` permutations, seeded by ``random_state``).
3. **LSH.** ``datasketch.MinHashLSH`` (tuned by datasketch for ``threshold``)
   puts similar windows into shared buckets; two windows of different
   documents that share a bucket, and whose MinHash signatures agree on at
   least ``threshold`` of the permutations (their estimated Jaccard similarity,
   the check datasketch advises), are a candidate. A bucket that holds windows
   of more than half of the documents is kept, not discarded: a central
   document restated by most cities is what text reuse is about;
   :func:`reuse_widely_shared` lists such windows (``max_documents`` leaves
   such buckets out, for large corpora of one genre).
4. **Regions.** The candidate windows of one document pair are widened by half
   a window and merged where they overlap in both documents.
5. **Alignment.** Each region is aligned locally (Biopython's
   ``PairwiseAligner``: C code, any Unicode character), repeatedly: the best
   alignment, then the best in what is left beside it in both documents, so
   that one region can hold several passages and each character of a
   document is in at most one passage of a document pair (the best one). A
   region whose alignment comes near its border is widened and aligned again,
   so that a passage the pre-filter saw only in part is aligned whole.
6. **Thresholds.** A passage is kept when it is at least ``min_length``
   characters long in both documents and at least ``min_similarity`` of its
   aligned columns (characters facing each other, or facing a gap) are
   identical characters; an alignment that is long enough but less similar is
   cut down to its longest part that is similar enough.
7. **Boilerplate.** Formulas that every document of a genre shares
   (``data/reuse/boilerplate.txt``: 现将…答复如下, 感谢您对…工作的关心和支持,
   the salutations, the opening and closing formulas of a government work
   report) take no part in the pre-filter. A passage that includes some is
   aligned again with them blanked out: what is still a passage is kept
   (without them), and a passage of which nothing is left is dropped and
   listed, with the rules that matched, by :func:`reuse_excluded`.

``prefilter=False`` aligns every pair of whole documents instead (steps 5-7
only): the reference the pre-filter is measured against (see the tests and
``benchmarks/bench_reuse.py``). On the 141 city reports of 2024 (2.3 million
characters, 9,870 pairs) find_reuse takes about 26 s on 2 cores; aligning every
pair in full would take about 7.6 hours (5.5 s a pair, extrapolated from 20
pairs), and finds nothing the pre-filter misses on the pairs measured.

Defaults
--------
``min_length=50``
    About a long sentence: in the 141 city government work reports of 2024, a
    sentence (up to 。！？； or a line break) has 33 characters at the median,
    42 on average and 55 at the 75th percentile; a clause (up to ，、：) has 10.
    The formulas every report repeats stay below it on their own
    (坚持以习近平新时代中国特色社会主义思想为指导, 23 characters; with
    全面贯彻党的二十大和二十届二中全会精神, 41); a long sentence, or two
    sentences, copied together do not.
``min_similarity=0.8``
    Tolerates small edits: a 200-character passage with a changed number, an
    inserted clause and a dropped character is about 95% similar; 50
    characters with 10 changed ones are at the limit. Below it the genre's
    formulas rewritten around the place (在此,我代表市人民政府,向全市各族人民…
    / 在此,我谨代表市人民政府,向辛勤劳动的全市人民…, 0.74) come in: on 50 city
    reports, 0.7 instead of 0.8 adds 1,095 passages to 1,347, almost all such.
Scores (``match=1``, ``mismatch = gap = -s / (2 (1 - s))`` with ``s = min_similarity``: -2)
    Linear gaps, scaled to ``min_similarity``: the alignment extends only through
    text more than ``s / (2 - s)`` (two thirds) similar, so it neither stops at
    the first edit nor runs on into unrelated text; an inserted clause of 10
    characters costs 20, which the 20 characters on either side make good.
    Every alignment that passes both thresholds scores at least
    ``min_length * s / 2`` (20), so what cannot reach that score is not aligned,
    without losing a passage.
``ngram=4``, ``window=60``, ``threshold=0.2``, ``num_perm=128``
    A 50-character passage lies whole in one window of a pair, and the pair
    shares from about 0.35 (windows offset by a quarter) to 0.65 of their
    4-grams; datasketch's LSH for 0.2 with 128 permutations (28 bands of 2)
    proposes a pair at 0.2 with probability 0.68 and at 0.35 with 0.97, and a
    passage lies in several window pairs. Measured against aligning every pair
    in full (the tests, and ``benchmarks/bench_reuse.py``): every one of 494
    planted passages (40-300 characters, up to 3 edits, 20 corpora), and every
    one of the 61 passages of 50 random pairs of city reports (10 of them with
    the national report). With 5-grams 1 of the 61 is missed, with a threshold
    of 0.3, 2 (the reports' formulas differ every eight characters or so:
    徐州 / 苏州, 6% / 5%), with all of 5-grams, 100-character windows, 0.3 and
    64 permutations, 20; 100-character windows alone miss 9% of the planted
    passages of 50-55 characters.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext.io import resources
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext._core.progress import progress_bar
from policytext.errors import CorpusError

__all__ = ["find_reuse", "align_pair", "reuse_from", "reuse_pairs", "reuse_groups", "reuse_network", "reuse_excluded",
           "reuse_widely_shared", "SHINGLES", "PASSAGE_COLUMNS"]

logger = logging.getLogger(__name__)

#: Shingles :func:`find_reuse` can use.
SHINGLES = ("char", "token")
#: Columns of the passages table (besides the ``by`` columns, ``<col>_a`` and ``<col>_b``).
PASSAGE_COLUMNS = ["doc_a", "doc_b", "date_a", "date_b", "a_earlier", "start_a", "end_a", "start_b", "end_b",
                   "text_a", "text_b", "length", "score", "similarity"]
#: A window's bucket holding windows of more than this share of the documents makes it "widely shared".
WIDELY_SHARED = 0.5
#: Regions are widened at most this many times when an alignment reaches their border.
_MAX_WIDEN = 12
#: Window pairs proposed by LSH are kept when their signatures agree on this share of ``threshold`` or more.
_VERIFY = 1.0
#: Passages that follow each other in both documents at most this many characters apart are one passage.
_JOIN = 2


# --------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scoring:
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


def _scoring(min_length: int, min_similarity: float, scores, margin: int = 50, max_region: int = 12_000) -> _Scoring:
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
    return _Scoring(int(min_length), float(min_similarity), match, mismatch, gap, int(margin), int(max_region))


_ALIGNERS: dict = {}


def _aligner(sc: _Scoring):
    key = (sc.match, sc.mismatch, sc.gap)
    aligner = _ALIGNERS.get(key)
    if aligner is None:
        from Bio.Align import PairwiseAligner

        aligner = PairwiseAligner(mode="local", match_score=sc.match, mismatch_score=sc.mismatch,
                                  gap_score=sc.gap)
        _ALIGNERS[key] = aligner
    return aligner


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _columns(codes_a: np.ndarray, codes_b: np.ndarray, path: np.ndarray, sc: _Scoring):
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


def _passages(a: str, b: str, box: tuple[int, int, int, int], sc: _Scoring, codes=None):
    """Every passage of ``a[x0:x1]`` and ``b[y0:y1]``, best first, then in what is left beside it.

    Returns the kept passages ``(start_a, end_a, start_b, end_b, score, identical, columns)`` and the
    spans of every alignment scoring at least ``sc.min_score`` (kept or not), in whole-text positions.
    """
    aligner = _aligner(sc)
    codes_a, codes_b = codes if codes is not None else (_codes(a), _codes(b))
    kept, seen = [], []
    stack = [box]
    while stack:
        x0, x1, y0, y1 = stack.pop()
        if x1 - x0 < sc.min_length or y1 - y0 < sc.min_length:
            continue
        sub_a, sub_b = a[x0:x1], b[y0:y1]
        if aligner.score(sub_a, sub_b) < sc.min_score:
            continue
        path = aligner.align(sub_a, sub_b)[0].coordinates
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


def _align_region(a: str, b: str, region, sc: _Scoring, codes):
    """The passages of one region, widened while an alignment comes within ``margin`` of its border.

    The region grows by half its size (at least ``margin``) on that side, up to
    ``max_region`` characters, so that a passage the pre-filter saw only in
    part is aligned whole, as the alignment of the whole documents would.
    """
    la, lb = len(a), len(b)
    (x0, x1, y0, y1), grow_left, grow_right = region
    for _ in range(_MAX_WIDEN):
        kept, seen = _passages(a, b, (x0, x1, y0, y1), sc, codes)
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


def _declash(found: list, a: str, b: str, sc: _Scoring, codes) -> list:
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
            for r in _passages(a, b, box, sc, codes)[0]:
                heapq.heappush(queue, (key(r), r))
    return _join(sorted(kept, key=lambda p: (p[0], p[2])), sc)


def _join(passages: list, sc: _Scoring) -> list:
    """Join passages that follow each other in both documents, at most ``_JOIN`` characters apart.

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
            if 0 <= gap_a <= _JOIN and 0 <= gap_b <= _JOIN and min(p[4], q[4]) + bridge > 0:
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
    sc = _scoring(min_length, min_similarity, scores)
    codes = (_codes(text_a), _codes(text_b))
    found = _declash(_passages(text_a, text_b, (0, len(text_a), 0, len(text_b)), sc, codes)[0], text_a, text_b, sc,
                     codes)
    return _passage_frame(text_a, text_b, found)


def _passage_frame(text_a: str, text_b: str, found: list) -> pd.DataFrame:
    rows = [{"start_a": p[0], "end_a": p[1], "start_b": p[2], "end_b": p[3], "text_a": text_a[p[0]:p[1]],
             "text_b": text_b[p[2]:p[3]], "length": min(p[1] - p[0], p[3] - p[2]), "score": p[4],
             "similarity": p[5] / p[6]} for p in found]
    columns = ["start_a", "end_a", "start_b", "end_b", "text_a", "text_b", "length", "score", "similarity"]
    return pd.DataFrame(rows, columns=columns).astype({"start_a": "int64", "end_a": "int64", "start_b": "int64",
                                                       "end_b": "int64", "length": "int64", "score": float,
                                                       "similarity": float})


# --------------------------------------------------------------------------------------------
# Pre-filter: windows, shingles, MinHash
# --------------------------------------------------------------------------------------------

def _identity(value):
    """The hash function handed to MinHash: the shingles are already hashed (by SHA-1)."""
    return value


def _shingles(text: str, shingle: str, n: int, tokenizer) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The shingles of a text and the character span of each."""
    if shingle == "char":
        count = max(0, len(text) - n + 1)
        starts = np.arange(count, dtype=np.int64)
        return [text[i:i + n] for i in range(count)], starts, starts + n
    words = tokenizer.tokenize_text(text)
    offsets, ends, at = [], [], 0
    for word in words:
        found = text.find(word, at)
        if found < 0:  # a token the segmenter changed: skip it
            continue
        offsets.append(found)
        ends.append(found + len(word))
        at = found + len(word)
    count = max(0, len(offsets) - n + 1)
    found_words = [text[s:e] for s, e in zip(offsets, ends)]
    shingles = ["\x1f".join(found_words[i:i + n]) for i in range(count)]
    return shingles, np.asarray(offsets[:count], dtype=np.int64), np.asarray(ends[n - 1:n - 1 + count], dtype=np.int64)


def _sketch(text: str, masked: np.ndarray, opts: dict, tokenizer, cache: dict):
    """Windows of one document: their spans and MinHash values (rows), skipping masked characters."""
    from datasketch import MinHash
    from datasketch.hashfunc import sha1_hash32

    n, step, num_perm, seed = opts["ngram"], opts["step"], opts["num_perm"], opts["seed"]
    shingles, starts, ends = _shingles(text, opts["shingle"], n, tokenizer)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, num_perm), np.uint32))
    if not shingles:
        return empty
    if masked.any():
        covered = np.concatenate([[0], np.cumsum(masked)])
        keep = covered[ends] - covered[starts] == 0
        shingles = [s for s, k in zip(shingles, keep) if k]
        starts, ends = starts[keep], ends[keep]
        if not shingles:
            return empty
    hashes = np.empty(len(shingles), dtype=np.uint32)
    get = cache.get
    for i, s in enumerate(shingles):
        h = get(s)
        if h is None:
            h = cache[s] = sha1_hash32(s.encode("utf-8"))
        hashes[i] = h
    block = starts // step
    ids, first = np.unique(block, return_index=True)
    bounds = list(first) + [len(block)]
    pieces = [hashes[bounds[k]:bounds[k + 1]] for k in range(len(ids))]
    sketches = MinHash.bulk(pieces, num_perm=num_perm, seed=seed, hashfunc=_identity)
    present = {int(b): k for k, b in enumerate(ids)}
    w_start, w_end, values = [], [], []
    for k, b in enumerate(ids):
        nxt = present.get(int(b) + 1)
        if nxt is None and present.get(int(b) - 1) is not None:
            continue  # its window is the one before
        members = [k] if nxt is None else [k, nxt]
        merged = MinHash.union(*(sketches[m] for m in members)) if len(members) > 1 else sketches[k]
        w_start.append(int(starts[bounds[k]]))
        w_end.append(int(ends[bounds[members[-1]]:bounds[members[-1] + 1]].max()))
        values.append(np.asarray(merged.hashvalues, dtype=np.uint32))
    return np.asarray(w_start, np.int64), np.asarray(w_end, np.int64), np.vstack(values)


# --------------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(texts: list[str], opts: dict, sc: _Scoring, masks: list[np.ndarray]) -> None:
    _WORKER.clear()
    _WORKER.update(texts=texts, opts=opts, sc=sc, masks=masks, cache={}, tokenizer=None)


def _worker_tokenizer():
    if _WORKER["opts"]["shingle"] == "token" and _WORKER["tokenizer"] is None:
        from policytext.text.segmentation import PolicyTokenizer

        _WORKER["tokenizer"] = _WORKER["opts"].get("tokenizer") or PolicyTokenizer()
    return _WORKER["tokenizer"]


def _sketch_task(docs: list[int]):
    texts, masks, opts, cache = _WORKER["texts"], _WORKER["masks"], _WORKER["opts"], _WORKER["cache"]
    tokenizer = _worker_tokenizer()
    return [(d, *_sketch(texts[d], masks[d], opts, tokenizer, cache)) for d in docs]


def _blank(text: str, mask: np.ndarray, sentinel: str) -> str:
    """``text`` with its masked characters replaced by ``sentinel`` (same length, same positions)."""
    codes = _codes(text).copy()
    codes[mask] = ord(sentinel)
    return codes.tobytes().decode("utf-32-le")


def _without_boilerplate(found: list, a: str, b: str, mask_a: np.ndarray, mask_b: np.ndarray, sc: _Scoring):
    """Passages that include boilerplate, aligned again with it blanked out (each side with its own
    private-use character, so that blanks never match): kept if still a passage, else dropped."""
    kept, dropped, trimmed = [], [], 0
    for p in found:
        sa, ea, sb, eb = p[:4]
        if not (mask_a[sa:ea].any() or mask_b[sb:eb].any()):
            kept.append(p)
            continue
        sub_a, sub_b = _blank(a[sa:ea], mask_a[sa:ea], "\ue000"), _blank(b[sb:eb], mask_b[sb:eb], "\ue001")
        again = _passages(sub_a, sub_b, (0, ea - sa, 0, eb - sb), sc)[0]
        if again:
            trimmed += 1
            kept.extend((q[0] + sa, q[1] + sa, q[2] + sb, q[3] + sb) + tuple(q[4:]) for q in again)
        else:
            dropped.append(p)
    return sorted(kept, key=lambda p: (p[0], p[2])), dropped, trimmed


def _align_task(task: list):
    """Align some document pairs: ``[(pair, first, second, window_rects or None for whole texts), ...]``."""
    texts, sc, masks = _WORKER["texts"], _WORKER["sc"], _WORKER["masks"]
    out = []
    for pair, first, second, rects in task:
        a, b = texts[first], texts[second]
        codes = (_codes(a), _codes(b))
        if rects is None:
            regions = [(0, len(a), 0, len(b))]
            found = _passages(a, b, regions[0], sc, codes)[0]
        else:
            regions = _regions(rects, sc.margin, len(a), len(b), sc.max_region)
            found = [p for region in regions for p in _align_region(a, b, region, sc, codes)]
        kept, dropped, trimmed = _without_boilerplate(_declash(found, a, b, sc, codes), a, b, masks[first],
                                                      masks[second], sc)
        out.append((pair, kept, len(regions), dropped, trimmed))
    return out


def _run(function, tasks: list, n_jobs: int, init_args: tuple, progress, desc: str, unit: str):
    """``function`` over ``tasks``, in a process pool when ``n_jobs > 1``; results in task order."""
    if n_jobs > 1 and len(tasks) > 1:
        with process_pool(n_jobs, initializer=_init_worker, initargs=init_args) as pool:
            done = pool.map(function, tasks)
            return list(progress_bar(done, total=len(tasks), enabled=progress, desc=desc, unit=unit))
    _init_worker(*init_args)
    try:
        return [function(t) for t in progress_bar(tasks, total=len(tasks), enabled=progress, desc=desc, unit=unit)]
    finally:
        _WORKER.clear()


def _split(items: list, weights: list[float], parts: int) -> list[list]:
    """Consecutive slices of ``items`` of about equal total weight (deterministic)."""
    if not items:
        return []
    parts = max(1, min(parts, len(items)))
    total = float(sum(weights)) or 1.0
    out, current, acc, target = [], [], 0.0, total / parts
    for item, w in zip(items, weights):
        current.append(item)
        acc += w
        if acc >= target * (len(out) + 1) and len(out) < parts - 1:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


# --------------------------------------------------------------------------------------------
# Documents: texts, groups, dates, boilerplate
# --------------------------------------------------------------------------------------------

def _text_column(docs: pd.DataFrame, column: str | None) -> str:
    if column is None:
        column = "text_clean" if "text_clean" in docs.columns else "text"
    if column not in docs.columns:
        raise KeyError(f"no column {column!r} in the documents table (columns: {list(docs.columns)})")
    return column


def _date_column(docs: pd.DataFrame, date: str | None) -> str | None:
    if date is None:
        return None
    if date in docs.columns:
        return date
    if date == "date" and "year" in docs.columns:
        logger.info("find_reuse: no 'date' column; documents are ordered by 'year'")
        return "year"
    if date != "date":
        raise KeyError(f"date={date!r}: no such column in the documents table (columns: {list(docs.columns)})")
    logger.info("find_reuse: neither 'date' nor 'year' in the documents table: pairs are not ordered by date")
    return None


_DATE = re.compile(r"^\s*(\d{4})(?:[-/.年](\d{1,2}))?(?:[-/.月](\d{1,2}))?")


def _parse_date(value) -> tuple[int, ...] | None:
    """``2023-09-08`` -> (2023, 9, 8), ``2021-03`` -> (2021, 3), 2024 -> (2024,); missing -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()):
        return (int(value),)
    if isinstance(value, pd.Timestamp):
        return (value.year, value.month, value.day)
    match = _DATE.match(str(value))
    if not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def _date_text(value) -> str | None:
    parsed = _parse_date(value)
    return None if parsed is None else "-".join(f"{x:04d}" if k == 0 else f"{x:02d}" for k, x in enumerate(parsed))


def _compare_dates(x, y) -> int | None:
    """-1 if x is earlier, 1 if later, 0 if the same at the precision both have, None if either is missing."""
    if x is None or y is None:
        return None
    k = min(len(x), len(y))
    return (x[:k] > y[:k]) - (x[:k] < y[:k])


def _boilerplate_rules(boilerplate) -> list[tuple[str, str]]:
    if boilerplate is False or boilerplate is None:
        return []
    rules = list(resources.read_boilerplate())
    if boilerplate is True:
        return rules
    extras = [boilerplate] if isinstance(boilerplate, (str, Path)) else list(boilerplate)
    for k, extra in enumerate(extras):
        if isinstance(extra, Path) or (isinstance(extra, str) and "\n" not in extra and Path(extra).is_file()):
            rules.extend(resources.read_boilerplate(extra))
        elif isinstance(extra, str) and re.search(r"\.(txt|tsv)$", extra) and not Path(extra).exists():
            raise CorpusError(f"{extra}: boilerplate file not found")
        elif isinstance(extra, str):
            for line in (x.strip() for x in extra.splitlines()):
                if not line or line.startswith("#"):
                    continue
                rules.append((resources.checked_boilerplate_regex(line, where=f"boilerplate phrase {line!r}"),
                              f"boilerplate[{k}]"))
        else:
            raise TypeError(f"boilerplate: expected True, False, a phrase, a file or a list of them, got {extra!r}")
    return rules


def _boilerplate_masks(texts: list[str], rules: list[tuple[str, str]]):
    """Per document: a boolean mask of its boilerplate characters, and which rule matched each span."""
    masks, spans = [], []
    compiled = [(re.compile(p, re.MULTILINE), source) for p, source in rules]
    for text in texts:
        mask = np.zeros(len(text), dtype=bool)
        mine = []
        for pattern, source in compiled:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    mask[m.start():m.end()] = True
                    mine.append((m.start(), m.end(), source))
        masks.append(mask)
        spans.append(mine)
    return masks, spans


# --------------------------------------------------------------------------------------------
# find_reuse
# --------------------------------------------------------------------------------------------

_TRIU: dict = {}


def _candidates(lsh, w_doc: np.ndarray, signatures: np.ndarray, verify: float, max_docs: float):
    """Window pairs of different documents that share an LSH bucket, and those whose signatures agree on
    at least ``verify`` of the permutations (the estimated Jaccard similarity, as datasketch advises).

    A bucket holding windows of more than ``max_docs`` documents is not expanded into pairs.
    Returns the verified pairs (sorted array of global window indices, first < second), per window the
    most documents any of its buckets holds, which windows were in a bucket left out, the pairs proposed
    (counted once per band they share) and the buckets left out.
    """
    n = len(w_doc)
    reach = np.zeros(n, dtype=np.int64)
    skipped = np.zeros(n, dtype=bool)
    parts, checked, collisions, left_out = [], [], 0, 0
    for table in lsh.hashtables:
        for key in table.keys():
            members = table.get(key)
            k = len(members)
            if k < 2:
                continue
            m = np.fromiter(members, dtype=np.int64, count=k)
            m.sort()
            d = w_doc[m]
            if d[0] == d[-1]:
                continue
            in_docs = int((np.diff(d) != 0).sum()) + 1
            reach[m] = np.maximum(reach[m], in_docs)
            if in_docs > max_docs:
                skipped[m] = True
                left_out += 1
                continue
            if k <= 48:
                if k not in _TRIU:
                    _TRIU[k] = np.triu_indices(k, 1)
                i, j = _TRIU[k]
                keep = d[i] != d[j]
                collisions += int(keep.sum())
                parts.append(m[i[keep]] * n + m[j[keep]])
            else:  # a bucket of many windows: verify inside it, so that its k^2 pairs are never listed
                sig = signatures[m]
                for r0 in range(0, k, 32):
                    agree = (sig[r0:r0 + 32, None, :] == sig[None, :, :]).mean(axis=2)
                    rows = np.arange(r0, min(k, r0 + 32))[:, None]
                    mask = (np.arange(k)[None, :] > rows) & (d[rows] != d[None, :])
                    collisions += int(mask.sum())
                    ii, jj = np.nonzero(mask & (agree >= verify))
                    checked.append(m[ii + r0] * n + m[jj])
    proposed = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    pairs = np.stack([proposed // n, proposed % n], axis=1)
    agree = np.zeros(len(pairs))
    for k in range(0, len(pairs), 20_000):
        chunk = pairs[k:k + 20_000]
        agree[k:k + 20_000] = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).mean(axis=1)
    codes = np.unique(np.concatenate([proposed[agree >= verify]] + checked))
    return np.stack([codes // n, codes % n], axis=1), reach, skipped, collisions, left_out


def _regions(rects: list[tuple[int, int, int, int]], margin: int, la: int, lb: int, max_region: int):
    """Merge window pairs that overlap (after widening by ``margin``) in both documents, and widen the result.

    Returns ``(box, grow_left, grow_right)`` per region. A region longer than
    ``max_region`` (a whole document copied) is cut into pieces of consecutive
    window pairs, each at most half as long; a piece grows only on the outer
    sides, and the passages that meet where two pieces meet are joined again.
    """
    clusters = [[list(r), [r]] for r in sorted(set(rects))]
    changed = True
    while changed:
        changed = False
        out: list = []
        for box, members in clusters:
            for other in out:
                c = other[0]
                if (box[0] <= c[1] + margin and c[0] <= box[1] + margin and box[2] <= c[3] + margin
                        and c[2] <= box[3] + margin):
                    c[0], c[1], c[2], c[3] = min(c[0], box[0]), max(c[1], box[1]), min(c[2], box[2]), max(c[3], box[3])
                    other[1].extend(members)
                    changed = True
                    break
            else:
                out.append([box, list(members)])
        clusters = sorted(out)

    def widened(c):
        return (max(0, c[0] - margin), min(la, c[1] + margin), max(0, c[2] - margin), min(lb, c[3] + margin))

    regions = []
    for box, members in clusters:
        outer = widened(box)
        if max(outer[1] - outer[0], outer[3] - outer[2]) <= max_region:
            regions.append((outer, True, True))
            continue
        pieces, current = [], None
        for r in sorted(members):
            grown = r if current is None else (min(current[0], r[0]), max(current[1], r[1]),
                                                min(current[2], r[2]), max(current[3], r[3]))
            if current is not None and max(grown[1] - grown[0], grown[3] - grown[2]) > max_region // 2:
                pieces.append(current)
                grown = r
            current = grown
        pieces.append(current)
        for k, piece in enumerate(pieces):
            regions.append((widened(piece), k == 0, k == len(pieces) - 1))
    return regions


def find_reuse(
    docs: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    date: str | None = "date",
    column: str | None = None,
    min_length: int = 50,
    min_similarity: float = 0.8,
    shingle: str = "char",
    ngram: int | None = None,
    window: int = 60,
    threshold: float = 0.2,
    num_perm: int = 128,
    max_documents: float | None = None,
    boilerplate: bool | str | Path | Sequence[str | Path] = True,
    scores: tuple[float, float, float] | None = None,
    prefilter: bool = True,
    tokenizer=None,
    n_jobs: int = 1,
    random_state: int = 0,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Passages that documents share: candidate places by MinHash/LSH, exact passages by local alignment.

    See the module's documentation for the method and for the defaults.

    Parameters
    ----------
    docs : DataFrame
        One row per document, with ``doc_id`` and a text column (from
        :func:`policytext.clean`). Not modified.
    by : str or list of str, optional
        Metadata column(s) whose values are copied into the table for each
        side (``<col>_a``, ``<col>_b``); a missing value is ``"(none)"``.
    date : str or None
        Column that orders documents in time (``"2023-09-08"``, ``"2021-03"``,
        a year, or empty). Without a ``date`` column, ``year`` is used. The
        earlier document of a pair is ``doc_a``; when the dates are missing or
        the same (at the precision both have), ``doc_a`` is the one whose
        ``doc_id`` sorts first. ``None``: order by ``doc_id`` only.
    column : str, optional
        The text to compare: ``text_clean`` when present, else ``text``. Spans
        are positions in this column's text.
    min_length : int
        Characters a passage must have in each document (default 50).
    min_similarity : float
        Share of a passage's aligned columns that are identical characters
        (default 0.8).
    shingle : {"char", "token"}
        Shingles of the pre-filter: character n-grams, or word n-grams of
        ``tokenizer`` (default :class:`policytext.PolicyTokenizer`, which drops
        stopwords and punctuation). The alignment is on characters either way.
    ngram : int, optional
        Shingle length: 4 characters, or 2 words.
    window : int
        Characters per window of the pre-filter (windows overlap by half).
    threshold : float
        Jaccard similarity of two windows' shingles above which LSH proposes
        them (0.2; see the module's documentation).
    num_perm : int
        MinHash permutations (128).
    max_documents : float, optional
        Leave out the LSH buckets that hold windows of more than this share of
        the documents (e.g. 0.2). ``None`` (default): leave out nothing, since a
        central text that most documents restate is what text reuse is about.
        On a large corpus of one genre, whose formulas put windows of thousands
        of documents in one bucket (the 2,981 laws of ``lawrefbook-laws``),
        this, or the formulas as ``boilerplate``, keeps the pre-filter
        quadratic in the documents that really share text rather than in all
        of them. What is left out is counted in ``attrs["reuse_account"]`` and
        listed by :func:`reuse_widely_shared` (``left_out``), with a warning.
    boilerplate : bool, str, path or list
        ``True``: the shipped list (``data/reuse/boilerplate.txt``);
        ``False``: none; a phrase, a file (same syntax) or a list of them: the
        shipped list and these.
    scores : (match, mismatch, gap), optional
        Alignment scores (default ``(1, -2, -2)`` for ``min_similarity=0.8``).
    prefilter : bool
        ``False``: align every pair of whole documents (slow: the reference
        the pre-filter is measured against).
    tokenizer : PolicyTokenizer, optional
        The segmenter of ``shingle="token"`` (default ``PolicyTokenizer()``).
    n_jobs : int
        Processes (``-1``: every core) for sketching and aligning.
    random_state : int
        Seed of the MinHash permutations. The same seed gives the same table in
        any process, whatever the documents' order or names.
    progress : bool, optional
        Progress bars (``None``: for long runs only).

    Returns
    -------
    DataFrame
        One row per passage: ``doc_a, doc_b``, the ``by`` columns of each
        side, ``date_a, date_b`` (as text, ``None`` when missing),
        ``a_earlier`` (True when ``doc_a``'s date is earlier), the spans
        ``start_a, end_a, start_b, end_b`` (ends exclusive), the passages
        ``text_a, text_b``, ``length`` (characters in the shorter span),
        ``score`` and ``similarity``. Sorted by ``doc_a, doc_b, start_a``.
        ``attrs["reuse_params"]`` holds the options and ``attrs["reuse_account"]``
        what the table rests on: documents, pairs, candidate windows and
        document pairs, regions aligned, passages found, boilerplate excluded.
        :func:`reuse_excluded` and :func:`reuse_widely_shared` return the
        passages dropped as boilerplate and the windows that many documents
        share.

    Examples
    --------
    >>> shared = "各地要加快建设全国一体化算力网络，推动数据中心绿色低碳发展，到2025年新建大型数据中心电能利用效率降到1.3以下。"
    >>> docs = pd.DataFrame({"doc_id": ["central", "hubei", "other"],
    ...                      "date": ["2021-05", "2021-09-01", ""],
    ...                      "text_clean": ["总体要求。" + shared + "保障措施。",
    ...                                     "我省将" + shared.replace("2025", "2024") + "具体如下。",
    ...                                     "乡村振兴要因地制宜发展特色产业，壮大村级集体经济，持续增加农民收入。"]})
    >>> found = find_reuse(docs, window=40)
    >>> found[["doc_a", "doc_b", "a_earlier", "start_a", "end_a", "start_b", "end_b", "length"]].values.tolist()
    [['central', 'hubei', True, 5, 63, 3, 61, 58]]
    >>> float(found["similarity"].iloc[0])
    0.9827586206896551
    """
    from datasketch import LeanMinHash, MinHashLSH

    if "doc_id" not in docs.columns:
        raise KeyError("the documents table needs a 'doc_id' column")
    if shingle not in SHINGLES:
        raise ValueError(f"shingle must be one of {SHINGLES}, got {shingle!r}")
    ngram = ngram if ngram is not None else (4 if shingle == "char" else 2)
    if ngram < 1 or window < 2 or not 0 < threshold < 1 or num_perm < 2:
        raise ValueError("ngram >= 1, window >= 2, 0 < threshold < 1 and num_perm >= 2 are needed, got "
                         f"ngram={ngram}, window={window}, threshold={threshold}, num_perm={num_perm}")
    if max_documents is not None and not 0 < max_documents <= 1:
        raise ValueError(f"max_documents must be a share of the documents in (0, 1], got {max_documents!r}")
    n_jobs = resolve_n_jobs(n_jobs)
    step = max(1, window // 2)
    sc = _scoring(min_length, min_similarity, scores, margin=step)
    column = _text_column(docs, column)
    date_col = _date_column(docs, date)
    ids = docs["doc_id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"doc_id must be unique; repeated: {twice[:5]}")
    by_cols: list[str] = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols:
        from policytext.compare.counting import group_keys

        _, keys = group_keys(docs.assign(doc_id=ids), by_cols)
        group_values = {c: keys[c].astype(str).tolist() for c in by_cols}
    else:
        group_values = {}
    # documents in doc_id order: nothing below depends on the order of the input rows
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    ids = [ids[i] for i in order]
    texts = [("" if pd.isna(t) else str(t)) for t in docs[column].to_numpy()[order]]
    group_values = {c: [v[i] for i in order] for c, v in group_values.items()}
    raw_dates = docs[date_col].to_numpy()[order] if date_col else [None] * len(ids)
    parsed = [_parse_date(v) for v in raw_dates]
    shown = [_date_text(v) for v in raw_dates]
    unparsed = [ids[k] for k, v in enumerate(raw_dates)
                if parsed[k] is None and v is not None and not pd.isna(v) and str(v).strip()]
    if unparsed:
        logger.warning("find_reuse: %d date(s) in %r not understood, taken as missing (e.g. %s)",
                       len(unparsed), date_col, ", ".join(unparsed[:3]))
    rules = _boilerplate_rules(boilerplate)
    masks, bp_spans = _boilerplate_masks(texts, rules)
    n_docs = len(ids)
    opts = {"shingle": shingle, "ngram": ngram, "step": step, "num_perm": num_perm, "seed": int(random_state),
            "tokenizer": tokenizer}
    init_args = (texts, opts, sc, masks)
    account = {"documents": n_docs, "document_pairs": n_docs * (n_docs - 1) // 2,
               "boilerplate_rules": len(rules), "boilerplate_characters": int(sum(int(m.sum()) for m in masks)),
               "boilerplate_documents": int(sum(bool(m.any()) for m in masks))}
    widely = pd.DataFrame(columns=["doc_id", "start", "end", "documents", "left_out", "text"])

    # ---- candidate regions
    clock = time.perf_counter()
    tasks_pairs: list[tuple[int, int, int, list]] = []
    if prefilter:
        doc_tasks = _split(list(range(n_docs)), [len(t) + 1 for t in texts], 4 * n_jobs if n_jobs > 1 else 1)
        sketched = [row for part in _run(_sketch_task, doc_tasks, n_jobs, init_args, progress, "sketching",
                                         "task") for row in part]
        sketched.sort(key=lambda r: r[0])
        logger.info("find_reuse: %d windows sketched in %.1f s", sum(len(r[1]) for r in sketched),
                    time.perf_counter() - clock)
        clock = time.perf_counter()
        w_doc = np.concatenate([np.full(len(r[1]), r[0], dtype=np.int64) for r in sketched] or [np.zeros(0, np.int64)])
        w_start = np.concatenate([r[1] for r in sketched] or [np.zeros(0, np.int64)])
        w_end = np.concatenate([r[2] for r in sketched] or [np.zeros(0, np.int64)])
        signatures = np.vstack([r[3] for r in sketched] or [np.zeros((0, num_perm), np.uint32)])
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        with lsh.insertion_session() as session:
            for g in range(len(w_doc)):
                session.insert(g, LeanMinHash(seed=int(random_state), hashvalues=signatures[g], scheme="affine32"),
                               check_duplication=False)
        max_docs = np.inf if max_documents is None else max_documents * n_docs
        verified, reach, skipped, proposed, left_out = _candidates(lsh, w_doc, signatures, _VERIFY * threshold,
                                                                   max_docs)
        da, db = w_doc[verified[:, 0]], w_doc[verified[:, 1]]
        by_pair = np.lexsort((verified[:, 1], verified[:, 0], db, da))
        verified, da, db = verified[by_pair], da[by_pair], db[by_pair]
        wide = np.flatnonzero((reach > max(2, WIDELY_SHARED * n_docs)) | skipped)
        if len(wide):
            widely = pd.DataFrame({"doc_id": [ids[d] for d in w_doc[wide]], "start": w_start[wide], "end": w_end[wide],
                                   "documents": reach[wide], "left_out": skipped[wide],
                                   "text": [texts[d][s:e] for d, s, e in zip(w_doc[wide], w_start[wide], w_end[wide])]})
            logger.info("find_reuse: %d window(s) share LSH buckets with windows of more than %.0f%% of the "
                        "documents (at most %d documents): kept, listed by reuse_widely_shared()",
                        len(wide), 100 * WIDELY_SHARED, int(reach[wide].max()))
        if left_out:
            logger.warning("find_reuse: max_documents=%s: %d LSH bucket(s) holding windows of more than %d documents "
                           "were left out (%d windows in them; see reuse_widely_shared())", max_documents, left_out,
                           int(max_docs), int(skipped.sum()))
        cuts = np.flatnonzero(np.diff(da * n_docs + db)) + 1 if len(da) else np.zeros(0, np.int64)
        for part in np.split(np.arange(len(da)), cuts) if len(da) else []:
            a_doc, b_doc = int(da[part[0]]), int(db[part[0]])
            ga, gb = verified[part, 0], verified[part, 1]
            rects = list(zip(w_start[ga].tolist(), w_end[ga].tolist(), w_start[gb].tolist(), w_end[gb].tolist()))
            first, second = (a_doc, b_doc) if texts[a_doc] <= texts[b_doc] else (b_doc, a_doc)
            if first != a_doc:
                rects = [(r[2], r[3], r[0], r[1]) for r in rects]
            tasks_pairs.append(((a_doc, b_doc), first, second, rects))
        account.update(windows=len(w_doc), window_pairs_proposed=proposed, window_pairs_verified=len(verified),
                       candidate_pairs=len(tasks_pairs), lsh_bands=lsh.b, lsh_rows=lsh.r,
                       widely_shared_windows=len(wide), max_bucket_documents=int(reach.max(initial=0)),
                       buckets_left_out=left_out, windows_left_out=int(skipped.sum()))
        logger.info("find_reuse: LSH proposed %d window pairs (once per band), %d verified, in %d document "
                    "pairs (%.1f s)", proposed, len(verified), len(tasks_pairs), time.perf_counter() - clock)
        clock = time.perf_counter()
    else:
        for da in range(n_docs):
            for db in range(da + 1, n_docs):
                first, second = (da, db) if texts[da] <= texts[db] else (db, da)
                tasks_pairs.append(((da, db), first, second, None))
        account.update(candidate_pairs=len(tasks_pairs))

    # ---- alignment
    weights = [len(texts[t[1]]) * len(texts[t[2]]) if t[3] is None else len(t[3]) for t in tasks_pairs]
    n_tasks = 8 * n_jobs if n_jobs > 1 else max(1, min(len(tasks_pairs), 200))
    align_tasks = _split(tasks_pairs, weights, n_tasks)
    results = [r for part in _run(_align_task, align_tasks, n_jobs, init_args, progress, "aligning", "task")
               for r in part]
    where = {t[0]: (t[1], t[2]) for t in tasks_pairs}
    account.update(regions=int(sum(r[2] for r in results)), aligned_pairs=len(results))
    logger.info("find_reuse: %d regions of %d document pairs aligned in %.1f s", account["regions"], len(results),
                time.perf_counter() - clock)

    # ---- the table: canonical orientation, boilerplate
    rows, excluded = [], []
    for (da, db), found, _, dropped, _ in results:
        first, second = where[(da, db)]
        cmp = _compare_dates(parsed[da], parsed[db])
        a, b = (db, da) if cmp == 1 else (da, db)  # the earlier as a; else the first doc_id (da < db)
        for passage_list, target in ((found, rows), (dropped, excluded)):
            for sa, ea, sb, eb, score, identical, columns in passage_list:
                if (first, second) != (a, b):
                    sa, ea, sb, eb = sb, eb, sa, ea
                row = {"doc_a": ids[a], "doc_b": ids[b]}
                for c in by_cols:
                    row[f"{c}_a"], row[f"{c}_b"] = group_values[c][a], group_values[c][b]
                row.update(date_a=shown[a], date_b=shown[b], a_earlier=cmp in (-1, 1), start_a=sa, end_a=ea,
                           start_b=sb, end_b=eb, text_a=texts[a][sa:ea], text_b=texts[b][sb:eb],
                           length=min(ea - sa, eb - sb), score=float(score), similarity=identical / columns)
                if target is excluded:
                    hits = sorted({src for s, e, src in bp_spans[a] if s < ea and sa < e}
                                  | {src for s, e, src in bp_spans[b] if s < eb and sb < e})
                    row.update(boilerplate_a=int(masks[a][sa:ea].sum()), boilerplate_b=int(masks[b][sb:eb].sum()),
                               rules=", ".join(hits))
                target.append(row)
    columns = ["doc_a", "doc_b"] + [f"{c}_{s}" for c in by_cols for s in ("a", "b")] + PASSAGE_COLUMNS[2:]
    table = pd.DataFrame(rows, columns=columns)
    table = table.sort_values(["doc_a", "doc_b", "start_a", "start_b"], kind="stable").reset_index(drop=True)
    table = table.astype({"a_earlier": bool, "start_a": "int64", "end_a": "int64", "start_b": "int64",
                          "end_b": "int64", "length": "int64", "score": float, "similarity": float})
    excluded_table = pd.DataFrame(excluded, columns=columns + ["boilerplate_a", "boilerplate_b", "rules"])
    account.update(passages=len(table), excluded_boilerplate=len(excluded_table),
                   trimmed_boilerplate=int(sum(r[4] for r in results)),
                   pairs_with_reuse=int(table[["doc_a", "doc_b"]].drop_duplicates().shape[0]))
    if rules:
        logger.info("find_reuse: %d passage(s) dropped as boilerplate (no passage of min_length=%d characters "
                    "is left without it; see reuse_excluded()), %d aligned again without it; %d boilerplate "
                    "characters in %d documents took no part in the pre-filter", len(excluded_table), sc.min_length,
                    account["trimmed_boilerplate"], account["boilerplate_characters"], account["boilerplate_documents"])
    logger.info("find_reuse: %d documents, %d of %d pairs aligned, %d passages in %d pairs",
                n_docs, account["aligned_pairs"], account["document_pairs"], len(table), account["pairs_with_reuse"])
    params = {"by": by_cols, "date": date_col, "column": column, "min_length": sc.min_length,
              "min_similarity": sc.min_similarity, "scores": [sc.match, sc.mismatch, sc.gap], "shingle": shingle,
              "ngram": ngram, "window": window, "threshold": threshold, "num_perm": num_perm,
              "max_documents": max_documents,
              "boilerplate": [source for _, source in rules], "prefilter": prefilter, "random_state": random_state}
    table.attrs["reuse_params"] = params
    table.attrs["reuse_account"] = account
    _attrs.attach(table, "reuse_excluded", excluded_table)
    _attrs.attach(table, "reuse_widely_shared", widely)
    return table


def reuse_excluded(passages: pd.DataFrame) -> pd.DataFrame:
    """The passages :func:`find_reuse` dropped as boilerplate, with the characters and rules that made them so.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text_clean": [
    ...     "张三代表:\\n现将办理情况答复如下:一、关于数字经济。感谢您对我局工作的关心和支持!",
    ...     "李四代表:\\n现将办理情况答复如下:一、关于数字经济。感谢您对我局工作的关心和支持!"]})
    >>> found = find_reuse(docs, min_length=15, window=20)
    >>> len(found), reuse_excluded(found)["rules"].tolist()
    (0, ['boilerplate.txt:16, boilerplate.txt:22, boilerplate.txt:23, boilerplate.txt:26, boilerplate.txt:29'])
    """
    return _attrs.fetch(passages, "reuse_excluded", "find_reuse")


def reuse_widely_shared(passages: pd.DataFrame) -> pd.DataFrame:
    """Windows of the pre-filter that share LSH buckets with windows of more than half of the documents.

    They are kept (a central document restated by most cities is what text
    reuse is about), unless ``max_documents`` left their bucket out
    (``left_out``); the table shows where the shared text is and how many
    documents share it: ``doc_id, start, end, documents, left_out, text``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text_clean": ["数字经济发展"] * 2})
    >>> reuse_widely_shared(find_reuse(docs, min_length=5, window=4)).columns.tolist()
    ['doc_id', 'start', 'end', 'documents', 'left_out', 'text']
    """
    return _attrs.fetch(passages, "reuse_widely_shared", "find_reuse")


# --------------------------------------------------------------------------------------------
# Pairs, groups, network
# --------------------------------------------------------------------------------------------

def _union_length(starts, ends) -> int:
    total, reach = 0, -1
    for s, e in sorted(zip(starts, ends)):
        if e <= reach:
            continue
        total += e - max(s, reach)
        reach = e
    return total


def _doc_lengths(passages: pd.DataFrame, docs: pd.DataFrame) -> pd.Series:
    column = passages.attrs.get("reuse_params", {}).get("column")
    column = _text_column(docs, column if column in docs.columns else None)
    return pd.Series(docs[column].fillna("").astype(str).str.len().to_numpy(), index=docs["doc_id"].astype(str))


def reuse_from(passages: pd.DataFrame, docs: pd.DataFrame, *, source: str | Sequence[str] | None) -> pd.DataFrame:
    """The passages that some documents (the source) share with the others, the source always on side a.

    The question of diffusion from a centre: what does the national plan share
    with the provinces' plans? Passages between two source documents are left
    out; passages between two other documents too.

    Parameters
    ----------
    passages : DataFrame
        From :func:`find_reuse`.
    docs : DataFrame
        The documents, for their metadata.
    source : str, list of str or None
        A query on ``docs`` selecting the source documents (``"level ==
        'national'"``, pandas' :meth:`~pandas.DataFrame.query` syntax), or a
        list of their ``doc_id``; None: every passage, as it is.

    Returns
    -------
    DataFrame
        The columns of ``passages``, sides swapped where the source document
        was ``doc_b``, and ``source_earlier``: True or False when the two
        dates differ, missing when they do not tell (the same, or one
        missing). Sorted by length, longest first. An error names a
        ``doc_id`` given that no document has, or a query that selects none.

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["city", "city"], "doc_b": ["nation", "town"], "start_a": [0, 5],
    ...                   "end_a": [60, 70], "start_b": [3, 0], "end_b": [63, 65], "length": [60, 65],
    ...                   "a_earlier": [False, False], "date_a": [None, None], "date_b": [None, None]})
    >>> d = pd.DataFrame({"doc_id": ["nation", "city", "town"], "level": ["national", "city", "city"]})
    >>> reuse_from(p, d, source="level == 'national'")[["doc_a", "doc_b", "start_a", "start_b"]].values.tolist()
    [['nation', 'city', 3, 0]]
    """
    if source is None:
        return passages.copy()
    ids = docs["doc_id"].astype(str)
    if isinstance(source, str):
        try:
            chosen = set(docs.query(source)["doc_id"].astype(str))
        except Exception as err:  # pandas raises many kinds of error for a bad query
            raise ValueError(f"source={source!r} is not a query on the documents' columns "
                             f"({', '.join(c for c in docs.columns if c not in ('text', 'text_clean'))}): {err}") from err
        if not chosen:
            raise ValueError(f"source={source!r} selects no document")
    else:
        chosen = {str(d) for d in source}
        unknown = sorted(chosen - set(ids))
        if unknown:
            raise ValueError(f"source: no document has the doc_id {', '.join(map(repr, unknown[:5]))}")
    a_in = passages["doc_a"].astype(str).isin(chosen).to_numpy()
    b_in = passages["doc_b"].astype(str).isin(chosen).to_numpy()
    table = passages[a_in != b_in].copy()
    swap = b_in[a_in != b_in]
    for col in list(table.columns):
        if col.endswith("_a") and col[:-2] + "_b" in table.columns:
            other = col[:-2] + "_b"
            a_values, b_values = table[col].copy(), table[other].copy()
            table.loc[swap, col] = b_values[swap]
            table.loc[swap, other] = a_values[swap]
    if "a_earlier" in table.columns:
        # a_earlier is True when the dates differ (doc_a then the earlier); after a swap the source is the later
        differ = table["a_earlier"].to_numpy(dtype=bool)
        table["a_earlier"] = differ & ~swap
        table["source_earlier"] = pd.array([(not s) if d else None for d, s in zip(differ, swap)], dtype="boolean")
    sort = [c for c in ("length", "doc_a", "doc_b", "start_a") if c in table.columns]
    return table.sort_values(sort, ascending=[False] + [True] * (len(sort) - 1), kind="stable").reset_index(drop=True)


def reuse_pairs(passages: pd.DataFrame, docs: pd.DataFrame, *, all_pairs: bool = False) -> pd.DataFrame:
    """Per document pair: how much of each document's text the other shares with it.

    Parameters
    ----------
    passages : DataFrame
        From :func:`find_reuse` (possibly filtered).
    docs : DataFrame
        The documents, for the length of their texts (the column the passages
        were found in).
    all_pairs : bool
        Also list the pairs without a passage (with zeros).

    Returns
    -------
    DataFrame
        ``doc_a, doc_b``, the ``by`` columns, ``date_a, date_b, a_earlier``,
        ``passages``, ``chars_a, chars_b`` (characters of each document in a
        passage: the union of the spans, so overlapping passages count once),
        ``length_a, length_b`` (characters of each text) and ``share_a,
        share_b`` (chars / length, in [0, 1]).

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["x", "x"], "doc_b": ["y", "y"], "start_a": [0, 5], "end_a": [10, 20],
    ...                   "start_b": [0, 30], "end_b": [10, 45]})
    >>> d = pd.DataFrame({"doc_id": ["x", "y"], "text_clean": ["字" * 40, "字" * 100]})
    >>> t = reuse_pairs(p, d)
    >>> t[["passages", "chars_a", "chars_b"]].values.tolist(), t[["share_a", "share_b"]].values.tolist()
    ([[2, 20, 25]], [[0.5, 0.25]])
    """
    lengths = _doc_lengths(passages, docs)
    keys = ["doc_a", "doc_b"]
    extra = [c for c in passages.columns if c not in PASSAGE_COLUMNS and c not in keys
             and (c.endswith("_a") or c.endswith("_b"))] + [c for c in ("date_a", "date_b", "a_earlier")
                                                              if c in passages.columns]
    rows = []
    for (da, db), group in passages.groupby(keys, sort=True):
        row = {"doc_a": da, "doc_b": db}
        for c in extra:
            row[c] = group[c].iloc[0]
        row.update(passages=len(group), chars_a=_union_length(group["start_a"], group["end_a"]),
                   chars_b=_union_length(group["start_b"], group["end_b"]))
        rows.append(row)
    table = pd.DataFrame(rows, columns=keys + extra + ["passages", "chars_a", "chars_b"])
    if all_pairs:
        ids = sorted(lengths.index)
        seen = set(zip(table["doc_a"], table["doc_b"])) | set(zip(table["doc_b"], table["doc_a"]))
        missing = [(x, y) for k, x in enumerate(ids) for y in ids[k + 1:] if (x, y) not in seen]
        if missing:
            zeros = pd.DataFrame(missing, columns=keys).assign(passages=0, chars_a=0, chars_b=0)
            table = pd.concat([table, zeros], ignore_index=True) if len(table) else zeros.reindex(columns=table.columns)
    unknown = sorted((set(table["doc_a"]) | set(table["doc_b"])) - set(lengths.index))
    if unknown:
        raise KeyError(f"documents of the passages are not in docs: {unknown[:5]}")
    table["length_a"] = table["doc_a"].map(lengths).astype("int64")
    table["length_b"] = table["doc_b"].map(lengths).astype("int64")
    table["share_a"] = table["chars_a"] / table["length_a"].where(table["length_a"] > 0, 1)
    table["share_b"] = table["chars_b"] / table["length_b"].where(table["length_b"] > 0, 1)
    table = table.astype({"passages": "int64", "chars_a": "int64", "chars_b": "int64"})
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def _group_of(docs: pd.DataFrame, by) -> tuple[list[str], dict]:
    from policytext.compare.counting import group_keys

    ids = docs["doc_id"].astype(str)
    cols, keys = group_keys(docs.assign(doc_id=ids), by)
    values = keys[cols].astype(str)
    return cols, {d: tuple(v) for d, v in zip(ids, values.itertuples(index=False))}


def reuse_groups(passages: pd.DataFrame, docs: pd.DataFrame, *, by: str | Sequence[str]) -> pd.DataFrame:
    """Per pair of groups (provinces, levels ...): how much their documents share.

    Every pair of documents from the two groups counts, with or without a
    passage, so the shares are means over document pairs: the unit of the
    comparison is the document pair, and a group of one document rests on
    that one document (flagged).

    Returns
    -------
    DataFrame
        One row per unordered pair of groups (a group with itself included):
        ``<col>_a, <col>_b``, ``documents_a, documents_b``,
        ``single_document_a, single_document_b``, ``doc_pairs`` (pairs of
        documents between the groups), ``doc_pairs_with_reuse``, ``passages``,
        ``chars_a, chars_b`` (characters of the groups' documents in a
        passage, summed over document pairs), ``mean_share_a, mean_share_b``
        (the mean over all document pairs of the share of the group's document
        in a passage). ``attrs["rests_on"]`` says so.

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["x"], "doc_b": ["y"], "start_a": [0], "end_a": [10], "start_b": [0],
    ...                   "end_b": [10]})
    >>> d = pd.DataFrame({"doc_id": ["x", "y", "z"], "province": ["湖北省", "山东省", "山东省"],
    ...                   "text_clean": ["字" * 20, "字" * 40, "字" * 40]})
    >>> t = reuse_groups(p, d, by="province")
    >>> cols = ["province_a", "province_b", "doc_pairs", "doc_pairs_with_reuse", "mean_share_a", "mean_share_b"]
    >>> t[cols].values.tolist()
    [['山东省', '山东省', 1, 0, 0.0, 0.0], ['山东省', '湖北省', 2, 1, 0.125, 0.25], ['湖北省', '湖北省', 0, 0, nan, nan]]
    """
    cols, group_of = _group_of(docs, by)
    pairs = reuse_pairs(passages, docs)
    sizes: dict = {}
    for g in group_of.values():
        sizes[g] = sizes.get(g, 0) + 1
    groups = sorted(sizes)
    stats = {}
    for r in pairs.itertuples(index=False):
        ga, gb = group_of[r.doc_a], group_of[r.doc_b]
        sa, sb, ca, cb = r.share_a, r.share_b, r.chars_a, r.chars_b
        if ga > gb:
            ga, gb, sa, sb, ca, cb = gb, ga, sb, sa, cb, ca
        s = stats.setdefault((ga, gb), [0, 0, 0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += r.passages
        s[2] += ca
        s[3] += cb
        s[4] += sa
        s[5] += sb
    rows = []
    for k, ga in enumerate(groups):
        for gb in groups[k:]:
            n_pairs = sizes[ga] * (sizes[ga] - 1) // 2 if ga == gb else sizes[ga] * sizes[gb]
            s = stats.get((ga, gb), [0, 0, 0, 0, 0.0, 0.0])
            row = {f"{c}_a": v for c, v in zip(cols, ga)} | {f"{c}_b": v for c, v in zip(cols, gb)}
            row.update(documents_a=sizes[ga], documents_b=sizes[gb], single_document_a=sizes[ga] == 1,
                       single_document_b=sizes[gb] == 1, doc_pairs=n_pairs, doc_pairs_with_reuse=s[0],
                       passages=s[1], chars_a=s[2], chars_b=s[3],
                       mean_share_a=s[4] / n_pairs if n_pairs else np.nan,
                       mean_share_b=s[5] / n_pairs if n_pairs else np.nan)
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["rests_on"] = ("document pairs: every pair of documents between the two groups counts, with a "
                               "share of 0 when they share no passage; single_document_* flags a group of one document")
    return table


def _plain(value):
    """A value GEXF and GraphML can write: no None, numpy scalars as Python ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, np.generic):
        return value.item()
    return value


def reuse_network(passages: pd.DataFrame, docs: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                  directed: bool | None = None):
    """The network of text reuse between documents or groups, ready for Gephi (networkx).

    Parameters
    ----------
    by : str or list of str, optional
        ``None``: one node per document; otherwise one node per group.
    directed : bool, optional
        ``None`` (default): a ``networkx.DiGraph`` when at least one pair with
        a passage has two different dates, else an undirected ``networkx.Graph``.
        In a directed graph an edge runs from the earlier document (or its
        group) to the later one; a pair without two different dates (a date
        missing, or the same) gets an edge each way, with ``dated=False``.
        ``False``: always undirected.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Nodes: every document (``label``, ``documents`` = 1, ``date``,
        ``length``, the ``by`` columns) or group (``label``, ``documents``,
        ``single_document``, ``length``), isolated ones included. Edges (a
        group's own documents give a self-loop): ``passages``, ``doc_pairs``
        (pairs with a passage), ``characters`` (per document pair, the mean of
        the two documents' characters in a passage, summed), ``weight`` (=
        ``characters``), ``share`` (mean over document pairs of the mean of the
        two shares), ``share_source`` and ``share_target`` (the same for each
        end), ``dated`` (every document pair of the edge runs from an earlier
        to a later date) and ``dated_pairs`` (how many do). Every attribute is a plain str, int, float or bool,
        so ``networkx.write_gexf`` and ``networkx.write_graphml`` write it.

    Examples
    --------
    >>> p = pd.DataFrame({"doc_a": ["x"], "doc_b": ["y"], "a_earlier": [True], "start_a": [0], "end_a": [10],
    ...                   "start_b": [0], "end_b": [10]})
    >>> d = pd.DataFrame({"doc_id": ["x", "y", "z"], "date": ["2021", "2022", ""], "text_clean": ["字" * 20] * 3})
    >>> g = reuse_network(p, d)
    >>> type(g).__name__, sorted(g.nodes), list(g.edges(data="characters"))
    ('DiGraph', ['x', 'y', 'z'], [('x', 'y', 10.0)])
    """
    import networkx as nx

    pairs = reuse_pairs(passages, docs)
    if "a_earlier" not in pairs.columns:
        pairs["a_earlier"] = False
    dated_any = bool(pairs["a_earlier"].any())
    is_directed = dated_any if directed is None else bool(directed)
    graph = nx.DiGraph() if is_directed else nx.Graph()
    ids = docs["doc_id"].astype(str).tolist()
    lengths = _doc_lengths(passages, docs)
    if by is None:
        node_of = {d: d for d in ids}
        date_col = passages.attrs.get("reuse_params", {}).get("date")
        date_col = date_col if date_col in docs.columns else _date_column(docs, "date")
        dates = dict(zip(ids, (_date_text(v) or "" for v in docs[date_col]))) if date_col else {}
        params_by = passages.attrs.get("reuse_params", {}).get("by", [])
        for k, d in enumerate(ids):
            attrs = {"label": d, "documents": 1, "date": dates.get(d, ""), "length": int(lengths[d])}
            for c in params_by:
                if c in docs.columns:
                    attrs[c] = _plain(docs[c].iloc[k]) if not pd.isna(docs[c].iloc[k]) else ""
            graph.add_node(d, **{k2: _plain(v) for k2, v in attrs.items()})
    else:
        cols, group_of = _group_of(docs, by)
        node_of = {d: " / ".join(g) for d, g in group_of.items()}
        counts: dict = {}
        total: dict = {}
        for d, node in node_of.items():
            counts[node] = counts.get(node, 0) + 1
            total[node] = total.get(node, 0) + int(lengths[d])
        for node in sorted(counts):
            graph.add_node(node, label=node, documents=counts[node], single_document=counts[node] == 1,
                           length=total[node])
    edges: dict = {}
    for r in pairs.itertuples(index=False):
        u, v = node_of[r.doc_a], node_of[r.doc_b]
        contributions = [(u, v, r.share_a, r.share_b)]
        if is_directed and not r.a_earlier:
            contributions.append((v, u, r.share_b, r.share_a))
        elif not is_directed and u > v:
            contributions = [(v, u, r.share_b, r.share_a)]
        for s, t, share_s, share_t in contributions:
            e = edges.setdefault((s, t), {"passages": 0, "doc_pairs": 0, "characters": 0.0, "share": 0.0,
                                          "share_source": 0.0, "share_target": 0.0, "dated": True,
                                          "dated_pairs": 0})
            e["passages"] += int(r.passages)
            e["doc_pairs"] += 1
            e["characters"] += (r.chars_a + r.chars_b) / 2
            e["share"] += (r.share_a + r.share_b) / 2
            e["share_source"] += share_s
            e["share_target"] += share_t
            e["dated"] = e["dated"] and bool(r.a_earlier)
            e["dated_pairs"] += int(bool(r.a_earlier))
    for (s, t), e in sorted(edges.items()):
        n = e["doc_pairs"]
        graph.add_edge(s, t, passages=e["passages"], doc_pairs=n, characters=float(e["characters"]),
                       weight=float(e["characters"]), share=float(e["share"] / n),
                       share_source=float(e["share_source"] / n), share_target=float(e["share_target"] / n),
                       dated=bool(e["dated"]), dated_pairs=int(e["dated_pairs"]))
    graph.graph["directed_by"] = "date" if is_directed else "none"
    return graph
