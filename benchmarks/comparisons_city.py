"""Figures for the comparisons on the city corpus: keyness significance with true and with shuffled labels,
the top keyness terms of three provinces without place names, and rate ratios of the digital-policy
dimensions between two provinces.

    .venv/bin/python benchmarks/comparisons_city.py [--corpus PATH] [--n-perm 1000]

Reads ../shared/corpora/city-gov-reports-2024 beside the checkout by default (never copied).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

import policytext as pt

REPO = Path(__file__).resolve().parents[1]
CITY = REPO.parent / "shared" / "corpora" / "city-gov-reports-2024"


def significance(tokens: pd.DataFrame, n_perm: int, seed: int) -> dict:
    k = pt.keyness(tokens, by="province", n_perm=n_perm, random_state=seed)
    return {"terms tested": len(k), "G2, BH < 0.05": int((k["p_adjusted"] < 0.05).sum()),
            "permutation, BH < 0.05": int((k["p_perm_adjusted"] < 0.05).sum()),
            "permutation, raw p < 0.05 (share)": round(float((k["p_perm"] < 0.05).mean()), 4),
            "G2, raw p < 0.05 (share)": round(float((k["p_value"] < 0.05).mean()), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CITY)
    parser.add_argument("--n-perm", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    pd.set_option("display.width", 200)
    start = time.perf_counter()
    docs = pt.clean(pt.load_corpus(args.corpus), progress=False)
    tokens = pt.tokenize(docs, n_jobs=2, progress=False)
    dropped = pt.drop_place_names(tokens)
    print(f"{len(docs)} documents, {len(tokens):,} tokens; {len(tokens) - len(dropped):,} place-name tokens dropped")

    # 1. keyness: true labels, and labels shuffled across documents (seeded)
    rng = np.random.default_rng(args.seed)
    # the tokens table keeps metadata once per document: shuffle the documents' labels, then give every
    # token its document's shuffled label as a column of its own (a real column wins over the metadata)
    per_doc = docs[["doc_id", "province"]].astype({"doc_id": str})
    shuffled_of = dict(zip(per_doc["doc_id"], rng.permutation(per_doc["province"].to_numpy())))
    shuffled = dropped.assign(province=dropped["doc_id"].astype(str).map(shuffled_of).to_numpy())
    rows = {"true labels": significance(dropped, args.n_perm, args.seed),
            "shuffled labels": significance(shuffled, args.n_perm, args.seed)}
    print(f"\nKeyness by province, place names dropped, {args.n_perm} permutations of the document labels")
    print(pd.DataFrame(rows).to_string())

    # 2. top 10 keyness terms without place names
    print("\nTop 10 over-used terms (G² order), place names dropped; * = permutation BH < 0.05")
    for province in ("四川省", "湖北省", "广东省"):
        k = pt.keyness(dropped, by="province", target=province, n_perm=args.n_perm, random_state=args.seed)
        over = k[k["direction"] == "over"].head(10)
        terms = [f"{r.term}{'*' if r.p_perm_adjusted < 0.05 else ''} ({r.docs_target}/{r.n_docs_target} docs)"
                 for r in over.itertuples()]
        print(f"{province} ({over['n_docs_target'].iloc[0]} documents): " + ", ".join(terms))

    # 3. rate ratios of the digital-policy dimensions, 湖北省 against 广东省
    rates = pt.compare_rates(tokens, covariates="province", lexicon="digital_policy", reference="广东省")
    labels = dict(zip(pt.read_emphasis_lexicon()["dimension"], pt.read_emphasis_lexicon()["label"]))
    hubei = rates[rates["level"] == "湖北省"].assign(label=lambda t: t["feature"].map(labels))
    n_docs = docs["province"].value_counts()
    print(f"\nRate ratios, 湖北省 ({n_docs.get('湖北省', 0)} documents) against 广东省 ({n_docs.get('广东省', 0)}), "
          "quasi-Poisson on documents, 95% intervals")
    print(hubei[["label", "rate_ratio", "low", "high", "p_value", "p_adjusted", "hits", "hits_reference"]]
          .round(3).to_string(index=False))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
