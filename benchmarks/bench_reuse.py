"""Benchmark policytext.reuse.find_reuse on the city corpus: the MinHash/LSH pre-filter against
aligning every pair, side by side in one run, and what the passages show.

    .venv/bin/python benchmarks/bench_reuse.py [--corpus PATH] [--pairs N] [--n-jobs 2] [--seed 0]

1. find_reuse on every document with ``n_jobs`` processes (target: under 60 s on 2 cores).
2. The alignment of every pair of whole documents, timed on ``--pairs`` random pairs and
   extrapolated to all pairs (said so when printed), with the recall of the pre-filter on
   those pairs: the share of the passages full alignment finds that find_reuse finds too.
3. The ten longest passages between the national report and the city reports, and the
   province pairs whose documents share the most.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import policytext as pt
from policytext import reuse

REPO = Path(__file__).resolve().parents[1]
CITY = REPO.parent / "shared" / "corpora" / "city-gov-reports-2024"
TARGET_SECONDS = 60.0


def covered(start: int, end: int, starts, ends) -> float:
    mask = np.zeros(end - start, dtype=bool)
    for s, e in zip(starts, ends):
        lo, hi = max(start, s), min(end, e)
        if hi > lo:
            mask[lo - start:hi - start] = True
    return float(mask.mean())


def show(table: pd.DataFrame, width: int = 60) -> str:
    with pd.option_context("display.width", 250, "display.max_colwidth", width, "display.max_columns", 20,
                           "display.unicode.east_asian_width", True):
        return table.to_string(index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CITY)
    parser.add_argument("--pairs", type=int, default=20, help="random pairs aligned in full (default 20)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("policytext.reuse.find").setLevel(logging.INFO)

    print(f"policytext {pt.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores")
    start = time.perf_counter()
    docs = pt.clean(pt.load_corpus(args.corpus), progress=False)
    print(f"{args.corpus.name}: {len(docs)} documents, {docs['text_clean'].str.len().sum():,} characters "
          f"(loaded and cleaned in {time.perf_counter() - start:.1f} s)")
    n_pairs = len(docs) * (len(docs) - 1) // 2

    # 1. the pre-filter and the alignment of its candidates, on every document
    reuse.find_reuse(docs.head(3), progress=False)  # warm-up: imports
    start = time.perf_counter()
    found = reuse.find_reuse(docs, by="province", n_jobs=args.n_jobs, random_state=args.seed, progress=False)
    fast_seconds = time.perf_counter() - start
    account = found.attrs["reuse_account"]
    print(f"\nfind_reuse, n_jobs={args.n_jobs}: {fast_seconds:.1f} s (target < {TARGET_SECONDS:.0f} s: "
          f"{'met' if fast_seconds < TARGET_SECONDS else 'MISSED'})")
    print(f"  windows {account['windows']:,}; window pairs proposed by LSH {account['window_pairs_proposed']:,} "
          f"(once per band), verified {account['window_pairs_verified']:,}")
    print(f"  candidate document pairs {account['candidate_pairs']:,} of {n_pairs:,}; regions aligned "
          f"{account['regions']:,}")
    print(f"  passages {account['passages']:,} in {account['pairs_with_reuse']:,} document pairs; dropped as "
          f"boilerplate {account['excluded_boilerplate']:,}, aligned again without it "
          f"{account['trimmed_boilerplate']:,}; windows shared with more than half of the documents "
          f"{account['widely_shared_windows']:,} (kept)")

    # 2. aligning every pair: timed on a random sample, extrapolated
    rng = random.Random(args.seed)
    ordered = docs.sort_values("doc_id").reset_index(drop=True)
    national = ordered.index[ordered["level"] == "national"].tolist() if "level" in ordered else []
    sample = rng.sample([(i, j) for i in range(len(ordered)) for j in range(i + 1, len(ordered))], args.pairs)
    full_rows, seconds = [], []
    for i, j in sample:
        pair = ordered.iloc[[i, j]]
        t0 = time.perf_counter()
        full = reuse.find_reuse(pair, prefilter=False, progress=False)
        seconds.append(time.perf_counter() - t0)
        full_rows.append(full)
    full = pd.concat(full_rows, ignore_index=True)
    per_pair = float(np.mean(seconds))
    extrapolated = per_pair * n_pairs / max(1, args.n_jobs)
    print(f"\nfull alignment of whole documents (every pair; no pre-filter), timed on {args.pairs} random pairs: "
          f"{per_pair:.2f} s a pair (range {min(seconds):.2f}-{max(seconds):.2f} s)")
    print(f"  EXTRAPOLATED to all {n_pairs:,} pairs on {args.n_jobs} cores: {extrapolated:,.0f} s "
          f"({extrapolated / 3600:.1f} h)")
    print(f"  ratio full / pre-filter: {extrapolated / fast_seconds:,.0f}x")
    hits = sum(covered(r.start_a, r.end_a, *found.loc[(found.doc_a == r.doc_a) & (found.doc_b == r.doc_b),
                                                       ["start_a", "end_a"]].T.values) >= 0.9 and
               covered(r.start_b, r.end_b, *found.loc[(found.doc_a == r.doc_a) & (found.doc_b == r.doc_b),
                                                       ["start_b", "end_b"]].T.values) >= 0.9
               for r in full.itertuples())
    print(f"  recall of the pre-filter on these pairs: {hits} of the {len(full)} passages full alignment finds "
          f"(at least 90% of each span) are found by find_reuse")

    # 3. what the passages show
    meta = docs.set_index("doc_id")
    if national:
        nat = ordered.loc[national[0], "doc_id"]
        mine = found[(found["doc_a"] == nat) | (found["doc_b"] == nat)].copy()
        mine["city_doc"] = np.where(mine["doc_a"] == nat, mine["doc_b"], mine["doc_a"])
        mine["national_text"] = np.where(mine["doc_a"] == nat, mine["text_a"], mine["text_b"])
        mine["province"] = mine["city_doc"].map(meta["province"])
        mine["city"] = mine["city_doc"].map(meta["city"])
        longest = mine.sort_values(["length", "city_doc"], ascending=[False, True]).head(10)
        print(f"\nthe national report ({nat}) shares {len(mine):,} passages with {mine['city_doc'].nunique()} "
              f"of {len(docs) - 1} reports; the ten longest:")
        longest = longest.assign(text=longest["national_text"].str.replace("\n", "/", regex=False).str[:50])
        print(show(longest[["province", "city", "length", "similarity", "text"]].round({"similarity": 3})))
    groups = reuse.reuse_groups(found, docs, by="province")
    groups = groups[groups["doc_pairs"] >= 3].copy()
    groups["mean_share"] = (groups["mean_share_a"] + groups["mean_share_b"]) / 2
    groups["chars_per_pair"] = (groups["chars_a"] + groups["chars_b"]) / 2 / groups["doc_pairs"]
    top = groups.sort_values(["mean_share", "province_a", "province_b"], ascending=[False, True, True]).head(12)
    print("\nprovince pairs whose documents share the most, among pairs with at least 3 document pairs (mean over "
          "all document pairs of the share of a document's text in passages with the other document; "
          "(none) = the national report):")
    print(show(top[["province_a", "province_b", "documents_a", "documents_b", "doc_pairs", "doc_pairs_with_reuse",
                    "passages", "chars_per_pair", "mean_share"]].round({"chars_per_pair": 0, "mean_share": 4})))
    between = groups[groups["province_a"] != groups["province_b"]]
    top = between.sort_values(["mean_share", "province_a", "province_b"], ascending=[False, True, True]).head(8)
    print("\nthe same, between two different provinces:")
    print(show(top[["province_a", "province_b", "documents_a", "documents_b", "doc_pairs", "doc_pairs_with_reuse",
                    "passages", "chars_per_pair", "mean_share"]].round({"chars_per_pair": 0, "mean_share": 4})))
    start = time.perf_counter()
    graph = reuse.reuse_network(found, docs, by="province")
    import networkx as nx

    with tempfile.TemporaryDirectory() as tmp:
        nx.write_gexf(graph, Path(tmp) / "reuse.gexf")
    dated = sum(1 for _, _, d in graph.edges(data="dated_pairs") if d)
    print(f"\nprovince network: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges "
          f"({type(graph).__name__}: {dated} edges rest on some document pairs of different years, which run from "
          f"the earlier to the later; every other pair gives an edge each way), "
          f"written as GEXF in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
