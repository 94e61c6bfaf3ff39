"""The Dask path at scale: the laws corpus repeated to about 500 MB, on a LocalCluster of two workers.

    .venv/bin/python benchmarks/bench_scale.py [--corpus ../shared/corpora/lawrefbook-laws] [--copies 10]
        [--fraction 1.0] [--workers 2] [--batch-chars N] [--memory-copies 1,2,4] [--workdir DIR] [--keep]

    a quick trial:  .venv/bin/python benchmarks/bench_scale.py --copies 2 --fraction 0.05 --memory-copies 1,2

1. The corpus: ``--copies`` copies of the laws corpus (the source is only read) in a work folder,
   each copy's documents renamed (``c03_law_00001.txt``) and changed by a marker line ``（第3份）``
   after their first line, so that no cache keyed by the text can serve one copy from another;
   ``metadata.csv`` lists every new file with the source's columns and ``copy``. ``--fraction``
   keeps the same deterministic part of the documents in every copy (for trial runs).
2. The Dask path on ``LocalCluster(n_workers=--workers, threads_per_worker=1, processes=True)``:
   load_corpus, clean (n_jobs=2), tokenize_to_parquet, then the comparisons from the dataset's path
   (term_counts, term_frequency, tfidf, keyness, emphasis, cooccurrence), each timed; a comparison
   that does not take a path yet is reported as not available and the rest go on.
3. Peak memory: a thread samples every 0.2 s the RSS of this process (the client, and the scheduler,
   which a LocalCluster runs in this process), of each worker process and of any other child (the
   pools of clean); the peak of each and of their sum, per stage and overall. getrusage cross-checks.
4. The in-memory path (load_corpus, clean, tokenize, term_frequency, keyness without permutations)
   in a fresh process on ``--memory-copies`` copies: its peak memory, and a straight line of peak
   memory against corpus size gives the size at which it reaches 4 GiB.

Text sizes are MB (10^6 bytes of UTF-8), memory is MiB (2^20 bytes). The work folder is made here
(under ``--workdir``, or /tmp) and removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAWS = REPO.parent / "shared" / "corpora" / "lawrefbook-laws"
MiB = 2 ** 20
LIMIT_MIB = 4096  # 4 GiB
CLIENT = "client+scheduler"
OTHER = "other children"

# The in-memory pipeline, run by a fresh interpreter: argv = folder, metadata file. It prints one line
# "BENCH_SCALE_RESULT {json}" with its stage times, getrusage peaks (KiB on Linux) and a sampled peak of the
# RSS of itself and its children together.
IN_MEMORY = r'''
import json, resource, sys, threading, time
import psutil
folder, metadata = sys.argv[1], sys.argv[2]
me = psutil.Process()
peak = [0]
stop = threading.Event()


def watch():
    while True:
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total)
        if stop.wait(0.2):
            return


watcher = threading.Thread(target=watch, daemon=True)
watcher.start()
seconds = {}
last = [time.perf_counter()]


def mark(name):
    now = time.perf_counter()
    seconds[name] = now - last[0]
    last[0] = now


import policytext as pt
mark("import")
docs = pt.load_corpus(folder, metadata=metadata)
mark("load_corpus")
docs = pt.clean(docs, n_jobs=2, progress=False)
mark("clean")
tokens = pt.tokenize(docs, n_jobs=2, cache=False, progress=False)
mark("tokenize")
pt.term_frequency(tokens, by="level")
mark("term_frequency")
pt.keyness(tokens, by="level", n_perm=0)
mark("keyness")
stop.set()
watcher.join()
print("BENCH_SCALE_RESULT " + json.dumps({
    "seconds": seconds, "documents": len(docs), "tokens": len(tokens),
    "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "sampled_sum_bytes": peak[0]}), flush=True)
'''


# --- the corpus ----------------------------------------------------------------------------------------------

def build_corpus(source: Path, folder: Path, copies: int, fraction: float) -> dict:
    """Write ``copies`` renamed, marked copies of ``source`` into ``folder``; the per-copy metadata and sizes."""
    with open(source / "metadata.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    full_bytes = sum((source / row["file"]).stat().st_size for row in rows)  # one whole copy of the source
    if fraction < 1.0:  # the same documents in every copy, spread over the corpus (by a hash of the name)
        keep = max(1, round(fraction * len(rows)))
        chosen = set(sorted(range(len(rows)), key=lambda i: zlib.crc32(rows[i]["file"].encode("utf-8")))[:keep])
        rows = [row for i, row in enumerate(rows) if i in chosen]
    folder.mkdir(parents=True)
    per_copy = {r: [] for r in range(1, copies + 1)}
    sizes = {r: 0 for r in range(1, copies + 1)}
    for row in rows:
        with open(source / row["file"], encoding="utf-8", newline="") as f:
            text = f.read()
        first, newline, rest = text.partition("\n")
        for r in range(1, copies + 1):
            name = f"c{r:02d}_{Path(row['file']).name}"
            changed = f"{first}\n（第{r}份）\n{rest}" if newline else f"{first}\n（第{r}份）"
            data = changed.encode("utf-8")
            (folder / name).write_bytes(data)
            sizes[r] += len(data)
            per_copy[r].append({**row, "file": name, "copy": r})
    write_metadata(folder / "metadata.csv", fields, per_copy, copies)
    return {"fields": fields, "per_copy": per_copy, "bytes": sizes, "source_docs": len(rows),
            "full_mb": full_bytes / 1e6}


def own_folder(folder: Path, out: Path, per_copy: dict, fields: list[str], copies: int) -> Path:
    """A corpus folder of the first ``copies`` copies alone (hard links into ``folder``): load_corpus reads
    every file of a folder, also those its metadata leaves out, so a run on part of the copies needs its own."""
    out.mkdir()
    for r in range(1, copies + 1):
        for row in per_copy[r]:
            try:
                os.link(folder / row["file"], out / row["file"])
            except OSError:
                shutil.copyfile(folder / row["file"], out / row["file"])
    return write_metadata(out / "metadata.csv", fields, per_copy, copies).parent


def write_metadata(path: Path, fields: list[str], per_copy: dict, copies: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*fields, "copy"])
        writer.writeheader()
        for r in range(1, copies + 1):
            writer.writerows(per_copy[r])
    return path


# --- memory --------------------------------------------------------------------------------------------------

class MemorySampler(threading.Thread):
    """RSS of this process and of every child, every ``interval`` seconds; peaks per stage, per label and summed."""

    def __init__(self, interval: float = 0.2):
        super().__init__(name="bench-scale-memory", daemon=True)
        import psutil

        self.psutil = psutil
        self.me = psutil.Process()
        self.interval = interval
        self.labels: dict[int, str] = {}  # worker pid -> label
        self.extra: dict[int, str] = {}  # e.g. a scheduler in its own process
        self.stage = "start"
        self.peaks: dict[str, dict[str, int]] = {}
        self.sum_peaks: dict[str, int] = {}
        self.samples = 0
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def sample(self) -> None:
        per: dict[str, int] = {CLIENT: 0}
        procs = [(CLIENT, self.me)]
        try:
            children = self.me.children(recursive=True)
        except self.psutil.Error:
            children = []
        for child in children:
            procs.append((self.labels.get(child.pid) or self.extra.get(child.pid) or OTHER, child))
        for label, proc in procs:
            try:
                rss = proc.memory_info().rss
            except self.psutil.Error:  # ended between the listing and the reading
                continue
            per[label] = per.get(label, 0) + rss
        with self.lock:
            peaks = self.peaks.setdefault(self.stage, {})
            for label, rss in per.items():
                peaks[label] = max(peaks.get(label, 0), rss)
            self.sum_peaks[self.stage] = max(self.sum_peaks.get(self.stage, 0), sum(per.values()))
            self.samples += 1

    def set_stage(self, name: str) -> None:
        self.sample()
        with self.lock:
            self.stage = name
        self.sample()

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.sample()
        self.halt.set()
        self.join()


def copies(k: int) -> str:
    return f"{k} cop{'y' if k == 1 else 'ies'}"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / MiB:,.0f}"


# --- the Dask path -------------------------------------------------------------------------------------------

def first_line(err: BaseException, limit: int = 160) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


def run_dask(args, folder: Path, metadata: Path | None, out: Path, sampler: MemorySampler) -> dict:
    import logging

    import pandas as pd
    from dask.distributed import Client, LocalCluster

    # a P2P shuffle (term_counts' drop_duplicates) logs its start and end at WARNING: not news here
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)

    import policytext as pt

    stages: list[dict] = []

    def stage(name, fn, guarded=False):
        sampler.set_stage(name)
        started = time.perf_counter()
        result, status = None, "ok"
        try:
            result = fn()
        except (TypeError, NotImplementedError, AttributeError) as err:
            if not guarded:
                raise
            status = f"not available: {type(err).__name__}: {first_line(err)}"
        except Exception as err:  # noqa: BLE001 - a benchmark of hours reports the rest
            if not guarded:
                raise
            status = f"failed: {type(err).__name__}: {first_line(err)}"
        seconds = time.perf_counter() - started
        sampler.set_stage("between stages")
        rows = len(result) if isinstance(result, pd.DataFrame) else None
        stages.append({"stage": name, "seconds": seconds, "status": status, "rows": rows})
        shown = status if status != "ok" else ("ok" if rows is None else f"ok, {rows:,} rows")
        print(f"  {name:<28}{seconds:9.2f} s   {shown}", flush=True)
        return result

    print(f"\nDask path ({args.workers} workers x 1 thread, processes):", flush=True)
    cluster = stage("start LocalCluster", lambda: LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None))
    info: dict = {}
    try:
        with Client(cluster) as client:
            workers = client.run(os.getpid)
            sampler.labels = {pid: f"worker {i}" for i, (_, pid) in enumerate(sorted(workers.items()), 1)}
            scheduler_pid = client.run_on_scheduler(os.getpid)
            info["scheduler_in_client"] = scheduler_pid == os.getpid()
            if not info["scheduler_in_client"]:
                sampler.extra = {scheduler_pid: "scheduler"}
            children = {c.pid for c in sampler.me.children(recursive=True)}
            info["workers_are_children"] = set(workers.values()) <= children
            info["worker_pids"] = dict(sorted(workers.items()))
            info["scheduler_pid"] = scheduler_pid
            info["memory_limit"] = [w.get("memory_limit") for w in client.scheduler_info()["workers"].values()]

            docs = stage("load_corpus", lambda: pt.load_corpus(folder) if metadata is None
                         else pt.load_corpus(folder, metadata=metadata))
            docs = stage("clean (n_jobs=2)", lambda: pt.clean(docs, n_jobs=2, progress=False))
            texts = docs["text_clean"].fillna("").astype(str)
            info["documents"] = len(docs)
            info["clean_mb"] = sum(len(t.encode("utf-8")) for t in texts) / 1e6
            info["raw_mb"] = sum(len(t.encode("utf-8")) for t in docs["text"].fillna("").astype(str)) / 1e6
            # no copy may share a cleaned text with another copy of the same source document
            source = docs["file"].astype(str).str.replace(r"^c\d+_", "", regex=True)
            distinct = pd.DataFrame({"source": source, "h": texts.map(hash)}).groupby("source")["h"].nunique()
            copies_of = source.value_counts().reindex(distinct.index)
            info["shared_texts"] = int((copies_of - distinct).sum())
            texts = None
            options = {} if args.batch_chars is None else {"batch_chars": args.batch_chars}
            path = stage("tokenize_to_parquet", lambda: pt.tokenize_to_parquet(
                docs, out / "tokens", client=client, **options))
            account = pd.read_parquet(path / "account.parquet")
            info["tokens"] = int(account["n_tokens"].sum())
            info["tokens_raw"] = int(account["n_tokens_raw"].sum())
            info["parts"] = len(list((path / "tokens").glob("part-*.parquet")))
            info["dataset_mb"] = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
            docs = None  # the comparisons work from the dataset alone

            stage("term_counts", lambda: pt.term_counts(path, by="level", client=client), guarded=True)
            stage("term_frequency", lambda: pt.term_frequency(path, by="level"), guarded=True)
            stage("tfidf", lambda: pt.tfidf(path, by="level"), guarded=True)
            stage("keyness (n_perm=200)", lambda: pt.keyness(path, by="level", n_perm=200), guarded=True)
            stage("emphasis", lambda: pt.emphasis(path, by="level"), guarded=True)
            stage("cooccurrence", lambda: pt.cooccurrence(path), guarded=True)
            sampler.set_stage("close cluster")
    finally:
        cluster.close()
    sampler.sample()
    info["stages"] = stages
    return info


# --- the in-memory path --------------------------------------------------------------------------------------

def run_in_memory(folder: Path, metadata: Path, cache: Path) -> dict:
    env = {**os.environ, "POLICYTEXT_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", IN_MEMORY, str(folder), str(metadata)], env=env,
                          capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_SCALE_RESULT "):
            return {**json.loads(line.split(" ", 1)[1]), "wall": wall, "ok": True}
    tail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return {"ok": False, "wall": wall, "error": f"exit status {done.returncode}: {tail}"}


def fit_limit(points: list[tuple[float, float]]) -> tuple[float, float, float | None]:
    """Slope and intercept of peak MiB against corpus MB (least squares), and the MB at 4 GiB (None: no rise)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    intercept = my - slope * mx
    return slope, intercept, (LIMIT_MIB - intercept) / slope if slope > 0 else None


# --- main ----------------------------------------------------------------------------------------------------

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=LAWS, help="the source corpus (only read)")
    parser.add_argument("--copies", type=int, default=10, help="copies for the Dask path (10: about 520 MB)")
    parser.add_argument("--fraction", type=float, default=1.0, help="keep this part of each copy's documents")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster")
    parser.add_argument("--batch-chars", type=int, default=None,
                        help="tokenize_to_parquet's batch_chars (default: the library's)")
    parser.add_argument("--memory-copies", default="1,2,4",
                        help="copies for each in-memory run, e.g. 1,2,4 ('' or 0: no in-memory runs)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="make the run's folder in here (default: a new folder under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (corpus and dataset)")
    args = parser.parse_args(argv)
    if not (args.corpus / "metadata.csv").is_file():
        sys.exit(f"{args.corpus}: no corpus there")
    if args.copies < 1 or args.workers < 1 or not 0 < args.fraction <= 1:
        sys.exit("--copies and --workers must be at least 1, --fraction in (0, 1]")
    memory_copies = sorted({int(c) for c in args.memory_copies.replace(" ", "").split(",") if c and int(c) > 0})
    try:
        import psutil  # noqa: F401 - installed with dask.distributed
        import dask.distributed  # noqa: F401
    except ImportError as err:
        sys.exit(f"this benchmark needs dask[distributed] and psutil: {err}")

    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="bench_scale-", dir=args.workdir))  # the only folder ever removed
    os.environ["POLICYTEXT_CACHE_DIR"] = str(run_dir / "cache")  # nothing of this run in the user's cache
    sampler = MemorySampler()
    sampler.start()
    try:
        report(args, memory_copies, run_dir, sampler)
    finally:
        if sampler.is_alive():
            sampler.stop()
        if args.keep:
            print(f"\nkept {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


def report(args, memory_copies: list[int], run_dir: Path, sampler: MemorySampler) -> None:
    import policytext as pt

    built = max([args.copies, *memory_copies])
    folder = run_dir / "corpus"
    print(f"run folder {run_dir}")
    sampler.set_stage("build corpus")
    started = time.perf_counter()
    corpus = build_corpus(args.corpus, folder, built, args.fraction)
    mb_of = lambda k: sum(corpus["bytes"][r] for r in range(1, k + 1)) / 1e6  # noqa: E731
    print(f"built {copies(built)} of {args.corpus.name} ({corpus['source_docs']:,} documents each, "
          f"fraction {args.fraction:g}): {mb_of(built):,.1f} MB in {time.perf_counter() - started:.1f} s", flush=True)
    subset = lambda k: write_metadata(run_dir / f"metadata_{k:02d}copies.csv",  # noqa: E731
                                      corpus["fields"], corpus["per_copy"], k)
    dask_meta = None if args.copies == built else subset(args.copies)

    started_all = time.perf_counter()
    info = run_dask(args, folder, dask_meta, run_dir / "out", sampler)
    dask_seconds = time.perf_counter() - started_all
    sampler.stop()
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # before any in-memory run

    stages = info["stages"]
    tok = next(s for s in stages if s["stage"] == "tokenize_to_parquet")
    tps = info["tokens"] / tok["seconds"]
    print(f"\ncorpus: {copies(args.copies)}, {info['documents']:,} documents, {mb_of(args.copies):,.1f} MB of text "
          f"on disk ({info['clean_mb']:,.1f} MB after cleaning); cleaned texts shared between copies of a "
          f"document: {info['shared_texts']}")
    print(f"tokenize_to_parquet: {info['tokens']:,} tokens ({info['tokens_raw']:,} before filtering) in "
          f"{info['parts']} Parquet file(s) ({info['dataset_mb']:,.1f} MB); {tps:,.0f} tokens/s, "
          f"{info['clean_mb'] / tok['seconds']:.2f} MB/s of cleaned text, "
          f"{info['raw_mb'] / tok['seconds']:.2f} MB/s of raw text")
    where = ("in the client process (LocalCluster runs it on the client's event loop thread; "
             f"pid {info['scheduler_pid']})" if info["scheduler_in_client"]
             else f"in its own process (pid {info['scheduler_pid']})")
    print(f"scheduler: {where}; workers {info['worker_pids']} "
          f"{'are' if info['workers_are_children'] else 'are NOT all'} children of the client; "
          f"memory_limit per worker {', '.join(mib(m) + ' MiB' for m in info['memory_limit'] if m)}")

    labels = [CLIENT, *(["scheduler"] if not info["scheduler_in_client"] else []),
              *sorted(set(sampler.labels.values()), key=lambda s: int(s.split()[-1])), OTHER]
    width = max(13, *(len(l) + 2 for l in labels))
    print(f"\npeak RSS, MiB (sampled every {sampler.interval} s, {sampler.samples:,} samples; '{OTHER}': the pools "
          f"of clean and multiprocessing's helpers, summed; while the cluster starts, its workers are not known yet "
          f"and count there too)")
    print(f"{'stage':<28}{'seconds':>9}" + "".join(f"{l:>{width}}" for l in labels) + f"{'sum':>9}")
    order = ["build corpus", *[s["stage"] for s in stages], "close cluster"]
    seconds = {s["stage"]: s["seconds"] for s in stages}
    overall = {label: max(p.get(label, 0) for p in sampler.peaks.values()) for label in labels}
    for name in order:
        peaks = sampler.peaks.get(name, {})
        secs = f"{seconds[name]:9.2f}" if name in seconds else f"{'':>9}"
        print(f"{name:<28}{secs}" + "".join(f"{mib(peaks.get(l, 0)):>{width}}" for l in labels)
              + f"{mib(sampler.sum_peaks.get(name, 0)):>9}")
    overall_sum = max(sampler.sum_peaks.values())
    print(f"{'overall':<28}{dask_seconds:9.2f}" + "".join(f"{mib(overall[l]):>{width}}" for l in labels)
          + f"{mib(overall_sum):>9}")
    print(f"cross-check, getrusage ru_maxrss: this process {self_kib / 1024:,.0f} MiB (sampled "
          f"{mib(overall[CLIENT])}); largest child ended so far {children_kib / 1024:,.0f} MiB (sampled largest "
          f"worker {mib(max([overall[l] for l in labels if l.startswith('worker')] or [0]))})")

    points, runs = [], []
    if memory_copies:
        print("\nin-memory path in a fresh process (load_corpus, clean n_jobs=2, tokenize n_jobs=2 cache=False, "
              "term_frequency, keyness n_perm=0):")
        print(f"{'copies':>6}{'documents':>11}{'MB':>9}{'tokens':>13}{'seconds':>9}{'self MiB':>10}"
              f"{'child MiB':>11}{'sum MiB':>9}   stages (s)")
        for k in memory_copies:
            own = own_folder(folder, run_dir / f"memory_{k:02d}copies", corpus["per_copy"], corpus["fields"], k)
            run = run_in_memory(own, own / "metadata.csv", run_dir / f"cache_memory_{k}")
            run.update(copies=k, mb=mb_of(k))
            runs.append(run)
            if not run["ok"]:
                print(f"{k:>6}{'':>11}{run['mb']:>9.1f}   failed after {run['wall']:.1f} s: {run['error']}", flush=True)
                continue
            peak = max(run["self_kib"] * 1024, run["sampled_sum_bytes"])
            run["peak_mib"] = peak / MiB
            points.append((run["mb"], run["peak_mib"], run["self_kib"] / 1024))
            stage_text = ", ".join(f"{n} {s:.1f}" for n, s in run["seconds"].items())
            print(f"{k:>6}{run['documents']:>11,}{run['mb']:>9.1f}{run['tokens']:>13,}"
                  f"{sum(run['seconds'].values()):>9.1f}{run['self_kib'] / 1024:>10,.0f}"
                  f"{run['children_kib'] / 1024:>11,.0f}{peak / MiB:>9,.0f}   {stage_text}", flush=True)
        print("  self: getrusage RUSAGE_SELF; child: RUSAGE_CHILDREN (the largest child, not a sum); sum: the "
              "largest sampled total of the process and its children (RSS; forked children share pages, so it "
              "overstates), or self if larger")
    two = len({round(p[0], 3) for p in points}) >= 2
    limit = limit_text(points, 1, corpus["full_mb"]) if two else None
    limit_self = limit_text(points, 2, corpus["full_mb"]) if two else None
    if memory_copies:
        if limit:
            print(f"  4 GiB, all processes: {limit}\n  4 GiB, the main process alone: {limit_self}")
        else:
            print("  4 GiB: needs two successful runs of different sizes for a line")

    print("\n--- summary (for the closing note) ---")
    print(f"bench_scale, policytext {pt.__version__}, {time.strftime('%Y-%m-%d')}, {platform.node()}: "
          f"{os.cpu_count()} cores, {mib(sampler.psutil.virtual_memory().total)} MiB RAM, Python "
          f"{platform.python_version()}")
    print(f"corpus: {args.corpus.name} x {copies(args.copies)}"
          + (f" (fraction {args.fraction:g} of the documents)" if args.fraction < 1 else "")
          + f", {info['documents']:,} documents, {mb_of(args.copies):,.1f} MB of text "
            f"({info['clean_mb']:,.1f} MB cleaned)")
    print(f"Dask: LocalCluster, {args.workers} workers x 1 thread, processes=True; scheduler "
          f"{'in the client process' if info['scheduler_in_client'] else 'in its own process'}")
    for s in stages:
        extra = ""
        if s["stage"] == "tokenize_to_parquet":
            extra = (f"  ({info['tokens']:,} tokens, {tps:,.0f} tokens/s, "
                     f"{info['clean_mb'] / s['seconds']:.2f} MB/s of cleaned text)")
        elif s["status"] != "ok":
            extra = f"  ({s['status']})"
        print(f"  {s['stage']:<26}{s['seconds']:9.2f} s{extra}")
    print(f"  {'total':<26}{dask_seconds:9.2f} s")
    print("peak RSS (MiB): " + ", ".join(f"{l} {mib(overall[l])}" for l in labels)
          + f"; sum {mib(overall_sum)}")
    if runs:
        measured = "; ".join(f"{copies(r['copies'])} {r['mb']:.1f} MB: " + (
            f"{r['peak_mib']:,.0f} MiB, {sum(r['seconds'].values()):.1f} s" if r["ok"] else "failed")
            for r in runs)
        print(f"in-memory path: {measured}")
        print(f"  4 GiB, all processes: {limit}" if limit else "  4 GiB: not estimable from these runs")
        if limit_self:
            print(f"  4 GiB, the main process alone: {limit_self}")


def limit_text(points, column: int, copy_mb: float) -> str:
    """Where the line of peak memory (``points``' ``column``) against MB reaches 4 GiB, in words."""
    pairs = [(p[0], p[column]) for p in points]
    slope, intercept, at = fit_limit(pairs)
    line = f"line {intercept:,.0f} MiB + {slope:.2f} MiB per MB"
    if at is None:
        return f"not estimable: no rise with size ({line})"
    largest = max(x for x, _ in pairs)
    kind = "an extrapolation beyond" if at > largest else "within"
    return (f"about {at:,.0f} MB of text, {at / copy_mb:.1f} times the whole laws corpus ({line}; {kind} the largest measured "
            f"size, {largest:.1f} MB)")


if __name__ == "__main__":
    main()
