"""Borrowing between provinces with and without a common source, on the city corpus.

    .venv/bin/python benchmarks/reuse_sources_city.py [--corpus PATH] [--sources QUERY] [--n-jobs 2]

Finds the passages the 141 reports share (``find_reuse``, grouped by ``province``, the report's
settings), registers the documents the query selects (default: the national report,
``level == 'national'``) as a common source (``attribute_sources``), and prints how many pairs of
provinces share a passage before and after the passages both share with the source are left out
(``without_sources``): over the pairs of provinces (the source's own group left out) and over
every pair of groups. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import policytext as pt

CITY = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "city-gov-reports-2024"


def group_pairs(passages: pd.DataFrame, docs: pd.DataFrame, by: str, leave_out: set) -> dict:
    """Pairs of different groups, and those whose documents share a passage; over every group and without
    the groups in ``leave_out``."""
    groups = pt.reuse_groups(passages, docs, by=by)
    between = groups[groups[f"{by}_a"] != groups[f"{by}_b"]]
    kept = between[~between[f"{by}_a"].isin(leave_out) & ~between[f"{by}_b"].isin(leave_out)]
    return {"pairs": len(kept), "with_reuse": int((kept["doc_pairs_with_reuse"] > 0).sum()),
            "all_pairs": len(between), "all_with_reuse": int((between["doc_pairs_with_reuse"] > 0).sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CITY)
    parser.add_argument("--sources", default="level == 'national'")
    parser.add_argument("--by", default="province")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    docs = pt.clean(pt.load_corpus(args.corpus), progress=False)
    clock = time.perf_counter()
    passages = pt.find_reuse(docs, by=args.by, n_jobs=args.n_jobs, random_state=args.seed, progress=False)
    found = time.perf_counter() - clock
    marked = pt.attribute_sources(passages, docs, sources=args.sources)
    between = pt.without_sources(marked)
    source_ids = set(pt.source_account(marked)["doc_id"])
    by_values = docs.assign(doc_id=docs["doc_id"].astype(str)).set_index("doc_id")[args.by]
    leave_out = {"(none)" if pd.isna(by_values[d]) or not str(by_values[d]).strip() else str(by_values[d])
                 for d in source_ids}
    before = group_pairs(marked, docs, args.by, leave_out)
    after = group_pairs(between, docs, args.by, leave_out)
    print(f"{len(docs)} documents; find_reuse {found:.0f} s: {len(passages):,} passages in "
          f"{passages[['doc_a', 'doc_b']].drop_duplicates().shape[0]:,} document pairs")
    print(f"common source(s) {args.sources!r}: {', '.join(sorted(source_ids))}; "
          f"{int(marked['common_source'].notna().sum()):,} passages attributed to it, "
          f"{len(between):,} left, in {between[['doc_a', 'doc_b']].drop_duplicates().shape[0]:,} document pairs")
    print(f"pairs of {args.by} (without the source's group {sorted(leave_out)}) sharing a passage: "
          f"{before['with_reuse']} of {before['pairs']} before, {after['with_reuse']} after")
    print(f"pairs of every {args.by} group (the source's included) sharing a passage: "
          f"{before['all_with_reuse']} of {before['all_pairs']} before, {after['all_with_reuse']} after")


if __name__ == "__main__":
    main()
