"""The pre-filter of text reuse: windows of each text, their shingles and MinHash signatures, LSH
candidates, and the regions of each document pair to align (datasketch)."""

from __future__ import annotations

import logging
from typing import Iterator

import numpy as np

from policytext._core.codes import distinct_integers

logger = logging.getLogger(__name__)

__all__ = ["shingles", "sketch", "candidates", "band_buckets", "regions", "identity", "VERIFY", "SHINGLES"]

#: Shingles :func:`policytext.find_reuse` can use.
SHINGLES = ("char", "token")
#: Window pairs proposed by LSH are kept when their signatures agree on this share of ``threshold`` or more.
VERIFY = 1.0

# --------------------------------------------------------------------------------------------
# Pre-filter: windows, shingles, MinHash
# --------------------------------------------------------------------------------------------

def identity(value):
    """The hash function handed to MinHash: the shingles are already hashed (by SHA-1)."""
    return value


def shingles(text: str, shingle: str, n: int, tokenizer) -> tuple[list[str], np.ndarray, np.ndarray]:
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
    found = ["\x1f".join(found_words[i:i + n]) for i in range(count)]
    return found, np.asarray(offsets[:count], dtype=np.int64), np.asarray(ends[n - 1:n - 1 + count], dtype=np.int64)


def sketch(text: str, masked: np.ndarray, opts: dict, tokenizer, cache: dict):
    """Windows of one document: their spans and MinHash values (rows), skipping masked characters."""
    from datasketch.hashfunc import sha1_hash32

    n, step, num_perm, seed = opts["ngram"], opts["step"], opts["num_perm"], opts["seed"]
    grams, starts, ends = shingles(text, opts["shingle"], n, tokenizer)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, num_perm), np.uint32))
    if not grams:
        return empty
    if masked.any():
        covered = np.concatenate([[0], np.cumsum(masked)])
        keep = covered[ends] - covered[starts] == 0
        grams = [s for s, k in zip(grams, keep) if k]
        starts, ends = starts[keep], ends[keep]
        if not grams:
            return empty
    hashes = np.empty(len(grams), dtype=np.uint32)
    get = cache.get
    for i, s in enumerate(grams):
        h = get(s)
        if h is None:
            h = cache[s] = sha1_hash32(s.encode("utf-8"))
        hashes[i] = h
    block = starts // step
    ids, first = np.unique(block, return_index=True)
    bounds = np.append(first, len(block))
    minima = block_minhash(hashes, first, _permutations(num_perm, seed))  # one signature per block
    # a window is a block and the next one (when there is one); a block whose previous block exists and which
    # has no next one is the second half of the window before
    position = np.searchsorted(ids, ids + 1)
    has_next = (position < len(ids)) & (ids[np.minimum(position, len(ids) - 1)] == ids + 1)
    has_previous = np.concatenate([[False], ids[1:] == ids[:-1] + 1])
    opens = has_next | ~has_previous
    k = np.flatnonzero(opens)
    last = np.where(has_next[k], k + 1, k)  # the window's last block
    values = np.where(has_next[k][:, None], np.minimum(minima[k], minima[np.minimum(k + 1, len(ids) - 1)]),
                      minima[k])
    w_start = starts[first[k]]
    w_end = np.array([ends[bounds[j]:bounds[j + 1]].max() for j in last.tolist()], dtype=np.int64)
    return w_start.astype(np.int64), w_end, values.astype(np.uint32)


#: MurmurHash3's 32-bit finalizer: shifts and multipliers.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``h -> a h + b (mod 2^32)`` of a ``datasketch.MinHash`` with this seed."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, hashfunc=identity, scheme="affine32").permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def block_minhash(hashes: np.ndarray, starts: np.ndarray, permutations, rows: int = 8192) -> np.ndarray:
    """The MinHash signature of each block of consecutive shingle hashes (blocks begin at ``starts``).

    The values of ``datasketch.MinHash(scheme="affine32")`` fed each block (tested): each hash mixed by
    MurmurHash3's finalizer, then ``min(a h + b mod 2^32)`` per permutation; computed for a whole document at
    once, a few thousand shingles at a time, instead of one MinHash object per block.

    Examples
    --------
    >>> a, b = _permutations(4, 1)
    >>> block_minhash(np.array([7, 8, 9], dtype=np.uint32), np.array([0, 2]), (a, b)).shape
    (2, 4)
    """
    a, b = permutations
    s1, m1, s2, m2, s3 = _FMIX32
    h = np.asarray(hashes, dtype=np.uint32)
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(s1))
        h = h * np.uint32(m1)
        h = h ^ (h >> np.uint32(s2))
        h = h * np.uint32(m2)
        h = h ^ (h >> np.uint32(s3))
        out = np.empty((len(starts), len(a)), dtype=np.uint32)
        bounds = np.append(np.asarray(starts, dtype=np.int64), len(h))
        done = 0
        while done < len(starts):  # whole blocks, about ``rows`` shingles at a time
            upto = max(done + 1, int(np.searchsorted(bounds, bounds[done] + rows, side="right")) - 1)
            upto = min(upto, len(starts))
            lo, hi = bounds[done], bounds[upto]
            permuted = h[lo:hi, None] * a[None, :] + b[None, :]
            out[done:upto] = np.minimum.reduceat(permuted, bounds[done:upto] - lo, axis=0)
            done = upto
    return out



TRIU: dict = {}


def band_buckets(signatures: np.ndarray, hashranges) -> Iterator[np.ndarray]:
    """The LSH buckets of every band that hold two windows or more: arrays of window indices, ascending.

    A band's bucket is the set of windows whose signatures agree on every value of the band, as
    ``datasketch.MinHashLSH`` files them (its bucket key is the band's values as bytes); here a sort of the
    band's rows finds them, with no index to fill.
    """
    n = len(signatures)
    if n < 2:
        return
    index = np.arange(n)
    for start, end in hashranges:
        band = signatures[:, start:end]
        order = np.lexsort((index, *band.T[::-1]))  # by the band's values, ties by window
        rows = band[order]
        new = np.ones(n, dtype=bool)
        new[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        starts = np.flatnonzero(new)
        sizes = np.diff(np.concatenate([starts, [n]]))
        for first, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            yield order[first:first + size]


def candidates(buckets, w_doc: np.ndarray, signatures: np.ndarray, verify: float, max_docs: float):
    """Window pairs of different documents that share an LSH bucket, and those whose signatures agree on
    at least ``verify`` of the permutations (the estimated Jaccard similarity, as datasketch advises).

    ``buckets``: the buckets of two windows or more (window indices, ascending), as :func:`band_buckets`
    gives them. A bucket holding windows of more than ``max_docs`` documents is not expanded into pairs.
    Returns the verified pairs (sorted array of global window indices, first < second), per window the
    most documents any of its buckets holds, which windows were in a bucket left out, the pairs proposed
    (counted once per band they share) and the buckets left out.
    """
    n = len(w_doc)
    reach = np.zeros(n, dtype=np.int64)
    skipped = np.zeros(n, dtype=bool)
    parts, checked, collisions, left_out = [], [], 0, 0
    by_size: dict[int, list[np.ndarray]] = {}
    for m in buckets:
        by_size.setdefault(len(m), []).append(m)
    for k, group in sorted(by_size.items()):
        M = np.vstack(group)  # buckets x k, each row ascending
        D = w_doc[M]
        M, D = M[D[:, 0] != D[:, -1]], D[D[:, 0] != D[:, -1]]  # windows of one document only: nothing to pair
        if not len(M):
            continue
        in_docs = (np.diff(D, axis=1) != 0).sum(axis=1) + 1
        np.maximum.at(reach, M.ravel(), np.repeat(in_docs, k))
        wide = in_docs > max_docs
        if wide.any():
            skipped[M[wide].ravel()] = True
            left_out += int(wide.sum())
            M, D = M[~wide], D[~wide]
        if not len(M):
            continue
        if k <= 48:
            if k not in TRIU:
                TRIU[k] = np.triu_indices(k, 1)
            i, j = TRIU[k]
            keep = D[:, i] != D[:, j]
            collisions += int(keep.sum())
            parts.append(M[:, i][keep] * n + M[:, j][keep])
            continue
        for m, d in zip(M, D):  # a bucket of many windows: verify inside it, so that its k^2 pairs are never listed
            sig = signatures[m]
            for r0 in range(0, k, 32):
                agree = (sig[r0:r0 + 32, None, :] == sig[None, :, :]).mean(axis=2)
                rows = np.arange(r0, min(k, r0 + 32))[:, None]
                mask = (np.arange(k)[None, :] > rows) & (d[rows] != d[None, :])
                collisions += int(mask.sum())
                ii, jj = np.nonzero(mask & (agree >= verify))
                checked.append(m[ii + r0] * n + m[jj])
    proposed = distinct_integers(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    pairs = np.stack([proposed // n, proposed % n], axis=1)
    agree = np.zeros(len(pairs))
    for k in range(0, len(pairs), 20_000):
        chunk = pairs[k:k + 20_000]
        agree[k:k + 20_000] = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).mean(axis=1)
    codes = distinct_integers(np.concatenate([proposed[agree >= verify]] + checked))
    return np.stack([codes // n, codes % n], axis=1), reach, skipped, collisions, left_out


def regions(rects: list[tuple[int, int, int, int]], margin: int, la: int, lb: int, max_region: int):
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


