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
3. **LSH.** The bands and rows ``datasketch.MinHashLSH`` chooses for ``threshold``
   put similar windows into shared buckets (found by sorting each band's
   signature rows, the buckets datasketch's index would fill); two windows of different
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
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core import attrs as _attrs
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext._core.progress import progress_bar
from policytext.reuse.align import Scoring, align_region, aligned_passages, char_codes, declash, scoring
from policytext.reuse.documents import (PASSAGE_COLUMNS, parse_date, boilerplate_masks, boilerplate_rules, compare_dates,
                                        date_column, date_text, text_column)
from policytext.reuse.prefilter import SHINGLES, VERIFY, band_buckets, candidates, regions, sketch

__all__ = ["find_reuse", "reuse_excluded", "reuse_widely_shared", "WIDELY_SHARED"]

logger = logging.getLogger(__name__)

#: A window's bucket holding windows of more than this share of the documents makes it "widely shared".
WIDELY_SHARED = 0.5


# --------------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(texts: list[str], opts: dict, sc: Scoring, masks: list[np.ndarray]) -> None:
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
    return [(d, *sketch(texts[d], masks[d], opts, tokenizer, cache)) for d in docs]


def blank(text: str, mask: np.ndarray, sentinel: str) -> str:
    """``text`` with its masked characters replaced by ``sentinel`` (same length, same positions)."""
    codes = char_codes(text).copy()
    codes[mask] = ord(sentinel)
    return codes.tobytes().decode("utf-32-le")


def without_boilerplate(found: list, a: str, b: str, mask_a: np.ndarray, mask_b: np.ndarray, sc: Scoring):
    """Passages that include boilerplate, aligned again with it blanked out (each side with its own
    private-use character, so that blanks never match): kept if still a passage, else dropped."""
    kept, dropped, trimmed = [], [], 0
    for p in found:
        sa, ea, sb, eb = p[:4]
        if not (mask_a[sa:ea].any() or mask_b[sb:eb].any()):
            kept.append(p)
            continue
        sub_a, sub_b = blank(a[sa:ea], mask_a[sa:ea], "\ue000"), blank(b[sb:eb], mask_b[sb:eb], "\ue001")
        again = aligned_passages(sub_a, sub_b, (0, ea - sa, 0, eb - sb), sc)[0]
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
        codes = (char_codes(a), char_codes(b))
        if rects is None:
            boxes = [(0, len(a), 0, len(b))]
            found = aligned_passages(a, b, boxes[0], sc, codes)[0]
        else:
            boxes = regions(rects, sc.margin, len(a), len(b), sc.max_region)
            found = [p for region in boxes for p in align_region(a, b, region, sc, codes)]
        kept, dropped, trimmed = without_boilerplate(declash(found, a, b, sc, codes), a, b, masks[first],
                                                      masks[second], sc)
        out.append((pair, kept, len(boxes), dropped, trimmed))
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
# find_reuse
# --------------------------------------------------------------------------------------------

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
        ``attrs["params"]`` holds the options and ``attrs["reuse_account"]``
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
    from datasketch import MinHashLSH

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
    sc = scoring(min_length, min_similarity, scores, margin=step)
    column = text_column(docs, column)
    date_col = date_column(docs, date)
    ids = docs["doc_id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"doc_id must be unique; repeated: {twice[:5]}")
    by_cols: list[str] = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols:
        from policytext._core.tables import group_keys

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
    parsed = [parse_date(v) for v in raw_dates]
    shown = [date_text(v) for v in raw_dates]
    unparsed = [ids[k] for k, v in enumerate(raw_dates)
                if parsed[k] is None and v is not None and not pd.isna(v) and str(v).strip()]
    if unparsed:
        logger.warning("find_reuse: %d date(s) in %r not understood, taken as missing (e.g. %s)",
                       len(unparsed), date_col, ", ".join(unparsed[:3]))
    rules = boilerplate_rules(boilerplate)
    masks, bp_spans = boilerplate_masks(texts, rules)
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
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)  # its bands and rows, tuned for the threshold
        max_docs = np.inf if max_documents is None else max_documents * n_docs
        verified, reach, skipped, proposed, left_out = candidates(band_buckets(signatures, lsh.hashranges), w_doc,
                                                                   signatures, VERIFY * threshold, max_docs)
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
        cmp = compare_dates(parsed[da], parsed[db])
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
    _attrs.set_params(table, "reuse", params)
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

