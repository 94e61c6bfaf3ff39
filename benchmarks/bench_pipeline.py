"""The cold report of this checkout against an earlier checkout's, side by side in one run.

    .venv/bin/python benchmarks/bench_pipeline.py --baseline /path/to/earlier/checkout [--repeat 3]
        [--corpus ../shared/corpora/city-gov-reports-2024]

Each run is a fresh process with an empty cache folder of its own (nothing is read from a cache), the
two checkouts alternating (baseline, this, baseline, this ...) so that a slow spell of the machine falls
on both; the same Python and installed packages run both, only ``src/`` differs (PYTHONPATH). Prints
the median seconds of each and their ratio, and each report's own timing per section (manifest.json).

A baseline checkout: ``git worktree add /tmp/before <commit>``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CITY = REPO.parent / "shared" / "corpora" / "city-gov-reports-2024"


def cold_report(src: Path, corpus: Path) -> tuple[float, dict]:
    """Seconds of one cold report by ``src``'s policytext on ``corpus``, and its sections' seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(src), "POLICYTEXT_CACHE_DIR": str(Path(tmp) / "cache")}
        code = (f"from policytext.cli import main; import sys; "
                f"sys.exit(main(['report', {str(corpus)!r}, '-o', {str(Path(tmp) / 'out')!r}, '--no-progress']))")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        manifest = json.loads((Path(tmp) / "out" / "manifest.json").read_text(encoding="utf-8"))
    return seconds, manifest.get("timings", {}).get("sections_seconds", {})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="an earlier checkout (its src/ is used)")
    parser.add_argument("--corpus", type=Path, default=CITY)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not (args.corpus / "metadata.csv").is_file():
        sys.exit(f"{args.corpus}: no corpus there")
    sources = {"baseline": args.baseline / "src", "this": REPO / "src"}
    runs: dict[str, list[float]] = {name: [] for name in sources}
    sections: dict[str, list[dict]] = {name: [] for name in sources}
    for i in range(args.repeat):
        for name, src in sources.items():
            seconds, parts = cold_report(src, args.corpus)
            runs[name].append(seconds)
            sections[name].append(parts)
            print(f"run {i + 1}: {name:8s} {seconds:6.1f} s", flush=True)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"corpus {args.corpus.name}; cold report, medians of {args.repeat} alternating fresh processes")
    med = {name: statistics.median(values) for name, values in runs.items()}
    for name, value in med.items():
        print(f"  {name:8s} {value:6.1f} s   (runs: {', '.join(f'{v:.1f}' for v in runs[name])})")
    print(f"  this / baseline: {med['this'] / med['baseline']:.2f}")
    print("\nsections (median seconds, as each report's manifest records them):")
    names = sorted({k for parts in sections.values() for p in parts for k in p})
    for key in names:
        row = {name: statistics.median([p.get(key, float("nan")) for p in sections[name]]) for name in sources}
        print(f"  {key:24s} baseline {row['baseline']:6.1f}   this {row['this']:6.1f}")


if __name__ == "__main__":
    main()
