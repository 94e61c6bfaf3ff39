"""Speed and scale of policytext, measured side by side in one run.

    .venv/bin/python benchmarks/bench_speed.py [--repeat 3] [--skip-laws] [--skip-report]

On ../shared/corpora/city-gov-reports-2024 (beside the checkout):

1. raw text to a fitted 10-topic model, each pipeline in a fresh process, medians of ``--repeat`` runs:
   the hand-written notebook (benchmarks/notebook_pipeline.py: jieba.lcut, stopwords, gensim 10 passes),
   policytext (load_corpus, clean(n_jobs=2), tokenize(n_jobs=2), fit_lda(k=10), nothing cached), and a
   fast reference (rjieba in 2 processes + tomotopy with 2 threads); policytext and the reference also on
   a second corpus, the local regulations of one province from ../shared/corpora/lawrefbook-laws;
2. the full report by province, cold (an empty cache) and warm (a rerun with nothing changed), and cold
   without its text-reuse section (--skip reuse);
3. segmentation: MB/s on one core, tokens agreeing with engine="jieba" (same lexicon and stopwords),
   and the speed-up of 2 processes on one large file (the corpus as a single document);
4. coherence (c_npmi) of tomotopy's and gensim's topics, k=10, three seeds each.

Part 1b: the converged fit (fit_lda's default tolerance) against 200 sweeps, held-out likelihood and
c_npmi with their spread over five seeds (benchmarks/bench_convergence.py).

On ../shared/corpora/lawrefbook-laws: raw text to a fitted model in a fresh process with its peak
resident memory, the bytes per token of the tokens table, and the time to build the units and bags
of words from 25%, 50% and 100% of the tokens (linear if the time per token stays flat).
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
CITY, LAWS = CORPORA / "city-gov-reports-2024", CORPORA / "lawrefbook-laws"
PY = sys.executable

POLICYTEXT = """
import policytext as pt
docs = pt.clean(pt.load_corpus({corpus!r}), n_jobs=2, progress=False)
tokens = pt.tokenize(docs, n_jobs=2, cache=False, progress=False)
pt.fit_lda(tokens, k=10, random_state=0, cache=False)
"""

FAST = """
import re
from multiprocessing import Pool
from pathlib import Path
import rjieba, stopwordsiso, tomotopy as tp
STOP = set(stopwordsiso.stopwords("zh"))
def cut(paragraphs):
    return [[w for w in rjieba.cut(p) if len(w) > 1 and w not in STOP and not re.fullmatch(r"\\W+|\\d+", w)]
            for p in paragraphs]
if __name__ == "__main__":
    paras = [p.strip() for f in sorted(Path({corpus!r}).glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\\n")]
    with Pool(2) as pool:
        docs = [d for part in pool.map(cut, [paras[i::2] for i in range(2)]) for d in part if d]
    model = tp.LDAModel(k=10, seed=0, min_df=2, rm_top=0)
    for d in docs:
        model.add_doc(d)
    model.train(200, workers=2)
"""

LAWS_RUN = """
import resource, time, policytext as pt
start = time.perf_counter()
docs = pt.clean(pt.load_corpus({corpus!r}), n_jobs=2, progress=False)
tokens = pt.tokenize(docs, n_jobs=2, cache=False, progress=False)
deep = tokens.memory_usage(deep=True, index=False).sum()
del docs
pt.fit_lda(tokens, k=10, random_state=0, cache=False)
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(len(tokens), deep, time.perf_counter() - start, own, workers)
"""


#: The second corpus of part 1: one province's local regulations from the laws corpus (another genre,
#: about the city corpus's size, three times its documents).
SECOND_PROVINCE = "浙江省"


def laws_of_one_province(folder: Path, province: str) -> Path:
    """A corpus folder (inside ``folder``) of the laws corpus's documents of one province, copied."""
    import csv
    import shutil

    out = folder / f"laws-{province}"
    out.mkdir()
    with open(LAWS / "metadata.csv", encoding="utf-8", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["province"] == province]
    for row in rows:
        shutil.copyfile(LAWS / row["file"], out / row["file"])
    with open(out / "metadata.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def wall(args: list[str], env=None) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed:\n{out.stderr[-3000:]}")
    return time.perf_counter() - start, out.stdout


def corpus_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6


def agreement(a: list[str], b: list[str]) -> tuple[int, int]:
    matched = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched, max(len(a), len(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-laws", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--only-model", action="store_true", help="part 1 only: raw text to a fitted model")
    parser.add_argument("--skip-convergence", action="store_true", help="leave out part 1b (the converged fit)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if not CITY.is_dir():
        sys.exit(f"{CITY} not found: the benchmark runs on the shared corpora beside the checkout")
    import numpy as np
    import pandas as pd

    import policytext as pt

    print(f"policytext {pt.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores")
    second_dir = tempfile.TemporaryDirectory()
    second = laws_of_one_province(Path(second_dir.name), SECOND_PROVINCE) if LAWS.is_dir() else None
    corpora = [(CITY, True)] + ([(second, False)] if second is not None else [])
    base = None
    for corpus, with_notebook in corpora:
        mb = corpus_mb(corpus)
        print(f"\n1. Raw text to a fitted 10-topic model, {corpus.name} ({mb:.1f} MB, "
              f"{len(list(corpus.glob('*.txt')))} documents), fresh processes, median of {args.repeat}")
        runs = {"policytext (rjieba, tomotopy; n_jobs=2)": [PY, "-c", POLICYTEXT.format(corpus=str(corpus))],
                "fast reference (rjieba x2 + tomotopy x2)": [PY, "-c", FAST.format(corpus=str(corpus))]}
        if with_notebook:
            runs = {"hand-written notebook (jieba + gensim)": [PY, str(REPO / "benchmarks" / "notebook_pipeline.py"),
                                                               str(corpus)], **runs}
        times = {name: [] for name in runs}
        for _ in range(args.repeat):  # interleaved, so that a busy moment hits every pipeline alike
            for name, command in runs.items():
                times[name].append(wall(command)[0])
        med = {name: statistics.median(t) for name, t in times.items()}
        ours = med["policytext (rjieba, tomotopy; n_jobs=2)"]
        if with_notebook:
            base = med["hand-written notebook (jieba + gensim)"]
        for name, t in med.items():
            spread = f"({min(times[name]):.1f}..{max(times[name]):.1f})"
            versus = f"  {base / t:5.2f}x the notebook's speed" if with_notebook else ""
            print(f"  {name:44s} {t:7.1f} s {spread:>13}  {mb / t:5.2f} MB/s{versus}")
        if with_notebook:
            print(f"  target: policytext >= 3x faster than the notebook: {base / ours:.2f}x "
                  f"{'met' if base / ours >= 3 else 'NOT met'}")
        peer = ours / med["fast reference (rjieba x2 + tomotopy x2)"]
        print(f"  target: policytext at most 0.9x the hand-written fast reference's time: {peer:.2f}x "
              f"{'met' if peer <= 0.9 else 'NOT met'}")
    second_dir.cleanup()
    if not args.skip_convergence:
        print("\n1b. The converged fit against 200 sweeps (benchmarks/bench_convergence.py), k = 10, seeds 0-4")
        sys.path.insert(0, str(REPO / "benchmarks"))
        import bench_convergence

        bench_convergence.main(["--tolerances", "0.001"])
    if args.only_model:
        return

    if not args.skip_report:
        with tempfile.TemporaryDirectory() as tmp:
            command = [PY, "-m", "policytext.cli", "report", str(CITY), "-o", f"{tmp}/out", "--cache-dir",
                       f"{tmp}/cache", "--no-progress"]
            cold = wall(command)[0]
            warm = wall(command)[0]
            lighter = [PY, "-m", "policytext.cli", "report", str(CITY), "-o", f"{tmp}/out2", "--cache-dir",
                       f"{tmp}/cache2", "--no-progress", "--skip", "reuse"]
            cold_lighter = wall(lighter)[0]
        print(f"\n2. Full report by province (n_jobs=-1): cold {cold:.1f} s, warm {warm:.1f} s; "
              f"without the text-reuse section (--skip reuse), cold {cold_lighter:.1f} s")
        print(f"  target: cold <= 2x the notebook ({2 * base:.1f} s): {cold / base:.2f}x "
              f"{'met' if cold <= 2 * base else 'NOT met'}; without text reuse {cold_lighter / base:.2f}x "
              f"{'met' if cold_lighter <= 2 * base else 'NOT met'}")
        print(f"  target: warm >= 10x faster than cold: {cold / warm:.1f}x {'met' if cold / warm >= 10 else 'NOT met'}")

    print("\n3. Segmentation")
    docs = pt.clean(pt.load_corpus(CITY), progress=False)
    clean_mb = sum(len(t.encode("utf-8")) for t in docs["text_clean"]) / 1e6
    start = time.perf_counter()
    fast = pt.tokenize(docs, cache=False, progress=False)
    one_core = time.perf_counter() - start
    slow = pt.tokenize(docs, cache=False, progress=False, engine="jieba")
    matched = total = 0
    for doc in docs["doc_id"].astype(str):
        a = fast.loc[fast["doc_id"] == doc, "token"].astype(str).tolist()
        b = slow.loc[slow["doc_id"] == doc, "token"].astype(str).tolist()
        m, n = agreement(a, b)
        matched, total = matched + m, total + n
    print(f"  rjieba engine, one process: {clean_mb / one_core:.2f} MB/s of cleaned text (target >= 3 MB/s per core: "
          f"{'met' if clean_mb / one_core >= 3 else 'NOT met'})")
    print(f"  tokens agreeing with engine='jieba': {matched / total:.5f} ({total - matched:,} of {total:,} differ; "
          f"target >= 0.999: {'met' if matched / total >= 0.999 else 'NOT met'})")
    big = pd.DataFrame({"doc_id": ["all"], "text_clean": ["\n".join(list(docs["text_clean"]) * 3)]})
    big_mb = len(big["text_clean"].iloc[0].encode("utf-8")) / 1e6
    t1 = min(timed(lambda: pt.tokenize(big, cache=False, n_jobs=1, progress=False)) for _ in range(2))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t2 = timed(lambda: pt.tokenize(big, cache=False, n_jobs=2, progress=False))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"  one large file ({big_mb:.1f} MB, the corpus three times as one document): 1 process {t1:.2f} s, "
          f"2 processes {t2:.2f} s (speed-up {t1 / t2:.2f}x; the two workers used {workers:.2f} s of CPU, "
          f"{workers / t2:.2f} cores on average)")

    print("\n4. Coherence (c_npmi of the top 10 words, on the training units) on the city corpus, k=10, seeds 0-2")
    units = pt.topic_units(pt.tokenize(docs, n_jobs=2, progress=False))
    for engine in ("tomotopy", "gensim"):
        scores, seconds = [], []
        for seed in range(3):
            start = time.perf_counter()
            sweep = pt.lda_sweep(units, ks=[10], random_state=seed, stability_seeds=[], measures=("c_npmi",),
                                 engine=engine, cache=False, progress=False)
            seconds.append(time.perf_counter() - start)
            scores.append(float(sweep["c_npmi"].iloc[0]))
        print(f"  {engine:9s} c_npmi {np.mean(scores):.4f} (seeds: {', '.join(f'{s:.4f}' for s in scores)}); "
              f"{statistics.median(seconds):.1f} s per fit and its held-out scoring")

    if not args.skip_laws and LAWS.is_dir():
        laws_mb = corpus_mb(LAWS)
        # the process reports its own peak and its largest worker's: this process's children include the
        # report runs above, whose peak says nothing about this run
        seconds, out = wall([PY, "-c", LAWS_RUN.format(corpus=str(LAWS))])
        n_tokens, deep, inner, own_kb, worker_kb = out.split()
        peak_kb = int(own_kb)
        print(f"\n5. {LAWS.name} ({laws_mb:.0f} MB), raw text to a 10-topic model in a fresh process: {seconds:.0f} s")
        print(f"  peak resident memory {peak_kb / 1024:.0f} MB (target <= 1024 MB: "
              f"{'met' if peak_kb <= 1024 * 1024 else 'NOT met'}; its largest tokenizer worker: "
              f"{int(worker_kb) / 1024:.0f} MB)")
        per_token = float(deep) / float(n_tokens)
        print(f"  tokens table: {int(n_tokens):,} tokens, {per_token:.1f} bytes per token (target <= 40: "
              f"{'met' if per_token <= 40 else 'NOT met'})")
        laws_tokens = pt.tokenize(pt.clean(pt.load_corpus(LAWS), progress=False), n_jobs=2, progress=False)
        docs_ids = laws_tokens["doc_id"].cat.categories
        rates = []
        for share in (0.25, 0.5, 1.0):
            keep = laws_tokens["doc_id"].isin(docs_ids[: int(len(docs_ids) * share)])
            part = laws_tokens[keep]
            seconds = min(timed(lambda: pt.topic_units(part)) for _ in range(2))
            rates.append(seconds / len(part) * 1e6)
            print(f"  units and vocabulary from {share:>4.0%} of the tokens ({len(part):,}): {seconds:.2f} s, "
                  f"{rates[-1]:.2f} s per million tokens")
        print(f"  time per token, 100% against 25%: {rates[-1] / rates[0]:.2f} (1.0 is linear)")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
