"""Where the time goes from raw text to a fitted topic model: each stage, and each step of cleaning.

    .venv/bin/python benchmarks/profile_stages.py [--corpus ../shared/corpora/city-gov-reports-2024] [--k 10]

In one fresh process, nothing cached: import, load, clean (and, on the loaded texts, each cleaning
step alone, beside OpenCC's conversion alone, the floor of the slowest necessary part), tokenize
with two processes (beside rjieba's own speed on the cleaned text), the topics' preparation and the
fit (with its sweeps). Seconds and MB/s of text.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CITY = REPO.parent / "shared" / "corpora" / "city-gov-reports-2024"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CITY)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args(argv)
    if not (args.corpus / "metadata.csv").is_file():
        sys.exit(f"{args.corpus}: no corpus there")
    marks = [("start", time.perf_counter())]

    def mark(name):
        marks.append((name, time.perf_counter()))
        print(f"{name:<28}{marks[-1][1] - marks[-2][1]:8.2f} s", flush=True)

    import policytext as pt
    mark("import")
    docs = pt.load_corpus(args.corpus)
    mark("load_corpus")
    mb = docs["text"].str.len().sum() * 3 / 1e6  # UTF-8 bytes of Chinese text, about three per character
    cleaned = pt.clean(docs, n_jobs=2, progress=False)
    mark("clean (n_jobs=2)")
    tokens = pt.tokenize(cleaned, n_jobs=2, cache=False, progress=False)
    mark("tokenize (n_jobs=2)")
    units = pt.topic_units(tokens)
    mark("topic_units")
    model = pt.fit_lda(units, k=args.k, random_state=0, cache=False)
    mark(f"fit_lda (k={args.k}, {int(model.trace_['iterations'].iloc[-1])} sweeps)")
    total = marks[-1][1] - marks[0][1]
    print(f"{'total':<28}{total:8.2f} s   ({mb:.1f} MB of text)")

    print("\ncleaning steps alone, on the loaded texts (each step on every text, one process):")
    texts = docs["text"].astype(str).tolist()
    for step in pt.DEFAULT_STEPS:
        started = time.perf_counter()
        for text in texts:
            step(text)
        seconds = time.perf_counter() - started
        print(f"  {step.__name__:<26}{seconds:8.2f} s  {mb / seconds:8.1f} MB/s")
    import opencc

    converter = opencc.OpenCC("t2s")
    started = time.perf_counter()
    for text in texts:
        converter.convert(text)
    seconds = time.perf_counter() - started
    print(f"  {'opencc t2s alone':<26}{seconds:8.2f} s  {mb / seconds:8.1f} MB/s")
    import rjieba

    started = time.perf_counter()
    for text in cleaned["text_clean"].astype(str):
        rjieba.cut(text)
    seconds = time.perf_counter() - started
    print(f"\nrjieba.cut alone, one process: {seconds:.2f} s ({mb / seconds:.1f} MB/s)")


if __name__ == "__main__":
    main()
