"""The one-command report: the whole pipeline on a corpus, as HTML, CSV tables and a manifest.

One :class:`~policytext.report.pipeline.Pipeline` reads, cleans and tokenizes the corpus once
and derives what the sections share (the matrix of documents, the tokens without place names,
the content tokens, the topics' preparation); each section of
:data:`~policytext.report.sections.SECTIONS` takes what it needs from it. Output folder::

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

import dataclasses
import io
import json
import logging
import pickle
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from policytext import export
from policytext._core.cache import package_fingerprint
from policytext._core.codes import package_version
from policytext._core.parallel import process_pool, resolve_n_jobs
from policytext.compare import counting
from policytext.errors import NotEstimable
from policytext.io import loading, resources
from policytext.report.config import DEFAULT_BY, PACKAGES, SKIPPABLE, ReportConfig
from policytext.report.folder import ReportFolder
from policytext.report.page import PARTS, render_page
from policytext.report.pipeline import Pipeline
from policytext.report.sections import SECTIONS, Section, SectionResult
from policytext.text import cleaning, segmentation

__all__ = ["build_report", "ReportConfig", "TIMING_KEYS", "SKIPPABLE", "SECTIONS", "PARTS"]

logger = logging.getLogger(__name__)

#: The keys of manifest.json that differ between runs of the same report: how long it took, what came from the cache.
TIMING_KEYS = ("timings",)

#: Bumped when what a cached section holds changes.
_SECTION_FORMAT = 6
#: Packages whose versions can change a section's output (figures included).
_SECTION_PACKAGES = ("policytext", "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "matplotlib", "seaborn",
                     "wordcloud", "gensim", "tomotopy", "pyLDAvis", "datasketch", "biopython", "networkx", "jinja2")


def _check_before_work(p: Pipeline, config: ReportConfig) -> None:
    """The checks that need the documents but not their tokens: made before any work."""
    if config.rates_reference is not None and p.by != "doc_id":
        groups = counting.group_keys(p.raw_docs, p.by)[1][p.by]
        if config.rates_reference not in set(groups):
            shown = sorted(set(groups))
            raise ValueError(f"--reference {config.rates_reference}: no such {p.by} in the corpus; "
                             f"its {p.by} values are {shown[:20]}{' …' if len(shown) > 20 else ''}")


def _check_topics_before_work(tokens: pd.DataFrame, config: ReportConfig) -> None:
    """An explicit k needs more paragraphs than topics: refused before the sections run."""
    if config.k is None:
        return
    n_units = len(tokens[["doc_id", "para_id"]].drop_duplicates()) if len(tokens) else 0
    if config.k >= n_units:
        raise NotEstimable(f"--k {config.k}: the corpus has {n_units} paragraph(s) with tokens; a topic model needs "
                           "more paragraphs than topics (choose a smaller --k)")


def pipeline_for(data_dir, config: ReportConfig) -> Pipeline:
    """The pipeline a report with ``config`` runs on ``data_dir``."""
    return Pipeline(data_dir, by=config.by, default_by=DEFAULT_BY, strict=config.strict,
                    allow_outside=config.allow_outside, metadata=config.metadata, tokenizer=config.tokenizer,
                    n_jobs=config.n_jobs,
                    cache=config.cache, cache_dir=config.cache_dir, progress=config.progress,
                    drop_places=config.drop_places, topic_vocabulary=config.topic_vocabulary)


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
    folder = ReportFolder(Path(out_dir), Path(data_dir))
    p = pipeline_for(data_dir, config)
    p.raw_docs  # loaded (and by resolved) before any other work
    by = p.by
    _check_before_work(p, config)
    tokens = p.tokens
    _check_topics_before_work(tokens, config)

    tables: dict[str, pd.DataFrame] = {}
    timings: dict[str, float] = {"load, clean, tokenize": time.perf_counter() - start}
    tables["group_sizes"] = p.group_sizes
    tables["corpus_summary"] = counting.corpus_summary(tokens, p.docs, by=by)
    tables["load_account"] = p.load_account
    tables["clean_account"] = cleaning.clean_account(p.docs)
    # whether a document's tokens came from the cache differs between a first run and a rerun: it goes into
    # the manifest's timings, not into the table
    tokenize_account = segmentation.tokenize_account(tokens)
    from_cache = int(tokenize_account["from_cache"].sum()) if "from_cache" in tokenize_account else None
    tables["tokenize_account"] = tokenize_account.drop(columns=["from_cache"], errors="ignore")

    results = _run(p, config)
    with folder:
        facts, not_run, figures, sections_from_cache = {}, {}, {}, []
        for section in SECTIONS:
            if section.name in config.skip:
                continue
            result = results[section.name]
            tables.update(result.tables)
            figures.update(result.figures)
            facts.update(result.facts)
            if result.not_run is not None:
                not_run[section.name] = result.not_run
            timings[section.name] = result.seconds
            if result.from_cache:
                sections_from_cache.append(section.name)
            for rel, data in result.files.items():
                folder.write(rel, data)
        k = facts.get("k")

        for name, table in tables.items():
            for fmt in config.table_formats:
                export.write_table(table, folder.path(f"tables/{name}.{fmt}"))
        for name, files in figures.items():
            for fmt in config.figure_formats:
                folder.write(f"figures/{name}.{fmt}", files[fmt])
        manifest = _manifest(p, config, k)
        meta = [c for c in p.raw_docs.columns if c not in ("doc_id", "file", "text", "encoding")]
        page = render_page(data_dir=data_dir, by=by, by_requested=p.by_requested or DEFAULT_BY,
                           by_fallback=p.by_fallback, metadata_columns=meta, tables=tables, figures=figures,
                           facts=facts, not_run=not_run, config=config, manifest=manifest, k=k)
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


def _run(p: Pipeline, config: ReportConfig) -> dict[str, SectionResult]:
    """Every section not skipped, each from the cache or computed; with more than one job, the topics run in
    this process while helper processes compute the others (text reuse, the longest of them, in one of its own)."""
    chosen = [s for s in SECTIONS if s.name not in config.skip]
    # what several sections read is derived here, once, before the work is shared out
    for name in {i for s in chosen for i in s.inputs}:
        p.fingerprint(name)
    if any(s.name in ("words", "keyness", "network") for s in chosen):
        p.compared
    if any(s.name in ("network", "topics") for s in chosen):
        p.content
    topics = [s for s in chosen if s.name == "topics"]
    alone = [s for s in chosen if s.name == "reuse"]
    others = [s for s in chosen if s.name not in ("topics", "reuse")]
    n_jobs = resolve_n_jobs(config.n_jobs)
    results: dict[str, SectionResult] = {}
    if n_jobs > 1:
        # the pipeline is pickled here, before the topics start filling it in this process: the pool's feeder thread
        # would otherwise pickle it while it changes ("dictionary changed size during iteration")
        frozen = pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
        with process_pool(2) as helper:
            pending = [helper.submit(_run_pickled_sections, part, frozen, config) for part in (others, alone) if part]
            results.update(_run_sections(topics, p, config, n_jobs=n_jobs))
            for job in pending:
                results.update(job.result())
    else:
        results.update(_run_sections(others + alone + topics, p, config))
    return results


def _run_pickled_sections(sections: list[Section], frozen: bytes, config: ReportConfig) -> dict:
    """Several sections in turn in a helper process, on the pipeline as it was pickled."""
    return _run_sections(sections, pickle.loads(frozen), config)


def _run_sections(sections: list[Section], p: Pipeline, config: ReportConfig, **options) -> dict:
    """Several sections in turn (in a helper process, or in this one)."""
    store = _SectionStore(config)
    return {s.name: store.run(s, p, config, **(options if s.name == "topics" else {})) for s in sections}


class _SectionStore:
    """Sections of the report read from, or written to, the cache (Parquet tables, figure bytes, JSON facts)."""

    def __init__(self, config: ReportConfig):
        from policytext._core.cache import ArrayStore, default_cache_dir

        self.store = ArrayStore(Path(config.cache_dir) if config.cache_dir is not None else default_cache_dir(),
                                "report") if config.cache else None

    @staticmethod
    def key(section: Section, p: Pipeline, config: ReportConfig) -> str:
        """The cache key: the section's declared inputs, its settings (``by`` as resolved) and the code."""
        from policytext._core.cache import ArrayStore

        settings = {s: (p.by if s == "by" else list(v) if isinstance(v, tuple) else v)
                    for s in section.settings for v in [getattr(config, s)]}
        versions = {name: package_version(name) for name in _SECTION_PACKAGES}
        # the metadata reach the sections through the documents' and tokens' fingerprints; a table named with
        # --metadata is keyed by its bytes too (not by its path: the same table elsewhere is the same input)
        extra = ()
        if config.metadata is not None:
            extra = tuple(f"metadata={sha}" for sha in loading.metadata_file(p.raw_docs)["sha256"])
        return ArrayStore.key(str(_SECTION_FORMAT), section.name, package_fingerprint(),
                              json.dumps(settings, sort_keys=True, default=str), json.dumps(versions, sort_keys=True),
                              *(f"{name}={p.fingerprint(name)}" for name in section.inputs), *extra)

    def run(self, section: Section, p: Pipeline, config: ReportConfig, **options) -> SectionResult:
        started = time.perf_counter()
        key = self.key(section, p, config) if self.store is not None else None
        if key is not None:
            arrays = self.store.get_arrays(key)
            if arrays is not None:
                result = _unpack(arrays)
                result.seconds, result.from_cache = time.perf_counter() - started, True
                logger.info("report section %s read from the cache", section.name)
                return result
        try:
            result = section.compute(p, config, **options)
        except NotEstimable as reason:  # cheap to find again: not cached
            logger.warning("report section %s not run: %s", section.name, reason)
            return SectionResult(not_run=str(reason), seconds=time.perf_counter() - started)
        if key is not None:
            self.store.put_arrays(key, _pack(result))
        result.seconds = time.perf_counter() - started
        return result




def _pack(result: SectionResult) -> dict:
    arrays = {"facts": np.array(json.dumps(result.facts, ensure_ascii=False, sort_keys=True))}
    for name, table in result.tables.items():
        buffer = io.BytesIO()
        plain = table.copy(deep=False)
        plain.attrs = {}  # what the page needs from attrs is in the facts; attrs may hold tables
        plain.to_parquet(buffer, index=False)
        arrays[f"table:{name}"] = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
    for name, files in result.figures.items():
        for fmt, data in files.items():
            arrays[f"figure:{name}.{fmt}"] = np.frombuffer(data, dtype=np.uint8)
    for rel, data in result.files.items():
        arrays[f"file:{rel}"] = np.frombuffer(data, dtype=np.uint8)
    return arrays


def _unpack(arrays: dict) -> SectionResult:
    result = SectionResult(facts=json.loads(str(arrays["facts"])))
    for key, value in arrays.items():
        kind, _, name = key.partition(":")
        if kind == "table":
            result.tables[name] = pd.read_parquet(io.BytesIO(value.tobytes()))
        elif kind == "figure":
            figure, _, fmt = name.rpartition(".")
            result.figures.setdefault(figure, {})[fmt] = value.tobytes()
        elif kind == "file":
            result.files[name] = value.tobytes()
    return result


def _manifest(p: Pipeline, config: ReportConfig, k: int | None) -> dict:
    versions = {name: package_version(name) for name in PACKAGES}
    recorded = dataclasses.replace(config, by=p.by_requested or DEFAULT_BY)
    package_data = {str(path.relative_to(resources.data_path())): loading.file_sha256(path)
                    for path in sorted(resources.data_path().rglob("*")) if path.is_file()}
    tokenizer = p.tokenizer
    return {
        "created_with": f"policytext {versions['policytext']}",
        "python": platform.python_version(),
        "packages": versions,
        "corpus": str(p.data_dir.resolve()),
        "config": {**{name: (list(v) if isinstance(v, tuple) else str(v) if isinstance(v, Path) else v)
                      for name, v in recorded.__dict__.items()},
                   "k_used": k},
        "by_used": p.by,
        "seeds": {"random_state": config.random_state, "stability_seeds": list(config.stability_seeds),
                  "sweep_stability_seeds": list(config.sweep_stability_seeds)},
        "tokenizer": {"params": {name: (list(v) if isinstance(v, tuple) else v)
                                 for name, v in tokenizer.get_params().items()},
                      "fingerprint": tokenizer.fingerprint_},
        "cleaning_steps": [cleaning.step_name(s) for s in cleaning.DEFAULT_STEPS],
        "sha256": {"inputs": p.inputs, "package_data": package_data},
    }
