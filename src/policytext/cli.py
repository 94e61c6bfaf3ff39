"""policytext: compare what Chinese provinces emphasise in their policy documents.

The command line is an application, so it may print and configure logging; the
library modules only log.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from . import __version__


def _common(p: argparse.ArgumentParser, *, by: bool = True, n_jobs: int = 1) -> None:
    p.add_argument("data_dir", type=Path, help="corpus folder: a metadata.csv naming the texts, or just .txt files")
    if by:
        p.add_argument("--by", default="province", help="metadata column to group by (default: province)")
    p.add_argument("--n-jobs", type=int, default=n_jobs,
                   help=f"processes (default {n_jobs}{': every core' if n_jobs == -1 else ''}; -1: every core)")
    p.add_argument("--segmenter", default="rjieba", choices=["rjieba", "jieba"],
                   help="segmentation engine: rjieba (jieba-rs, default) or jieba")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the caches")
    p.add_argument("--cache-dir", type=Path, default=None, help="token cache folder (default ~/.cache/policytext)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def _csv_out(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", type=Path, default=None,
                   help="write the table to this CSV file (default: print it on the terminal)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policytext", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"policytext {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("report", help="run everything and write an HTML report, CSV tables and a manifest",
                       description="Load, clean and tokenize the corpus, then compute keywords, TF-IDF, keyness, "
                                   "similarity, policy emphasis and topics, and write OUT_DIR/report.html (figures "
                                   "embedded), figures/*.png, tables/*.csv, topics.html and manifest.json.")
    _common(p, n_jobs=-1)
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    p.add_argument("--k", type=int, default=None, help="number of topics (default: the sweep's recommendation)")
    p.add_argument("--ks", default="3,4,5,6,8,10,12,15",
                   help="k values of the topic sweep (default 3,4,5,6,8,10,12,15)")
    p.add_argument("--topic-vocabulary", default="content", choices=["content", "all"],
                   help="content: topics without place names and genre boilerplate (default); all: every token")
    p.add_argument("--seed", type=int, default=0, help="random seed of bootstraps and topic models (default 0)")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--n-perm", type=int, default=1000,
                   help="permutations of the document labels in the keyness test (default 1000; 0: none)")
    p.add_argument("--keep-places", action="store_true",
                   help="keep place names in the keyness and TF-IDF sections (default: left out)")
    p.add_argument("--reference", default=None,
                   help="reference group of the rate ratios (default: the group with the most documents)")

    for name in ("corpus", "summary"):
        p = sub.add_parser(name, help="documents, characters and tokens per group, the most frequent terms, "
                                      "and the load account" + (" (same as corpus)" if name == "summary" else ""),
                           description="Print documents, characters and tokens per group, every skipped input "
                                       "with its reason, and the most frequent terms per group.")
        _common(p)
        p.add_argument("--top", type=int, default=20, help="terms shown per group (default 20)")
        p.add_argument("-o", "--out", type=Path, default=None,
                       help="also write summary.csv, top_terms.csv and load_account.csv into this folder")

    p = sub.add_parser("keywords", help="term frequencies per group (n, per 10,000 tokens, document frequency, rank)")
    _common(p)
    p.add_argument("--top", type=int, default=20, help="terms per group (default 20; 0: all)")
    p.add_argument("--ngram", type=int, default=1, help="1: terms; 2 or 3: adjacent token pairs or triples")
    _csv_out(p)

    p = sub.add_parser("tfidf", help="the most distinctive terms per group by TF-IDF")
    _common(p)
    p.add_argument("--top", type=int, default=20, help="terms per group (default 20)")
    p.add_argument("--idf", default="log", choices=["log", "smooth"],
                   help="log: ln(N/df), a term in every group scores 0 (default); smooth: scikit-learn's")
    p.add_argument("--drop-places", action="store_true", help="leave out place names")
    _csv_out(p)

    p = sub.add_parser("keyness", help="key terms of each group against the rest (G², log ratio, log-odds)")
    _common(p)
    p.add_argument("--target", default=None, help="one group to compare (default: every group against the rest)")
    p.add_argument("--reference", default=None, help="the group to compare the target with (default: the rest)")
    p.add_argument("--min-count", type=int, default=5, help="leave out rarer terms (default 5)")
    p.add_argument("--top", type=int, default=20, help="terms per group (default 20; 0: all)")
    p.add_argument("--n-perm", type=int, default=1000,
                   help="permutations of the document labels for p_perm (default 1000; 0: none)")
    p.add_argument("--correction", default="none", choices=["none", "williams"], help="correction of G²")
    p.add_argument("--drop-places", action="store_true", help="leave out place names")
    p.add_argument("--seed", type=int, default=0, help="random seed of the permutations (default 0)")
    _csv_out(p)

    p = sub.add_parser("emphasis", help="policy emphasis per group and dimension with bootstrap intervals")
    _common(p)
    p.add_argument("--lexicon", default="digital_policy",
                   help="digital_policy (default), policy_instruments, or a TSV file of your own")
    p.add_argument("--level", default="dimension", choices=["dimension", "subdimension"])
    p.add_argument("--resample", default="document", choices=["document", "unit"],
                   help="what the bootstrap resamples within a group (default: documents)")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _csv_out(p)

    p = sub.add_parser("rates", help="rate ratios of lexicon dimensions (or terms) between groups, documents as units",
                       description="Regress each document's hits on the group, with its tokens as exposure "
                                   "(quasi-Poisson by default), and give rate ratios against a reference group "
                                   "with 95%% intervals and BH-adjusted p-values.")
    _common(p)
    p.add_argument("--lexicon", default="digital_policy",
                   help="digital_policy (default), policy_instruments, or a TSV file of your own")
    p.add_argument("--terms", default=None, help="compare these terms instead (comma-separated)")
    p.add_argument("--reference", default=None, help="reference group (default: the one with the most documents)")
    p.add_argument("--family", default="quasipoisson", choices=["quasipoisson", "negbin", "poisson"])
    p.add_argument("--cov-type", default="model", choices=["model", "robust", "cluster"])
    p.add_argument("--cluster", default=None, help="metadata column to cluster on, with --cov-type cluster")
    _csv_out(p)

    p = sub.add_parser("topics", help="LDA topics: the sweep over k, or prevalence or effects per group for one k")
    _common(p)
    p.add_argument("--k", type=int, default=None, help="fit this k and output prevalence per group "
                                                      "(default: output the sweep)")
    p.add_argument("--ks", default="3,4,5,6,8,10,12,15", help="k values of the sweep (default 3,4,5,6,8,10,12,15)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--stability-seeds", default="1,2", help="seeds of the refits that measure stability (default 1,2)")
    p.add_argument("--vocabulary", default="content", choices=["content", "all"],
                   help="content: without place names and genre boilerplate (default); all: every token")
    p.add_argument("--effects", action="store_true",
                   help="with --k: output the effects of --by on topic shares instead of prevalence")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for prevalence (default 1000)")
    _csv_out(p)
    return parser


def _tokens(args):
    from . import cleaning, loading, segmentation

    progress = False if args.no_progress else None
    docs, account = loading.load_corpus(args.data_dir, return_account=True)
    if docs.empty:
        raise loading.CorpusError(f"{args.data_dir}: no document could be loaded")
    by = getattr(args, "by", None)
    if by is not None and by not in docs.columns:
        raise loading.CorpusError(f"--by {by}: no such metadata column; columns are "
                                  f"{[c for c in docs.columns if c not in ('text', 'encoding')]}")
    docs = cleaning.clean(docs, progress=progress)
    tokens = segmentation.tokenize(docs, n_jobs=args.n_jobs, cache=not args.no_cache, cache_dir=args.cache_dir,
                                   progress=progress, engine=args.segmenter)
    return docs, account, tokens


def _ks(text: str) -> list[int]:
    try:
        ks = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"--ks {text!r}: expected whole numbers separated by commas, e.g. 3,4,5") from None
    if not ks or min(ks) < 2:
        raise ValueError(f"--ks {text!r}: every k must be at least 2")
    return ks


def _ints(text: str, option: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"{option} {text!r}: expected whole numbers separated by commas, e.g. 1,2") from None


def _emit(table: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        with pd.option_context("display.max_rows", 60, "display.width", 160):
            print(table.to_string(index=False, max_rows=60))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
        print(f"{len(table)} rows written to {out}")


def _corpus(args) -> None:
    from . import counting

    docs, account, tokens = _tokens(args)
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
    for group, rows in top.groupby(args.by, sort=True):
        print(f"{group}: " + ", ".join(f"{t} {n}" for t, n in zip(rows["term"], rows["n"])))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        summary.to_csv(args.out / "summary.csv", index=False)
        top.to_csv(args.out / "top_terms.csv", index=False)
        account.to_csv(args.out / "load_account.csv", index=False)
        print(f"\nTables written to {args.out}")


def _run(args) -> None:
    from . import counting, inference, places, report, topic_effects, topic_selection, topics, weighting
    from .key_terms import keyness
    from .policy_emphasis import emphasis

    if args.command in ("corpus", "summary"):
        return _corpus(args)
    if args.command == "report":
        config = report.ReportConfig(by=args.by, k=args.k, ks=_ks(args.ks), random_state=args.seed,
                                     n_boot=args.n_boot, n_perm=args.n_perm, drop_places=not args.keep_places,
                                     rates_reference=args.reference, topic_vocabulary=args.topic_vocabulary,
                                     n_jobs=args.n_jobs, cache=not args.no_cache,
                                     tokenizer={"engine": args.segmenter},
                                     cache_dir=args.cache_dir,
                                     progress=False if args.no_progress else None)
        path = report.build_report(args.data_dir, args.out, config)
        print(f"report written to {path}")
        return None
    _, _, tokens = _tokens(args)
    if args.command == "keywords":
        freq = (counting.term_frequency(tokens, by=args.by) if args.ngram == 1
                else counting.ngram_frequency(tokens, n=args.ngram, by=args.by))
        table = counting.top_terms(freq, n=args.top) if args.top else freq
    elif args.command == "tfidf":
        table = weighting.tfidf(places.drop_place_names(tokens) if args.drop_places else tokens, by=args.by,
                                top=args.top, idf=args.idf)
    elif args.command == "keyness":
        table = keyness(places.drop_place_names(tokens) if args.drop_places else tokens, by=args.by,
                        target=args.target, reference=args.reference, min_count=args.min_count,
                        n_perm=args.n_perm, correction=args.correction, random_state=args.seed)
        if args.top:
            table = table.groupby(args.by, sort=False).head(args.top)
    elif args.command == "emphasis":
        table = emphasis(tokens, by=args.by, lexicon=args.lexicon, level=args.level, resample=args.resample,
                         n_boot=args.n_boot, random_state=args.seed)
    elif args.command == "rates":
        terms = [t.strip() for t in args.terms.split(",") if t.strip()] if args.terms else None
        table = inference.compare_rates(tokens, covariates=args.by, terms=terms,
                                        lexicon=None if terms else args.lexicon, reference=args.reference,
                                        family=args.family, cov_type=args.cov_type, cluster=args.cluster)
    else:  # topics
        content = args.vocabulary == "content"
        vocabulary = {"drop_places": content, "drop_boilerplate": content}
        seeds = _ints(args.stability_seeds, "--stability-seeds")
        progress = False if args.no_progress else None
        if args.k is None:
            table = topic_selection.lda_sweep(tokens, ks=_ks(args.ks), random_state=args.seed, stability_seeds=seeds,
                                     progress=progress, **vocabulary)
        else:
            model = topics.fit_lda(tokens, k=args.k, random_state=args.seed, stability_seeds=seeds or None,
                                   progress=progress, **vocabulary)
            if args.effects:
                table = topic_effects.estimate_effects(model, covariates=args.by, random_state=args.seed)
            else:
                prevalence = topic_effects.topic_prevalence(model, by=args.by, n_boot=args.n_boot, random_state=args.seed)
                table = prevalence.merge(model.labels().drop(columns=["stable"]), on="topic")
    _emit(table, args.out)
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="policytext: %(levelname)s: %(message)s")
    from .segmentation import jieba_logger

    quiet = jieba_logger()
    quiet.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    quiet.propagate = False  # it has a handler of its own
    try:
        _run(args)
    except (ValueError, KeyError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"policytext: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
