"""policytext: compare what Chinese provinces emphasise in their policy documents.

The command line is an application, so it may print and configure logging; the
library modules only log.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from policytext import __version__
from policytext._core import terminal as _terminal

from policytext.report.config import DEFAULT_BY  # the column grouped by when --by is not given
MAX_SEED = 2 ** 32 - 1
#: Rows of a table, and groups of the corpus command's terms, shown on the terminal.
MAX_ROWS = 60
#: Examples shown for each reason for which inputs were skipped.
SKIP_EXAMPLES = 5


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, ``policytext: error: --k 1: ...``, with exit code 2."""

    def error(self, message: str):
        # "argument -o/--out: msg" -> "--out msg" (the option types' messages start with the value)
        message = re.sub(r"^argument (?:[^\s:/]+/)*(-[^\s:/]+): ", r"\1 ", message)
        self.exit(2, f"policytext: error: {message}\n")


def _whole_number(minimum: int, *, maximum: int | None = None, also: tuple = (), rule: str):
    """An argparse type: a whole number from ``minimum`` (to ``maximum``), or one of ``also``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text}: not a whole number; {rule}") from None
        if value in also or (value >= minimum and (maximum is None or value <= maximum)):
            return value
        raise argparse.ArgumentTypeError(f"{text}: {rule}")

    return parse


def _whole_numbers(minimum: int, *, maximum: int | None = None, empty: bool, rule: str, example: str):
    """An argparse type: whole numbers separated by commas, each from ``minimum`` (to ``maximum``)."""

    def parse(text: str) -> list[int]:
        try:
            values = [int(x) for x in text.split(",") if x.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text}: expected whole numbers separated by commas, "
                                             f"e.g. {example}") from None
        if not values and not empty:
            raise argparse.ArgumentTypeError(f"{text}: expected at least one number, e.g. {example}")
        if any(v < minimum or (maximum is not None and v > maximum) for v in values):
            raise argparse.ArgumentTypeError(f"{text}: {rule}")
        return values

    return parse


def _formats(*allowed: str):
    """An argparse type: formats separated by commas, each one of ``allowed``."""

    def parse(text: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(x.strip().lower().lstrip(".") for x in text.split(",") if x.strip()))
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise argparse.ArgumentTypeError(f"{text}: choose among {', '.join(allowed)} (comma-separated)")
        return values

    return parse


def _out_path(text: str) -> Path:
    """An argparse type: a path to write to, not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("'': name a file or folder to write to")
    return Path(text)


def _fraction(text: str) -> float:
    """An argparse type: a number above 0 and at most 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: expected a number above 0 and at most 1, e.g. 0.8") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text}: must be above 0 and at most 1")
    return value


def _unit(text: str) -> str | int:
    """An argparse type: paragraph, document, or a window of at least 2 tokens."""
    if text in ("paragraph", "document"):
        return text
    if text.isdigit() and int(text) >= 2:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text}: choose paragraph, document or a window size of at least 2 tokens")


_K = _whole_number(2, rule="must be at least 2 (a topic model has two topics or more)")
_KS = _whole_numbers(2, empty=False, rule="every k must be at least 2", example="3,4,5")
_SEED = _whole_number(0, maximum=MAX_SEED, rule=f"a seed must be from 0 to {MAX_SEED}")
_SEEDS = _whole_numbers(0, maximum=MAX_SEED, empty=True, rule=f"every seed must be from 0 to {MAX_SEED}",
                        example="1,2")
_N_BOOT = _whole_number(1, rule="must be at least 1")
_N_PERM = _whole_number(0, rule="must be 0 (no permutation test) or more")
_N_JOBS = _whole_number(1, also=(-1,), rule="must be at least 1, or -1 for every core")
_TOP_OR_ALL = _whole_number(0, rule="must be 0 (all) or more")
_TOP = _whole_number(1, rule="must be at least 1")
_MIN_COUNT = _whole_number(0, rule="must be 0 or more")
_NGRAM = _whole_number(1, maximum=3, rule="must be 1, 2 or 3")
_MIN_LENGTH = _whole_number(10, rule="must be at least 10 characters")


def _common(p: argparse.ArgumentParser, *, by: bool = True, n_jobs: int = 1) -> None:
    p.add_argument("data_dir", type=Path, help="corpus folder: a metadata.csv naming the documents, or just the "
                                               "documents (.txt, .pdf, .docx, .doc, .wps, .html)")
    p.add_argument("--metadata", type=Path, default=None, metavar="FILE",
                   help="metadata table (CSV, TSV or XLSX) naming the documents in its 'file' column, instead of "
                        "DATA_DIR/metadata.csv")
    if by:
        p.add_argument("--by", default=None,
                       help=f"metadata column to group by (default: {DEFAULT_BY}; doc_id, one group per document, "
                            f"when the corpus has no {DEFAULT_BY} column, e.g. a folder of .txt files)")
    p.add_argument("--strict", action="store_true",
                   help="stop with an error if any input would be skipped (default: skip it and account for it)")
    p.add_argument("--allow-outside", action="store_true",
                   help="read texts that metadata.csv names outside the corpus folder (default: refused)")
    p.add_argument("--n-jobs", type=_N_JOBS, default=n_jobs,
                   help=("processes (default -1: every core)" if n_jobs == -1
                         else f"processes (default {n_jobs}; -1: every core)"))
    p.add_argument("--segmenter", default="rjieba", choices=["rjieba", "jieba"],
                   help="segmentation engine: rjieba (jieba-rs, default) or jieba")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the caches")
    p.add_argument("--cache-dir", type=Path, default=None, help="token cache folder (default ~/.cache/policytext)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def _csv_out(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", type=_out_path, default=None,
                   help="write the table to this CSV file (default: print it on the terminal)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="policytext", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"policytext {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("report", help="run everything and write an HTML report, CSV tables and a manifest",
                       description="Load, clean and tokenize the corpus, then compute keywords, TF-IDF, keyness, "
                                   "similarity, policy emphasis, topics, text reuse and the co-word network, and write "
                                   "OUT_DIR/report.html (figures embedded), figures/*.png, tables/*.csv, "
                                   "networks/*.gexf and .graphml (for Gephi), topics.html and manifest.json.")
    _common(p, n_jobs=-1)
    p.add_argument("-o", "--out", type=_out_path, required=True,
                   help="output folder: new, empty, or an earlier report's (replaced as a whole)")
    p.add_argument("--k", type=_K, default=None, help="number of topics (default: the sweep's recommendation)")
    p.add_argument("--ks", type=_KS, default="3,4,5,6,8,10,12,15",
                   help="k values of the topic sweep (default 3,4,5,6,8,10,12,15)")
    p.add_argument("--topic-vocabulary", default="content", choices=["content", "all"],
                   help="content: topics without place names and genre boilerplate (default); all: every token")
    p.add_argument("--seed", type=_SEED, default=0, help="random seed of bootstraps and topic models (default 0)")
    p.add_argument("--n-boot", type=_N_BOOT, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--n-perm", type=_N_PERM, default=1000,
                   help="permutations of the document labels in the keyness test (default 1000; 0: none)")
    p.add_argument("--keep-places", action="store_true",
                   help="keep place names in the keyness and TF-IDF sections (default: left out)")
    p.add_argument("--reference", default=None,
                   help="reference group of the rate ratios (default: the group with the most documents)")
    p.add_argument("--figure-format", type=_formats("png", "svg", "pdf"), default="png",
                   help="figure files to write, comma-separated among png, svg, pdf (default png; svg and pdf "
                        "are vector graphics for publication)")
    p.add_argument("--table-format", type=_formats("csv", "tex", "docx", "xlsx"), default="csv",
                   help="table files to write, comma-separated among csv, tex (LaTeX, booktabs), docx (Word), "
                        "xlsx (Excel) (default csv)")
    p.add_argument("--skip", type=_formats("reuse", "network"), default=(),
                   help="sections to leave out, comma-separated among reuse (text reuse, the longest section after "
                        "the topics) and network (co-word network)")
    p.add_argument("--sources", default=None, metavar="QUERY",
                   help="text reuse: a query on the metadata choosing the common sources whose passages are not "
                        "counted as borrowing between documents (default \"level == 'national'\"; '' for none)")

    for name in ("corpus", "summary"):
        p = sub.add_parser(name, help="documents, characters and tokens per group, the most frequent terms, "
                                      "and the load account" + (" (same as corpus)" if name == "summary" else ""),
                           description="Print documents, characters and tokens per group, the skipped inputs "
                                       "counted by reason (with -o, each one in load_account.csv), and the most "
                                       "frequent terms per group.")
        _common(p)
        p.add_argument("--top", type=_TOP, default=20, help="terms shown per group (default 20)")
        p.add_argument("-o", "--out", type=_out_path, default=None,
                       help="also write summary.csv, top_terms.csv and load_account.csv into this folder")

    p = sub.add_parser("keywords", help="term frequencies per group (n, per 10,000 tokens, document frequency, rank)")
    _common(p)
    p.add_argument("--top", type=_TOP_OR_ALL, default=20, help="terms per group (default 20; 0: all)")
    p.add_argument("--ngram", type=_NGRAM, default=1, help="1: terms; 2 or 3: adjacent token pairs or triples")
    _csv_out(p)

    p = sub.add_parser("tfidf", help="the most distinctive terms per group by TF-IDF")
    _common(p)
    p.add_argument("--top", type=_TOP_OR_ALL, default=20, help="terms per group (default 20; 0: all)")
    p.add_argument("--idf", default="log", choices=["log", "smooth"],
                   help="log: ln(N/df), a term in every group scores 0 (default); smooth: scikit-learn's")
    p.add_argument("--drop-places", action="store_true", help="leave out place names")
    _csv_out(p)

    p = sub.add_parser("keyness", help="key terms of each group against the rest (G², log ratio, log-odds)")
    _common(p)
    p.add_argument("--target", default=None, help="one group to compare (default: every group against the rest)")
    p.add_argument("--reference", default=None, help="the group to compare the target with (default: the rest)")
    p.add_argument("--min-count", type=_MIN_COUNT, default=5, help="leave out rarer terms (default 5)")
    p.add_argument("--top", type=_TOP_OR_ALL, default=20, help="terms per group (default 20; 0: all)")
    p.add_argument("--n-perm", type=_N_PERM, default=1000,
                   help="permutations of the document labels for p_perm (default 1000; 0: none)")
    p.add_argument("--correction", default="none", choices=["none", "williams"], help="correction of G²")
    p.add_argument("--drop-places", action="store_true", help="leave out place names")
    p.add_argument("--seed", type=_SEED, default=0, help="random seed of the permutations (default 0)")
    _csv_out(p)

    p = sub.add_parser("emphasis", help="policy emphasis per group and dimension with bootstrap intervals")
    _common(p)
    p.add_argument("--lexicon", default="digital_policy",
                   help="digital_policy (default), policy_instruments, or a TSV file of your own")
    p.add_argument("--level", default="dimension", choices=["dimension", "subdimension"])
    p.add_argument("--resample", default="document", choices=["document", "unit"],
                   help="what the bootstrap resamples within a group (default: documents)")
    p.add_argument("--n-boot", type=_N_BOOT, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=_SEED, default=0, help="random seed (default 0)")
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
    p.add_argument("--cov-type", default=None, choices=["model", "robust", "cluster"],
                   help="standard errors (default: model, or cluster with --cluster)")
    p.add_argument("--cluster", default=None, help="metadata column to cluster the errors on (e.g. province)")
    p.add_argument("--fixed-effects", default=None,
                   help="metadata column(s) whose levels get their own baseline, comma-separated (e.g. province)")
    p.add_argument("--per", type=float, default=None,
                   help="with a numeric --by (year): the rate ratio per this many units (10: per decade)")
    p.add_argument("--categorical", action="store_true",
                   help="treat a numeric --by (year) as groups, one rate ratio per level")
    _csv_out(p)

    p = sub.add_parser("topics", help="LDA topics: the sweep over k, or prevalence or effects per group for one k")
    _common(p)
    p.add_argument("--k", type=_K, default=None, help="fit this k and output prevalence per group "
                                                    "(default: output the sweep)")
    p.add_argument("--ks", type=_KS, default="3,4,5,6,8,10,12,15",
                   help="k values of the sweep (default 3,4,5,6,8,10,12,15)")
    p.add_argument("--seed", type=_SEED, default=0, help="random seed (default 0)")
    p.add_argument("--stability-seeds", type=_SEEDS, default="1,2",
                   help="seeds of the refits that measure stability, other than --seed (default 1,2; '': none)")
    p.add_argument("--vocabulary", default="content", choices=["content", "all"],
                   help="content: without place names and genre boilerplate (default); all: every token")
    p.add_argument("--effects", action="store_true",
                   help="with --k: output the effects of --by on topic shares instead of prevalence")
    p.add_argument("--n-boot", type=_N_BOOT, default=1000, help="bootstrap resamples for prevalence (default 1000)")
    _csv_out(p)

    p = sub.add_parser("reuse", help="passages that documents share (text reuse): MinHash pre-filter, local alignment",
                       description="Find the passages that documents share: candidate places by MinHash/LSH on "
                                   "character 4-grams, exact passages by local alignment (Smith-Waterman). "
                                   "Output one row per passage, per document pair, or per pair of groups.")
    _common(p)
    p.add_argument("--table", default="passages", choices=["passages", "pairs", "groups"],
                   help="passages (default), pairs: the share of each document in a passage per document pair, "
                        "groups: per pair of --by groups")
    p.add_argument("--min-length", type=_MIN_LENGTH, default=50,
                   help="shortest passage in characters (default 50: about one sentence)")
    p.add_argument("--min-similarity", type=_fraction, default=0.8,
                   help="least share of identical aligned characters (default 0.8)")
    p.add_argument("--seed", type=_SEED, default=0, help="random seed of the MinHash permutations (default 0)")
    p.add_argument("--network", type=_out_path, default=None,
                   help="also write the reuse network of the --by groups (.gexf, .graphml or .csv)")
    p.add_argument("--sources", default=None, metavar="QUERY",
                   help="a query on the metadata choosing common sources (e.g. \"level == 'national'\"): passages "
                        "get common_source and source_share, and pairs, groups and --network leave out the passages "
                        "both documents share with a source")
    _csv_out(p)

    p = sub.add_parser("cowords", help="co-word network: co-occurrence of the top terms, Ochiai and other measures, "
                                       "Louvain communities",
                       description="Count how many units (paragraphs, documents or windows of tokens) hold each pair "
                                   "of the top terms, without place names and genre boilerplate, normalise the "
                                   "counts (Ochiai, Jaccard, association strength, PMI) and find communities.")
    _common(p, by=False)
    p.add_argument("--table", default="edges", choices=["edges", "nodes", "communities"],
                   help="edges: one row per pair of terms (default); nodes: each term's community and "
                        "centrality; communities: each community's top terms")
    p.add_argument("--unit", type=_unit, default="paragraph",
                   help="paragraph (default), document, or a window of N tokens")
    p.add_argument("--top", type=_TOP, default=100, help="terms in the most units (default 100)")
    p.add_argument("--edges", type=_TOP, default=300,
                   help="strongest edges (Ochiai) kept for the communities (default 300)")
    p.add_argument("--keep-all", action="store_true", help="keep place names and genre boilerplate")
    p.add_argument("--seed", type=_SEED, default=0, help="random seed of the communities (default 0)")
    p.add_argument("--network", type=_out_path, default=None, help="also write the network (.gexf, .graphml or .csv)")
    _csv_out(p)
    return parser


def _note(message: str) -> None:
    print(f"policytext: note: {message}", file=sys.stderr)


def _pipeline(args):
    """The corpus as one pipeline (loaded with every input accounted for, cleaned, tokenized on first use);
    --by resolved, with a note when the default column is missing."""
    from policytext.report.pipeline import Pipeline

    tokenizer = {"engine": args.segmenter} if getattr(args, "segmenter", None) else {}
    p = Pipeline(args.data_dir, by=getattr(args, "by", None), strict=args.strict, allow_outside=args.allow_outside,
                 metadata=getattr(args, "metadata", None),
                 tokenizer=tokenizer, n_jobs=getattr(args, "n_jobs", 1), cache=not getattr(args, "no_cache", False),
                 cache_dir=getattr(args, "cache_dir", None), progress=False if args.no_progress else None,
                 drop_places=getattr(args, "drop_places", False))
    docs = p.raw_docs
    if getattr(args, "by", None) is not None and args.by not in docs.columns:
        from policytext.errors import CorpusError

        columns = [c for c in docs.columns if c not in ("text", "encoding")]
        raise CorpusError(f"--by {args.by}: no such metadata column; columns are {columns}")
    if hasattr(args, "by"):
        args.by = p.by
        if p.by_fallback is not None:
            _note(f"{args.data_dir}: {p.by_fallback} (--by COLUMN to choose)")
    return p


def _outside_corpus(out: Path, data_dir: Path) -> Path:
    """``out``, refused if it lies inside the corpus folder (an input could be overwritten, and the output
    would be read as input by the next run)."""
    import os

    real_out, real_data = Path(os.path.realpath(out)), Path(os.path.realpath(data_dir))
    if real_out == real_data or real_out.is_relative_to(real_data):
        raise ValueError(f"{out}: refusing to write inside the corpus folder {data_dir} (its files are the "
                         "inputs); write somewhere else")
    return out


def _emit(table: pd.DataFrame, out: Path | None, args=None) -> None:
    from policytext.export import write_table

    if out is None:
        for line in _terminal.format_table(table, max_rows=MAX_ROWS, hint="use -o FILE.csv to write every row"):
            print(line)
    else:
        write_table(table, out, format="csv")
        print(f"{len(table)} rows written to {out}")


def _skipped_lines(skipped: pd.DataFrame, width: int) -> list[str]:
    """The skipped inputs counted by reason, with the first few of each."""
    lines = []
    for reason, n in skipped["reason"].value_counts(sort=True).items():
        lines.append(f"  {reason}: {n}")
        rows = skipped[skipped["reason"] == reason]
        for row in rows.head(SKIP_EXAMPLES).itertuples():
            where = row.file if isinstance(row.file, str) and row.file else "(no file)"
            if pd.notna(row.row):
                where += f" (metadata row {row.row})"
            lines.append(_terminal.truncate(_terminal.one_line(f"    {where}: {row.detail}"), width))
        if n > SKIP_EXAMPLES:
            lines.append(f"    and {n - SKIP_EXAMPLES} more")
    return lines


def _corpus(args) -> None:
    from policytext.compare import counting

    p = _pipeline(args)
    docs, account, tokens = p.docs, p.load_account, p.tokens
    summary = counting.corpus_summary(tokens, docs, by=args.by)
    top = counting.top_terms(counting.term_frequency(tokens, by=args.by), n=args.top)
    skipped = account[account["status"] == "skipped"]
    if args.out is not None:  # written first, so that what is printed below can point to them
        from policytext.export import write_table

        for name, table in (("summary", summary), ("top_terms", top), ("load_account", account)):
            write_table(table, args.out / f"{name}.csv")
    width = _terminal.terminal_width()

    def say(text: str = "") -> None:
        for line in _terminal.wrap(text, width, subsequent_indent="    ") if text else [""]:
            print(line)

    say(f"policytext {__version__}: {args.data_dir}")
    unread = account[account["status"] == "not read"]
    say(f"{len(docs)} documents loaded, {len(skipped)} inputs skipped"
        + (f", {len(unread)} other file(s) not read, not being texts ({', '.join(unread['file'].head(3))}"
           + (" …" if len(unread) > 3 else "") + ")" if len(unread) else ""))
    if len(skipped):
        for line in _skipped_lines(skipped, width):
            print(line)
        say(f"every skipped input is listed in {args.out / 'load_account.csv'}" if args.out is not None
            else "use -o DIR to write every skipped input to DIR/load_account.csv")
    say()
    say(f"Documents, characters and tokens per {args.by}")
    hint = (f"every row is in {args.out / 'summary.csv'}" if args.out is not None
            else "use -o DIR to write every row to DIR/summary.csv")
    for line in _terminal.format_table(summary, width=width, max_rows=MAX_ROWS, hint=hint):
        print(line)
    say()
    say(f"The {args.top} most frequent terms per {args.by} (count)")
    groups = list(top.groupby(args.by, sort=True))
    for group, rows in groups[:MAX_ROWS]:
        for line in _terminal.wrap_items(f"{group}:", [f"{t} {n}" for t, n in zip(rows["term"], rows["n"])], width):
            print(line)
    if len(groups) > MAX_ROWS:
        say(f"… {len(groups) - MAX_ROWS} more groups not shown ({len(groups)} in all): "
            + (f"every group's terms are in {args.out / 'top_terms.csv'}" if args.out is not None
               else "use -o DIR to write them all to DIR/top_terms.csv"))
    if args.out is not None:
        say()
        say(f"Tables written to {args.out}")


def _run(args) -> None:
    from policytext.compare import counting
    from policytext.compare import inference
    from policytext import report
    from policytext.topics import effects as topic_effects
    from policytext.topics import selection as topic_selection
    from policytext.topics import model as topics
    from policytext.compare import weighting
    from policytext.compare.keyness import keyness
    from policytext.compare.emphasis import emphasis

    if not args.data_dir.is_dir():
        raise ValueError(f"{args.data_dir}: not a folder")
    for name in ("out", "network"):  # checked before any work
        if getattr(args, name, None) is not None:
            _outside_corpus(getattr(args, name), args.data_dir)
    if args.command in ("corpus", "summary"):
        return _corpus(args)
    if args.command == "report":
        config = report.ReportConfig(by=args.by, k=args.k, ks=args.ks, random_state=args.seed,
                                     n_boot=args.n_boot, n_perm=args.n_perm, drop_places=not args.keep_places,
                                     rates_reference=args.reference, topic_vocabulary=args.topic_vocabulary,
                                     n_jobs=args.n_jobs, cache=not args.no_cache,
                                     tokenizer={"engine": args.segmenter},
                                     cache_dir=args.cache_dir,
                                     progress=False if args.no_progress else None,
                                     strict=args.strict, allow_outside=args.allow_outside,
                                     metadata=args.metadata,
                                     figure_formats=args.figure_format, table_formats=args.table_format,
                                     skip=args.skip,
                                     **({} if args.sources is None else {"reuse_sources": args.sources or None}))
        path = report.build_report(args.data_dir, args.out, config)
        print(f"report written to {path}")
        return None
    if args.command == "reuse":
        return _emit(_reuse(args), args.out)
    p = _pipeline(args)
    tokens = p.tokens
    if args.command == "cowords":
        return _emit(_cowords(args, tokens), args.out)
    if args.command == "keywords":
        freq = (counting.term_frequency(tokens, by=args.by) if args.ngram == 1
                else counting.ngram_frequency(tokens, ngram=args.ngram, by=args.by))
        table = counting.top_terms(freq, n=args.top) if args.top else freq
    elif args.command == "tfidf":
        table = weighting.tfidf(p.matrix, by=args.by, n=args.top or None, idf=args.idf)
    elif args.command == "keyness":
        table = keyness(p.matrix, by=args.by,
                        target=args.target, reference=args.reference, min_count=args.min_count,
                        n_perm=args.n_perm, correction=args.correction, random_state=args.seed)
        if args.top:
            table = table.groupby(args.by, sort=False).head(args.top)
    elif args.command == "emphasis":
        table = emphasis(tokens, by=args.by, lexicon=args.lexicon, level=args.level, resample=args.resample,
                         n_boot=args.n_boot, random_state=args.seed)
    elif args.command == "rates":
        terms = [t.strip() for t in args.terms.split(",") if t.strip()] if args.terms else None
        fixed = [c.strip() for c in args.fixed_effects.split(",") if c.strip()] if args.fixed_effects else []
        table = inference.compare_rates(tokens, covariates=args.by, terms=terms,
                                        lexicon=None if terms else args.lexicon, reference=args.reference,
                                        categorical=[args.by] if args.categorical else [],
                                        per={args.by: args.per} if args.per else None, fixed_effects=fixed,
                                        family=args.family, cov_type=args.cov_type, cluster=args.cluster)
    else:  # topics
        content = args.vocabulary == "content"
        vocabulary = {"drop_places": content, "drop_boilerplate": content}
        seeds = args.stability_seeds
        progress = False if args.no_progress else None
        if args.k is None:
            table = topic_selection.lda_sweep(tokens, ks=args.ks, random_state=args.seed, stability_seeds=seeds,
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


def _reuse(args) -> pd.DataFrame:
    from policytext import networks
    from policytext import reuse

    docs = _pipeline(args).docs
    by = None if args.by == "doc_id" else args.by
    passages = reuse.find_reuse(docs, by=by, min_length=args.min_length, min_similarity=args.min_similarity,
                                n_jobs=args.n_jobs, random_state=args.seed,
                                progress=False if args.no_progress else None)
    counted = passages
    if args.sources:
        passages = reuse.attribute_sources(passages, docs, sources=args.sources)
        counted = reuse.without_sources(passages)
        _note(f"--sources {args.sources}: {len(passages) - len(counted)} of {len(passages)} passages attributed to "
              "a common source, left out of pairs, groups and the network")
    if args.network is not None:
        path = networks.write_network(reuse.reuse_network(counted, docs, by=by), args.network)
        _note(f"reuse network written to {path}")
    if args.table == "pairs":
        return reuse.reuse_pairs(counted, docs)
    if args.table == "groups":
        if by is None:
            raise ValueError("--table groups needs groups: the corpus has no --by column (every document is its "
                             "own group); use --table pairs")
        return reuse.reuse_groups(counted, docs, by=by)
    return passages


def _cowords(args, tokens) -> pd.DataFrame:
    from policytext import networks

    keep = args.keep_all
    edges = networks.cooccurrence(tokens, unit=args.unit, n=args.top, drop_places=not keep,
                                  drop_boilerplate=not keep)
    if args.table == "edges" and args.network is None:
        return edges
    graph = networks.coword_network(edges, weight="ochiai", n=args.edges)
    nodes = networks.coword_communities(graph, random_state=args.seed)
    if args.network is not None:
        _note(f"co-word network written to {networks.write_network(graph, args.network)}")
    return {"edges": edges, "nodes": nodes, "communities": networks.community_terms(nodes)}[args.table]


def _check(parser: argparse.ArgumentParser, args) -> None:
    """The checks that involve more than one option (one option's own are in its type)."""
    seeds = getattr(args, "stability_seeds", None)
    if seeds and set(seeds) <= {args.seed}:
        parser.error(f"--stability-seeds {','.join(map(str, seeds))}: the refits need a seed other than "
                     f"--seed {args.seed}")


def _one_line(message) -> str:
    """A message of several lines (a list of inputs, say) as one line: the first ones, and how many more."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    head, rest = lines[0].rstrip(":"), lines[1:]
    more = f"; and {len(rest) - 3} more" if len(rest) > 3 else ""
    return f"{head}: {'; '.join(rest[:3])}{more}"


class _Stopped(BaseException):
    """SIGTERM (``kill <pid>``): unwinds like Ctrl-C, so that pools end their workers and partial output goes."""


def _stop(signum, frame) -> None:
    raise _Stopped(signum)


def _safe_streams() -> None:
    """A terminal whose encoding cannot show Chinese (ASCII, Latin-1) gets escapes instead of a codec error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "中文".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (AttributeError, ValueError):
                continue
            if stream is sys.stderr:
                print(f"policytext: note: this terminal's encoding ({encoding}) cannot show Chinese text; it is "
                      "shown as \\u escapes (set PYTHONIOENCODING=utf-8, or write tables with -o FILE.csv)",
                      file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    _safe_streams()
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        _check(parser, args)
    except SystemExit as stop:  # --help, --version, or a usage error already printed in one line
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="policytext: %(levelname)s: %(message)s")
    from policytext.text.segmentation import jieba_logger

    quiet = jieba_logger()
    quiet.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    quiet.propagate = False  # it has a handler of its own
    previous = signal.signal(signal.SIGTERM, _stop) if threading.current_thread() is threading.main_thread() else None
    try:
        _run(args)
    except KeyboardInterrupt:
        print("policytext: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except _Stopped:
        print("policytext: stopped (SIGTERM); nothing more was written", file=sys.stderr)
        return 143
    except BrokenProcessPool:
        print("policytext: error: a worker process ended unexpectedly (killed, or out of memory); nothing more was "
              "written; try again, or with --n-jobs 1", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (policytext corpus data | head): not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")  # nothing more to flush into the closed pipe at exit
        except OSError:
            pass
        return 0
    except (ValueError, KeyError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"policytext: error: {_one_line(message)}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
