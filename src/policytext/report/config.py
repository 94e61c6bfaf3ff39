"""The settings of a report run: every one recorded in the manifest, each section keyed by those it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

__all__ = ["ReportConfig", "SKIPPABLE", "DEFAULT_BY", "PACKAGES"]

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
        from policytext import export, plots  # here, not at import: the command line reads DEFAULT_BY cheaply

        self.figure_formats = _formats(self.figure_formats, plots.FIGURE_FORMATS, "figure_formats")
        self.table_formats = _formats(self.table_formats, export.TABLE_FORMATS, "table_formats")


def _formats(value, allowed: Sequence[str], name: str) -> tuple[str, ...]:
    formats = (value,) if isinstance(value, str) else tuple(value)
    formats = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    bad = [f for f in formats if f not in allowed]
    if bad or not formats:
        raise ValueError(f"{name}: {', '.join(bad) or 'none given'}; choose from {', '.join(allowed)}")
    return formats


#: The column a report (and the command line) groups by when ``by`` is not given; a corpus without it is grouped
#: by document. The functions of the package group by nothing (per document) when ``by`` is not given.
DEFAULT_BY = "province"
