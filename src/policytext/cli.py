"""Command line: ``policytext summary DATA_DIR``.

The command line is an application, so it may print and configure logging;
the library modules only log.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from . import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policytext", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"policytext {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = parser.add_subparsers(dest="command", required=True)

    summary = sub.add_parser(
        "summary", help="load, clean and tokenize a corpus; print documents, characters and tokens "
                        "per group and the most frequent terms of each group",
        description="Load, clean and tokenize a corpus folder (a metadata.csv naming the texts, or just "
                    ".txt files) and print: the load account's skipped inputs, documents, characters "
                    "and tokens per group, and the most frequent terms per group.")
    summary.add_argument("data_dir", type=Path, help="corpus folder, e.g. data")
    summary.add_argument("--by", default="province", help="metadata column to group by (default: province)")
    summary.add_argument("--top", type=int, default=20, help="terms shown per group (default: 20)")
    summary.add_argument("--n-jobs", type=int, default=1, help="tokenizer processes (default: 1; -1: all cores)")
    summary.add_argument("--no-cache", action="store_true", help="do not read or write the token cache")
    summary.add_argument("--cache-dir", type=Path, default=None, help="token cache folder")
    summary.add_argument("--no-progress", action="store_true", help="hide progress bars")
    summary.add_argument("-o", "--out", type=Path, default=None,
                         help="also write summary.csv, top_terms.csv and load_account.csv to this folder")
    return parser


def _summary(args) -> int:
    from . import cleaning, counting, loading, segmentation

    progress = False if args.no_progress else None
    docs, account = loading.load_corpus(args.data_dir, return_account=True)
    if docs.empty:
        raise loading.CorpusError(f"{args.data_dir}: no document could be loaded")
    if args.by not in docs.columns:
        raise loading.CorpusError(f"--by {args.by}: no such metadata column; columns are "
                                  f"{[c for c in docs.columns if c not in ('text', 'encoding')]}")
    docs = cleaning.clean(docs, progress=progress)
    tokens = segmentation.tokenize(docs, n_jobs=args.n_jobs, cache=not args.no_cache,
                                   cache_dir=args.cache_dir, progress=progress)
    summary = counting.corpus_summary(docs, tokens, by=args.by)
    top = counting.top_terms(counting.term_frequency(tokens, by=args.by), n=args.top)

    skipped = account[account["status"] == "skipped"]
    print(f"policytext {__version__}: {args.data_dir}")
    print(f"{len(docs)} documents loaded, {len(skipped)} inputs skipped")
    for row in skipped.itertuples():
        print(f"  skipped {row.file or ''} (row {row.row if pd.notna(row.row) else '-'}): {row.reason}: {row.detail}")
    print(f"\nDocuments, characters and tokens per {args.by}")
    print(summary.to_string(index=False))
    print(f"\nThe {args.top} most frequent terms per {args.by} (count)")
    for group, rows in top.groupby(args.by, sort=True, observed=True):
        terms = ", ".join(f"{t} {n}" for t, n in zip(rows["term"], rows["n"]))
        print(f"{group}: {terms}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        summary.to_csv(args.out / "summary.csv", index=False)
        top.to_csv(args.out / "top_terms.csv", index=False)
        account.to_csv(args.out / "load_account.csv", index=False)
        print(f"\nTables written to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="policytext: %(levelname)s: %(message)s")
    from .segmentation import jieba_logger

    quiet = jieba_logger()
    quiet.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    quiet.propagate = False  # it has a handler of its own
    try:
        return _summary(args)
    except (ValueError, KeyError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"policytext: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
