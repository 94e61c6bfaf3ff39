"""The one-command report: the whole pipeline on a corpus, as HTML, CSV tables and a manifest.

The corpus is read, cleaned and tokenized once; every analysis works on that one
tokens table. Output folder::

    report.html      self-contained (figures embedded, each a link to its file)
    figures/*.png    the same figures as files (also .svg, .pdf: ReportConfig.figure_formats)
    tables/*.csv     every table of the report (also .tex, .docx: ReportConfig.table_formats)
    networks/        the text-reuse and co-word networks as GEXF and GraphML (Gephi)
    topics.html      the interactive view of the topic model
    model/           the fitted topic model
    manifest.json    package versions, configuration, seeds, SHA-256 of the inputs,
                     lexicons, stopword layers and cleaning rules; the run's timings and
                     cache hits under "timings"

A rerun with the same inputs and settings writes the same bytes into every file,
whether it computes or reads its cache; only the ``timings`` section of
``manifest.json`` (:data:`TIMING_KEYS`) differs.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import importlib.metadata
import io
import json
import logging
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext.text import cleaning
from policytext.compare import counting
from policytext import export
from policytext.compare import inference
from policytext.io import loading
from policytext import networks
from policytext.text import places
from policytext import plots
from policytext.io import resources
from policytext import reuse
from policytext.text import segmentation
from policytext.topics import effects as topic_effects
from policytext.topics import selection as topic_selection
from policytext.topics import model as topics
from policytext.compare import weighting
from policytext._core.cache import package_fingerprint
from policytext._core.output import default_mode, write_atomic
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext.errors import NotEstimable
from policytext.compare.keyness import keyness
from policytext.compare.emphasis import emphasis, emphasis_examples, emphasis_terms

__all__ = ["build_report", "ReportConfig", "TIMING_KEYS", "SKIPPABLE"]

logger = logging.getLogger(__name__)

PACKAGES = ("policytext", "jieba", "opencc", "stopwordsiso", "pandas", "numpy", "scipy", "scikit-learn", "gensim",
            "matplotlib", "seaborn", "wordcloud", "pyLDAvis", "pylopdf-fonts-zh-cn", "python-docx")


#: Sections of the report that ``ReportConfig(skip=...)`` (``report --skip``) can leave out.
SKIPPABLE = ("reuse", "network")


@dataclass
class ReportConfig:
    """Settings of a report run (all recorded in the manifest).

    ``drop_places``: leave place names out of the keyness and TF-IDF sections
    (they mostly say where a text comes from). ``n_perm``: permutations of the
    document labels in the keyness test. ``rates_reference``: the reference
    group of the rate ratios and the topic effects (default: the group with
    the most documents). ``topic_vocabulary``: ``"content"`` fits the topics
    without place names and genre boilerplate, ``"all"`` on every token.
    ``sweep_stability_seeds``: the refits of each k in the sweep;
    ``sweep_iterations``: Gibbs iterations of the sweep's fits (None: as the
    final model's, 200). The default, 60, keeps the report fast; on the city
    reports the held-out log-likelihood at 60 iterations was 0.03 to 0.06 nats
    per word below that at 200, with the same order of k and the same
    recommendation;
    ``stability_seeds``: the refits that check the final model's topics.
    ``n_jobs``: processes (-1: every core): the topics run beside the other
    sections, and topic fits in parallel. ``cache``: tokens, fitted models and
    finished sections are cached, so that a rerun with nothing changed reads
    them.

    ``figure_formats``: the files written for each figure,
    ``figures/<name>.<format>``, among ``png``, ``svg`` and ``pdf`` (vector);
    report.html always embeds PNG. ``table_formats``: the files written for
    each table, ``tables/<name>.<format>``, among ``csv``, ``tex`` (LaTeX,
    booktabs) and ``docx`` (Word); see :mod:`policytext.export`.
    ``strict``: stop at the first input that cannot be loaded instead of
    skipping it; ``allow_outside``: read files that the metadata or a link
    places outside the corpus folder (both passed to
    :func:`policytext.load_corpus`). ``by``: the metadata column to compare
    (an error if the corpus lacks it); left as None, ``province``, or, when the
    corpus has no such column (a folder of texts without metadata), each
    document as its own group (``doc_id``), and the report says so.
    ``stability_seeds`` and ``sweep_stability_seeds`` default to
    ``(random_state + 1,)``.

    ``reuse_min_length``, ``reuse_min_similarity``: the shortest passage (in
    characters) and the least share of identical characters for text reuse
    (:func:`policytext.find_reuse`). ``coword_top``: the terms of the co-word
    network (those in most units), ``coword_unit``: what counts as together
    (``"paragraph"``, ``"document"`` or a window of so many tokens),
    ``coword_edges``: the strongest edges (Ochiai) kept for the communities and
    the figure (:func:`policytext.cooccurrence`). ``skip``: sections left
    out, among :data:`SKIPPABLE`; text reuse is the report's longest section
    after the topics (about 55 s of one core on the 141 city reports).

    Examples
    --------
    >>> ReportConfig(figure_formats=("png", "pdf"), table_formats=("csv", "docx")).table_formats
    ('csv', 'docx')
    >>> ReportConfig(figure_formats="svg").figure_formats
    ('svg',)
    """

    by: str | None = None
    k: int | None = None
    ks: Sequence[int] = (3, 4, 5, 6, 8, 10, 12, 15)
    random_state: int = 0
    n_boot: int = 1000
    top: int = 20
    min_count: int = 5
    stability_seeds: Sequence[int] | None = None
    sweep_stability_seeds: Sequence[int] | None = None
    sweep_iterations: int | None = 60
    topic_vocabulary: str = "content"
    n_draws: int = 25
    n_perm: int = 1000
    drop_places: bool = True
    rates_reference: str | None = None
    n_jobs: int = -1
    cache: bool = True
    cache_dir: str | Path | None = None
    progress: bool | None = None
    tokenizer: dict = field(default_factory=dict)
    figure_formats: Sequence[str] = ("png",)
    table_formats: Sequence[str] = ("csv",)
    strict: bool = False
    allow_outside: bool = False
    reuse_min_length: int = 50
    reuse_min_similarity: float = 0.8
    coword_top: int = 100
    coword_unit: str | int = "paragraph"
    coword_edges: int = 300
    skip: Sequence[str] = ()

    def __post_init__(self):
        self.skip = tuple(dict.fromkeys(self.skip))
        unknown = [name for name in self.skip if name not in SKIPPABLE]
        if unknown:
            raise ValueError(f"skip: {unknown} cannot be skipped; choose among {list(SKIPPABLE)}")
        # a refit with the model's own seed would measure nothing: the default refit takes the next seed
        for name in ("stability_seeds", "sweep_stability_seeds"):
            if getattr(self, name) is None:
                setattr(self, name, (self.random_state + 1,))
            elif set(getattr(self, name)) and set(getattr(self, name)) <= {self.random_state}:
                raise ValueError(f"{name}: {list(getattr(self, name))} holds only random_state "
                                 f"({self.random_state}); a refit needs another seed")
        self.figure_formats = _formats(self.figure_formats, plots.FIGURE_FORMATS, "figure_formats")
        self.table_formats = _formats(self.table_formats, export.TABLE_FORMATS, "table_formats")


def _formats(value, allowed: Sequence[str], name: str) -> tuple[str, ...]:
    formats = (value,) if isinstance(value, str) else tuple(value)
    formats = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    bad = [f for f in formats if f not in allowed]
    if bad or not formats:
        raise ValueError(f"{name}: {', '.join(bad) or 'none given'}; choose from {', '.join(allowed)}")
    return formats


#: The column grouped by when ``by`` is not given; a corpus without it is grouped by document.
DEFAULT_BY = "province"

#: The keys of manifest.json that differ between runs of the same report: how long it took, what came from the cache.
TIMING_KEYS = ("timings",)


def _figure(fig, config: "ReportConfig") -> dict[str, bytes]:
    """A figure's files: PNG (embedded in the page) and each of the configured formats, then the figure closed."""
    import matplotlib.pyplot as plt

    files = {fmt: plots.figure_bytes(fig, fmt, dpi=plots.REPORT_DPI)
             for fmt in dict.fromkeys(("png", *config.figure_formats))}
    plt.close(fig)
    return files


class _ReportFolder:
    """The output folder of a report, written as a whole or not at all.

    The run writes into a staging folder beside ``out`` (``.<name>.partial-*``);
    :meth:`commit` then puts it in the place of ``out`` in two renames, so the
    folder never mixes files of two runs, and a failed or interrupted run leaves
    the earlier report as it was. A folder that holds files policytext did not
    write (its manifest lists every file of the run) is refused, naming them, so
    nothing of the user's is ever removed.
    """

    #: Names a report of an earlier version wrote, before manifests listed their files.
    LEGACY = ("report.html", "manifest.json", "topics.html", "figures/", "tables/", "networks/", "model/")

    def __init__(self, out: Path, data_dir: Path):
        self.out = Path(out)
        self.files: list[str] = []
        self.staging: Path | None = None
        if str(out) == "":
            raise ValueError("the output folder is empty text; name a folder, e.g. -o report")
        if self.out.is_symlink():
            raise ValueError(f"{self.out} is a symbolic link; give the folder itself")
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"{self.out} exists and is not a folder")
        real_out, real_data = Path(os.path.realpath(self.out)), Path(os.path.realpath(data_dir))
        if real_out == real_data or real_out.is_relative_to(real_data) or real_data.is_relative_to(real_out):
            raise ValueError(f"{self.out}: the report folder must lie outside the corpus folder {data_dir} "
                             "(and not hold it): choose another folder with -o")
        self._refuse_foreign()

    def _ours(self) -> set[str] | None:
        """The files the report now in ``out`` wrote, by its manifest; None if it has no readable one."""
        try:
            manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not str(manifest.get("created_with", "")).startswith("policytext"):
            return None
        return set(manifest["files"]) if isinstance(manifest.get("files"), list) else None

    def _present(self) -> list[str]:
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if not p.is_dir())

    def _refuse_foreign(self) -> None:
        if not self.out.is_dir():
            return
        present = self._present()
        if not present:
            return
        ours = self._ours()
        if ours is None:
            legacy = (self.out / "manifest.json").is_file() and self._ours_legacy()
            foreign = [f for f in present if not legacy or not f.startswith(self.LEGACY)]
        else:
            foreign = [f for f in present if f not in ours and f != "manifest.json"]
        if foreign:
            more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            raise ValueError(f"{self.out} holds files that policytext did not write ({', '.join(foreign[:5])}{more}); "
                             "a report replaces its whole folder, so choose a new or empty folder with -o")

    def _ours_legacy(self) -> bool:
        try:
            manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return str(manifest.get("created_with", "")).startswith("policytext") and "files" not in manifest

    def __enter__(self) -> "_ReportFolder":
        import tempfile

        parent = self.out.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.out.name}.partial-"))
        os.chmod(self.staging, default_mode(folder=True))  # mkdtemp made it private
        return self

    def __exit__(self, kind, value, traceback) -> None:
        import shutil

        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)  # a folder this run made, and only that
        self.staging = None

    def path(self, rel: str) -> Path:
        """Where to write the report's file ``rel`` (its folder made); the file is recorded."""
        target = self.staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(rel)
        return target

    def write(self, rel: str, data: bytes | str) -> None:
        write_atomic(self.path(rel), data)

    def commit(self) -> Path:
        """Put the staging folder in the place of ``out``; the earlier report goes."""
        import shutil

        self._refuse_foreign()  # files may have arrived while the report ran
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, old)
        try:
            os.replace(self.staging, self.out)
        except OSError:
            if old is not None:
                os.replace(old, self.out)
            raise
        self.staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out


class _NotRun(Exception):
    """A section that cannot run on this corpus: the report says why instead of showing it."""


def _check_before_work(docs: pd.DataFrame, config: "ReportConfig", by: str) -> None:
    """The checks that need the documents but not their tokens: made before any work."""
    if config.rates_reference is not None and by != "doc_id":
        groups = counting.group_keys(docs, by)[1][by]
        if config.rates_reference not in set(groups):
            shown = sorted(set(groups))
            raise ValueError(f"--reference {config.rates_reference}: no such {by} in the corpus; "
                             f"its {by} values are {shown[:20]}{' …' if len(shown) > 20 else ''}")


def _check_topics_before_work(tokens: pd.DataFrame, config: "ReportConfig") -> None:
    """An explicit k needs more paragraphs than topics: refused before the sections run."""
    if config.k is None:
        return
    n_units = len(tokens[["doc_id", "para_id"]].drop_duplicates()) if len(tokens) else 0
    if config.k >= n_units:
        raise NotEstimable(f"--k {config.k}: the corpus has {n_units} paragraph(s) with tokens; a topic model needs "
                           "more paragraphs than topics (choose a smaller --k)")


def build_report(data_dir: str | Path, out_dir: str | Path, config: ReportConfig | None = None) -> Path:
    """Run the whole pipeline on ``data_dir`` and write the report into ``out_dir``.

    ``out_dir`` is replaced as a whole when the run succeeds (see the module
    documentation); it must be new, empty, or a report folder that policytext
    wrote. Returns the path of ``report.html``.
    """
    config = config or ReportConfig()
    start = time.perf_counter()
    if not Path(data_dir).is_dir():
        raise loading.CorpusError(f"{data_dir}: not a folder")
    folder = _ReportFolder(Path(out_dir), Path(data_dir))

    docs, account = loading.load_corpus(data_dir, strict=config.strict, allow_outside=config.allow_outside,
                                        return_account=True)
    if docs.empty:
        raise loading.CorpusError(f"{data_dir}: no document could be loaded")
    requested = config.by or DEFAULT_BY
    notes: dict[str, str] = {}
    if config.by is not None and config.by not in docs.columns:
        columns = [c for c in docs.columns if c not in ("text", "encoding")]
        raise loading.CorpusError(f"by={config.by!r}: no such metadata column; columns are {columns}")
    if requested not in docs.columns:
        columns = [c for c in docs.columns if c not in ("doc_id", "file", "text", "encoding")]
        notes["by_fallback"] = (f"The corpus has no column <code>{html.escape(requested)}</code>"
                                + (f" (its metadata columns: {html.escape(', '.join(columns))})" if columns else
                                   " (it has no metadata)")
                                + ": every document is its own group (<code>doc_id</code>). Add a metadata.csv "
                                  "with that column, or choose another one with <code>--by</code>, to compare "
                                  "groups of documents.")
        logger.warning("the corpus has no column %r (metadata columns: %s); grouping by doc_id instead, each "
                       "document its own group", requested, ", ".join(columns) or "none")
        config = dataclasses.replace(config, by="doc_id")
    elif config.by is None:
        config = dataclasses.replace(config, by=requested)
    by = config.by
    _check_before_work(docs, config, by)
    docs = cleaning.clean(docs, progress=config.progress)
    tokenizer = segmentation.PolicyTokenizer(**config.tokenizer)
    tokens = segmentation.tokenize(docs, tokenizer=tokenizer, n_jobs=config.n_jobs, cache=config.cache,
                                   cache_dir=config.cache_dir, progress=config.progress)
    _check_topics_before_work(tokens, config)

    tables: dict[str, pd.DataFrame] = {}
    figures: dict[str, dict[str, bytes]] = {}
    timings: dict[str, float] = {"load, clean, tokenize": time.perf_counter() - start}
    sizes = counting.group_sizes(tokens, by=by)
    tables["group_sizes"] = sizes
    tables["corpus_summary"] = counting.corpus_summary(docs, tokens, by=by)
    tables["load_account"] = account
    tables["clean_account"] = cleaning.clean_account(docs)
    # whether a document's tokens came from the cache differs between a first run and a rerun: it goes into
    # the manifest's timings, not into the table
    tokenize_account = segmentation.tokenize_account(tokens)
    from_cache = int(tokenize_account["from_cache"].sum()) if "from_cache" in tokenize_account else None
    tables["tokenize_account"] = tokenize_account.drop(columns=["from_cache"], errors="ignore")

    # the sections: each cached on disk, keyed by what it reads and its settings; with more than one job, the
    # topics run in this process while a helper process computes the other sections
    store = _SectionStore(config)
    keys = {"tokens": _tokens_fingerprint(tokens), "docs": _docs_fingerprint(docs)}
    others = [("words", _section_words), ("keyness", _section_keyness), ("emphasis", _section_emphasis),
              ("network", _section_network)]
    alone = [("reuse", _section_reuse)]  # the longest of the others: a process of its own
    others = [(name, f) for name, f in others if name not in config.skip]
    alone = [(name, f) for name, f in alone if name not in config.skip]
    n_jobs = resolve_n_jobs(config.n_jobs)
    results: dict[str, _Section] = {}
    if n_jobs > 1:
        with process_pool(2) as helper:
            pending = [helper.submit(_run_sections, part, tokens, docs, config, keys) for part in (others, alone)
                       if part]
            results["topics"] = store.run("topics", _section_topics, tokens, docs, config, keys, n_jobs=n_jobs)
            for job in pending:
                results.update(job.result())
    else:
        results.update(_run_sections(others + alone, tokens, docs, config, keys))
        results["topics"] = store.run("topics", _section_topics, tokens, docs, config, keys, n_jobs=1)
    sections_from_cache = []
    with folder:
        for name in ("words", "keyness", "emphasis", "reuse", "network", "topics"):
            if name in config.skip:
                continue
            section = results[name]
            tables.update(section.tables)
            figures.update(section.figures)
            notes.update(section.notes)
            timings[name] = section.seconds
            if section.from_cache:
                sections_from_cache.append(name)
            for rel, data in section.files.items():
                folder.write(rel, data)
        k = int(notes["k"]) if "k" in notes else None

        for name, table in tables.items():
            for fmt in config.table_formats:
                export.write_table(table, folder.path(f"tables/{name}.{fmt}"))
        for name, files in figures.items():
            for fmt in config.figure_formats:
                folder.write(f"figures/{name}.{fmt}", files[fmt])
        manifest = _manifest(data_dir, docs, dataclasses.replace(config, by=requested), k, tokenizer)
        manifest["by_used"] = by
        page = _html(data_dir, by, k, tables, figures, manifest, notes, config)
        folder.write("report.html", page)
        manifest["files"] = sorted([*folder.files, "manifest.json"])
        manifest["timings"] = {"seconds": round(time.perf_counter() - start, 1),
                               "sections_seconds": {name: round(t, 2) for name, t in timings.items()},
                               "documents_tokenized_from_cache": from_cache,
                               "sections_from_cache": sections_from_cache}
        folder.write("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        out = folder.commit()
    path = out / "report.html"
    logger.info("report written to %s in %.1f s (%s)", path, time.perf_counter() - start,
                ", ".join(f"{name} {t:.1f} s" for name, t in timings.items()))
    return path


@dataclass
class _Section:
    """What a section of the report produces: tables, figures (name -> format -> bytes), notes and files
    (relative path -> bytes); how long it took and whether it was read from the cache."""

    tables: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    seconds: float = 0.0
    from_cache: bool = False


#: Settings each section depends on (its cache key holds them and nothing else).
_SECTION_SETTINGS = {
    "words": ("by", "top", "min_count", "drop_places", "random_state", "figure_formats"),
    "keyness": ("by", "top", "min_count", "drop_places", "n_perm", "random_state", "figure_formats"),
    "emphasis": ("by", "n_boot", "random_state", "rates_reference", "figure_formats"),
    "topics": ("by", "k", "ks", "random_state", "n_boot", "stability_seeds", "sweep_stability_seeds",
               "sweep_iterations", "topic_vocabulary", "n_draws", "rates_reference", "figure_formats"),
    "reuse": ("by", "reuse_min_length", "reuse_min_similarity", "random_state", "figure_formats"),
    "network": ("coword_top", "coword_unit", "coword_edges", "random_state", "figure_formats"),
}
#: What each section reads besides its settings: the tokens (with the documents' metadata) and/or the documents
#: (cleaned texts and metadata). Its cache key holds the fingerprint of each.
_SECTION_INPUTS = {
    "words": ("tokens",),
    "keyness": ("tokens",),
    "emphasis": ("tokens", "docs"),  # the examples quote the cleaned texts
    "topics": ("tokens",),
    "reuse": ("docs",),  # aligns the cleaned texts; groups and dates from the metadata
    "network": ("tokens",),
}
_SECTION_FORMAT = 4
#: Packages whose versions can change a section's output (figures included).
_SECTION_PACKAGES = ("policytext", "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "matplotlib", "seaborn",
                     "wordcloud", "gensim", "tomotopy", "pyLDAvis", "datasketch", "biopython", "networkx")


def _tokens_fingerprint(tokens: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for col in tokens.columns:
        values = tokens[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            digest.update("\n".join(map(str, values.cat.categories)).encode("utf-8", "surrogatepass"))
            digest.update(values.cat.codes.to_numpy().tobytes())
        else:
            digest.update(np.asarray(values).tobytes() if values.dtype != object else
                          "\n".join(map(str, values)).encode("utf-8", "surrogatepass"))
    meta = counting.document_metadata(tokens)
    if meta is not None:
        digest.update(meta.to_csv(index=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _docs_fingerprint(docs: pd.DataFrame) -> str:
    """SHA-256 of what a section can read of the documents: ids, cleaned texts and every metadata column."""
    digest = hashlib.sha256()
    columns = [c for c in docs.columns if c not in ("text", "encoding")]
    digest.update("\0".join(map(str, columns)).encode("utf-8", "surrogatepass"))
    for col in columns:
        digest.update(b"\1" + str(docs[col].dtype).encode())
        for value in docs[col].tolist():
            digest.update(b"\0" + ("\2" if value is None or value is pd.NA or (isinstance(value, float) and value != value)
                                   else str(value)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class _SectionStore:
    """Sections of the report read from, or written to, the cache (Parquet tables, figure bytes, JSON notes)."""

    def __init__(self, config: ReportConfig):
        from policytext._core.cache import ArrayStore, default_cache_dir

        self.config = config
        self.store = ArrayStore(Path(config.cache_dir) if config.cache_dir is not None else default_cache_dir(),
                                "report") if config.cache else None

    def key(self, name: str, keys: dict) -> str:
        from policytext._core.cache import ArrayStore

        settings = {s: (list(v) if isinstance(v, tuple) else v) for s in _SECTION_SETTINGS[name]
                    for v in [getattr(self.config, s)]}
        versions = {p: _version(p) for p in _SECTION_PACKAGES}
        return ArrayStore.key(str(_SECTION_FORMAT), name, package_fingerprint(),
                              json.dumps(settings, sort_keys=True, default=str), json.dumps(versions, sort_keys=True),
                              *(f"{k}={keys[k]}" for k in _SECTION_INPUTS[name]),
                              json.dumps(self.config.tokenizer, sort_keys=True, default=str))

    def run(self, name: str, compute, tokens, docs, config, keys, **options) -> _Section:
        started = time.perf_counter()
        key = self.key(name, keys) if self.store is not None else None
        if key is not None:
            arrays = self.store.get_arrays(key)
            if arrays is not None:
                section = _unpack(arrays)
                section.seconds = time.perf_counter() - started
                section.from_cache = True
                logger.info("report section %s read from the cache", name)
                return section
        try:
            section = compute(tokens, docs, config, **options)
        except (_NotRun, NotEstimable) as reason:  # cheap to find again: not cached
            logger.warning("report section %s not run: %s", name, reason)
            section = _Section(notes={f"not_run:{name}": str(reason)})
            section.seconds = time.perf_counter() - started
            return section
        if key is not None:
            self.store.put_arrays(key, _pack(section))
        section.seconds = time.perf_counter() - started
        return section


def _version(name: str):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _pack(section: _Section) -> dict:
    arrays = {"notes": np.array(json.dumps(section.notes, ensure_ascii=False))}
    for name, table in section.tables.items():
        buffer = io.BytesIO()
        plain = table.copy(deep=False)
        plain.attrs = {}  # what the report needs from attrs is in the notes; attrs may hold tables
        plain.to_parquet(buffer, index=False)
        arrays[f"table:{name}"] = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
    for name, files in section.figures.items():
        for fmt, data in files.items():
            arrays[f"figure:{name}.{fmt}"] = np.frombuffer(data, dtype=np.uint8)
    for rel, data in section.files.items():
        arrays[f"file:{rel}"] = np.frombuffer(data, dtype=np.uint8)
    return arrays


def _unpack(arrays: dict) -> _Section:
    section = _Section(notes=json.loads(str(arrays["notes"])))
    for key, value in arrays.items():
        kind, _, name = key.partition(":")
        if kind == "table":
            section.tables[name] = pd.read_parquet(io.BytesIO(value.tobytes()))
        elif kind == "figure":
            figure, _, fmt = name.rpartition(".")
            section.figures.setdefault(figure, {})[fmt] = value.tobytes()
        elif kind == "file":
            section.files[name] = value.tobytes()
    return section


def _run_sections(sections, tokens, docs, config, keys) -> dict:
    """Several sections in turn (in a helper process, or in this one)."""
    store = _SectionStore(config)
    return {name: store.run(name, compute, tokens, docs, config, keys) for name, compute in sections}


def _section_words(tokens, docs, config) -> _Section:
    by, out = config.by, _Section()
    sizes = counting.group_sizes(tokens, by=by)
    freq = counting.term_frequency(tokens, by=by)
    out.tables["top_terms"] = counting.top_terms(freq, n=config.top)
    flagged = freq.merge(sizes[[by, "single_document"]], on=by, how="left")
    out.figures["top_terms"] = _figure(plots.top_terms(counting.top_terms(flagged, n=10), by=by), config)
    out.figures["wordclouds"] = _figure(plots.wordclouds(flagged, by=by, random_state=config.random_state),
                                        config)
    compared = places.drop_place_names(tokens) if config.drop_places else tokens
    out.notes["places"] = (f"Place names left out of TF-IDF and keyness: {len(tokens) - len(compared):,} tokens "
                           f"({(len(tokens) - len(compared)) / max(1, len(tokens)):.1%}): provinces, prefecture- and "
                           "county-level divisions, their short forms and regions (policytext.place_names)."
                           if config.drop_places else "Place names are kept in TF-IDF and keyness (drop_places off).")
    out.tables["tfidf"] = weighting.tfidf(compared, by=by, top=config.top)
    out.tables["collocations"] = counting.collocations(tokens, min_count=config.min_count).head(100)
    sim = weighting.similarity(tokens, by=by, matrix=True)
    out.tables["similarity"] = sim.reset_index()
    out.figures["similarity"] = _figure(plots.similarity(sim, title=f"Cosine similarity of TF-IDF by {by}",
                                                         n_docs=sizes.set_index(by)["n_docs"]), config)
    return out


def _section_keyness(tokens, docs, config) -> _Section:
    by, out = config.by, _Section()
    compared = places.drop_place_names(tokens) if config.drop_places else tokens
    key = keyness(compared, by=by, min_count=config.min_count, n_perm=config.n_perm,
                  random_state=config.random_state)
    if key.empty:
        raise NotEstimable(f"no term occurs {config.min_count} times or more in the corpus (min_count), so no term "
                           "can be compared between groups")
    out.tables["keyness"] = key.groupby(by, sort=True).head(config.top).reset_index(drop=True)
    out.tables["keyness_significance"] = _significance_counts(key, by)
    out.figures["keyness"] = _figure(plots.keyness(key, by=by), config)
    return out


def _section_emphasis(tokens, docs, config) -> _Section:
    by, out = config.by, _Section()
    emph = emphasis(tokens, by=by, n_boot=config.n_boot, random_state=config.random_state)
    out.tables["emphasis"] = emph
    drivers = emphasis_terms(tokens, by=None).query("hits > 0")
    out.tables["emphasis_terms"] = emphasis_terms(tokens, by=by).query("hits > 0")
    out.tables["emphasis_drivers"] = (drivers.sort_values(["dimension", "hits"], ascending=[True, False],
                                                          kind="stable")
                                      .groupby("dimension", sort=False).head(5).reset_index(drop=True))
    out.tables["emphasis_examples"] = emphasis_examples(tokens, docs, n=3, random_state=config.random_state)
    out.figures["emphasis_heatmap"] = _figure(plots.emphasis_heatmap(emph, by=by), config)
    out.figures["emphasis_intervals"] = _figure(plots.emphasis_intervals(emph, by=by), config)
    if by == "doc_id":  # one document per group: no variation between documents to compare rates against
        out.notes["rate_ratios"] = ("Not estimated: every document is its own group, so there is no variation "
                                    "between the documents of a group to judge a difference by.")
    else:
        rates = inference.compare_rates(tokens, covariates=by, lexicon="digital_policy",
                                        reference=config.rates_reference)
        out.tables["rate_ratios"] = rates
        out.figures["rate_ratios"] = _figure(
            plots.rate_ratios(rates, labels=dict(zip(emph["dimension"], emph["label"]))), config)
    instruments = emphasis(tokens, by=by, lexicon="policy_instruments", n_boot=config.n_boot,
                           random_state=config.random_state)
    out.tables["instruments"] = instruments
    out.figures["instruments"] = _figure(plots.emphasis_intervals(instruments, by=by, value="share"), config)
    return out


def _section_topics(tokens, docs, config, *, n_jobs: int = 1) -> _Section:
    import tempfile

    by, out = config.by, _Section()
    fits = {"n_jobs": n_jobs, "cache": config.cache, "cache_dir": config.cache_dir, "progress": config.progress}
    content = config.topic_vocabulary == "content"
    vocabulary = {"drop_places": content, "drop_boilerplate": content}
    out.notes["topic_vocabulary"] = (
        "Topics are fitted without place names and without the policy-genre boilerplate (the stopword layer "
        "'policy' and data/stopwords/topic_boilerplate.txt: 建设, 发展, 完成 ...), which rank high in most topics "
        "without telling them apart." if content else "Topics are fitted on every token (no vocabulary filter).")
    sweep_options = {} if config.sweep_iterations is None else {"iterations": config.sweep_iterations}
    sweep = topic_selection.lda_sweep(tokens, ks=list(config.ks), random_state=config.random_state,
                                      stability_seeds=list(config.sweep_stability_seeds), **vocabulary, **fits,
                                      **sweep_options)
    out.notes["sweep_iterations"] = str(config.sweep_iterations or "as the final model")
    out.tables["lda_sweep"] = sweep
    logger.info("topics: sweep over k = %s done", list(config.ks))
    out.notes["sweep_rule"] = sweep.attrs["rule"]
    out.figures["coherence"] = _figure(plots.coherence(sweep), config)
    k = config.k or int(sweep.loc[sweep["recommended"], "k"].iloc[0])
    out.notes["k"] = str(k)
    # the model and its refits one after the other: each already runs on two threads
    model = topics.fit_lda(tokens, k=k, random_state=config.random_state,
                           stability_seeds=list(config.stability_seeds) or None, **vocabulary, **{**fits, "n_jobs": 1})
    logger.info("topics: the model with k = %d and its stability refits done", k)
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "model")
        topics.export_ldavis(model, Path(tmp) / "topics.html")
        for path in sorted(Path(tmp).rglob("*")):
            if path.is_file():
                out.files[path.relative_to(tmp).as_posix()] = path.read_bytes()
    labels = model.labels()
    out.tables["topic_labels"] = labels
    out.tables["topic_terms"] = model.topic_terms(n=15)
    out.figures["topic_terms"] = _figure(plots.topic_terms(model.topic_terms(n=10)), config)
    prevalence = topic_effects.topic_prevalence(model, by=by, n_boot=config.n_boot, random_state=config.random_state)
    out.tables["topic_prevalence"] = prevalence
    out.figures["topic_prevalence"] = _figure(plots.topic_prevalence(prevalence, by=by, labels=labels), config)
    if model.stability_ is not None:
        out.tables["topic_stability"] = model.stability_
        out.notes["pairwise_stability"] = f"{model.stability_.attrs['pairwise_stability']:.2f}"
    else:
        out.notes["pairwise_stability"] = "not assessed"
    if by == "doc_id":
        out.notes["topic_effects"] = ("Not estimated: every document is its own group, so there is no variation "
                                      "between the documents of a group to judge a difference by.")
        return out
    try:
        effects = topic_effects.estimate_effects(model, covariates=by, reference=config.rates_reference,
                                                 n_draws=config.n_draws, random_state=config.random_state)
    except ValueError as err:  # no more documents than groups: nothing to estimate
        if "too few" not in str(err):
            raise
        out.notes["topic_effects"] = f"Not estimated: {err}."
        logger.warning("topics: effects of %s not estimated: %s", by, err)
        return out
    out.tables["topic_effects"] = effects
    out.figures["topic_effects"] = _figure(plots.topic_effects(effects, labels=labels), config)
    return out


def _section_reuse(tokens, docs, config) -> _Section:
    by, out = config.by, _Section()
    grouped = by if by != "doc_id" else None
    passages = reuse.find_reuse(docs, by=grouped, min_length=config.reuse_min_length,
                                min_similarity=config.reuse_min_similarity, random_state=config.random_state,
                                progress=config.progress)
    out.tables["reuse_passages"] = passages
    pairs = reuse.reuse_pairs(passages, docs)
    out.tables["reuse_pairs"] = pairs.sort_values(["chars_a", "doc_a", "doc_b"], ascending=[False, True, True],
                                                  kind="stable").reset_index(drop=True)
    account = passages.attrs.get("reuse_account", {})
    out.notes["reuse_account"] = json.dumps({k: v for k, v in account.items() if isinstance(v, (int, float, str))},
                                            ensure_ascii=False)
    out.notes["reuse_ngram"] = str(passages.attrs.get("reuse_params", {}).get("ngram"))
    out.tables["reuse_excluded"] = reuse.reuse_excluded(passages)
    out.tables["reuse_widely_shared"] = reuse.reuse_widely_shared(passages)
    if grouped is not None:
        groups = reuse.reuse_groups(passages, docs, by=by)
        out.tables["reuse_groups"] = groups
        out.figures["reuse_heatmap"] = _figure(plots.reuse_heatmap(groups, by=by), config)
    graph = reuse.reuse_network(passages, docs, by=grouped)
    out.notes["reuse_directed"] = "directed" if graph.is_directed() else "undirected"
    out.files.update(_network_files(graph, "reuse_network"))
    return out


def _section_network(tokens, docs, config) -> _Section:
    out = _Section()
    edges = networks.cooccurrence(tokens, unit=config.coword_unit, top=config.coword_top, drop_places=True,
                                  drop_boilerplate=True)
    graph = networks.coword_network(edges, weight="ochiai", top_edges=config.coword_edges)
    nodes = networks.coword_communities(graph, random_state=config.random_state)
    out.tables["coword_edges"] = edges
    out.tables["coword_nodes"] = nodes
    out.tables["coword_communities"] = networks.community_terms(nodes, n=10)
    found = nodes.attrs.get("communities", {})
    out.notes["coword_communities"] = (f"{found.get('n_communities', 0)} communities (Louvain, modularity "
                                       f"{found.get('modularity', float('nan')):.2f})")
    out.notes["coword_units"] = f"{sum(edges.attrs['cooccurrence']['n_units'].values()):,}"
    out.figures["coword_network"] = _figure(plots.network(nodes, edges, weight="ochiai",
                                                          top_edges=config.coword_edges,
                                                          random_state=config.random_state), config)
    out.files.update(_network_files(graph, "coword_network"))
    return out


def _network_files(graph, name: str) -> dict[str, bytes]:
    """A graph as GEXF and GraphML bytes (for Gephi), under ``networks/``."""
    import tempfile

    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("gexf", "graphml"):
            path = networks.write_network(graph, Path(tmp) / f"{name}.{fmt}")
            files[f"networks/{name}.{fmt}"] = path.read_bytes()
    return files


def _significance_counts(key: pd.DataFrame, by: str) -> pd.DataFrame:
    """Terms over-used at BH-adjusted p < 0.05 per group: by G² (tokens) and by the permutation test (documents)."""
    over = key[key["direction"] == "over"]
    table = over.groupby(by, sort=True).agg(
        n_docs=("n_docs_target", "first"), terms_tested=("term", "size"),
        significant_g2=("p_adjusted", lambda p: int((p < 0.05).sum())),
        significant_permutation=("p_perm_adjusted", lambda p: int((p < 0.05).sum()))).reset_index()
    return table


def _manifest(data_dir, docs, config: ReportConfig, k: int, tokenizer) -> dict:
    data_dir = Path(data_dir)
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    inputs = {f: loading.file_sha256(data_dir / f) for f in docs["file"]} if "file" in docs else {}
    if (data_dir / "metadata.csv").is_file():
        inputs["metadata.csv"] = loading.file_sha256(data_dir / "metadata.csv")
    package_data = {str(p.relative_to(resources.data_path())): loading.file_sha256(p)
                    for p in sorted(resources.data_path().rglob("*")) if p.is_file()}
    return {
        "created_with": f"policytext {versions['policytext']}",
        "python": platform.python_version(),
        "packages": versions,
        "corpus": str(data_dir.resolve()),
        "config": {**{k_: (list(v) if isinstance(v, tuple) else str(v) if isinstance(v, Path) else v)
                      for k_, v in config.__dict__.items()},
                   "k_used": k},
        "seeds": {"random_state": config.random_state, "stability_seeds": list(config.stability_seeds),
                  "sweep_stability_seeds": list(config.sweep_stability_seeds)},
        "tokenizer": {"params": {k_: (list(v) if isinstance(v, tuple) else v)
                                 for k_, v in tokenizer.get_params().items()},
                      "fingerprint": tokenizer.fingerprint_},
        "cleaning_steps": [cleaning.step_name(s) for s in cleaning.DEFAULT_STEPS],
        "sha256": {"inputs": inputs, "package_data": package_data},
    }


#: The computed section (see :data:`_SECTION_SETTINGS`) that each part of the page shows.
_PAGE_SECTION = {"keywords": "words", "similarity": "words", "keyness": "keyness", "emphasis": "emphasis",
                 "topics": "topics", "reuse": "reuse", "network": "network"}


def _section_body(key: str, parts: dict, notes: dict) -> str:
    """A part of the page, or the sentence that says why its section could not run on this corpus."""
    reason = notes.get(f"not_run:{_PAGE_SECTION.get(key, '')}")
    if reason is not None:
        return f"<p class='warning'>Not run on this corpus: {html.escape(reason)}</p>"
    return parts[key]()


SECTIONS = [
    ("corpus", "1. Corpus: what was loaded, skipped and cleaned"),
    ("keywords", "2. Keywords and TF-IDF"),
    ("keyness", "3. Keyness: what each group says more than the others"),
    ("similarity", "4. Similarity between groups"),
    ("emphasis", "5. Policy emphasis with uncertainty"),
    ("topics", "6. Topics"),
    ("reuse", "7. Text reuse: passages the documents share"),
    ("network", "8. Co-word network"),
    ("reproduce", "9. Reproducing this report"),
]


def _table_html(table: pd.DataFrame, rows: int = 40) -> str:
    shown = table.head(rows)
    body = shown.to_html(index=False, float_format=lambda x: f"{x:.3g}", border=0, classes="t", escape=True)
    more = f"<p class='note'>{len(table) - rows} more rows in the CSV file.</p>" if len(table) > rows else ""
    return body + more


def _img(figures: dict, name: str, alt: str, formats: Sequence[str] = ("png",)) -> str:
    """The figure embedded as PNG, a link to its file (the PNG if written, else the first format) around it."""
    data = base64.b64encode(figures[name]["png"]).decode("ascii")
    target = f"figures/{name}.{'png' if 'png' in formats else formats[0]}"
    return (f"<a class='figure' href='{html.escape(target)}' title='open the figure at full size'>"
            f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'></a>")


def _basis(text: str) -> str:
    """A paragraph saying what the uncertainty of a section rests on."""
    return f"<p class='basis'><b>Uncertainty rests on:</b> {text}</p>"


def _single_note(sizes: pd.DataFrame, by: str) -> str:
    singles = sizes.loc[sizes["single_document"], by].astype(str).tolist()
    if not singles:
        return ""
    return (f"<p class='note'>{len(singles)} group(s) have a single document and are marked "
            f"“(1 doc)” in every figure: {html.escape(', '.join(singles))}. A comparison of such a group says "
            "how one document differs, not how its province does.</p>")


def _reuse_html(tables, notes, by, config, img) -> str:
    """The text-reuse section: what was compared, the longest passages, reuse between groups."""
    e = html.escape
    passages = tables["reuse_passages"]
    account = json.loads(notes["reuse_account"])
    grouped = "reuse_groups" in tables
    longest = passages.sort_values(["length", "doc_a", "doc_b", "start_a"], ascending=[False, True, True, True],
                                   kind="stable").head(10)
    side = [f"{by}_a", f"{by}_b"] if grouped else []
    shown = longest[["doc_a", "doc_b"] + side + ["length", "similarity"]].assign(
        text_a=[(t if len(t) <= 160 else t[:160] + "…").replace("\n", " ¶ ") for t in longest["text_a"]])
    parts = [_basis("nothing: passages are found, not estimated. Shares describe each document pair; between groups, "
                    "every pair of their documents counts (a pair without a passage as 0), so a group of one document "
                    "rests on that document and is marked “(1 doc)”."),
             f"<p>Passages of at least {config.reuse_min_length} characters in both documents, at least "
             f"{config.reuse_min_similarity:.0%} of their aligned characters identical, found by local alignment "
             f"(Smith-Waterman) of the places a MinHash/LSH pre-filter of character {e(notes['reuse_ngram'])}-grams "
             "proposed (¶: a paragraph break). "
             f"{account.get('documents', 0)} documents, {account.get('document_pairs', 0):,} pairs; "
             f"{account.get('aligned_pairs', 0):,} pairs aligned; {len(passages):,} passages in "
             f"{account.get('pairs_with_reuse', 0):,} pairs; {account.get('excluded_boilerplate', 0):,} dropped as "
             "boilerplate (<code>src/policytext/data/reuse/boilerplate.txt</code>, <code>tables/reuse_excluded.csv"
             "</code>). Every passage with both spans (character positions in the cleaned text) is in "
             "<code>tables/reuse_passages.csv</code>; the share of each document's text in a passage, per pair, in "
             "<code>tables/reuse_pairs.csv</code>.</p>"]
    if not len(passages):
        parts.append("<p class='note'>No two documents share a passage above these thresholds.</p>")
    else:
        parts += ["<h3>The ten longest passages</h3>", _table_html(shown)]
    if grouped:
        groups = tables["reuse_groups"]
        top = groups[groups["doc_pairs_with_reuse"] > 0].sort_values(
            ["doc_pairs_with_reuse", "passages"], ascending=False, kind="stable")
        parts += [f"<h3>Reuse between groups ({e(by)})</h3>", img("reuse_heatmap", "reuse between groups"),
                  _table_html(top, 30)]
    parts.append(f"<p class='note'>The reuse network ({e(notes['reuse_directed'])}: from the earlier document to the "
                 "later one where their dates differ) is in <code>networks/reuse_network.gexf</code> and "
                 "<code>.graphml</code>, for Gephi.</p>")
    return "".join(parts)


def _html(data_dir, by, k, tables, figures, manifest, notes, config) -> str:
    e = html.escape

    def img(name: str, alt: str) -> str:
        return _img(figures, name, alt, config.figure_formats)

    fallback = f"<p class='warning'>{notes['by_fallback']}</p>" if "by_fallback" in notes else ""
    summary = tables["corpus_summary"]
    account = tables["load_account"]
    sizes = tables["group_sizes"]
    skipped = account[account["status"] == "skipped"]
    unread = account[account["status"] == "not read"]
    clean_totals = tables["clean_account"].groupby("step", sort=False)[
        ["chars_removed", "chars_added", "chars_converted"]].sum().reset_index()
    single = _single_note(sizes, by)
    def example_html() -> str:
        examples = tables["emphasis_examples"]
        drivers = tables["emphasis_drivers"]
        return "".join(
            f"<h4>{e(str(label))}</h4><p class='note'>Top terms: "
            + e(", ".join(f"{t} {h}" for t, h in drivers.loc[drivers["dimension"] == dim, ["term", "hits"]]
                          .itertuples(index=False)))
            + "</p><ul class='kwic'>"
            + "".join(f"<li>…{e(r.left)}<b>{e(r.keyword)}</b>{e(r.right)}… <span class='note'>({e(str(r.doc_id))})"
                      "</span></li>" for r in examples[examples["dimension"] == dim].itertuples(index=False))
            + "</ul>"
            for dim, label in tables["emphasis"][["dimension", "label"]].drop_duplicates().itertuples(index=False))

    rates = tables.get("rate_ratios")
    ref = ", ".join(sorted(set(rates["reference"].astype(str)))) if rates is not None and len(rates) else ""
    key_cols = [by, "reference", "term", "n_target", "n_reference", "docs_target", "n_docs_target", "g2",
                "p_adjusted", "p_perm", "p_perm_adjusted", "log_ratio", "log_odds_z", "direction", "note"]
    parts = {
        "corpus": lambda: (
            f"<p>{int(summary['documents'].iloc[-1])} documents loaded from <code>{e(str(data_dir))}</code>, "
            f"{len(skipped)} inputs skipped"
            + (f", {len(unread)} other file(s) not read, not being texts of the corpus" if len(unread) else "")
            + ". Every file and metadata row is listed in <code>tables/load_account.csv</code>.</p>" + _table_html(summary) + single
            + ("<h3>Skipped inputs</h3>" + _table_html(skipped) if len(skipped) else "")
            + "<h3>Cleaning: characters changed per step</h3>" + _table_html(clean_totals)),
        "keywords": lambda: (_basis("nothing: counts and weights describe the groups; they are not estimates.")
                     + img("top_terms", "top terms") + img("wordclouds", "word clouds")
                     + "<h3>Most distinctive terms (TF-IDF, each group as one document)</h3>"
                     + f"<p class='note'>{e(notes['places'])} IDF is ln(N/df) (as quanteda and tidytext): a term "
                       "that every group uses scores 0.</p>"
                     + _table_html(tables["tfidf"][tables["tfidf"]["rank"] <= 5][[by, "term", "n", "tf_idf"]], 200)
                     + "<h3>Collocations (PMI and log-likelihood)</h3>" + _table_html(tables["collocations"], 20)),
        "keyness": lambda: (_basis(f"documents: <code>p_perm</code> comes from {config.n_perm} permutations of the "
                           "document labels across groups (BH-adjusted within each group: "
                           "<code>p_perm_adjusted</code>). The G² p-values treat every token as an independent "
                           "draw and call far too many terms significant; they are shown for reference only. "
                           "<code>docs_target</code> of <code>n_docs_target</code> says in how many of the "
                           "group's documents a term occurs.")
                    + single + img("keyness", "keyness")
                    + f"<p class='note'>{e(notes['places'])} Log ratio (log2) as effect size; weighted log-odds "
                      "after Monroe, Colaresi and Quinn (2008), with a prior from the two sides compared.</p>"
                    + "<h3>Over-used terms significant at BH-adjusted p &lt; 0.05</h3>" + _table_html(tables["keyness_significance"], 60)
                    + _table_html(tables["keyness"][[c for c in key_cols if c in tables["keyness"]]], 60)),
        "similarity": lambda: (_basis("nothing: cosine similarity of TF-IDF vectors describes the groups.")
                       + img("similarity", "similarity")),
        "emphasis": lambda: (_basis("documents: each interval is a bootstrap over the group's documents (expanded "
                            "percentile interval), widened to the exact Poisson interval of its count where that "
                            "is wider, so that a zero count gets a positive upper bound. A group with one document "
                            "has only the exact interval over its tokens (<code>interval_basis</code>). The rate "
                            "ratios are a quasi-Poisson regression of each document's hits, with its tokens as "
                            "exposure: documents are the observations.")
                     + single
                     + img("emphasis_heatmap", "emphasis heatmap")
                     + "<p class='note'>Colours compare the groups within each dimension (z-scores); the numbers "
                       "are hits per 10,000 tokens, also in the table below.</p>"
                     + img("emphasis_intervals", "emphasis intervals")
                     + _table_html(tables["emphasis"][[by, "label", "hits", "per_10k", "per_10k_low", "per_10k_high",
                                                       "share", "n_docs", "interval_basis", "note"]], 80)
                     + (f"<h3>Rate ratios against {e(ref)}</h3>" + img("rate_ratios", "rate ratios")
                        + _table_html(rates[["feature", "level", "reference", "rate_ratio", "low", "high",
                                             "p_adjusted", "n_docs", "n_docs_reference", "note"]], 60)
                        if rates is not None else
                        f"<h3>Rate ratios</h3><p class='note'>{e(notes.get('rate_ratios', ''))}</p>")
                     + "<h3>What each dimension counts</h3><p class='note'>Its five most frequent terms in the "
                       "corpus, and three of its hits drawn at random (seeded), to judge whether the measure "
                       "measures what it names.</p>" + example_html()
                     + "<h3>Policy instruments (supply, environment, demand): shares</h3>"
                     + img("instruments", "policy instruments")),
        "topics": lambda: (_basis("documents: prevalence intervals are a bootstrap over each group's documents (a group "
                          "with one document: over its paragraphs); they describe the groups, treat the topic "
                          "shares as known and adjust for nothing. The effects of the grouping are regressions of "
                          "document topic shares on the groups (OLS), repeated over draws of the shares from their "
                          "posterior and pooled (the method of composition, as stm's estimateEffect), so they carry "
                          "the uncertainty of the shares as well as the variation between documents.")
                   + single + f"<p class='note'>{e(notes['topic_vocabulary'])}</p>"
                   + "<h3>Choosing k</h3>" + img("coherence", "criteria against k")
                   + f"<p class='note'>Recommended: {e(notes['sweep_rule'])}. The sweep's fits use "
                     f"{e(notes['sweep_iterations'])} Gibbs iterations, the final model 200. Held-out log-likelihood per word (natural "
                     "log) by document completion on held-out paragraphs; perplexity = exp(−log-likelihood); "
                     "coherence c_npmi and u_mass on the training paragraphs; exclusivity = mean FREX of the top "
                     "words (as stm); stability = mean matched similarity over pairs of seeds.</p>"
                   + _table_html(tables["lda_sweep"].drop(columns=["reason"]))
                   + "".join(f"<p><b>{e(str(r))}</b></p>" for r in tables["lda_sweep"]["reason"] if r)
                   + f"<p>Model fitted with k = {k}; topics numbered 1 to {k} here, in the CSV tables and in the "
                     "interactive view <a href='topics.html'>topics.html</a> (opens offline).</p>"
                   + "<h3>Topics and their stability</h3>"
                   + f"<p class='note'>Each topic's stability is its mean matched similarity to the topics of the "
                     f"model fitted again with other seeds; below {topics.STABILITY_THRESHOLD} it is marked unstable "
                     f"(<code>stable</code> false, “[unstable]” in the figures): read such a topic with care. "
                     f"Mean similarity over all pairs of fits: {e(notes['pairwise_stability'])}.</p>"
                   + _table_html(tables["topic_labels"])
                   + img("topic_terms", "topic terms") + img("topic_prevalence", "prevalence")
                   + "<h3>Effects on topic shares</h3>"
                   + (img("topic_effects", "topic effects")
                      + _table_html(tables["topic_effects"][["topic", "level", "reference", "estimate", "low",
                                                             "high", "n_docs", "stable", "note"]], 80)
                      if "topic_effects" in tables else f"<p class='note'>{e(notes.get('topic_effects', ''))}</p>")),
        "reuse": lambda: (_reuse_html(tables, notes, by, config, img) if "reuse" not in config.skip else
                  "<p class='note'>Not run (skipped: <code>--skip reuse</code>).</p>"),
        "network": lambda: "<p class='note'>Not run (skipped: <code>--skip network</code>).</p>" if "network" in config.skip
        else (_basis("nothing: co-occurrence counts and their normalisation describe the corpus; the "
                           "communities are one partition that Louvain finds (seeded), not an estimate.")
                    + f"<p>The {config.coword_top} terms found in the most {e(str(config.coword_unit))} units "
                      f"({e(notes['coword_units'])} units), without place names and genre boilerplate; two terms "
                      "are linked by the Ochiai coefficient, the number of units holding both over the geometric "
                      f"mean of the units holding each. The {config.coword_edges} strongest links are kept; "
                      f"{e(notes['coword_communities'])}. The network is in <code>networks/coword_network.gexf"
                      "</code> and <code>.graphml</code> for Gephi; every pair with its raw count and four normalisations ("
                      "Ochiai, Jaccard, association strength, PMI) in <code>tables/coword_edges.csv</code>, and "
                      "every term's community and centrality in <code>tables/coword_nodes.csv</code>.</p>"
                    + img("coword_network", "co-word network")
                    + _table_html(tables["coword_communities"])),
        "reproduce": lambda: (
            "<p>Package versions, configuration, seeds and the SHA-256 of every input, lexicon, stopword layer "
            "and cleaning rule file are in <code>manifest.json</code>. The command:</p>"
            f"<pre>policytext report {e(str(data_dir))} -o OUT --by {e(by)}{f' --k {k}' if k else ''} --seed "
            f"{manifest['seeds']['random_state']}"
            + (f" --skip {e(','.join(config.skip))}" if config.skip else "") + "</pre>"
            f"<pre>{e(json.dumps(manifest['packages'], indent=1))}</pre>"),
    }
    nav = "".join(f"<li><a href='#{key}'>{e(title)}</a></li>" for key, title in SECTIONS)
    body = "".join(f"<section id='{key}'><h2>{e(title)}</h2>{_section_body(key, parts, notes)}</section>"
                   for key, title in SECTIONS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>policytext report: {e(str(data_dir))} by {e(by)}</title>
<style>
body {{ font-family: "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 1200px;
        margin: 2em auto; padding: 0 1em; color: #222; }}
img {{ max-width: 100%; display: block; margin: 1em 0; }} a.figure {{ display: block; }}
table.t {{ border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }}
table.t th, table.t td {{ padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; }}
.note {{ color: #555; font-size: 0.9em; }} .basis {{ background: #eef3f8; padding: 0.4em 0.6em; }}
.warning {{ background: #fff4e5; border-left: 4px solid #e8a33d; padding: 0.4em 0.6em; }}
ul.kwic {{ font-size: 0.9em; }} pre {{ background: #f6f6f6; padding: 0.5em; overflow-x: auto; }}
</style></head><body>
<h1>policytext report</h1>
<p>Corpus <code>{e(str(data_dir))}</code>, grouped by <b>{e(by)}</b>;
policytext {e(manifest['packages']['policytext'] or '')}. Figures open at full size when clicked; how long each part took is in <code>manifest.json</code>.</p>
{fallback}
<ol>{nav}</ol>
{body}
</body></html>
"""
