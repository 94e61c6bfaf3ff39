"""A corpus made for the tests of the Dask path: the seeds' sentences shuffled into documents."""

from __future__ import annotations

import numpy as np
import pandas as pd

import policytext as pt


def generated_corpus(n_docs: int = 24, seed: int = 0, *, sentences_per_paragraph: int = 1) -> pd.DataFrame:
    """Documents made of sentences of the seeds, shuffled, in three provinces (one document in four without a
    province) over three years; ``sentences_per_paragraph`` sentences to a line."""
    docs = pt.clean(pt.load_corpus(pt.bundled_corpus_path()), progress=False)
    sentences = [s + "。" for text in docs["text_clean"] for s in text.replace("\n", "。").split("。") if len(s) > 8]
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_docs):
        picked = rng.choice(len(sentences), size=int(rng.integers(5, 40)), replace=False)
        lines = ["".join(sentences[j] for j in picked[k:k + sentences_per_paragraph])
                 for k in range(0, len(picked), sentences_per_paragraph)]
        rows.append({"doc_id": f"d{i:03d}", "province": ["湖北省", "四川省", "山东省", ""][i % 4], "year": 2020 + i % 3,
                     "text_clean": "\n".join(lines)})
    return pd.DataFrame(rows)
