"""Benchmark policytext.tokenize: throughput, overhead over plain jieba, parallel
speed-up and the on-disk cache, on each corpus found, side by side.

    /work/venv/bin/python benchmarks/bench_tokenize.py [--corpus PATH ...] [--repeat N]

Corpora: the bundled seeds (<repo>/data), the shared city reports corpus
(<repo>/../shared/corpora/city-gov-reports-2024) if present, and any --corpus.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jieba
import pandas as pd

import policytext as pt

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = [REPO / "data", REPO.parent / "shared" / "corpora" / "city-gov-reports-2024"]
TARGETS = {"overhead": ("<=", 1.2), "speedup": (">=", 1.6), "cache": (">=", 20.0)}


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def same_frames(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(left, right)
        return True
    except AssertionError:
        return False


def bench_corpus(folder: Path, repeat: int) -> dict:
    """Measure one corpus; each repeat runs every variant once, interleaved."""
    docs = pt.clean(pt.load_corpus(folder), progress=False)
    one_round(docs.head(2))  # warm-up, untimed: lazy imports, cached properties, first pool
    rounds = [one_round(docs) for _ in range(repeat)]
    times = {k: [r[0][k] for r in rounds] for k in rounds[0][0]}
    med = {k: statistics.median(v) for k, v in times.items()}

    def ratio(num: str, den: str, minus: str | None = None) -> float:
        # median of the per-round ratios: each pair was timed back to back
        return statistics.median((t[num] - (t[minus] if minus else 0)) / t[den] for t, _, _ in rounds)

    mb = sum(len(t.encode("utf-8")) for t in docs["text_clean"]) / 1e6
    return {
        "name": folder.name, "docs": len(docs), "mb": mb, "tokens": rounds[0][2], "med": med,
        "spread": {k: (min(v), max(v)) for k, v in times.items()},
        "mbps": mb / med["n1"],
        "overhead": ratio("n1", "jieba"),
        "speedup": ratio("n1", "n2"),
        "cache": ratio("cold", "warm"),
        "cache_no_init": ratio("cold", "warm", minus="init"),
        **{k: all(r[1][k] for r in rounds) for k in rounds[0][1]},
    }


def ready_tokenizer() -> pt.PolicyTokenizer:
    """A new tokenizer with its jieba set up (outside any timing), so no state carries over."""
    tk = pt.PolicyTokenizer()
    tk._tokenizer()
    return tk


def one_round(docs: pd.DataFrame) -> tuple[dict, dict, int]:
    """Every variant once, interleaved: (times, checks, number of tokens)."""
    texts = docs["text_clean"].tolist()
    run = dict(cache=False, progress=False)
    times, checks = {}, {}
    # The lists are dropped inside the timing: kept, they slowed the next call by ~5% in a test.
    times["jieba"], _ = timed(lambda: len([jieba.lcut(text) for text in texts]))
    times["n1"], table1 = timed(pt.tokenize, docs, tokenizer=ready_tokenizer(), n_jobs=1, **run)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache_dir:
        # cold = a new tokenizer (its set-up timed apart so that it can be shown) on an empty cache
        cold_tk = pt.PolicyTokenizer()
        times["init"], _ = timed(cold_tk._tokenizer)
        t, cold = timed(pt.tokenize, docs, tokenizer=cold_tk, cache=True, cache_dir=cache_dir, progress=False)
        times["cold"] = times["init"] + t
        warm_tk = pt.PolicyTokenizer()  # a new session: must not need jieba at all
        times["warm"], warm = timed(pt.tokenize, docs, tokenizer=warm_tk, cache=True, cache_dir=cache_dir,
                                    progress=False)
        checks["warm_equal"] = same_frames(cold, warm)
        checks["warm_no_miss"] = bool(pt.tokenize_account(warm)["from_cache"].all())
        checks["warm_no_jieba"] = warm_tk._jieba is None
    del cold, warm
    # Last: a call right after a fork (the pool) ran ~5% slower in a test.
    times["n2"], table2 = timed(pt.tokenize, docs, tokenizer=ready_tokenizer(), n_jobs=2, **run)
    checks["parallel_equal"] = same_frames(table1, table2)
    return times, checks, len(table1)


def _burn(n: int) -> float:
    start, x = time.perf_counter(), 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def cpu_ceiling(repeat: int, n: int = 10_000_000) -> float:
    """Speed-up of 2 processes over 1 on a pure-Python loop: the best n_jobs=2 can do here."""
    ratios = []
    for _ in range(repeat):
        serial, _ = timed(lambda: [_burn(n), _burn(n)])
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(_burn, [1, 1]))  # start the workers outside the timing
            parallel, _ = timed(lambda: list(pool.map(_burn, [n, n])))
        ratios.append(serial / parallel)
    return statistics.median(ratios)


def verdict(key: str, value: float) -> str:
    op, target = TARGETS[key]
    ok = value <= target if op == "<=" else value >= target
    return f"{value:.2f} {'met' if ok else 'NOT met'}"


def seconds(r: dict, key: str) -> str:
    low, high = r["spread"][key]
    return f"{r['med'][key]:.3f} ({low:.2f}-{high:.2f})"


def yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def print_table(results: list[dict]) -> None:
    rows = [
        ("documents", "", lambda r: f"{r['docs']}"),
        ("cleaned text (MB, UTF-8)", "", lambda r: f"{r['mb']:.3f}"),
        ("tokens (kept)", "", lambda r: f"{r['tokens']:,}"),
        ("time jieba.lcut (s)", "", lambda r: seconds(r, "jieba")),
        ("time tokenize n_jobs=1 (s)", "", lambda r: seconds(r, "n1")),
        ("time tokenize n_jobs=2 (s)", "", lambda r: seconds(r, "n2")),
        ("time cold cache (s)", "", lambda r: seconds(r, "cold")),
        ("  of which tokenizer set-up (s)", "", lambda r: seconds(r, "init")),
        ("time warm cache (s)", "", lambda r: seconds(r, "warm")),
        ("tokenize MB/s (n_jobs=1)", "", lambda r: f"{r['mbps']:.3f}"),
        ("overhead vs jieba.lcut", "<= 1.2", lambda r: verdict("overhead", r["overhead"])),
        ("speed-up n_jobs=2", ">= 1.6", lambda r: verdict("speedup", r["speedup"])),
        ("cold/warm cache", ">= 20", lambda r: verdict("cache", r["cache"])),
        ("  cold/warm without set-up", "", lambda r: f"{r['cache_no_init']:.2f}"),
        ("n_jobs=2 table == n_jobs=1", "", lambda r: yes(r["parallel_equal"])),
        ("warm table == cold table", "", lambda r: yes(r["warm_equal"])),
        ("warm: 0 misses, all hits", "", lambda r: yes(r["warm_no_miss"])),
        ("warm: jieba not initialised", "", lambda r: yes(r["warm_no_jieba"])),
    ]
    width = max(26, *(len(r["name"]) + 2 for r in results))
    print(f"{'metric':<33}{'target':<8}" + "".join(f"{r['name']:>{width}}" for r in results))
    print("-" * (41 + width * len(results)))
    for label, target, cell in rows:
        print(f"{label:<33}{target:<8}" + "".join(f"{cell(r):>{width}}" for r in results))


def print_notes(results: list[dict], repeat: int, ceiling: float, dict_load: float) -> None:
    print(f"\nnotes: times are medians (min-max) over {repeat} runs, after an untimed warm-up on 2 documents; "
          "ratios are medians of per-run ratios of measurements taken back to back.")
    print("note: cold = a new PolicyTokenizer (set-up: a copy of jieba's dictionary, which policytext parses "
          f"once per process, plus the lexicon) + segmenting + writing. A new process also parses jieba's "
          f"dictionary once first ({dict_load:.2f} s here), which would make cold/warm larger still.")
    print(f"note: machine ceiling for n_jobs=2: 2 processes run a pure-Python loop {ceiling:.2f}x as fast as 1 "
          f"(cpu count {os.cpu_count()}; measured once, at the end: on a shared machine it, and every ratio here, "
          "varies from run to run).")
    for r in results:
        if r["speedup"] < TARGETS["speedup"][1]:
            if r["med"]["n1"] < 2.0:
                why = (f"tokenize(n_jobs=1) takes only {r['med']['n1']:.2f} s there, about the cost of "
                       "starting 2 worker processes, so the pool cannot pay off")
            else:
                why = (f"{r['speedup']:.2f} against a ceiling of {ceiling:.2f} measured at another moment; the "
                       "pool's own serial work is small (~0.3 s in a separate test), so what is left is how much "
                       "the CPUs deliver in parallel, which varies from run to run on a shared machine")
            print(f"note: speed-up target not met on {r['name']}: {why}.")
        if r["med"]["n1"] < 2.0 and (r["cache"] < TARGETS["cache"][1] or r["overhead"] > TARGETS["overhead"][1]):
            print(f"note: on {r['name']} fixed per-call costs dominate (building the table; a new tokenizer's "
                  f"fingerprint reads its lexicon and stopwords): warm is {r['med']['warm']:.3f} s whatever "
                  "the size, and overhead and cold/warm are only meaningful on larger corpora.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", default=[], type=Path,
                        help="another corpus folder with metadata.csv (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median taken)")
    args = parser.parse_args(argv)

    print(f"cpu count: {os.cpu_count()}  python {platform.python_version()}  policytext {pt.__version__}  "
          f"jieba {jieba.__version__}  pandas {pd.__version__}")
    jieba.setLogLevel(logging.WARNING)
    dict_load, _ = timed(jieba.initialize)  # the same parse policytext does once per process
    ready_tokenizer()  # the first one parses jieba's dictionary for the process

    folders = list(dict.fromkeys(p.resolve() for p in DEFAULT_CORPORA + args.corpus))
    results = []
    for folder in folders:
        if not (folder / "metadata.csv").is_file():
            print(f"skipping {folder}: no metadata.csv")
            continue
        results.append(bench_corpus(folder, args.repeat))
    if not results:
        raise SystemExit("no corpus found")
    ceiling = cpu_ceiling(args.repeat)
    print()
    print_table(results)
    print_notes(results, args.repeat, ceiling, dict_load)


if __name__ == "__main__":
    main()
