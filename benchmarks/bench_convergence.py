"""A topic fit that stops when it has converged, against 200 Gibbs sweeps, side by side in one run.

    .venv/bin/python benchmarks/bench_convergence.py [--corpus ../shared/corpora/city-gov-reports-2024]
        [--k 10] [--seeds 0,1,2,3,4] [--tolerances 0.002,0.001,0.0005]

The corpus is prepared once (load, clean, tokenize, the topic units); then, for each seed, a fit of
exactly 200 sweeps and a fit with each tolerance, alternating, each timed (no cache). Quality is
measured as lda_sweep measures it: held-out log-likelihood per word by document completion on a
fifth of the units held out, and c_npmi coherence of the top ten words on the training units. The
table gives, per setting, the median seconds and sweeps and the mean and spread (min to max over the
seeds) of both criteria: a converged fit is as good as 200 sweeps when its figures lie within the
seeds' spread of the 200-sweep fits.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CITY = REPO.parent / "shared" / "corpora" / "city-gov-reports-2024"


def main(argv=None) -> None:
    import policytext as pt

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CITY)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--tolerances", default="0.002,0.001,0.0005")
    args = parser.parse_args(argv)
    if not (args.corpus / "metadata.csv").is_file():
        sys.exit(f"{args.corpus}: no corpus there")
    seeds = [int(s) for s in args.seeds.split(",")]
    settings = [None] + [float(t) for t in args.tolerances.split(",")]
    docs = pt.clean(pt.load_corpus(args.corpus), progress=False)
    tokens = pt.tokenize(docs, n_jobs=2, cache=False, progress=False)
    units = pt.topic_units(tokens)
    rows = []
    for seed in seeds:
        for tol in settings:
            started = time.perf_counter()
            model = pt.fit_lda(units, k=args.k, random_state=seed, tolerance=tol, cache=False)
            seconds = time.perf_counter() - started
            sweep = pt.lda_sweep(units, ks=[args.k], random_state=seed, stability_seeds=[], tolerance=tol,
                                 threads=2, cache=False, measures=("c_npmi",))
            rows.append({"tolerance": tol, "seed": seed, "seconds": seconds,
                         "sweeps": int(model.trace_["iterations"].iloc[-1]),
                         "heldout_loglik": float(sweep["heldout_loglik"].iloc[0]),
                         "c_npmi": float(sweep["c_npmi"].iloc[0])})
            print(f"seed {seed}, tolerance {tol}: {seconds:.2f} s, {rows[-1]['sweeps']} sweeps, "
                  f"held-out {rows[-1]['heldout_loglik']:.4f}, c_npmi {rows[-1]['c_npmi']:.4f}", flush=True)
    print(f"\n{args.corpus.name}, k = {args.k}, seeds {seeds}")
    print(f"{'setting':<22}{'seconds':>9}{'sweeps':>8}{'held-out loglik (min..max)':>34}{'c_npmi (min..max)':>28}")
    base = None
    for tol in settings:
        part = [r for r in rows if r["tolerance"] == tol]
        secs = statistics.median(r["seconds"] for r in part)
        base = base or secs
        ll = [r["heldout_loglik"] for r in part]
        npmi = [r["c_npmi"] for r in part]
        name = "200 sweeps" if tol is None else f"tolerance {tol:g}"
        print(f"{name:<22}{secs:>9.2f}{statistics.median(r['sweeps'] for r in part):>8.0f}"
              f"{statistics.mean(ll):>12.4f} ({min(ll):.4f}..{max(ll):.4f})"
              f"{statistics.mean(npmi):>10.4f} ({min(npmi):.4f}..{max(npmi):.4f})"
              f"   {base / secs:.2f}x")


if __name__ == "__main__":
    main()
